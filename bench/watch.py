"""What came out of the pipeline: cases in MongoDB, events and alerts on Kafka.

The benchmarks and fault runs read the pipeline's output the way a department's
system would: every copy of a message is counted, and repeats are dropped by event
id, so a redelivery shows up as a copy and a real duplicate as a second event id.
"""

import asyncio
import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from pymongo import AsyncMongoClient

from ops.load.sender import Sent
from shared.kafka import ensure_topics, partitions_of
from shared.registry import demo_registry
from shared.topics import CASES_EVENTS, CASES_EVENTS_URGENT, TopicSpec, department_topic

logger = logging.getLogger(__name__)

FETCH_TIMEOUT_MS = 500
DISPATCHED = "case.dispatched"
DEPARTMENT_PARTITIONS = 3
FEW_LEFT = 0.15
"""Share of reports still waiting below which the database is asked about them (a
realistic stream has about a tenth of second voices and reports left for triage)."""


@dataclass
class Seen:
    """Messages about one report, each kept once per event id with its first time."""

    dispatched: dict[str, float] = field(default_factory=dict)
    alerts: dict[str, float] = field(default_factory=dict)
    dispatched_copies: int = 0
    alert_copies: int = 0


@dataclass
class Transitions:
    """Every event id seen for each version of one case, and how many copies came."""

    by_version: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    copies: int = 0


def department_topics() -> list[str]:
    """Every department's alert topic, from the demo registry."""
    return sorted(department_topic(d.code) for d in demo_registry().departments)


async def ready_topics(
    bootstrap: str, specs: tuple[TopicSpec, ...], timeout_s: float = 30.0
) -> dict[str, list[int]]:
    """Create missing topics and wait until every partition has a leader; the layout.

    A topic just created has no leader for a moment, and clients that use it then
    fail their first requests.
    """
    await ensure_topics(bootstrap, specs)
    names = [spec.name for spec in specs]
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        layout = await partitions_of(bootstrap, names)
        if all(layout.get(name) for name in names):
            return layout
        if asyncio.get_running_loop().time() > deadline:
            missing = sorted(set(names) - set(layout))
            raise RuntimeError(f"topics without leaders after {timeout_s:.0f} s: {missing}")
        await asyncio.sleep(0.3)


async def prepare_department_topics(bootstrap: str) -> None:
    """Create the alert topics the notifier would create on first use, to watch them."""
    await ready_topics(
        bootstrap,
        tuple(TopicSpec(t, partitions=DEPARTMENT_PARTITIONS) for t in department_topics()),
    )


class Watcher:
    """Reads case events and department alerts from where the run started.

    Partitions are assigned, not subscribed: no consumer group, nothing committed, so
    the watcher cannot disturb the services' groups.
    """

    def __init__(self, bootstrap: str, department_topics: list[str]) -> None:
        self.bootstrap = bootstrap
        self.consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap,
            enable_auto_commit=False,
            client_id="gridloop-pipeline-watcher",
            request_timeout_ms=10_000,
        )
        self.event_topics = [CASES_EVENTS, CASES_EVENTS_URGENT]
        self.alert_topics = department_topics
        self.by_report: dict[str, Seen] = defaultdict(Seen)
        self.by_case: dict[str, Transitions] = defaultdict(Transitions)
        self.alert_kinds: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.undecodable = 0
        self._task: asyncio.Task[None] | None = None

    async def start(self, layout: dict[str, list[int]] | None = None) -> None:
        """Assign every partition at its current end, then read on in the background.

        ``layout`` gives each topic's partition numbers; by default they are asked for.
        """
        topics = [*self.event_topics, *self.alert_topics]
        if layout is None:
            layout = await partitions_of(self.bootstrap, topics)
        await self.consumer.start()
        partitions: list[TopicPartition] = []
        for topic in topics:
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
            payload: dict[str, Any] = message.get("payload") or {}
        except (ValueError, KeyError, TypeError, AttributeError):
            self.undecodable += 1
            return

        seen = self.by_report[report_id]
        if topic in self.event_topics:
            if event_type == DISPATCHED:
                seen.dispatched_copies += 1
                seen.dispatched.setdefault(event_id, at)
            self._transition(event_id, payload)
        else:
            seen.alert_copies += 1
            seen.alerts.setdefault(event_id, at)
            case_id, kind = payload.get("case_id"), payload.get("kind")
            if isinstance(case_id, str) and isinstance(kind, str):
                self.alert_kinds[(case_id, kind)].add(event_id)

    def _transition(self, event_id: str, payload: dict[str, Any]) -> None:
        """Note a case transition; reminders and other clock events carry a stage."""
        case = payload.get("case")
        if not isinstance(case, dict) or payload.get("stage") is not None:
            return
        transitions = self.by_case[str(case.get("case_id"))]
        transitions.copies += 1
        transitions.by_version[int(case.get("version", -1))].add(event_id)

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

    def alerted(self, report_id: str) -> float | None:
        """When the report's department first heard of it, if it has."""
        seen = self.by_report.get(report_id)
        if seen is None or not seen.alerts:
            return None
        return min(seen.alerts.values())


@dataclass(frozen=True)
class CaseRow:
    """A stored case as the runs count it."""

    case_id: str
    report_id: str
    created_at: float
    version: int = 0
    supporters: tuple[str, ...] = ()
    triage: bool = False


async def load_cases(
    client: AsyncMongoClient[dict[str, Any]], database: str
) -> list[CaseRow]:
    """Every case in a run's database (one scan: FerretDB reads the whole collection)."""
    fields = {"report_id": 1, "created_at": 1, "version": 1, "supporters": 1, "triage": 1}
    return [
        CaseRow(
            str(doc["_id"]),
            str(doc["report_id"]),
            doc["created_at"].timestamp(),
            int(doc.get("version") or 0),
            tuple(str(r) for r in doc.get("supporters") or ()),
            bool(doc.get("triage")),
        )
        async for doc in client[database]["cases"].find({}, fields)
    ]


async def cases_by_report(
    client: AsyncMongoClient[dict[str, Any]], database: str
) -> dict[str, list[CaseRow]]:
    """Every case in the run's database, grouped by the report it was opened for."""
    found: dict[str, list[CaseRow]] = defaultdict(list)
    for row in await load_cases(client, database):
        found[row.report_id].append(row)
    return found


def supported(cases: dict[str, list[CaseRow]]) -> dict[str, list[str]]:
    """Case ids each supporting report was added to, by the supporter's report id."""
    found: dict[str, list[str]] = defaultdict(list)
    for rows in cases.values():
        for row in rows:
            for report_id in row.supporters:
                found[report_id].append(row.case_id)
    return found


async def still_waiting(
    sent: list[Sent],
    watcher: Watcher,
    client: AsyncMongoClient[dict[str, Any]],
    database: str,
) -> list[Sent]:
    """Accepted reports not through yet: no alert, not a supporter, not in triage.

    A report that joins an open case or waits in triage for the command centre
    alerts nobody; only the database tells. It is read once few reports are left,
    because on FerretDB every such read scans the whole collection.
    """
    answered = [s for s in sent if s.answered_at is not None]
    waiting = [s for s in answered if watcher.alerted(s.report_id) is None]
    if not waiting or len(waiting) > max(20, FEW_LEFT * len(answered)):
        return waiting
    cases = await cases_by_report(client, database)
    joined = supported(cases)
    return [
        s
        for s in waiting
        if not joined.get(s.report_id)
        and not any(row.triage for row in cases.get(s.report_id, []))
    ]
