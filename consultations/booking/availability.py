"""Free time as half-open intervals [start, end): pure arithmetic, no ORM.

The slot search (selectors.slots_available) loads the clinic's hours, time off
and appointments once and does the rest here. Intervals are (start, end) pairs
of anything ordered; the search uses aware datetimes in UTC, so that adding a
duration is adding real time, also on the days the clocks change (Python adds
to the wall clock of an aware datetime in a local zone).

Functions that take "a timeline" expect what `merge` returns: sorted, disjoint,
no empty intervals, and touching intervals joined. Every result is a timeline.
"""

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable
from typing import Any

type Interval = tuple[Any, Any]


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """The union of any intervals, as a timeline (touching intervals joined)."""
    timeline: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[0] < i[1]):
        if timeline and start <= timeline[-1][1]:
            if end > timeline[-1][1]:
                timeline[-1] = (timeline[-1][0], end)
        else:
            timeline.append((start, end))
    return timeline


def intersect(a: list[Interval], b: list[Interval]) -> list[Interval]:
    """The time in both timelines (linear in their lengths)."""
    result: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start = max(a[i][0], b[j][0])
        end = min(a[i][1], b[j][1])
        if start < end:
            result.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return result


def subtract(a: list[Interval], b: list[Interval]) -> list[Interval]:
    """The time in timeline `a` outside timeline `b` (linear in their lengths)."""
    result: list[Interval] = []
    j = 0
    for start, end in a:
        # Skip what ends before this interval starts; `b` is sorted, so for good.
        while j < len(b) and b[j][1] <= start:
            j += 1
        k = j
        while k < len(b) and b[k][0] < end:
            if b[k][0] > start:
                result.append((start, b[k][0]))
            start = max(start, b[k][1])
            k += 1
        if start < end:
            result.append((start, end))
    return result


def overlaps(timeline: list[Interval], start: Any, end: Any) -> bool:
    """Whether [start, end) shares any time with the timeline (a binary search)."""
    # The first interval ending after `start` (ends are sorted in a timeline too).
    i = bisect_right(timeline, start, key=lambda interval: interval[1])
    return i < len(timeline) and timeline[i][0] < end


def clip(timeline: list[Interval], start: Any, end: Any) -> list[Interval]:
    """The part of the timeline inside [start, end) (a binary search, then a slice)."""
    i = bisect_right(timeline, start, key=lambda interval: interval[1])
    result: list[Interval] = []
    for s, e in timeline[i:]:
        if s >= end:
            break
        result.append((max(s, start), min(e, end)))
    return result


def slot_starts(
    free: list[Interval], *, length: dt.timedelta, step: dt.timedelta, anchor: dt.datetime
) -> list[dt.datetime]:
    """The starts s on the grid anchor + k·step (k ≥ 0) with [s, s + length) inside `free`.

    `free` is a timeline that does not start before `anchor`. The selector anchors
    the grid at the start of each opening-hours window, so the clinic's first time
    of a session is its opening time and the list does not shift with each booking.
    """
    starts: list[dt.datetime] = []
    for start, end in free:
        # The first grid point at or after the interval's start (ceiling division).
        k = -((anchor - start) // step)
        moment = anchor + k * step
        while moment + length <= end:
            starts.append(moment)
            moment += step
    return starts
