"""What clients send to field work's HTTP routes and what it answers."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from shared.basic_info import RecordRef
from shared.contracts import GridCode

Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)
]
Unit = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9 -]{5,20}$")]


class VisitType(StrEnum):
    """What kind of walk or call a visit was."""

    HOME_VISIT = "home_visit"
    KEY_PERSON_VISIT = "key_person_visit"
    SERVICE_RECIPIENT_VISIT = "service_recipient_visit"
    PATROL = "patrol"


class Finding(BaseModel):
    """Something the visitor found; ``raise_report`` hands it to intake as a report."""

    model_config = ConfigDict(extra="forbid")

    item: str | None = Field(default=None, description="The checklist item it concerns.")
    text: Text
    dispute: bool = False
    resolved: bool = Field(default=False, description="Handled on the spot.")
    raise_report: bool = False
    category_hint: Annotated[str, StringConstraints(max_length=64)] | None = None


class VisitIn(BaseModel):
    """A visit or patrol as the grid worker's app sends it."""

    model_config = ConfigDict(extra="forbid")

    visit_id: uuid.UUID | None = Field(default=None, description="The idempotency key.")
    visit_type: VisitType
    grid_code: GridCode
    household: Unit | None = None
    place: Unit | None = None
    record_ref: RecordRef | None = Field(
        default=None,
        description="The basic information record visited, e.g. G-01-02/key_persons/k-7.",
    )
    contact_phone: Phone | None = Field(
        default=None, description="The household's phone; kept here, masked for most."
    )
    checklist: list[str] = Field(default_factory=list, max_length=28)
    findings: list[Finding] = Field(default_factory=list, max_length=20)
    visited_at: AwareDatetime


class VisitOut(BaseModel):
    """A stored visit, with the reports it raised."""

    visit_id: str
    visit_type: VisitType
    grid_code: str
    visitor: str
    household: str | None
    place: str | None
    record_ref: str | None
    contact_phone: str | None
    checklist: list[str]
    findings: list[Finding]
    report_ids: list[str]
    visited_at: datetime


class CampaignIn(BaseModel):
    """A task for many grids at once, with a deadline."""

    model_config = ConfigDict(extra="forbid")

    title: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
    ]
    instructions: Text
    grids: list[GridCode] = Field(default_factory=list, max_length=500)
    village_codes: list[str] = Field(default_factory=list, max_length=100)
    all_grids: bool = False
    deadline: AwareDatetime
    remind_before_s: float = Field(default=7200, ge=0, le=30 * 86400)


class ProgressStatus(StrEnum):
    """How one household or place stands in a campaign."""

    CONFIRMED = "confirmed"
    BLOCKED = "blocked"
    ABSENT = "absent"


class ProgressItem(BaseModel):
    """One household or place reported on."""

    model_config = ConfigDict(extra="forbid")

    unit: Unit
    status: ProgressStatus
    note: Annotated[str, StringConstraints(max_length=2000)] = ""
    category_hint: Annotated[str, StringConstraints(max_length=64)] | None = None


class ProgressIn(BaseModel):
    """A grid head's progress in one grid."""

    model_config = ConfigDict(extra="forbid")

    grid_code: GridCode
    items: list[ProgressItem] = Field(min_length=1, max_length=500)


class GridCoverage(BaseModel):
    """Where one grid stands in a campaign."""

    grid_code: str
    village_code: str | None
    households: int
    confirmed: int
    blocked: int
    coverage: float
    report_ids: list[str] = Field(default_factory=list)


class CampaignOut(BaseModel):
    """A campaign with its live coverage."""

    campaign_id: str
    title: str
    instructions: str
    status: str
    deadline: datetime
    created_by: str
    created_at: datetime
    reminded: bool
    escalated: bool
    coverage: float
    grids: list[GridCoverage]
    summary: dict[str, object] | None = None


class CampaignList(BaseModel):
    """The newest campaigns, each with its coverage."""

    items: list[CampaignOut]
