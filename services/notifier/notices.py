"""Which case events people must hear about, as notices with the facts rules match on."""

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from shared.contracts import CaseEvent, CaseSnapshot, event_id_for

COMMAND_CENTRE = "command_centre"
LEADERSHIP = "leadership"
UNIT = "unit"


class Kind(StrEnum):
    """What a notification asks of its reader; each kind has its templates."""

    ASSIGNED = "assigned"
    REMINDER = "reminder"
    OVERDUE = "overdue"
    ESCALATED = "escalated"
    RETURNED = "returned"
    VERIFICATION_REQUESTED = "verification_requested"
    VERIFIED = "verified"
    CLOSED = "closed"


# Event type -> (kind, audience); UNIT stands for the case's own department.
DEPARTMENT_EVENTS: dict[str, tuple[Kind, str]] = {
    "case.dispatched": (Kind.ASSIGNED, UNIT),
    "case.redispatched": (Kind.ASSIGNED, UNIT),
    "case.reminder_due": (Kind.REMINDER, UNIT),
    "case.overdue": (Kind.OVERDUE, UNIT),
    "case.escalated": (Kind.ESCALATED, COMMAND_CENTRE),
    "case.returned": (Kind.RETURNED, COMMAND_CENTRE),
    "case.verification_failed": (Kind.RETURNED, UNIT),
    "case.disposed": (Kind.VERIFICATION_REQUESTED, COMMAND_CENTRE),
    "case.filed": (Kind.CLOSED, UNIT),
    "sign_for.reminder": (Kind.REMINDER, UNIT),
    "sign_for.escalated": (Kind.ESCALATED, COMMAND_CENTRE),
    "sign_for.escalated_to_leadership": (Kind.ESCALATED, LEADERSHIP),
}

# What reporters and supporters hear about, on their own channel.
REPORTER_EVENTS: dict[str, Kind] = {
    "case.verified": Kind.VERIFIED,
    "case.filed": Kind.CLOSED,
}


@dataclass(frozen=True)
class Notice:
    """One thing to tell an audience about one version of a case."""

    event_type: str
    kind: Kind
    audience: str
    case_id: str
    report_id: str
    version: int
    department: str
    tier: str
    category: str | None
    level: int
    grid_code: str | None
    village_code: str | None
    emergency: bool
    occurred_at: datetime
    reason: str | None
    source_event_id: str

    def delivery_id(self, receiver_key: str) -> UUID:
        """The id one receiver gets this notice under, the same on every retry."""
        return event_id_for(
            "delivery", self.case_id, self.event_type, str(self.version), receiver_key
        )

    def for_audience(self, audience: str, kind: Kind) -> "Notice":
        """The same notice addressed to someone else."""
        return replace(self, audience=audience, kind=kind)


def notice_for(
    event_type: str,
    case: CaseSnapshot,
    *,
    occurred_at: datetime,
    source_event_id: str,
    reason: str | None = None,
) -> Notice | None:
    """The department-side notice an event calls for, if any."""
    known = DEPARTMENT_EVENTS.get(event_type)
    reporter_kind = REPORTER_EVENTS.get(event_type)
    if known is None and reporter_kind is None:
        return None

    kind, audience = known if known is not None else (reporter_kind, UNIT)
    assert kind is not None
    return Notice(
        event_type=event_type,
        kind=kind,
        audience=case.department if audience == UNIT else audience,
        case_id=case.case_id,
        report_id=case.report_id,
        version=case.version,
        department=case.department,
        tier=case.tier,
        category=case.category,
        level=case.level,
        grid_code=case.grid_code,
        village_code=case.village_code,
        emergency=case.emergency,
        occurred_at=occurred_at,
        reason=reason,
        source_event_id=source_event_id,
    )


def notice_from_event(
    event_type: str, event: CaseEvent, occurred_at: datetime, source_event_id: str
) -> Notice | None:
    """The notice for a case event off ``cases.events``."""
    return notice_for(
        event_type,
        event.case,
        occurred_at=occurred_at,
        source_event_id=source_event_id,
        reason=event.reason,
    )


def reaches_departments(event_type: str) -> bool:
    """Whether departments (not only reporters) hear about this event type."""
    return event_type in DEPARTMENT_EVENTS
