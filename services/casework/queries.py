"""Case list filters and sort orders, turned into MongoDB queries."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from services.casework.errors import BadCommand

SORTS: Final = {
    "created_at": "created_at",
    "updated_at": "updated_at",
    "due": "clock.due",
    "level": "level",
}
OPEN_STATUSES: Final = (
    "reported",
    "dispatched",
    "signed",
    "disposed",
    "verified",
    "returned",
)


@dataclass(frozen=True)
class CaseQuery:
    """The filters a case list accepts; every given one must hold."""

    report_id: str | None = None
    status: str | None = None
    grid_code: str | None = None
    village_code: str | None = None
    department: str | None = None
    category: str | None = None
    level: int | None = None
    overdue: bool | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    record_ref: str | None = None

    def mongo(self) -> dict[str, Any]:
        """The query document for these filters."""
        query: dict[str, Any] = {}
        if self.report_id is not None:
            query["$or"] = [{"report_id": self.report_id}, {"supporters": self.report_id}]

        if self.status is not None:
            statuses = [part.strip() for part in self.status.split(",") if part.strip()]
            query["status"] = statuses[0] if len(statuses) == 1 else {"$in": statuses}

        names = (
            "grid_code",
            "village_code",
            "department",
            "category",
            "level",
            "record_ref",
        )
        for name in names:
            value = getattr(self, name)
            if value is not None:
                query[name] = value

        if self.overdue is not None:
            query["overdue"] = self.overdue

        span: dict[str, datetime] = {}
        if self.created_from is not None:
            span["$gte"] = self.created_from

        if self.created_to is not None:
            span["$lt"] = self.created_to

        if span:
            query["created_at"] = span

        return query


def sort_order(sort: str) -> list[tuple[str, int]]:
    """A sort such as ``-created_at`` as MongoDB sort keys, ties broken by case id."""
    field = sort.removeprefix("-")
    if field not in SORTS:
        raise BadCommand(f"sort by one of {', '.join(SORTS)}", field="sort")

    direction = -1 if sort.startswith("-") else 1
    return [(SORTS[field], direction), ("_id", direction)]


def combine(*parts: dict[str, Any]) -> dict[str, Any]:
    """All of several query documents at once."""
    given = [part for part in parts if part]
    if not given:
        return {}

    return given[0] if len(given) == 1 else {"$and": given}
