"""Router benchmark: routed reports per second, and an emergency's wait behind a backlog.

Runs its own router process on port 8002 against lane topics with a suffix of their
own and a database of its own, so the shared topics and databases see nothing of the
10,000 reports. It publishes the reports straight onto the router's submitted topic
(the router is what is measured, not intake), then one emergency on the urgent lane,
and times how long that emergency takes to come out routed while the backlog is
still being worked through. Holds the servers lock, like the test sessions.
"""

import asyncio
import fcntl
import json
import os
import random
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import AsyncMongoClient

from services.router.lanes import Lanes
from shared.contracts import Report, envelope
from shared.launcher import ROOT, Stack, service_env
from shared.registry import demo_registry
from shared.registry.urgency import looks_urgent
from shared.topics import TopicSpec

KAFKA = os.environ.get("GRIDLOOP_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
MONGO = os.environ.get("GRIDLOOP_MONGO_URL", "mongodb://127.0.0.1:27017/")
DATABASE = "gridloop_bench"
BACKLOG = 10_000
LABELLED = ROOT / "tests/router/labelled_reports.jsonl"
LOCK = Path(os.environ.get("TMPDIR", "/tmp")) / "gridloop-servers.lock"


def _texts() -> list[str]:
    """Realistic ordinary report texts: the labelled set without its emergencies."""
    lines = LABELLED.read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["text"] for line in lines if line.strip()]
    return [text for text in texts if not looks_urgent(text)]


GRIDS = demo_registry().grids


def _report(text: str, rng: random.Random, *, located: bool) -> Report:
    grid = rng.choice(GRIDS) if located else None
    now = datetime.now(UTC)
    fields: dict[str, Any] = {
        "report_id": str(uuid.uuid4()),
        "channel": rng.choice(["app", "hotline", "web", "patrol"]),
        "description": text,
        "observed_at": now,
        "received_at": now,
        "reporter": {"kind": "resident", "name": "Bench"},
    }
    if grid is not None:
        lon, lat = grid.centroid
        fields["location"] = {"lat": lat + rng.uniform(-5e-4, 5e-4), "lon": lon}
    else:
        fields["grid_code"] = f"G-{rng.randint(1, 14):02d}-01"
    return Report.model_validate(fields)


def _message(report: Report) -> bytes:
    submitted = envelope(
        report,
        event_type="report.submitted",
        correlation_id=report.report_id,
        producer="bench",
        identity=(report.report_id,),
    )
    return submitted.model_dump_json().encode()


async def _routed_count(consumer: AIOKafkaConsumer, topic: str) -> int:
    partitions = [TopicPartition(topic, p) for p in range(TopicSpec(topic).partitions)]
    offsets = await consumer.end_offsets(partitions)
    return int(sum(offsets.values()))


async def _routed(consumer: AIOKafkaConsumer, lanes: Lanes) -> int:
    """Ordinary reports routed so far, on either lane."""
    normal = await _routed_count(consumer, lanes.routed)
    urgent = await _routed_count(consumer, lanes.routed_urgent)
    return normal + urgent - 1


async def _wait_for(consumer: AIOKafkaConsumer, key: str, timeout: float) -> float:
    """When the record keyed ``key`` was read."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        batches = await consumer.getmany(timeout_ms=50)
        for records in batches.values():
            if any(record.key == key.encode() for record in records):
                return time.perf_counter()
    raise TimeoutError(f"no routed message for {key} within {timeout:.0f} s")


async def measure(lanes: Lanes) -> dict[str, float]:
    """Flood the normal lane, send one emergency, time both."""
    rng = random.Random(4)
    texts = _texts()
    reports = [_report(rng.choice(texts), rng, located=i % 2 == 0) for i in range(BACKLOG)]
    emergency = _report("3栋二楼厨房着火了，浓烟很大，有人被困", rng, located=True)

    producer = AIOKafkaProducer(bootstrap_servers=KAFKA, acks="all", linger_ms=20)
    watcher = AIOKafkaConsumer(
        lanes.routed_urgent,
        bootstrap_servers=KAFKA,
        group_id=None,
        auto_offset_reset="earliest",
    )
    counter = AIOKafkaConsumer(bootstrap_servers=KAFKA, group_id=None)
    await producer.start()
    await watcher.start()
    await counter.start()
    try:
        started = time.perf_counter()
        sends = [
            await producer.send(lanes.submitted, _message(r), key=r.report_id.encode())
            for r in reports
        ]
        await asyncio.gather(*sends)
        queued_s = time.perf_counter() - started

        sent_at = time.perf_counter()
        await producer.send_and_wait(
            lanes.submitted_urgent, _message(emergency), key=emergency.report_id.encode()
        )
        dispatched_at = await _wait_for(watcher, emergency.report_id, timeout=60)
        routed_then = await _routed(counter, lanes)
        print(
            f"emergency routed in {(dispatched_at - sent_at) * 1000:.0f} ms with "
            f"{BACKLOG - routed_then} ordinary reports still queued; routing the rest",
            flush=True,
        )

        # The ordinary reports the router judged emergencies come out on the urgent lane.
        while (done := await _routed(counter, lanes)) < BACKLOG:
            if time.perf_counter() - started > 1200:
                raise TimeoutError(f"only {done} of {BACKLOG} routed in 1200 s")
            await asyncio.sleep(0.2)
        finished = time.perf_counter() - started
    finally:
        await producer.stop()
        await watcher.stop()
        await counter.stop()

    return {
        "queued_s": queued_s,
        "emergency_ms": (dispatched_at - sent_at) * 1000,
        "routed_before_emergency": routed_then,
        "total_s": finished,
        "per_second": BACKLOG / finished,
    }


async def clean_up(lanes: Lanes) -> None:
    """Delete the benchmark's topics and database."""
    admin = AIOKafkaAdminClient(bootstrap_servers=KAFKA)
    await admin.start()
    try:
        await admin.delete_topics([spec.name for spec in lanes.specs()])
    finally:
        await admin.close()

    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(MONGO)
    await client.drop_database(DATABASE)
    await client.close()


def main() -> None:
    """Hold the lock, run a router, measure, clean up, print."""
    lanes = Lanes(f".bench-{uuid.uuid4().hex[:8]}")
    log_dir = ROOT / ".local" / "bench-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    env = service_env(env="dev", mongo_db=DATABASE, router_topic_suffix=lanes.suffix)
    env["GRIDLOOP_LOG_LEVEL"] = "WARNING"

    with LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stack = Stack(env=env, log_dir=log_dir)
        try:
            asyncio.run(_drop_database())
            stack.start("router")
            result = asyncio.run(measure(lanes))
        finally:
            stack.stop_all()
            asyncio.run(clean_up(lanes))
            fcntl.flock(lock, fcntl.LOCK_UN)

    print(f"router benchmark ({BACKLOG} ordinary reports, half with a location)")
    print(f"  queued on Kafka in          {result['queued_s']:.1f} s")
    print(f"  routed in                   {result['total_s']:.1f} s")
    print(f"  routed reports per second   {result['per_second']:.0f}")
    print(
        f"  emergency, submitted to routed: {result['emergency_ms']:.0f} ms "
        f"(with {BACKLOG - result['routed_before_emergency']:.0f} ordinary reports "
        "still queued)"
    )


async def _drop_database() -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(MONGO)
    await client.drop_database(DATABASE)
    await client.close()


if __name__ == "__main__":
    main()
