"""What came out of the pipeline: cases in MongoDB, events and alerts on Kafka."""

import asyncio
import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from pymongo import AsyncMongoClient

from shared.topics import CASES_EVENTS, CASES_EVENTS_URGENT

logger = logging.getLogger(__name__)

FETCH_TIMEOUT_MS = 500
DISPATCHED = "case.dispatched"


@dataclass
class Seen:
    """Messages about one report, each kept once per event id with its first time."""

    dispatched: dict[str, float] = field(default_factory=dict)
    alerts: dict[str, float] = field(default_factory=dict)
    dispatched_copies: int = 0
    alert_copies: int = 0


class Watcher:
    """Reads case events and department alerts from where the run started.

    Partitions are assigned, not subscribed: no consumer group, nothing committed, so
    the watcher cannot disturb the services' groups.
    """

    def __init__(self, bootstrap: str, department_topics: list[str]) -> None:
        self.consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap,
            enable_auto_commit=False,
            client_id="gridloop-cluster-watcher",
            request_timeout_ms=10_000,
        )
        self.event_topics = [CASES_EVENTS, CASES_EVENTS_URGENT]
        self.alert_topics = department_topics
        self.by_report: dict[str, Seen] = defaultdict(Seen)
        self.undecodable = 0
        self._task: asyncio.Task[None] | None = None

    async def start(self, layout: dict[str, list[int]]) -> None:
        """Assign every partition at its current end, then read on in the background.

        ``layout`` gives each topic's partition numbers.
        """
        await self.consumer.start()
        partitions: list[TopicPartition] = []
        for topic in [*self.event_topics, *self.alert_topics]:
            if not layout.get(topic):
                raise RuntimeError(f"topic {topic} has no partitions; were topics created?")
            partitions.extend(TopicPartition(topic, n) for n in layout[topic])

        self.consumer.assign(partitions)
        await self.consumer.seek_to_end(*partitions)
        for tp in partitions:
            await self.consumer.position(tp)
        self._task = asyncio.create_task(self._read(), name="watcher")

    async def _read(self) -> None:
        while True:
            batches = await self.consumer.getmany(timeout_ms=FETCH_TIMEOUT_MS)
            for tp, records in batches.items():
                for record in records:
                    self._take(tp.topic, record.value, record.timestamp / 1000)

    def _take(self, topic: str, value: bytes | None, at: float) -> None:
        try:
            message: dict[str, Any] = json.loads(value or b"")
            event_id = str(message["event_id"])
            report_id = str(message["correlation_id"])
            event_type = str(message["event_type"])
        except (ValueError, KeyError, TypeError):
            self.undecodable += 1
            return

        seen = self.by_report[report_id]
        if topic in self.event_topics:
            if event_type == DISPATCHED:
                seen.dispatched_copies += 1
                seen.dispatched.setdefault(event_id, at)
        else:
            seen.alert_copies += 1
            seen.alerts.setdefault(event_id, at)

    async def stop(self) -> None:
        """Stop reading."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self.consumer.stop()

    def reader_failed(self) -> BaseException | None:
        """The error that stopped the background reader, if one did."""
        if self._task is None or not self._task.done() or self._task.cancelled():
            return None
        return self._task.exception()


@dataclass(frozen=True)
class CaseRow:
    """A stored case as the run counts it."""

    case_id: str
    report_id: str
    created_at: float


async def cases_by_report(
    client: AsyncMongoClient[dict[str, Any]], database: str
) -> dict[str, list[CaseRow]]:
    """Every case in the run's database, grouped by the report it was opened for."""
    found: dict[str, list[CaseRow]] = defaultdict(list)
    cursor = client[database]["cases"].find({}, {"report_id": 1, "created_at": 1})
    async for doc in cursor:
        row = CaseRow(str(doc["_id"]), str(doc["report_id"]), doc["created_at"].timestamp())
        found[row.report_id].append(row)
    return found
