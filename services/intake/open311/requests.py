"""Service requests: reports as Open311 shows them, and the spec's list filters."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from services.intake.open311.render import Open311Error
from shared.mongo import Document
from shared.registry import Registry

MAX_SPAN = timedelta(days=90)
MAX_REQUESTS = 1000
MAX_IDS = 200


def parse_datetime(value: str, name: str, fmt: str) -> datetime:
    """A w3 datetime; one without a time zone is refused, since the spec requires it."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise Open311Error(400, f"{name} is not an ISO 8601 datetime", fmt) from exc
    if moment.tzinfo is None:
        raise Open311Error(400, f"{name} needs a time zone", fmt)
    return moment


@dataclass(frozen=True)
class RequestFilter:
    """What ``GET requests`` asked for, with the spec's defaults filled in."""

    ids: list[str] | None
    service_code: list[str] | None
    start: datetime
    end: datetime
    status: list[str] | None

    def query(self) -> Document:
        """The MongoDB query; a list of ids overrides every other filter."""
        if self.ids is not None:
            return {"_id": {"$in": self.ids}}

        query: Document = {"accepted_at": {"$gte": self.start, "$lte": self.end}}
        if self.service_code is not None:
            query["service_code"] = {"$in": self.service_code}
        if self.status is not None:
            query["open311_status"] = {"$in": self.status}
        return query


def _listed(value: str | None) -> list[str] | None:
    if value is None or not value.strip():
        return None
    return [item.strip() for item in value.split(",") if item.strip()]


def request_filter(
    fmt: str,
    service_request_id: str | None,
    service_code: str | None,
    start_date: str | None,
    end_date: str | None,
    status: str | None,
    now: datetime | None = None,
) -> RequestFilter:
    """Apply the spec's rules: at most 90 days, the last 90 days when no dates are given."""
    now = now or datetime.now(UTC)
    ids = _listed(service_request_id)
    if ids is not None and len(ids) > MAX_IDS:
        raise Open311Error(400, f"at most {MAX_IDS} service_request_id values", fmt)

    statuses = _listed(status)
    if statuses is not None and not set(statuses) <= {"open", "closed"}:
        raise Open311Error(400, "status is open, closed or both", fmt)

    end = parse_datetime(end_date, "end_date", fmt) if end_date else None
    start = parse_datetime(start_date, "start_date", fmt) if start_date else None
    if start is None and end is None:
        end = now
    if end is None:
        end = min(now, start + MAX_SPAN) if start else now
    if start is None:
        start = end - MAX_SPAN
    if start > end:
        raise Open311Error(400, "start_date is after end_date", fmt)
    if end - start > MAX_SPAN:
        raise Open311Error(400, "start_date to end_date may span at most 90 days", fmt)

    return RequestFilter(ids, _listed(service_code), start, end, statuses)


def expected_at(doc: Document, registry: Registry) -> datetime | None:
    """When the problem should be dealt with: the case's disposal deadline if known.

    Until casework has put deadlines on the case, the category's working-hour
    limits at the case's level are counted from the report's arrival instead.
    """
    deadlines = doc.get("deadlines") or {}
    for stage in ("dispose", "disposal"):
        if deadlines.get(stage):
            due: datetime = deadlines[stage]
            return due

    category = registry.category(doc.get("case_category") or "") or registry.category(
        doc["report"].get("category_hint") or ""
    )
    if category is None or doc.get("case_id") is None:
        return None
    level = category.default_level
    limits = category.time_limits.for_level(level)
    received: datetime = doc["accepted_at"]
    return registry.calendar.add_working_hours(received, limits.sign_for + limits.disposal)


def service_request(doc: Document, registry: Registry, media_base: str) -> dict[str, Any]:
    """A stored report as an Open311 service request."""
    report = doc["report"]
    category = registry.category(report.get("category_hint") or "")
    department = registry.department(doc.get("department") or "")
    location = report.get("location") or {}
    media = report.get("media_ids") or []
    closed = doc.get("open311_status") == "closed"
    updated = doc.get("closed_at") if closed else doc.get("updated_at")
    return {
        "service_request_id": doc["_id"],
        "status": "closed" if closed else "open",
        "status_notes": doc.get("status_notes") or "received; waiting to be dispatched",
        "service_name": category.name_en if category else None,
        "service_code": doc.get("service_code"),
        "description": report["description"],
        "agency_responsible": department.name_en if department else None,
        "service_notice": None,
        "requested_datetime": doc["accepted_at"],
        "updated_datetime": updated or doc["accepted_at"],
        "expected_datetime": expected_at(doc, registry),
        "address": report.get("address") or None,
        "address_id": None,
        "zipcode": None,
        "lat": location.get("lat"),
        "long": location.get("lon"),
        "media_url": f"{media_base}/v1/media/{media[0]}" if media else None,
    }
