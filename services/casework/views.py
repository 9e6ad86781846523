"""Cases as callers see them: a public card for anyone, the full case for its users.

Anyone may see a case's public card (status, place, category, department, expected
time), as Open311 makes service requests public. The description, address, media,
timeline and people involved need a credential that reaches the case.
"""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, SerializeAsAny

from shared.mongo import Document


class PublicCase(BaseModel):
    """What anyone may know about a case."""

    model_config = ConfigDict(extra="ignore")

    case_id: str
    report_id: str
    status: str
    grid_code: str | None
    village_code: str | None = None
    category: str | None
    level: int
    tier: str | None
    department: str
    emergency: bool
    version: int
    created_at: datetime
    updated_at: datetime
    expected_at: datetime | None = None


class CaseOut(PublicCase):
    """A case for those who work on it or reported it."""

    description: str
    address: str
    channel: str
    routing_explanation: str
    media_ids: list[str] = []
    deadlines: dict[str, datetime] = {}
    overdue: bool = False
    supporters: list[str] = []
    return_count: int = 0
    reopen_count: int = 0
    escalation_level: int = 0
    extension_pending: int | None = None
    satisfaction: int | None = None
    record_ref: str | None = None


class CaseDetail(CaseOut):
    """A case with its timeline and what the caller may do to it now."""

    timeline: list[dict[str, Any]]
    allowed_actions: list[str] = []


class CaseList(BaseModel):
    """A page of cases."""

    items: list[SerializeAsAny[PublicCase]]
    limit: int
    offset: int


def card(doc: Document, full: bool) -> PublicCase:
    """One case as a list shows it, full or public."""
    data = {"case_id": doc["_id"], **doc}
    return CaseOut.model_validate(data) if full else PublicCase.model_validate(data)
