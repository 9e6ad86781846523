"""Intake's subscriber: follows each report's case, so its status can be answered."""

import logging
from datetime import datetime

from faststream.kafka.annotations import KafkaMessage
from pydantic import Field

from services.intake.store import ReportStore
from shared.contracts import CaseEvent, CaseSnapshot, Envelope
from shared.kafka import Handler, decode
from shared.logs import bound

logger = logging.getLogger(__name__)

CLOSED_STATUSES = frozenset({"filed", "merged", "invalid"})


class CaseWithDeadlines(CaseSnapshot):
    """A case snapshot with the due times casework may carry on it."""

    deadlines: dict[str, datetime] = Field(default_factory=dict)


class CaseEventSeen(CaseEvent):
    """A case event read for the report's sake."""

    case: CaseWithDeadlines


def status_note(event: CaseEventSeen) -> str:
    """One line a reporter can read about the latest step."""
    note = f"{event.action}: case {event.case.case_id} is {event.case.status}"
    if event.case.department:
        note = f"{note} with {event.case.department}"
    return f"{note} ({event.reason})" if event.reason else note


def on_case_event(store: ReportStore) -> Handler:
    """Copy the case id, status and deadlines onto the report the case came from."""

    async def handle(body: bytes, _: KafkaMessage) -> None:
        message = decode(Envelope[CaseEventSeen], body)
        event = message.payload
        case = event.case
        closed = case.status in CLOSED_STATUSES
        fields = {
            "case_id": case.case_id,
            "case_status": case.status,
            "department": case.department,
            "case_category": case.category,
            "deadlines": {stage: due for stage, due in case.deadlines.items()},
            "status_notes": status_note(event),
            "updated_at": message.occurred_at,
            "open311_status": "closed" if closed else "open",
            "closed_at": message.occurred_at if closed else None,
        }

        with bound(report_id=case.report_id, case_id=case.case_id):
            if await store.record_case(case.report_id, case.version, fields):
                logger.info("report now at case status %s", case.status)

    return handle
