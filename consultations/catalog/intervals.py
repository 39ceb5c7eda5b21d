"""Calendar arithmetic for session spacing. Pure Python, so the screening engine can use it."""

import calendar
import datetime as dt
from enum import StrEnum


class IntervalUnit(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


def add_interval(start: dt.date, count: int, unit: IntervalUnit | str) -> dt.date:
    """`start` plus `count` units; a month later than 31 January is the last day of February."""
    unit = IntervalUnit(unit)
    if unit is IntervalUnit.DAY:
        return start + dt.timedelta(days=count)
    if unit is IntervalUnit.WEEK:
        return start + dt.timedelta(weeks=count)
    month_index = start.month - 1 + count
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
