"""Two instances of every service, as processes against the three-broker cluster."""

import logging
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from shared.launcher import ROOT, service_env, wait_ready

logger = logging.getLogger(__name__)

SERVICES = ("intake", "router", "casework", "notifier")
LABELS = ("a", "b")
STOP_TIMEOUT_S = 15.0


class FleetError(Exception):
    """The service instances could not be started as asked."""


@dataclass
class Instance:
    """One process of one service, on a port of its own."""

    service: str
    label: str
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    killed_at: float | None = None

    @property
    def name(self) -> str:
        """How the run's output names this instance."""
        return f"{self.service}-{self.label}"

    @property
    def url(self) -> str:
        """Where its HTTP interface answers."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def alive(self) -> bool:
        """Whether its process still runs."""
        return self.process is not None and self.process.poll() is None


@dataclass
class Fleet:
    """Every instance, started with the same settings apart from the port."""

    settings: dict[str, str]
    log_dir: Path
    instances: list[Instance] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.instances = [
            Instance(service, label) for service in SERVICES for label in LABELS
        ]

    def start_all(self, timeout_s: float = 90) -> None:
        """Start every instance at once on free ports, then wait until each is ready."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for instance in self.instances:
            self._spawn(instance)
        for instance in self.instances:
            assert instance.process is not None
            try:
                wait_ready(instance.name, instance.port, instance.process, timeout_s)
            except RuntimeError as exc:
                raise FleetError(f"{exc} ({self.log_dir / instance.name}.log)") from exc
        logger.info("%d service instances ready", len(self.instances))

    def _spawn(self, instance: Instance) -> None:
        instance.port = _free_port()
        env = service_env(**self.settings, http_port=str(instance.port))
        with (self.log_dir / f"{instance.name}.log").open("ab") as log:
            instance.process = subprocess.Popen(
                [sys.executable, "-m", f"services.{instance.service}"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def get(self, name: str) -> Instance:
        """The instance called ``name`` (for example ``router-a``)."""
        for instance in self.instances:
            if instance.name == name:
                return instance
        raise FleetError(f"no instance {name}")

    def intake_urls(self) -> list[str]:
        """Base URLs of every intake instance, alive or not: clients find out."""
        return [i.url for i in self.instances if i.service == "intake"]

    def kill(self, name: str) -> float:
        """SIGKILL one instance, as a crash would; answer when it happened."""
        instance = self.get(name)
        if instance.process is None or not instance.alive:
            raise FleetError(f"{name} is not running")

        instance.process.kill()
        instance.process.wait(timeout=STOP_TIMEOUT_S)
        instance.killed_at = time.time()
        return instance.killed_at

    def unexpected_exits(self) -> list[str]:
        """Instances that died without being killed by the run."""
        return [
            f"{i.name} (exit {i.process.returncode})"
            for i in self.instances
            if i.process is not None and i.killed_at is None and not i.alive
        ]

    def stop_all(self) -> None:
        """Stop every instance still running: TERM, then KILL after a while."""
        running = [i for i in self.instances if i.alive]
        for instance in running:
            assert instance.process is not None
            instance.process.terminate()

        deadline = time.monotonic() + STOP_TIMEOUT_S
        for instance in running:
            assert instance.process is not None
            try:
                instance.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                logger.warning("%s ignored TERM; killing it", instance.name)
                instance.process.kill()
                instance.process.wait(timeout=STOP_TIMEOUT_S)


def _free_port() -> int:
    """A loopback port nobody listens on now (other test runs share this machine)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
