"""Messages no service can handle, on every topic the services consume.

Three kinds per topic: bytes that are not JSON at all, a well-formed envelope of the
topic's own payload from a schema version nobody speaks, and a message over the size
the services accept. Each carries a ``chaos-poison`` header naming the run, topic
and kind; the services copy headers to the dead-letter topic, which is how the run
finds its own parked copies among those of earlier runs and tests.
"""

import json
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer
from pydantic import BaseModel

from ops.scan import scan
from shared.contracts import (
    CaseCommand,
    CaseEventDetail,
    CaseSnapshot,
    Report,
    Reporter,
    RoutingDecision,
    envelope,
)
from shared.kafka import MAX_MESSAGE_BYTES
from shared.topics import (
    CASES_COMMANDS,
    CASES_EVENTS,
    CASES_EVENTS_URGENT,
    REPORTS_ROUTED,
    REPORTS_ROUTED_URGENT,
    REPORTS_SUBMITTED,
    REPORTS_SUBMITTED_URGENT,
    dead_letter_topic,
)

logger = logging.getLogger(__name__)

HEADER = "chaos-poison"
KINDS = ("garbage", "schema", "oversize")

CONSUMERS: dict[str, tuple[str, ...]] = {
    REPORTS_SUBMITTED: ("router",),
    REPORTS_SUBMITTED_URGENT: ("router",),
    REPORTS_ROUTED: ("casework",),
    REPORTS_ROUTED_URGENT: ("casework",),
    CASES_EVENTS: ("intake", "notifier", "router"),
    CASES_EVENTS_URGENT: ("intake", "notifier", "router"),
    CASES_COMMANDS: ("casework",),
}
"""Every topic the services consume with a consumer group, and which services do."""


def _report(marker: str) -> Report:
    now = datetime.now(UTC)
    return Report(
        report_id=f"poison-{marker}",
        channel="app",
        grid_code="G-01-01",
        description="A report from a schema version nobody speaks.",
        observed_at=now,
        received_at=now,
        reporter=Reporter(kind="grid_staff", id="poison"),
    )


def _payload(topic: str, marker: str) -> BaseModel:
    """A valid payload of the kind ``topic`` carries."""
    report = _report(marker)
    if topic in {REPORTS_SUBMITTED, REPORTS_SUBMITTED_URGENT}:
        return report
    if topic in {REPORTS_ROUTED, REPORTS_ROUTED_URGENT}:
        return RoutingDecision(
            report=report,
            category="rubbish",
            level=1,
            tier="grid",
            department="urban_management",
            explanation="poison",
        )
    if topic == CASES_COMMANDS:
        return CaseCommand(
            case_id=f"C-poison-{marker}",
            action="sign",
            command_id=f"poison-{marker}",
            expected_version=1,
            credential="not-a-credential",
        )
    case = CaseSnapshot(
        case_id=f"C-poison-{marker}",
        report_id=report.report_id,
        status="dispatched",
        grid_code="G-01-01",
        category="rubbish",
        level=1,
        tier="grid",
        department="urban_management",
        version=1,
    )
    return CaseEventDetail(
        action="dispatch",
        from_status="reported",
        to_status="dispatched",
        actor="system:router",
        case=case,
    )


def bodies(topic: str, marker: str) -> dict[str, bytes]:
    """The three poison messages for ``topic``, by kind."""
    wrapped = envelope(
        _payload(topic, marker),
        event_type="poison.schema",
        correlation_id=f"poison-{marker}",
        producer="chaos",
        identity=(marker, topic),
    )
    future = json.loads(wrapped.model_dump_json())
    future["schema_version"] = 2
    start = f'{{"poison": "{marker}", "pad": "'.encode()
    return {
        "garbage": b"\x00\xff\xfe not json at all " + marker.encode(),
        "schema": json.dumps(future).encode(),
        "oversize": start + b"x" * (MAX_MESSAGE_BYTES + 10_000) + b'"}',
    }


@dataclass
class Injected:
    """What the run put on the topics, to be found again on the dead-letter topics."""

    run: str
    messages: list[tuple[str, str]] = field(default_factory=list)

    def label(self, topic: str, kind: str) -> str:
        """The header value that marks one poison message."""
        return f"{self.run}/{topic}/{kind}"


async def inject(bootstrap: str, run: str) -> Injected:
    """Put every kind of poison on every consumed topic."""
    injected = Injected(run)
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        max_request_size=MAX_MESSAGE_BYTES + 100_000,
    )
    await producer.start()
    try:
        for topic in CONSUMERS:
            marker = f"{run}-{uuid.uuid4().hex[:6]}"
            for kind, body in bodies(topic, marker).items():
                headers = [(HEADER, injected.label(topic, kind).encode())]
                await producer.send_and_wait(
                    topic, body, key=f"poison-{marker}".encode(), headers=headers
                )
                injected.messages.append((topic, kind))
    finally:
        await producer.stop()
    return injected


@dataclass
class Parked:
    """Where each poison message ended up: services that parked it, with reasons."""

    by_label: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))

    def missing(self, injected: Injected) -> list[str]:
        """Poison messages some consuming service did not park, as ``topic/kind: who``."""
        gaps = []
        for topic, kind in injected.messages:
            parked_by = self.by_label.get(injected.label(topic, kind), {})
            absent = [s for s in CONSUMERS[topic] if s not in parked_by]
            if absent:
                gaps.append(f"{topic}/{kind}: not parked by {', '.join(absent)}")
        return gaps

    def expected(self, injected: Injected) -> int:
        """How many parked copies the run should find."""
        return sum(len(CONSUMERS[topic]) for topic, _ in injected.messages)

    def found(self) -> int:
        """Parked copies found."""
        return sum(len(services) for services in self.by_label.values())


async def parked(bootstrap: str, injected: Injected, since_ms: int) -> Parked:
    """Read the dead-letter topics from ``since_ms`` for this run's poison."""
    found = Parked()
    topics = [dead_letter_topic(topic) for topic in CONSUMERS]
    async for record in scan(bootstrap, topics, since_ms=since_ms):
        label = record.headers.get(HEADER, "")
        if not label.startswith(f"{injected.run}/"):
            continue
        service = record.headers.get("deadletter-service", "?")
        found.by_label[label][service] = record.headers.get("deadletter-reason", "")
    return found
