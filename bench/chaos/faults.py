"""The faults a chaos run injects under load, each noted with when it struck and ended.

Services are the run's own processes (``shared.launcher.Stack``): ``kill -9`` and a
fresh start. The broker and the database server are shared with every checkout on the
machine, so they are found by their port and brought back by the checkout that
started them (``bench.servers``); the run holds the servers lock meanwhile.
"""

import asyncio
import logging
import signal
import time
from dataclasses import dataclass

from bench import servers
from shared.launcher import Stack

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Fault:
    """One thing done to the system: when, what, and when it was whole again."""

    at: float
    what: str
    back_at: float

    @property
    def outage_s(self) -> float:
        """Seconds from the fault to recovery."""
        return self.back_at - self.at


def say(message: str) -> None:
    """One line of the run's narration."""
    print(f"[chaos {time.strftime('%H:%M:%S')}] {message}", flush=True)


class Injector:
    """Injects faults into one stack and the shared servers; keeps the record."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.done: list[Fault] = []
        self.touched: list[servers.Server] = []

    def _note(self, at: float, what: str) -> None:
        fault = Fault(at, what, time.time())
        self.done.append(fault)
        say(f"{what}: back after {fault.outage_s:.1f} s")

    async def kill_service(self, name: str) -> None:
        """``kill -9`` one service, then start it again and wait until it is ready."""
        at = time.time()
        await asyncio.to_thread(self.stack.stop, name, kill=True)
        await asyncio.to_thread(self.stack.start, name)
        self._note(at, f"kill -9 {name}, restarted")

    async def restart_broker(self, sig: signal.Signals) -> None:
        """Stop the broker with ``sig`` and start it with its own checkout's up.sh."""
        broker = servers.find("kafka")
        self.touched.append(broker)
        at = await servers.kill(broker, sig)
        again = await servers.restore(broker)
        self._note(
            at,
            f"{sig.name} Kafka broker pid {broker.pid}, restarted by "
            f"{broker.up_script} as pid {again.pid}",
        )

    async def pause_database(self, seconds: float) -> None:
        """Freeze FerretDB (SIGSTOP) for a while: every query hangs, then resumes."""
        server = servers.find("mongo")
        self.touched.append(server)
        at = servers.pause(server)
        try:
            await asyncio.sleep(seconds)
        finally:
            servers.resume(server)
        self._note(at, f"SIGSTOP FerretDB pid {server.pid} for {seconds:.0f} s, SIGCONT")

    async def stop_database(self, seconds: float) -> None:
        """Stop FerretDB, leave it down for a while, start it with its checkout's up.sh."""
        server = servers.find("mongo")
        self.touched.append(server)
        at = await servers.kill(server, signal.SIGTERM)
        try:
            await asyncio.sleep(seconds)
        finally:
            again = await servers.restore(server)
        self._note(
            at,
            f"stop FerretDB pid {server.pid} for {seconds:.0f} s, restarted by "
            f"{server.up_script} as pid {again.pid}",
        )

    async def leave_servers_up(self) -> None:
        """After the run, whatever happened: every server it touched answers again."""
        for line in await servers.ensure_up(self.touched):
            say(line)
