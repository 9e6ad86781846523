"""The shared Kafka and FerretDB processes, found by the port they listen on.

Any checkout may have started the servers this machine's runs share, so the process
is found through its listening port (``ss -ltnp``), and the checkout that started it
through its command line: the broker names its config and log folder, FerretDB its
state folder, all under that checkout's ``.local``. A server is brought back with that
checkout's own ``deploy/local/up.sh`` and its ``.local``, so it restarts with the same
command line, configuration and data as before, and that checkout's pid file and
``down.sh`` keep working.
"""

import asyncio
import logging
import os
import re
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

PORTS = {"kafka": 9092, "mongo": 27017}
ALL_PORTS = {"kafka": (9092, 9093), "mongo": (27017,)}
UP_TIMEOUT_S = 240.0
WAIT_STEP_S = 0.2


class ServerError(Exception):
    """A server could not be found, stopped or brought back as asked."""


@dataclass(frozen=True)
class Server:
    """One running server and where it came from."""

    component: str
    pid: int
    command: tuple[str, ...]
    local_dir: Path
    root: Path

    @property
    def up_script(self) -> Path:
        """The script that started it."""
        return self.root / "deploy" / "local" / "up.sh"

    def restart_env(self) -> dict[str, str]:
        """The environment under which up.sh repeats this server's command line."""
        env = {
            **os.environ,
            "GRIDLOOP_LOCAL": str(self.local_dir),
            "GRIDLOOP_UP": self.component,
            "GRIDLOOP_REUSE_SERVERS": "0",
        }
        if self.component == "kafka":
            heap = [arg for arg in self.command if arg.startswith(("-Xmx", "-Xms"))]
            env["GRIDLOOP_KAFKA_HEAP"] = " ".join(heap)
        else:
            for arg in self.command:
                if arg.startswith("--debug-addr="):
                    env["GRIDLOOP_FERRETDB_DEBUG_ADDR"] = arg.split("=", 1)[1]
        return env


def listener_pid(port: int) -> int | None:
    """The pid listening on 127.0.0.1:``port``, if ``ss`` can tell."""
    try:
        out = subprocess.run(
            ["ss", "-Hltnp", f"sport = :{port}"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise ServerError(f"ss could not list listeners: {exc}") from exc
    found = re.search(r"pid=(\d+)", out)
    return int(found.group(1)) if found else None


def command_of(pid: int) -> tuple[str, ...]:
    """A process's command line, argument by argument."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError as exc:
        raise ServerError(f"process {pid} is gone") from exc
    return tuple(part.decode(errors="replace") for part in raw.split(b"\0") if part)


def _value(command: tuple[str, ...], prefix: str) -> str | None:
    for arg in command:
        if arg.startswith(prefix):
            return arg[len(prefix) :]
    return None


def find(component: str) -> Server:
    """The running server of ``component`` (``kafka`` or ``mongo``) and its checkout."""
    pid = listener_pid(PORTS[component])
    if pid is None:
        raise ServerError(f"nothing listens on port {PORTS[component]} ({component})")
    command = command_of(pid)

    if component == "kafka":
        if "kafka.Kafka" not in command:
            raise ServerError(f"pid {pid} on 9092 is not a Kafka broker: {command[:3]}")
        logs = _value(command, "-Dkafka.logs.dir=")
        log4j = _value(command, "-Dlog4j2.configurationFile=")
        if logs is None or log4j is None:
            raise ServerError(f"broker {pid} was not started by deploy/local/up.sh")
        local_dir, root = Path(logs).parent, Path(log4j).parents[3]
    else:
        state = _value(command, "--state-dir=")
        if not command or not command[0].endswith("ferretdb") or state is None:
            raise ServerError(f"pid {pid} on 27017 is not FerretDB from deploy/local")
        local_dir = Path(state).parent
        root = local_dir.parent

    server = Server(component, pid, command, local_dir, root)
    if not server.up_script.is_file():
        raise ServerError(f"{component} came from {root}, which has no deploy/local/up.sh")
    return server


def alive(pid: int) -> bool:
    """Whether the process exists and is not a zombie."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


async def kill(server: Server, sig: signal.Signals = signal.SIGKILL) -> float:
    """Send ``sig`` and wait until the process and its ports are gone; when it was sent.

    A many-threaded process (the JVM) shows as a zombie while its other threads are
    still exiting and its sockets still open, so the ports are waited for as well:
    up.sh refuses to start a server on a port something still answers on.
    """
    sent_at = time.time()
    os.kill(server.pid, sig)
    deadline = time.monotonic() + 60
    ports = ALL_PORTS[server.component]
    while alive(server.pid) or any(port_answers(port) for port in ports):
        if time.monotonic() > deadline:
            raise ServerError(f"{server.component} pid {server.pid} outlived {sig.name}")
        await asyncio.sleep(WAIT_STEP_S)
    return sent_at


def pause(server: Server) -> float:
    """Freeze the process (SIGSTOP): connections stay open and nothing answers."""
    os.kill(server.pid, signal.SIGSTOP)
    return time.time()


def resume(server: Server) -> float:
    """Let a frozen process run on."""
    os.kill(server.pid, signal.SIGCONT)
    return time.time()


async def start(server: Server) -> Server:
    """Start the server again with its checkout's up.sh; answer the new process.

    Refuses to call it a success when it came back with another command line (another
    checkout's server took the port meanwhile, for example).
    """
    process = await asyncio.create_subprocess_exec(
        "bash",
        str(server.up_script),
        env=server.restart_env(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        output, _ = await asyncio.wait_for(process.communicate(), UP_TIMEOUT_S)
    except TimeoutError as exc:
        process.kill()
        raise ServerError(f"up.sh did not bring {server.component} back in time") from exc
    text = output.decode(errors="replace")
    if process.returncode != 0:
        raise ServerError(f"up.sh failed for {server.component}:\n{text[-2000:]}")

    again = find(server.component)
    if again.command != server.command:
        raise ServerError(
            f"{server.component} came back with another command line: "
            + " ".join(again.command)
        )
    logger.info("%s back as pid %d", server.component, again.pid)
    return again


def kafka_version() -> str:
    """The running broker's version, from the name of its jar."""
    try:
        kafka = find("kafka")
    except ServerError as exc:
        return f"unknown ({exc})"
    jars = sorted((kafka.local_dir / "kafka" / "libs").glob("kafka-server-*.jar"))
    names = [re.match(r"kafka-server-(\d[\w.]*)\.jar$", jar.name) for jar in jars]
    return next((m.group(1) for m in names if m), "unknown")


async def restore(server: Server, attempts: int = 3) -> Server:
    """Bring a stopped server back, trying again after a failure; raise only at the end.

    Other checkouts' runs depend on these servers, so a failed start is retried
    rather than left for someone to notice.
    """
    for attempt in range(1, attempts + 1):
        try:
            return await start(server)
        except ServerError as exc:
            logger.error("bringing %s back, attempt %d: %s", server.component, attempt, exc)
            if attempt == attempts:
                raise
            await asyncio.sleep(5)
    raise AssertionError("unreachable")


def port_answers(port: int) -> bool:
    """Whether something accepts connections on 127.0.0.1:``port``."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


async def ensure_up(known: list[Server]) -> list[str]:
    """Bring back any of ``known`` whose port is silent; what had to be done.

    A frozen process is sent SIGCONT first: whatever stopped a run must not leave the
    shared servers stopped.
    """
    done = []
    for server in known:
        if alive(server.pid):
            os.kill(server.pid, signal.SIGCONT)
        if port_answers(PORTS[server.component]):
            continue
        if alive(server.pid):
            done.append(f"{server.component} pid {server.pid} alive but not answering")
            continue
        again = await restore(server)
        done.append(f"{server.component} was down; started again as pid {again.pid}")
    return done
