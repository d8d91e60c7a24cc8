"""China's working-day calendar, with make-up working days (调休).

Uses ``chinesecalendar`` (exact State Council schedule, raises past its last year)
and falls back to ``holidays`` (reaches further but does not know every make-up
day); ``source`` tells which one answered so reports can say it.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache


@lru_cache(maxsize=8192)
def workday_info(day: dt.date) -> tuple[bool, str]:
    try:
        import chinese_calendar

        return chinese_calendar.is_workday(day), "chinesecalendar"
    except (NotImplementedError, ImportError):
        pass
    try:
        cn = _cn_holidays(day.year)
        if day in cn:
            return False, "holidays"
        return day.weekday() < 5, "holidays"
    except ImportError:  # pragma: no cover - both are dependencies
        return day.weekday() < 5, "weekdays"


@lru_cache(maxsize=64)
def _cn_holidays(year: int):
    import holidays

    return holidays.country_holidays("CN", years=year)


def is_workday(day: dt.date) -> bool:
    return workday_info(day)[0]


@lru_cache(maxsize=8192)   # rules ask it for every contract; a few hundred signing days recur
def add_workdays(start: dt.date, n: int) -> dt.date:
    """The n-th working day after ``start`` (the start day itself is not counted, 民法典 art. 201)."""
    day = start
    counted = 0
    while counted < n:
        day += dt.timedelta(days=1)
        if is_workday(day):
            counted += 1
    return day


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end``."""
    if end <= start:
        return 0
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        count += is_workday(day)
    return count


def calendar_coverage() -> tuple[int, int] | None:
    """Years chinesecalendar knows exactly (for ``cctk doctor``)."""
    try:
        from chinese_calendar.constants import holidays as table
    except ImportError:
        return None
    years = sorted({d.year for d in table})
    return (years[0], years[-1]) if years else None
