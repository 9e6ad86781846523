"""Notifier throughput and latency: case events in, topic and webhook deliveries out.

Runs against the running Kafka and database servers. Holding the servers lock, it
starts its own notifier on port 8004 (database ``gridloop_bench``), routes one
fresh department to its topic and to a local webhook, publishes a burst of
``case.dispatched`` events and prints deliveries per second and p50/p99 from
event to delivery for each channel.
"""

import asyncio
import fcntl
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shared.auth import Principal, Role, issue  # noqa: E402 - needs the path above
from shared.contracts import CaseEvent, CaseSnapshot, envelope  # noqa: E402
from shared.kafka import ensure_topics  # noqa: E402
from shared.launcher import service_env, wait_ready  # noqa: E402
from shared.settings import ServiceSettings  # noqa: E402
from shared.topics import CASES_EVENTS, TopicSpec, department_topic  # noqa: E402

EVENTS = int(os.environ.get("BENCH_EVENTS", "300"))
KAFKA = os.environ.get("GRIDLOOP_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
NOTIFIER = "http://127.0.0.1:8004"
SECRET = "bench-webhook-secret-0123456789"

Arrivals = dict[str, float]


def serve_webhook(arrivals: Arrivals) -> ThreadingHTTPServer:
    """A webhook endpoint that notes when each case arrived."""

    class Handle(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            arrivals.setdefault(json.loads(body)["case_id"], time.time())
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handle)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


async def follow_topic(topic: str, arrivals: Arrivals, stop: asyncio.Event) -> None:
    """Note when each case's alert shows up on the department topic."""
    await ensure_topics(KAFKA, (TopicSpec(topic, partitions=3),))
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=KAFKA, auto_offset_reset="latest", enable_auto_commit=False
    )
    await consumer.start()
    try:
        await consumer.seek_to_end()
        while not stop.is_set():
            for records in (await consumer.getmany(timeout_ms=200)).values():
                for record in records:
                    case_id = json.loads(record.value)["payload"]["case_id"]
                    arrivals.setdefault(case_id, time.time())
    finally:
        await consumer.stop()


def summary(name: str, sent: dict[str, float], arrivals: Arrivals) -> str:
    """Deliveries per second and latency percentiles for one channel."""
    latencies = sorted(arrivals[c] - sent[c] for c in sent if c in arrivals)
    if len(latencies) < 2:
        return f"{name:8} {len(latencies)}/{len(sent)} delivered"
    span = max(arrivals.values()) - min(sent.values())
    cuts = statistics.quantiles(latencies, n=100)
    return (
        f"{name:8} {len(latencies)}/{len(sent)} delivered  {len(latencies) / span:7.1f}/s  "
        f"p50 {cuts[49] * 1000:7.0f} ms  p99 {cuts[98] * 1000:7.0f} ms"
    )


async def bench() -> None:
    """Route, publish, wait, report."""
    dept = f"bench_{uuid.uuid4().hex[:8]}"
    hooks: Arrivals = {}
    topic_arrivals: Arrivals = {}
    server = serve_webhook(hooks)
    operator = issue(
        Principal(role=Role.OPERATOR, sub="bench"), ServiceSettings().signing_key
    )
    async with httpx.AsyncClient(
        base_url=NOTIFIER, headers={"Authorization": f"Bearer {operator}"}
    ) as client:
        receivers = [
            {"key": f"topic:{dept}", "channel": "kafka", "address": dept},
            {
                "key": f"hook:{dept}",
                "channel": "webhook",
                "address": f"http://127.0.0.1:{server.server_address[1]}/",
                "secret": SECRET,
            },
        ]
        answer = await client.put("/v1/rules", json={"defaults": {dept: receivers}})
        answer.raise_for_status()

    stop = asyncio.Event()
    follower = asyncio.create_task(
        follow_topic(department_topic(dept), topic_arrivals, stop)
    )
    await asyncio.sleep(2)

    producer = AIOKafkaProducer(
        bootstrap_servers=KAFKA, acks="all", enable_idempotence=True
    )
    await producer.start()
    sent: dict[str, float] = {}
    try:
        for n in range(EVENTS):
            case = CaseSnapshot(
                case_id=f"C-{dept}-{n}",
                report_id=f"R-{dept}-{n}",
                status="dispatched",
                grid_code="G-01-01",
                category="fallen_tree",
                level=1,
                tier="sub_district",
                department=dept,
                version=1,
            )
            message = envelope(
                CaseEvent(action="dispatch", from_status=None, actor="bench", case=case),
                event_type="case.dispatched",
                correlation_id=case.report_id,
                producer="bench",
                identity=(case.case_id, "1"),
                occurred_at=datetime.now(UTC),
            )
            sent[case.case_id] = time.time()
            await producer.send(
                CASES_EVENTS, message.model_dump_json().encode(), key=case.case_id.encode()
            )
        await producer.flush()
    finally:
        await producer.stop()

    for _ in range(360):
        if len(hooks) >= EVENTS and len(topic_arrivals) >= EVENTS:
            break
        await asyncio.sleep(0.5)
    stop.set()
    await follower
    server.shutdown()

    print(f"notifier bench: {EVENTS} case.dispatched events, two receivers each")
    print(summary("topic", sent, topic_arrivals))
    print(summary("webhook", sent, hooks))


def main() -> None:
    """Hold the servers lock, run a notifier of our own, bench it, stop it."""
    lock_path = Path(os.environ.get("TMPDIR", "/tmp")) / "gridloop-servers.lock"
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        env = service_env(
            env="test",
            mongo_db="gridloop_bench",
            sign_for_limit_s="86400",
            worker_poll_s="0.2",
            # Groups of its own, starting at the end: older events are not its work.
            group_prefix=f"bench-{uuid.uuid4().hex[:8]}-",
            consumer_start="latest",
        )
        log = (ROOT / "test-artifacts").resolve()
        log.mkdir(exist_ok=True)
        with (log / "bench-notifier.log").open("ab") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "services.notifier"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
            try:
                wait_ready("notifier", 8004, process)
                asyncio.run(bench())
            finally:
                process.terminate()
                process.wait(timeout=20)


if __name__ == "__main__":
    main()
