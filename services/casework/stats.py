"""The figures a sub-district is judged on, computed from per-case summaries.

FerretDB v1 cannot group with averages (``$avg`` is not implemented) and no
MongoDB-compatible server computes a p90 before MongoDB 7, so casework reads a
narrow projection (the grouping fields and the ``summary`` each transition keeps
up to date) and computes in Python, one pass, memory bounded by the group count.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from shared.mongo import Document

DIMENSIONS: Final = {
    "grid": "grid_code",
    "village": "village_code",
    "department": "department",
    "tier": "tier",
    "category": "category",
    "period": "created_at",
}
PERIODS: Final = ("day", "week", "month")
FIELDS: Final = [*DIMENSIONS.values(), "supporters", "summary"]
DURATIONS: Final = {"sign": "sign_s", "dispose": "dispose_s", "close": "close_s"}


def period_key(at: datetime, period: str) -> str:
    """The label of the day, ISO week or month a moment falls in."""
    if period == "day":
        return at.strftime("%Y-%m-%d")

    if period == "week":
        year, week, _ = at.isocalendar()
        return f"{year}-W{week:02d}"

    return at.strftime("%Y-%m")


def p90(values: list[float]) -> float | None:
    """The nearest-rank 90th percentile."""
    if not values:
        return None

    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def figure(value: float | None, sample: int, min_sample: int) -> dict[str, Any]:
    """A figure with its sample size and whether it is too small to rank on."""
    shown = None if value is None else round(value, 4)
    return {"value": shown, "sample": sample, "too_small": sample < min_sample}


@dataclass
class Group:
    """Running totals of one group of cases."""

    reports: int = 0
    opened: int = 0
    closed: int = 0
    on_time: int = 0
    returned: int = 0
    reopened: int = 0
    durations: dict[str, list[float]] = field(default_factory=dict)
    scores: list[int] = field(default_factory=list)

    def add(self, doc: Document) -> None:
        """Count one case."""
        summary = doc.get("summary") or {}
        self.reports += 1 + len(doc.get("supporters") or [])
        self.opened += 1
        if "close_s" in summary:
            self.closed += 1
            self.on_time += bool(summary.get("on_time"))

        self.returned += bool(summary.get("returned"))
        self.reopened += bool(summary.get("reopened"))
        for name, key in DURATIONS.items():
            if key in summary:
                self.durations.setdefault(name, []).append(float(summary[key]))

        if summary.get("satisfaction") is not None:
            self.scores.append(int(summary["satisfaction"]))

    def report(self, min_sample: int) -> dict[str, Any]:
        """The group's figures, each with its sample size."""
        result: dict[str, Any] = {
            "reports": self.reports,
            "cases_opened": self.opened,
            "cases_closed": self.closed,
            "on_time_rate": figure(
                _share(self.on_time, self.closed), self.closed, min_sample
            ),
            "return_rate": figure(
                _share(self.returned, self.opened), self.opened, min_sample
            ),
            "reopen_rate": figure(
                _share(self.reopened, self.opened), self.opened, min_sample
            ),
            "satisfaction_average": figure(
                sum(self.scores) / len(self.scores) if self.scores else None,
                len(self.scores),
                min_sample,
            ),
        }
        for name in DURATIONS:
            values = self.durations.get(name, [])
            average = sum(values) / len(values) if values else None
            result[f"time_to_{name}_s"] = {
                "average": figure(average, len(values), min_sample),
                "p90": figure(p90(values), len(values), min_sample),
            }

        return result


def _share(part: int, whole: int) -> float | None:
    """A rate, or nothing when there is nothing to divide by."""
    return part / whole if whole else None


def compute(
    docs: Iterable[Document], by: str, period: str, min_sample: int
) -> dict[str, dict[str, Any]]:
    """Figures per group of the chosen dimension."""
    groups: dict[str, Group] = {}
    key_field = DIMENSIONS[by]
    for doc in docs:
        value = doc.get(key_field)
        if by == "period" and isinstance(value, datetime):
            key = period_key(value, period)
        else:
            key = "none" if value is None else str(value)
        groups.setdefault(key, Group()).add(doc)

    return {key: groups[key].report(min_sample) for key in sorted(groups)}
