"""Versioned event contracts shared by every service.

Every message on Kafka is an :class:`Envelope` around a payload. The envelope
carries the report id as correlation id, so one report can be followed through
every hop, and a deterministic event id, so consumers can drop repeats.
"""

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Generic, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from shared.basic_info import RecordRef

EVENT_NAMESPACE = uuid.UUID("5b0c6f44-3f0e-4a52-9f43-6c1f1f0f2a11")

GridCode = Annotated[str, StringConstraints(pattern=r"^G-\d{2}-\d{2}$")]
DepartmentCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,39}$")]

P = TypeVar("P", bound=BaseModel)


class Channel(StrEnum):
    """Where a report came in."""

    APP = "app"
    HOTLINE = "hotline"
    WEB = "web"
    PATROL = "patrol"
    OPEN311 = "open311"


class Location(BaseModel):
    """A WGS84 point."""

    model_config = ConfigDict(extra="forbid")

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class Reporter(BaseModel):
    """Who reported: a staff id, or a resident's name and phone."""

    model_config = ConfigDict(extra="forbid")

    kind: Annotated[str, StringConstraints(pattern=r"^(grid_staff|operator|resident)$")]
    id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    name: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9 -]{5,20}$")] | None = None
    contact_ref: Annotated[str, StringConstraints(max_length=40)] | None = None
    phone_masked: Annotated[str, StringConstraints(max_length=40)] | None = None


class Report(BaseModel):
    """A field report as intake accepted it."""

    model_config = ConfigDict(extra="forbid")

    report_id: str
    channel: Channel
    grid_code: GridCode | None = None
    location: Location | None = None
    address: Annotated[str, StringConstraints(max_length=300)] = ""
    category_hint: Annotated[str, StringConstraints(max_length=64)] | None = None
    description: Annotated[str, StringConstraints(min_length=1, max_length=4000)]
    observed_at: datetime
    reporter: Reporter
    media_ids: list[str] = Field(default_factory=list, max_length=9)
    received_at: datetime
    media_sha256: dict[str, str] = Field(default_factory=dict)
    record_ref: RecordRef | None = None


class RoutingDecision(BaseModel):
    """What the router decided for a report, and why.

    ``limits_hours`` are working hours per stage (``sign_for``, ``disposal``,
    ``verification``); casework turns them into deadlines on its calendar.
    ``duplicate_of`` names the open case this report supports instead of opening
    a case of its own; ``triage`` marks a report the router could not place.
    """

    report: Report
    category: str | None
    level: int = Field(ge=1, le=3)
    tier: str
    department: str
    emergency: bool = False
    explanation: str
    triage: bool = False
    village_code: str | None = None
    limits_hours: dict[str, float] = Field(default_factory=dict)
    duplicate_of: str | None = None


class CaseSnapshot(BaseModel):
    """The state of a case as carried by every case event."""

    case_id: str
    report_id: str
    status: str
    grid_code: str | None
    category: str | None
    level: int
    tier: str
    department: str
    emergency: bool = False
    version: int
    # Both optional so that events written before they existed still read.
    village_code: str | None = None
    sign_due: AwareDatetime | None = Field(
        default=None,
        description="When the unit must sign for the case; absent when no such limit runs.",
    )


class CaseEvent(BaseModel):
    """A transition of a case: the action taken and the state after it."""

    action: str
    from_status: str | None
    actor: str
    reason: str | None = None
    case: CaseSnapshot


class DepartmentAlert(BaseModel):
    """What a department's topic receives when something needs it."""

    department: str
    case_id: str
    report_id: str
    kind: str
    level: int
    emergency: bool
    title: str
    summary: str


class Envelope(BaseModel, Generic[P]):
    """The frame around every payload on Kafka."""

    event_id: uuid.UUID
    event_type: str
    schema_version: int = 1
    occurred_at: datetime
    correlation_id: str
    causation_id: str | None = None
    producer: str
    payload: P


def event_id_for(*parts: str) -> uuid.UUID:
    """Derive an event id from what makes the event unique, so redelivery repeats it."""
    return uuid.uuid5(EVENT_NAMESPACE, "/".join(parts))


def envelope(
    payload: P,
    *,
    event_type: str,
    correlation_id: str,
    producer: str,
    identity: tuple[str, ...],
    causation_id: str | None = None,
    occurred_at: datetime | None = None,
) -> Envelope[P]:
    """Wrap a payload, deriving the event id from ``identity``."""
    return Envelope[P](
        event_id=event_id_for(event_type, *identity),
        event_type=event_type,
        occurred_at=occurred_at or datetime.now(UTC),
        correlation_id=correlation_id,
        causation_id=causation_id,
        producer=producer,
        payload=payload,
    )


class CaseEventDetail(CaseEvent):
    """A case event with what casework knows beyond the snapshot.

    Consumers that only know :class:`CaseEvent` read the same message and ignore the
    extra fields. ``stage`` and ``percent`` are set on reminders and overdue events.
    """

    to_status: str
    village_code: str | None = None
    media_ids: list[str] = Field(default_factory=list)
    deadlines: dict[str, datetime] = Field(default_factory=dict)
    supporters: int = 0
    stage: str | None = None
    percent: int | None = None


class CaseCommand(BaseModel):
    """A command on a case sent over Kafka (``cases.commands``), keyed by case id.

    ``credential`` is a signed gridloop token, checked exactly as over HTTP: Kafka
    senders prove who they are the same way, and internal senders hold a ``system``
    token signed with the deployment's key. ``body`` holds the action's fields.
    """

    model_config = ConfigDict(extra="forbid")

    case_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    action: Annotated[str, StringConstraints(pattern=r"^[a-z-]{2,40}$")]
    command_id: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    expected_version: int = Field(ge=0)
    credential: Annotated[str, StringConstraints(min_length=1, max_length=4000)]
    body: dict[str, object] = Field(default_factory=dict)


class CommandRefusal(BaseModel):
    """Why casework did not carry out a command that arrived on Kafka."""

    case_id: str
    command_id: str
    action: str
    code: str
    message: str
    allowed_actions: list[str] = Field(default_factory=list)
    current_version: int | None = None


class DepartmentDigest(BaseModel):
    """Alerts to one department grouped over a window, sent as one message."""

    department: str
    window_start: datetime
    window_end: datetime
    items: list[DepartmentAlert]


class NotificationSubscription(BaseModel):
    """Where a reporter or supporter wants to hear how their report ends."""

    channel: Annotated[str, StringConstraints(pattern=r"^(webhook|email|sms)$")]
    address: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    secret: Annotated[str, StringConstraints(min_length=16, max_length=200)] | None = None
    language: Annotated[str, StringConstraints(pattern=r"^(zh|en)$")] = "zh"


class VisitRecorded(BaseModel):
    """A visit or patrol a grid worker logged; never carries a person's numbers."""

    visit_id: str
    visit_type: str
    grid_code: str
    village_code: str | None = None
    visitor: str
    household: str | None = None
    place: str | None = None
    record_ref: str | None = None
    checklist: list[str] = Field(default_factory=list)
    findings: int = 0
    disputes_resolved: int = 0
    problems_handled: int = 0
    report_ids: list[str] = Field(default_factory=list)
    visited_at: datetime


class CampaignChanged(BaseModel):
    """A campaign was issued, reminded, escalated, progressed or closed.

    ``coverage`` is the share of households confirmed per grid; ``missing`` counts the
    households not yet confirmed in the grids that lag.
    """

    campaign_id: str
    change: str
    title: str
    deadline: datetime
    grids: list[str] = Field(default_factory=list)
    coverage: dict[str, float] = Field(default_factory=dict)
    missing: dict[str, int] = Field(default_factory=dict)
    report_ids: list[str] = Field(default_factory=list)


class GridNotice(BaseModel):
    """What a grid head's app receives about a campaign in their grid."""

    grid_code: str
    campaign_id: str
    kind: str
    title: str
    text: str
    deadline: datetime
    missing: int | None = None
