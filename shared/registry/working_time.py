"""Working days and hours, because every time limit is counted in working hours."""

from datetime import date, datetime, time, timedelta, timezone
from typing import Annotated, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]


class _Strict(BaseModel):
    """Unknown fields are refused, so a typo in an edited calendar fails loudly."""

    model_config = ConfigDict(extra="forbid")


class WorkingPeriod(_Strict):
    """One stretch of a working day, such as the morning shift."""

    start: time
    end: time

    @model_validator(mode="after")
    def _starts_before_it_ends(self) -> Self:
        """An empty or inverted period would make deadlines meaningless."""
        if self.start >= self.end:
            raise ValueError("a working period must start before it ends")
        return self


class HolidayPeriod(_Strict):
    """A public holiday and the weekend days worked to make up for it."""

    name_zh: Name
    name_en: Name
    first_day: date
    last_day: date
    makeup_workdays: list[date] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        """A holiday that ends before it starts is a typo."""
        if self.first_day > self.last_day:
            raise ValueError("a holiday must not end before it starts")
        return self


class HolidayCalendar(_Strict):
    """Which days and hours count for time limits, which are all in working hours."""

    utc_offset_hours: int = Field(default=8, ge=-12, le=14)
    weekend: list[int] = Field(default_factory=lambda: [5, 6])
    working_periods: list[WorkingPeriod] = Field(min_length=1)
    holidays: list[HolidayPeriod] = Field(default_factory=list)

    @field_validator("weekend")
    @classmethod
    def _weekdays(cls, days: list[int]) -> list[int]:
        """Weekend days are Python weekday numbers, Monday 0 to Sunday 6."""
        if any(day not in range(7) for day in days):
            raise ValueError("weekend days are weekday numbers 0 (Monday) to 6 (Sunday)")
        return days

    @property
    def tz(self) -> timezone:
        """The calendar's local time zone as a fixed offset."""
        return timezone(timedelta(hours=self.utc_offset_hours))

    def is_holiday(self, day: date) -> bool:
        """Whether ``day`` falls in a public holiday."""
        return any(period.first_day <= day <= period.last_day for period in self.holidays)

    def is_makeup_workday(self, day: date) -> bool:
        """Whether ``day`` is a weekend day worked in exchange for a holiday."""
        return any(day in period.makeup_workdays for period in self.holidays)

    def is_working_day(self, day: date) -> bool:
        """Weekdays are worked unless they are holidays; weekends only as make-up days."""
        if self.is_makeup_workday(day):
            return True

        return day.weekday() not in self.weekend and not self.is_holiday(day)

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The local moment when ``hours`` of working time after ``start`` have passed."""
        tz = self.tz
        cursor = start.replace(tzinfo=tz) if start.tzinfo is None else start.astimezone(tz)
        remaining = timedelta(hours=hours)
        periods = sorted(self.working_periods, key=lambda period: period.start)

        day = cursor.date()
        for _ in range(3 * 366):
            if self.is_working_day(day):
                for period in periods:
                    begin = max(cursor, datetime.combine(day, period.start, tz))
                    end = datetime.combine(day, period.end, tz)
                    if begin >= end:
                        continue

                    if remaining <= end - begin:
                        return begin + remaining
                    remaining -= end - begin

            day += timedelta(days=1)
            cursor = datetime.combine(day, time(0), tz)
        raise ValueError(f"{hours} working hours do not fit in three years of calendar")
