"""What clients send to intake and what intake answers."""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from shared.basic_info import RecordRef
from shared.contracts import Channel, GridCode, Location, Reporter

MAX_PHOTOS = 9
MediaId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]


class ReportIn(BaseModel):
    """A field report as a phone, an operator's screen or a web form sends it."""

    model_config = ConfigDict(extra="forbid")

    report_id: uuid.UUID | None = Field(
        default=None,
        description="Client-generated; the idempotency key. Made up if absent.",
    )
    channel: Channel
    grid_code: GridCode | None = None
    location: Location | None = None
    address: Annotated[str, StringConstraints(max_length=300)] = ""
    category_hint: Annotated[str, StringConstraints(max_length=64)] | None = None
    description: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)
    ]
    observed_at: AwareDatetime
    reporter: Reporter
    media_ids: list[MediaId] = Field(
        default_factory=list,
        max_length=MAX_PHOTOS,
        description="Ids that POST /v1/media answered; at most nine photos per report.",
    )
    record_ref: RecordRef | None = Field(
        default=None,
        description="The grid's basic information record the report is about, "
        "e.g. G-01-02/facilities/hydrant-7; it must be in the report's grid.",
    )

    @model_validator(mode="after")
    def _needs_a_place(self) -> "ReportIn":
        if self.grid_code is None and self.location is None:
            raise ValueError("either grid_code or location is required")
        return self


class Accepted(BaseModel):
    """The answer to an accepted report; the same for every retry of it."""

    report_id: str
    tracking_token: str
    status_url: str


class ReportStatus(BaseModel):
    """Where a report is now: intake's part, then the case it became."""

    report_id: str
    status: str
    accepted_at: datetime
    published: bool
    urgent: bool = False
    grid_code: str | None = None
    case_id: str | None = None
    case_status: str | None = None
    department: str | None = None
    updated_at: datetime | None = None
    reporter: Reporter | None = Field(
        default=None,
        description="Staff credentials only; the phone in full for operators and hotline.",
    )


class MediaStored(BaseModel):
    """The answer to an uploaded photo; the same for every upload of the same photo."""

    media_id: str
    sha256: str
    content_type: str
    size: int
