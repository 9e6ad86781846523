"""Starts the four services as real processes, for `make run` and the tests."""

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
# In start order: the router publishes the registry that the others wait for.
SERVICES = {"router": 8002, "intake": 8001, "casework": 8003, "notifier": 8004}


@dataclass
class Stack:
    """Service processes and where their logs go."""

    env: dict[str, str]
    log_dir: Path
    # Services in a session of their own miss the terminal's Ctrl-C, so that whoever
    # started them decides when and in what order they stop.
    own_session: bool = False
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str) -> None:
        """Start one service and wait until it says it is ready."""
        port = SERVICES[name]
        if _answers(port):
            raise RuntimeError(f"port {port} is taken: stop whatever runs there ({name})")

        log = (self.log_dir / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            [sys.executable, "-m", f"services.{name}"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=self.own_session,
        )
        wait_ready(name, port, self.processes[name])

    def stop(self, name: str, *, kill: bool = False) -> None:
        """Stop one service, gracefully unless ``kill``."""
        process = self.processes.pop(name)
        if kill:
            process.kill()
        else:
            process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop_all(self) -> None:
        """Stop every service still running."""
        for name in list(self.processes):
            self.stop(name)


def _answers(port: int) -> bool:
    try:
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=0.5)
        return True
    except httpx.HTTPError:
        return False


def wait_ready(
    name: str, port: int, process: subprocess.Popen[bytes], timeout: float = 60
) -> None:
    """Poll ``/readyz`` until it answers 200, failing early if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}; see its log")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{name} not ready on port {port} after {timeout:.0f} s")


def service_env(**settings: str) -> dict[str, str]:
    """This process's environment with ``GRIDLOOP_<NAME>`` settings laid over it."""
    env = dict(os.environ)
    env.update({f"GRIDLOOP_{name.upper()}": value for name, value in settings.items()})
    env["PYTHONUNBUFFERED"] = "1"
    return env
