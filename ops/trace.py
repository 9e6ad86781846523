"""Follows one report through every service by its correlation id on Kafka.

Every envelope carries the report id as correlation id and as the ``report-id``
header, so the path of a report is the set of messages bearing it, ordered by
the time Kafka stamped them. The scan starts shortly before the report was
accepted, so it reads only the messages since then.
"""

from dataclasses import dataclass

from ops.scan import Record, scan
from shared.topics import (
    CASES_EVENTS,
    CASES_EVENTS_URGENT,
    REPORTS_ROUTED,
    REPORTS_ROUTED_URGENT,
    REPORTS_SUBMITTED,
    REPORTS_SUBMITTED_URGENT,
)

FLOW_TOPICS = [
    REPORTS_SUBMITTED,
    REPORTS_SUBMITTED_URGENT,
    REPORTS_ROUTED,
    REPORTS_ROUTED_URGENT,
    CASES_EVENTS,
    CASES_EVENTS_URGENT,
]
LEAD_MS = 60_000


@dataclass(frozen=True)
class Hop:
    """One message on the report's path."""

    at_ms: int
    producer: str
    topic: str
    event_type: str
    delay_ms: int


async def trace(
    bootstrap: str, report_id: str, *, since_ms: int, extra_topics: list[str]
) -> list[Hop]:
    """The report's messages in time order, with the delay since the previous one."""
    matches: list[Record] = [
        record
        async for record in scan(
            bootstrap, FLOW_TOPICS + extra_topics, since_ms=since_ms - LEAD_MS
        )
        if record.headers.get("report-id") == report_id
    ]
    matches.sort(key=lambda record: record.timestamp_ms)
    matches = _first_deliveries(matches)

    hops: list[Hop] = []
    for record in matches:
        previous = hops[-1].at_ms if hops else record.timestamp_ms
        hops.append(
            Hop(
                at_ms=record.timestamp_ms,
                producer=record.headers.get("producer", "?"),
                topic=record.topic,
                event_type=record.headers.get("event-type", "?"),
                delay_ms=record.timestamp_ms - previous,
            )
        )
    return hops


def _first_deliveries(records: list[Record]) -> list[Record]:
    """Drop repeated publications of the same event, as consumers do."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for record in records:
        key = (
            record.topic,
            record.headers.get("event-id", f"{record.partition}/{record.offset}"),
        )
        if key not in seen:
            seen.add(key)
            kept.append(record)
    return kept
