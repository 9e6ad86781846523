"""The three-broker cluster as the run sees it: topics, leaders, and killing a node."""

import asyncio
import logging
import os
import signal
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from shared.kafka import ensure_topics, kafka_admin
from shared.launcher import ROOT
from shared.registry import demo_registry
from shared.topics import CORE_TOPICS, LANE_TOPICS, TopicSpec, department_topic

logger = logging.getLogger(__name__)

NODES = (1, 2, 3)
BROKER_PORT_BASE = 19091
BOOTSTRAP = ",".join(f"127.0.0.1:{BROKER_PORT_BASE + n}" for n in NODES)
REPLICATION = 3
MIN_INSYNC = 2
DEPARTMENT_PARTITIONS = 3
CLUSTER_SCRIPT = ROOT / "deploy" / "local" / "cluster.sh"
RESTART_TIMEOUT_S = 90.0


class ClusterError(Exception):
    """The cluster is not in the shape the run needs."""


@dataclass(frozen=True)
class PartitionState:
    """Who leads a partition and who holds an in-sync copy of it."""

    topic: str
    partition: int
    leader: int
    replicas: tuple[int, ...]
    isr: tuple[int, ...]


def department_topics() -> list[str]:
    """Every department's alert topic, from the demo registry."""
    return sorted(department_topic(d.code) for d in demo_registry().departments)


def run_topics() -> tuple[TopicSpec, ...]:
    """The topics the run needs, department topics included.

    The notifier creates a department topic on first use with the library's
    defaults; creating them here first gives them three copies as well.
    """
    departments = (
        TopicSpec(name, partitions=DEPARTMENT_PARTITIONS) for name in department_topics()
    )
    return (*CORE_TOPICS, *departments)


async def prepare_topics() -> list[PartitionState]:
    """Create the topics with three copies and refuse to go on if any has fewer."""
    await ensure_topics(
        BOOTSTRAP, run_topics(), replication=REPLICATION, min_insync=MIN_INSYNC
    )
    states = await describe([spec.name for spec in run_topics()])
    thin = sorted({s.topic for s in states if len(s.replicas) < REPLICATION})
    if thin:
        raise ClusterError(
            f"topics with fewer than {REPLICATION} copies: {', '.join(thin)}"
        )
    return states


async def describe(topics: list[str]) -> list[PartitionState]:
    """Leader, replicas and in-sync replicas of every partition of ``topics``."""
    async with kafka_admin(BOOTSTRAP, "gridloop-cluster") as admin:
        described = await admin.describe_topics(topics)
    return [
        PartitionState(
            entry["topic"],
            p["partition"],
            p["leader"],
            tuple(p["replicas"]),
            tuple(p["isr"]),
        )
        for entry in described
        for p in entry["partitions"]
    ]


async def busiest_node() -> int:
    """The node leading the most partitions of the pipeline's topics."""
    states = await describe(list(LANE_TOPICS))
    leaders = Counter(state.leader for state in states)
    return leaders.most_common(1)[0][0]


class Nodes:
    """The cluster's node processes, found through cluster.sh's pid files."""

    def __init__(self, cluster_dir: Path) -> None:
        self.cluster_dir = cluster_dir

    def pid(self, node: int) -> int:
        """The pid of a running node, checked against its command line."""
        pid_file = self.cluster_dir / "run" / f"node-{node}.pid"
        try:
            pid = int(pid_file.read_text().split()[0])
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
        except (OSError, ValueError, IndexError) as exc:
            raise ClusterError(f"node {node} is not running ({pid_file})") from exc

        config = str(self.cluster_dir / f"node-{node}" / "server.properties")
        if b"kafka.Kafka" not in cmdline or config.encode() not in cmdline:
            raise ClusterError(f"pid {pid} in {pid_file} is not node {node}")
        return pid

    def check_all_running(self) -> dict[int, int]:
        """Every node's pid; fails unless all three run."""
        return {node: self.pid(node) for node in NODES}

    def kill(self, node: int) -> float:
        """SIGKILL a node, as a crash would; answer when it happened."""
        pid = self.pid(node)
        os.kill(pid, signal.SIGKILL)
        killed_at = time.time()
        for _ in range(100):
            if not Path(f"/proc/{pid}").exists():
                break
            time.sleep(0.05)
        return killed_at

    async def restart(self) -> float:
        """Start what is not running through cluster.sh; answer when all three list."""
        env = {**os.environ, "GRIDLOOP_CLUSTER_DIR": str(self.cluster_dir)}
        process = await asyncio.create_subprocess_exec(
            "bash",
            str(CLUSTER_SCRIPT),
            "up",
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            output, _ = await asyncio.wait_for(process.communicate(), RESTART_TIMEOUT_S)
        except TimeoutError as exc:
            process.kill()
            raise ClusterError("cluster.sh up did not finish in time") from exc
        if process.returncode != 0:
            raise ClusterError(f"cluster.sh up failed:\n{output.decode(errors='replace')}")
        return time.time()
