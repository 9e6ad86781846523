"""The four services of one benchmark phase, and what their processes weigh.

Each phase runs the services on a database of its own, dropped first, and in
consumer groups of its own that start at the end of the topics: what an earlier phase
left unread is not this phase's work, and the database's scans start small again.
"""

import asyncio
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from pymongo import AsyncMongoClient

from shared.launcher import SERVICES, Stack, service_env

logger = logging.getLogger(__name__)

DATABASE = "gridloop_bench_e2e"
RSS_EVERY_S = 2.0


def phase_stack(run_id: str, label: str, log_dir: Path) -> Stack:
    """A stack for one phase: its own groups, the benchmark's database, quiet logs."""
    env = service_env(
        env="test",
        mongo_db=DATABASE,
        group_prefix=f"bench-e2e-{run_id}-{label}-",
        consumer_start="latest",
        log_level="WARNING",
        # The benchmark posts as staff, never as an anonymous resident; keep the
        # resident limit out of the way all the same.
        intake_resident_burst="10000",
    )
    log_dir.mkdir(parents=True, exist_ok=True)
    return Stack(env=env, log_dir=log_dir)


async def start(stack: Stack, mongo: AsyncMongoClient[dict[str, object]]) -> float:
    """Drop the database, start every service; answer the seconds it took."""
    started = time.monotonic()
    await mongo.drop_database(DATABASE)
    for name in SERVICES:
        await asyncio.to_thread(stack.start, name)
    return time.monotonic() - started


@dataclass
class Weights:
    """Resident memory of every service process, sampled while a phase runs."""

    peak_mb: dict[str, float] = field(default_factory=dict)
    last_mb: dict[str, float] = field(default_factory=dict)

    def sample(self, stack: Stack) -> None:
        """Read each running service's RSS once."""
        for name, process in stack.processes.items():
            try:
                rss = psutil.Process(process.pid).memory_info().rss / 2**20
            except psutil.Error:
                continue
            self.last_mb[name] = rss
            self.peak_mb[name] = max(self.peak_mb.get(name, 0.0), rss)

    async def follow(self, stack: Stack) -> None:
        """Sample until cancelled."""
        while True:
            self.sample(stack)
            await asyncio.sleep(RSS_EVERY_S)
