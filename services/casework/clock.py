"""Stage time limits on the working-day calendar, and the reminders and breaches they set.

Limits are working hours per stage; casework turns them into due times when a stage
starts. A stage window remembers when it started, its due time and which reminders
were sent, so the timer loop knows what is due by reading one document.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from services.casework.case_model import Stage
from shared.registry import Registry

LIMIT_KEYS: Final[Mapping[Stage, str]] = {
    Stage.SIGN: "sign_for",
    Stage.DISPOSE: "disposal",
    Stage.VERIFY: "verification",
}
DEFAULT_LIMITS: Final[Mapping[str, float]] = {
    "sign_for": 2.0,
    "disposal": 24.0,
    "verification": 8.0,
}
REMINDER_PERCENTS: Final = (50, 80)


@dataclass(frozen=True)
class Mark:
    """Something the clock owes a case: a reminder at a share of the limit, or a breach."""

    key: str
    at: datetime
    percent: int | None = None

    @property
    def is_breach(self) -> bool:
        """Tell reminders from the breach of the limit itself."""
        return self.percent is None


class WorkClock:
    """Due times on the registry's calendar, or on a fast plain clock in tests."""

    def __init__(
        self,
        registry: Callable[[], Registry],
        *,
        hour_seconds: float | None = None,
        evaluate_hours: float = 72.0,
    ) -> None:
        self.registry = registry
        self.hour_seconds = hour_seconds
        self.evaluate_hours = evaluate_hours

    def add(self, start: datetime, hours: float) -> datetime:
        """The moment ``hours`` of working time after ``start``."""
        if self.hour_seconds is not None:
            return start + timedelta(seconds=hours * self.hour_seconds)

        return self.registry().calendar.add_working_hours(start, hours).astimezone(UTC)

    def limits(
        self, category: str | None, level: int, given: Mapping[str, float]
    ) -> dict[str, float]:
        """Stage limits for a case: the router's, else the category's, else defaults."""
        limits = dict(DEFAULT_LIMITS)
        known = self.registry().category(category) if category else None
        if known is not None:
            level_limits = known.time_limits.for_level(level)  # type: ignore[arg-type]
            limits.update(level_limits.model_dump())

        limits.update({key: float(value) for key, value in given.items() if value > 0})
        return limits

    def hours(self, stage: Stage, limits: Mapping[str, float]) -> float:
        """Working hours a stage may take; evaluation waits a configured time."""
        if stage is Stage.EVALUATE:
            return self.evaluate_hours

        return float(limits.get(LIMIT_KEYS[stage], DEFAULT_LIMITS[LIMIT_KEYS[stage]]))

    def due(self, stage: Stage, start: datetime, limits: Mapping[str, float]) -> datetime:
        """When a stage started at ``start`` must be done."""
        return self.add(start, self.hours(stage, limits))

    def window(
        self,
        stage: Stage,
        start: datetime,
        due: datetime,
        limits: Mapping[str, float],
        number: int,
    ) -> dict[str, Any]:
        """A fresh stage window as stored on the case, with its reminder times."""
        hours = self.hours(stage, limits)
        reminders = {
            str(percent): self.add(start, hours * percent / 100)
            for percent in REMINDER_PERCENTS
        }
        return {
            "stage": stage.value,
            "number": number,
            "started_at": start,
            "due": due,
            "reminders": reminders,
            "sent": [],
            "paused": False,
        }


def marks(window: Mapping[str, Any] | None) -> list[Mark]:
    """What the clock still owes in a window, earliest first; nothing while paused."""
    if not window or window.get("paused"):
        return []

    sent = set(window.get("sent", []))
    owed = [
        Mark(key=percent, at=at, percent=int(percent))
        for percent, at in window.get("reminders", {}).items()
        if percent not in sent and at < window["due"]
    ]
    if "due" not in sent:
        owed.append(Mark(key="due", at=window["due"]))

    return sorted(owed, key=lambda mark: mark.at)


def next_timer_at(window: Mapping[str, Any] | None) -> datetime | None:
    """When the timer loop must look at the case next."""
    owed = marks(window)
    return owed[0].at if owed else None


def fired(window: Mapping[str, Any] | None, now: datetime) -> list[Mark]:
    """The marks whose time has come."""
    return [mark for mark in marks(window) if mark.at <= now]
