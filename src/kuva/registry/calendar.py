"""Working days in Finland: weekdays that are not public holidays (the ``holidays`` package's
Finnish calendar, which follows the Act on public holidays — Midsummer Eve and Christmas Eve
are days off as well).

The calendar is a small table — one row per date with ``wd_index``, the number of working days
up to and including that date — so a delay in working days is a difference of two indexes, a
join that runs on any Ibis backend.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import numpy as np
import pandas as pd

from kuva.errors import KuvaInputError

FIRST_YEAR, LAST_YEAR = 2010, 2035  #: the span of the calendar table


@lru_cache(maxsize=4)
def _holidays(first: int, last: int) -> frozenset[date]:
    import holidays

    return frozenset(holidays.country_holidays("FI", years=range(first, last + 1)))


def is_working_day(day: date) -> bool:
    """Monday–Friday and not a Finnish public holiday or a day off by law."""
    _check(day)
    return day.weekday() < 5 and day not in _holidays(FIRST_YEAR, LAST_YEAR)


def _check(day: date) -> None:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise KuvaInputError(f"{day}: the working-day calendar covers {FIRST_YEAR}–{LAST_YEAR}")


@lru_cache(maxsize=1)
def calendar_frame() -> pd.DataFrame:
    """``day, working, wd_index`` for every date of the calendar's span."""
    days = pd.date_range(date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31), freq="D")
    off = _holidays(FIRST_YEAR, LAST_YEAR)
    working = (days.day_of_week < 5) & ~np.isin(days.date, np.array(sorted(off), dtype=object))
    return pd.DataFrame({"day": days.date, "working": working, "wd_index": np.cumsum(working).astype(np.int64)})


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 on the same day; negative
    when ``end`` is earlier)."""
    _check(start)
    _check(end)
    cal = calendar_frame().set_index("day")["wd_index"]
    return int(cal[end] - cal[start])


def add_working_days(start: date, n: int) -> date:
    """The ``n``-th working day after ``start`` (``n >= 1``)."""
    if n < 1:
        raise KuvaInputError(f"n must be at least 1, got {n}")
    day, left = start, n
    while left:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


@lru_cache(maxsize=1)
def calendar_digest() -> str:
    """A short fingerprint of the days off in the calendar (a stored measure in working days
    belongs to the calendar it was counted with)."""
    import hashlib

    days = sorted(_holidays(FIRST_YEAR, LAST_YEAR))
    return hashlib.sha256(",".join(d.isoformat() for d in days).encode()).hexdigest()[:12]


__all__ = ["add_working_days", "calendar_digest", "calendar_frame", "is_working_day", "working_days_between"]
