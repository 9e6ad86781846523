"""Working days and hours of the demo sub-district, for time limits in working hours."""

from datetime import date, time

from shared.registry.working_time import HolidayCalendar, HolidayPeriod, WorkingPeriod


def _holiday(
    name_zh: str, name_en: str, first: date, last: date, *makeup: date
) -> HolidayPeriod:
    """A holiday period and the weekend days worked in exchange."""
    return HolidayPeriod(
        name_zh=name_zh,
        name_en=name_en,
        first_day=first,
        last_day=last,
        makeup_workdays=list(makeup),
    )


# 2026 follows the national schedule as announced for that year. 2027 is a placeholder
# built from the lunar dates, to be replaced once the official schedule is published.
HOLIDAYS_2026 = [
    _holiday(
        "元旦", "New Year's Day", date(2026, 1, 1), date(2026, 1, 3), date(2026, 1, 4)
    ),
    _holiday(
        "春节",
        "Spring Festival",
        date(2026, 2, 15),
        date(2026, 2, 23),
        date(2026, 2, 14),
        date(2026, 2, 28),
    ),
    _holiday("清明节", "Qingming Festival", date(2026, 4, 4), date(2026, 4, 6)),
    _holiday("劳动节", "Labour Day", date(2026, 5, 1), date(2026, 5, 5), date(2026, 5, 9)),
    _holiday("端午节", "Dragon Boat Festival", date(2026, 6, 19), date(2026, 6, 21)),
    _holiday("中秋节", "Mid-Autumn Festival", date(2026, 9, 25), date(2026, 9, 27)),
    _holiday(
        "国庆节",
        "National Day",
        date(2026, 10, 1),
        date(2026, 10, 7),
        date(2026, 9, 20),
        date(2026, 10, 10),
    ),
]

HOLIDAYS_2027 = [
    _holiday("元旦", "New Year's Day", date(2027, 1, 1), date(2027, 1, 3)),
    _holiday(
        "春节",
        "Spring Festival",
        date(2027, 2, 5),
        date(2027, 2, 13),
        date(2027, 1, 31),
        date(2027, 2, 20),
    ),
    _holiday("清明节", "Qingming Festival", date(2027, 4, 3), date(2027, 4, 5)),
    _holiday("劳动节", "Labour Day", date(2027, 5, 1), date(2027, 5, 5), date(2027, 4, 25)),
    _holiday("端午节", "Dragon Boat Festival", date(2027, 6, 9), date(2027, 6, 9)),
    _holiday("中秋节", "Mid-Autumn Festival", date(2027, 9, 15), date(2027, 9, 15)),
    _holiday(
        "国庆节",
        "National Day",
        date(2027, 10, 1),
        date(2027, 10, 7),
        date(2027, 9, 26),
        date(2027, 10, 9),
    ),
]


def calendar() -> HolidayCalendar:
    """Office hours 09:00-12:00 and 14:00-18:00 on working days, China Standard Time."""
    return HolidayCalendar(
        utc_offset_hours=8,
        weekend=[5, 6],
        working_periods=[
            WorkingPeriod(start=time(9, 0), end=time(12, 0)),
            WorkingPeriod(start=time(14, 0), end=time(18, 0)),
        ],
        holidays=HOLIDAYS_2026 + HOLIDAYS_2027,
    )
