"""Intake throughput: accepted reports per second, against a bare Kafka producer.

Starts an intake process of its own (port 18021, database ``gridloop_bench``) on the
real servers, posts JSON reports and reports with one ~500 KB photo, then publishes
the same payloads with a bare aiokafka producer (acks=all, idempotent) to a topic of
its own, and prints the rates and their ratio. Run with ``make bench-intake``.
"""

import asyncio
import io
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer
from PIL import Image
from pymongo import MongoClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shared.auth import Principal, Role, issue  # noqa: E402
from shared.contracts import Report, envelope  # noqa: E402
from shared.kafka import ensure_topics  # noqa: E402
from shared.launcher import service_env, wait_ready  # noqa: E402
from shared.settings import ServiceSettings  # noqa: E402
from shared.topics import TopicSpec  # noqa: E402

PORT = 18021
URL = f"http://127.0.0.1:{PORT}"
KAFKA = os.environ.get("GRIDLOOP_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
BENCH_TOPIC = "bench.intake.bare"
JSON_REPORTS = int(os.environ.get("BENCH_JSON_REPORTS", "400"))
PHOTO_REPORTS = int(os.environ.get("BENCH_PHOTO_REPORTS", "60"))
CONCURRENCY = 16


def a_report() -> dict[str, Any]:
    """A grid head's report with a fresh id."""
    return {
        "report_id": str(uuid.uuid4()),
        "channel": "app",
        "grid_code": "G-03-07",
        "category_hint": "rubbish",
        "description": "Bags of rubbish piled beside the lane since yesterday.",
        "observed_at": datetime.now(UTC).isoformat(),
        "reporter": {"kind": "grid_staff"},
    }


def a_photo(seed: int) -> bytes:
    """A distinct JPEG of about 500 KB: noise compresses badly, as grainy photos do."""
    noise = Image.frombytes("RGB", (840, 840), os.urandom(840 * 840 * 3))
    noise.putpixel((0, 0), (seed % 256, seed // 256 % 256, 7))
    out = io.BytesIO()
    noise.save(out, "JPEG", quality=82)
    return out.getvalue()


async def run_all(jobs: list[Any]) -> float:
    """Run coroutine factories CONCURRENCY at a time; answer the elapsed seconds."""
    queue: asyncio.Queue[Any] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)

    async def worker() -> None:
        while not queue.empty():
            await queue.get_nowait()()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return time.perf_counter() - started


async def post_reports(
    client: httpx.AsyncClient, photos: list[bytes] | None
) -> tuple[float, list[dict[str, Any]]]:
    """Accepted reports per second, and what was posted."""
    count = len(photos) if photos is not None else JSON_REPORTS
    reports = [a_report() for _ in range(count)]

    def job(index: int) -> Any:
        async def send() -> None:
            report = reports[index]
            if photos is not None:
                stored = await client.post(
                    "/v1/media", files={"file": ("p.jpg", photos[index], "image/jpeg")}
                )
                stored.raise_for_status()
                report["media_ids"] = [stored.json()["media_id"]]
            answer = await client.post("/v1/reports", json=report)
            if answer.status_code != 202:
                raise RuntimeError(f"HTTP {answer.status_code}: {answer.text}")

        return send

    elapsed = await run_all([job(i) for i in range(count)])
    return count / elapsed, reports


async def bare_rate(reports: list[dict[str, Any]]) -> float:
    """Messages per second of an idempotent acks=all producer sending the same envelopes."""
    await ensure_topics(KAFKA, (TopicSpec(BENCH_TOPIC, partitions=6),))
    now = datetime.now(UTC)
    bodies = [
        envelope(
            Report(**{**r, "received_at": now}),
            event_type="report.submitted",
            correlation_id=r["report_id"],
            producer="bench",
            identity=(r["report_id"],),
        )
        .model_dump_json()
        .encode()
        for r in reports
    ]
    producer = AIOKafkaProducer(
        bootstrap_servers=KAFKA, acks="all", enable_idempotence=True, linger_ms=2
    )
    await producer.start()
    try:
        jobs = [
            (
                lambda body=body, key=r["report_id"]: producer.send_and_wait(
                    BENCH_TOPIC, body, key=key.encode()
                )
            )
            for body, r in zip(bodies, reports, strict=True)
        ]
        elapsed = await run_all(jobs)
    finally:
        await producer.stop()
    return len(bodies) / elapsed


async def measure() -> None:
    """Both workloads through intake, then through the bare producer."""
    key = ServiceSettings().signing_key
    operator = issue(Principal(role=Role.OPERATOR, sub="bench"), key)
    headers = {"Authorization": f"Bearer {operator}"}
    photos = [a_photo(seed) for seed in range(PHOTO_REPORTS)]
    print(f"photo size: {sum(map(len, photos)) // len(photos) // 1000} KB on average")

    async with httpx.AsyncClient(base_url=URL, headers=headers, timeout=60) as client:
        await post_reports(client, None)  # warm-up: connections, indexes, JIT of caches
        json_rate, json_reports = await post_reports(client, None)
        photo_rate, photo_reports = await post_reports(client, photos)
    json_bare = await bare_rate(json_reports)
    photo_bare = await bare_rate(photo_reports)

    print(f"{'workload':<22}{'intake/s':>10}{'bare producer/s':>18}{'ratio':>8}")
    for name, rate, bare in (
        ("JSON report", json_rate, json_bare),
        ("report + 500 KB photo", photo_rate, photo_bare),
    ):
        print(f"{name:<22}{rate:>10.1f}{bare:>18.1f}{rate / bare:>8.3f}")


def main() -> None:
    """Start intake on an empty database, measure, stop it."""
    settings = ServiceSettings()
    mongo: MongoClient[dict[str, Any]] = MongoClient(
        settings.mongo_url, serverSelectionTimeoutMS=5000
    )
    with mongo:
        mongo.drop_database("gridloop_bench")
    env = service_env(
        env="dev",
        mongo_db="gridloop_bench",
        intake_port=str(PORT),
        group_prefix=f"bench-{uuid.uuid4().hex[:8]}-",
        consumer_start="latest",
    )
    log = (ROOT / ".local").resolve()
    log.mkdir(exist_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "services.intake"],
        cwd=ROOT,
        env=env,
        stdout=(log / "bench-intake.log").open("ab"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_ready("intake", PORT, process)
        asyncio.run(measure())
    finally:
        process.terminate()
        process.wait(timeout=20)


if __name__ == "__main__":
    main()
