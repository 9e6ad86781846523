"""The cluster run: two instances of every service on three brokers, faults under load.

Run through ``make cluster-test`` (which starts the cluster first), or directly with
``python -m bench.cluster`` while ``deploy/local/cluster.sh up`` has the brokers up.
Exit status 0 only when nothing answered 202 was lost or duplicated and work went on
after every fault.
"""

import argparse
import asyncio
import logging
import math
import os
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

from bench.cluster import audit, report
from bench.cluster.audit import Fault
from bench.cluster.brokers import (
    BOOTSTRAP,
    MIN_INSYNC,
    REPLICATION,
    Nodes,
    busiest_node,
    department_topics,
    describe,
    prepare_topics,
)
from bench.cluster.fleet import LABELS, SERVICES, Fleet
from bench.cluster.report import say
from bench.cluster.shares import split
from bench.watch import Watcher, cases_by_report
from ops.backlog import skip_to_end
from ops.load.credentials import Credentials
from ops.load.profile import Profile
from ops.load.sender import Sender
from ops.load.stream import Mix, ReportStream
from shared.launcher import ROOT
from shared.registry import demo_registry
from shared.settings import ServiceSettings
from shared.topics import LANE_TOPICS

logger = logging.getLogger("gridloop.cluster")

DATABASE = "gridloop_cluster"
WARMUP_REPORTS = 20
DRAIN_TIMEOUT_S = 75.0
OUTBOX_INTERVAL_S = 15.0
STEADY_SHARE = 0.5


def options() -> argparse.Namespace:
    """Command-line settings; the defaults keep the run near two minutes."""
    parser = argparse.ArgumentParser(prog="python -m bench.cluster", description=__doc__)
    parser.add_argument(
        "--rate",
        type=float,
        default=10.0,
        help="most reports/s under faults (the run offers half its measured capacity)",
    )
    parser.add_argument("--duration", type=float, default=50.0, help="seconds of faults")
    parser.add_argument("--kill-broker-at", type=float, default=10.0)
    parser.add_argument("--kill-services-at", type=float, default=22.0)
    parser.add_argument("--restart-broker-at", type=float, default=34.0)
    parser.add_argument("--capacity-seconds", type=float, default=12.0)
    parser.add_argument("--capacity-senders", type=int, default=8)
    return parser.parse_args()


def cluster_dir() -> Path:
    """Where cluster.sh keeps the nodes (the same rule as the script's)."""
    if "GRIDLOOP_CLUSTER_DIR" in os.environ:
        return Path(os.environ["GRIDLOOP_CLUSTER_DIR"]).resolve()
    local = Path(os.environ.get("GRIDLOOP_LOCAL", ROOT / ".local")).resolve()
    return local / "cluster"


async def drain(
    driver: Sender,
    phase: str,
    mongo: AsyncMongoClient[dict[str, object]],
    watcher: Watcher,
    timeout_s: float = DRAIN_TIMEOUT_S,
) -> bool:
    """Wait until every answered report of ``phase`` has its case, event and alert.

    The database is read only once the alerts are all in: on FerretDB every read of
    the whole collection is a scan that slows the services down.
    """
    deadline = time.monotonic() + timeout_s
    sent = [s for s in driver.sent if s.phase == phase]
    while time.monotonic() < deadline:
        if watcher.reader_failed() is not None:
            raise RuntimeError(f"the watcher stopped: {watcher.reader_failed()!r}")
        if audit.all_alerted(sent, watcher.by_report) and audit.all_done(
            sent, await cases_by_report(mongo, DATABASE), watcher.by_report
        ):
            return True
        await asyncio.sleep(1.0)
    return False


async def at(origin: float, offset: float, action: Callable[[], Awaitable[None]]) -> None:
    """Run ``action`` ``offset`` seconds after ``origin`` (a monotonic time)."""
    await asyncio.sleep(max(origin + offset - time.monotonic(), 0))
    await action()


async def inject_faults(
    opts: argparse.Namespace, nodes: Nodes, fleet: Fleet, faults: list[Fault]
) -> None:
    """Kill the busiest broker, then one instance of each service; restart the broker."""
    origin = time.monotonic()
    killed: list[int] = []

    async def kill_broker() -> None:
        node = await busiest_node()
        killed.append(node)
        faults.append(
            Fault(nodes.kill(node), f"kill -9 broker node {node} (leads most partitions)")
        )
        say(faults[-1].what)

    async def kill_services() -> None:
        victims = [f"{service}-{LABELS[0]}" for service in SERVICES]
        first = min(fleet.kill(name) for name in victims)
        faults.append(Fault(first, f"kill -9 {', '.join(victims)}"))
        say(faults[-1].what)

    async def restart_broker() -> None:
        started = time.time()
        say(f"restarting broker node {killed[0]} (cluster.sh up)")
        done = await nodes.restart()
        faults.append(
            Fault(
                started, f"restart broker node {killed[0]} (back in {done - started:.1f} s)"
            )
        )

    await at(origin, opts.kill_broker_at, kill_broker)
    await at(origin, opts.kill_services_at, kill_services)
    if opts.restart_broker_at < opts.duration:
        await at(origin, opts.restart_broker_at, restart_broker)


async def exercise(opts: argparse.Namespace, nodes: Nodes, fleet: Fleet) -> int:
    """Warm up, measure capacity, inject faults under load, then count."""
    mongo: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
        ServiceSettings().mongo_url, tz_aware=True, serverSelectionTimeoutMS=5_000
    )
    watcher = Watcher(BOOTSTRAP, department_topics())
    layout: dict[str, list[int]] = defaultdict(list)
    for state in await describe([*watcher.event_topics, *watcher.alert_topics]):
        layout[state.topic].append(state.partition)
    await watcher.start(layout)
    client = httpx.AsyncClient(limits=httpx.Limits(max_connections=200), trust_env=False)
    try:
        registry = demo_registry()
        # Grid codes and no points: no report can support another's case, so each one
        # must become a case of its own.
        stream = ReportStream(
            registry, Mix.unique(), tag=f"cluster run {uuid.uuid4().hex[:8]}"
        )
        credentials = Credentials.signed(registry, ServiceSettings())
        driver = Sender(client, fleet.intake_urls(), stream, credentials)
        await asyncio.gather(*(driver.send_one("warmup") for _ in range(WARMUP_REPORTS)))
        if not await drain(driver, "warmup", mongo, watcher):
            say("warm-up reports did not all come through; see the service logs")
            return 1
        say(f"warm-up: {WARMUP_REPORTS} reports carried to their departments")

        say(f"capacity: {opts.capacity_senders} senders for {opts.capacity_seconds:.0f} s")
        await driver.closed("capacity", opts.capacity_senders, opts.capacity_seconds)
        await drain(driver, "capacity", mongo, watcher)
        shares = await split(client, fleet)
        say(
            "messages handled per instance: "
            + ", ".join(f"{k} {v}" for k, v in shares.items())
        )

        capacity_sent = [s for s in driver.sent if s.phase == "capacity"]
        rate = steady_rate(opts.rate, audit.capacity(capacity_sent, watcher.by_report))

        say(f"faults: {rate:.1f} reports/s for {opts.duration:.0f} s")
        faults: list[Fault] = []
        origin = time.time()
        await asyncio.gather(
            driver.offer("faults", Profile.steady(rate), opts.duration),
            inject_faults(opts, nodes, fleet, faults),
        )
        drained = await drain(driver, "faults", mongo, watcher)
        say("drained" if drained else f"not drained after {DRAIN_TIMEOUT_S:.0f} s")

        cases = await cases_by_report(mongo, DATABASE)
        seen = watcher.by_report
        counts = audit.count(driver.sent, cases, seen)
        under_faults = [s for s in driver.sent if s.phase == "faults"]
        recoveries = [audit.recovery(f, under_faults, cases, seen) for f in faults]

        report.print_faults(faults, origin)
        report.print_counts(counts)
        print("\nend-to-end delays:")
        report.print_delays(
            "capacity phase (closed loop)", audit.delays(capacity_sent, cases, seen)
        )
        before = faults[0].at if faults else math.inf
        report.print_delays(
            "fault phase, before the first fault",
            audit.delays(under_faults, cases, seen, until=before),
        )
        report.print_delays(
            "fault phase, from the first fault on",
            audit.delays(under_faults, cases, seen, since=before),
        )
        report.print_recoveries(recoveries, origin)
        report.print_capacity(audit.capacity(capacity_sent, seen), len(LABELS))
        return verdict(counts, recoveries, fleet, drained)
    finally:
        await client.aclose()
        await watcher.stop()
        await mongo.close()


def steady_rate(most: float, measured: audit.Capacity) -> float:
    """Half the measured capacity, so a backlog left by a fault can drain; at least 1/s."""
    if math.isnan(measured.completed_per_s):
        return 1.0
    return max(min(most, measured.completed_per_s * STEADY_SHARE), 1.0)


def verdict(
    counts: audit.Counts, recoveries: list[audit.Recovery], fleet: Fleet, drained: bool
) -> int:
    """Print PASS or every reason for FAIL; answer the exit status."""
    failures = counts.failures()
    failures += [
        f"no new case within {audit.RESUME_LIMIT_S:.0f} s of: {r.fault.what}"
        for r in recoveries
        if not r.next_case_s <= audit.RESUME_LIMIT_S
    ]
    failures += [f"{name} died on its own" for name in fleet.unexpected_exits()]
    if counts.answered == 0:
        failures.append("no report was answered 202")
    if not drained and not failures:
        failures.append("the backlog did not drain")

    print()
    if failures:
        for failure in failures:
            print(f"FAIL: {failure}")
        return 1
    print(
        f"PASS: {counts.answered} reports answered 202, each exactly one case and one alert"
    )
    return 0


async def main() -> int:
    """Check the cluster, start the fleet, run, and always stop the fleet."""
    opts = options()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # The watcher's client complains on every fetch while a broker is down, as expected.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    nodes = Nodes(cluster_dir())
    pids = nodes.check_all_running()
    say(f"cluster nodes {pids} at {BOOTSTRAP}")

    url = ServiceSettings().mongo_url
    mongo: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
        url, serverSelectionTimeoutMS=5_000
    )
    try:
        await mongo.drop_database(DATABASE)
    except PyMongoError as exc:
        say(f"the database at {url} does not answer (is `make up` running?): {exc}")
        return 2
    finally:
        await mongo.close()
    states = await prepare_topics()
    skipped = await skip_to_end(BOOTSTRAP)
    say(f"consumer groups moved past {skipped} messages earlier runs left unread")
    say(f"{len(states)} partitions, {REPLICATION} copies each, min.insync {MIN_INSYNC}")

    settings = {
        "kafka_bootstrap": BOOTSTRAP,
        "mongo_db": DATABASE,
        "topic_replication": str(REPLICATION),
        "topic_min_insync": str(MIN_INSYNC),
        "env": "test",
        "log_level": "INFO",
        # Each outbox poll scans a collection on FerretDB; two instances of intake and
        # casework polling every second would take most of the database's time.
        "outbox_interval_s": str(OUTBOX_INTERVAL_S),
    }
    fleet = Fleet(settings, nodes.cluster_dir / "logs" / "services")
    try:
        say(f"starting {len(fleet.instances)} service instances (logs: {fleet.log_dir})")
        await asyncio.to_thread(fleet.start_all)
        say("ready: " + ", ".join(f"{i.name}:{i.port}" for i in fleet.instances))
        return await exercise(opts, nodes, fleet)
    finally:
        fleet.stop_all()
        lanes = await describe(list(LANE_TOPICS))
        shrunk = sum(1 for s in lanes if len(s.isr) < REPLICATION)
        say(f"after the run: {shrunk} of {len(lanes)} pipeline partitions below full ISR")


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
