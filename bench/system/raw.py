"""The raw limit of the design on this machine: the same hops and writes, nothing else.

A report in gridloop crosses four topics (submitted, routed, case events, the
department's topic), is consumed three times by services and once by the
department, and costs the single-document database writes counted in
``WRITES_PER_STAGE``. The raw chain does exactly that with bare aiokafka and PyMongo:
an idempotent ``acks=all`` producer per stage, a consumer per stage that handles one
message at a time and commits it by hand after its writes and its produce, and plain
inserts and updates by ``_id``. No validation, routing, state machine, logging or
HTTP. Like the saturation phase it keeps a fixed number of reports in the chain.
"""

import asyncio
import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import AsyncMongoClient

from bench.system.phases import figures
from bench.watch import ready_topics
from shared.topics import TopicSpec

logger = logging.getLogger(__name__)

DATABASE = "gridloop_bench_raw"
HOPS = 4
PARTITIONS = 6

WRITES_PER_STAGE = (3, 2, 2, 6)
"""Writes per report at intake, router, casework and notifier, as the services do them:

- intake: insert the report, mark it published, note its case's status (3);
- router: remember where the report was made, index the case it opened (2);
- casework: insert the case, clear its published outbox (2);
- notifier: store the job, claim it, record it done, remove the job, log the attempt,
  arm the sign-for ladder (6).
"""

BODY = {
    "channel": "app",
    "grid_code": "G-03-07",
    "category_hint": "construction_waste",
    "description": "有人夜里在河边倾倒装修垃圾，堆了好几袋碎砖。" * 4,
    "address": "Lane 4, east gate of the wet market",
    "reporter": {"kind": "grid_staff", "id": "GS-03071"},
    "timeline": [{"version": n, "action": "report", "actor": "x" * 40} for n in range(4)],
}


@dataclass
class RawResult:
    """Reports per second through the bare chain, and their delays."""

    reports: int = 0
    seconds: float = 0.0
    reports_per_s: float = 0.0
    writes_per_report: int = sum(WRITES_PER_STAGE)
    hops: int = HOPS
    in_chain: int = 0
    delay_ms: dict[str, float] = field(default_factory=dict)


class Chain:
    """The topics, clients and consumers of one raw run."""

    def __init__(self, bootstrap: str, mongo_url: str) -> None:
        run = uuid.uuid4().hex[:8]
        self.bootstrap = bootstrap
        self.topics = [f"bench.raw.{run}.hop{n}" for n in range(1, HOPS + 1)]
        self.group = f"bench-raw-{run}"
        self.mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url)
        self.collection = self.mongo[DATABASE]["writes"]
        self.producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=2
        )
        self.arrived: dict[str, asyncio.Future[float]] = {}
        self.sent_at: dict[str, float] = {}
        self.consumers: list[AIOKafkaConsumer] = []
        self.tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Create the topics, empty the database, start every stage."""
        await ready_topics(
            self.bootstrap, tuple(TopicSpec(t, partitions=PARTITIONS) for t in self.topics)
        )
        await self.mongo.drop_database(DATABASE)
        await self.producer.start()
        for stage, topic in enumerate(self.topics, start=1):
            consumer = AIOKafkaConsumer(
                topic,
                bootstrap_servers=self.bootstrap,
                group_id=f"{self.group}-{stage}",
                enable_auto_commit=False,
                auto_offset_reset="earliest",
            )
            await consumer.start()
            self.consumers.append(consumer)
            self.tasks.append(asyncio.create_task(self._stage(stage, consumer)))
        while not all(c.assignment() for c in self.consumers):  # noqa: ASYNC110
            await asyncio.sleep(0.1)

    async def _writes(self, report_id: str, stage: int) -> None:
        """The stage's share of single-document writes: one insert, then updates."""
        key = f"{report_id}/{stage}"
        await self.collection.insert_one({"_id": key, **BODY, "report_id": report_id})
        for n in range(WRITES_PER_STAGE[stage] - 1):
            await self.collection.update_one({"_id": key}, {"$set": {f"step{n}": n}})

    async def _stage(self, stage: int, consumer: AIOKafkaConsumer) -> None:
        """Consume one message at a time: write, pass it on, commit it."""
        while True:
            batches = await consumer.getmany(timeout_ms=200)
            for tp, records in batches.items():
                for record in records:
                    report_id = record.key.decode()
                    if stage < HOPS:
                        await self._writes(report_id, stage)
                        await self.producer.send_and_wait(
                            self.topics[stage], record.value, key=record.key
                        )
                    await consumer.commit(
                        {TopicPartition(tp.topic, tp.partition): record.offset + 1}
                    )
                    if stage == HOPS:
                        future = self.arrived.get(report_id)
                        if future is not None and not future.done():
                            future.set_result(time.time())

    async def one(self) -> float:
        """Carry one report through the chain; answer its delay in seconds."""
        report_id = str(uuid.uuid4())
        self.arrived[report_id] = asyncio.get_running_loop().create_future()
        await self._writes(report_id, 0)
        body = json.dumps({"report_id": report_id, "payload": BODY}).encode()
        sent = time.time()
        await self.producer.send_and_wait(self.topics[0], body, key=report_id.encode())
        arrived = await asyncio.wait_for(self.arrived[report_id], 60)
        return arrived - sent

    async def stop(self) -> None:
        """Stop the stages, delete the topics and the database."""
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        for consumer in self.consumers:
            await consumer.stop()
        await self.producer.stop()
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
        await admin.start()
        try:
            await admin.delete_topics(self.topics)
        finally:
            await admin.close()
        await self.mongo.drop_database(DATABASE)
        await self.mongo.close()


async def measure(
    bootstrap: str, mongo_url: str, in_chain: int, duration_s: float
) -> RawResult:
    """Keep ``in_chain`` reports in the bare chain for ``duration_s`` seconds."""
    chain = Chain(bootstrap, mongo_url)
    await chain.start()
    delays: list[float] = []
    try:
        await asyncio.wait_for(chain.one(), 60)  # connections and metadata warm
        deadline = time.monotonic() + duration_s
        started = time.time()

        async def carrier() -> None:
            while time.monotonic() < deadline:
                delays.append(await chain.one())

        await asyncio.gather(*(carrier() for _ in range(in_chain)))
        seconds = time.time() - started
    finally:
        await chain.stop()
    return RawResult(
        reports=len(delays),
        seconds=round(seconds, 1),
        reports_per_s=round(len(delays) / seconds, 2),
        in_chain=in_chain,
        delay_ms=figures(delays),
    )
