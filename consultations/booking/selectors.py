"""The booking room's reads: the free slots for a treatment, and who performs it.

`slots_available` offers exactly the times `services.appointment_book` accepts
on its grid (the clearance aside, which is the patient's, not the slot's): a
start after now whose [start, free_at) lies on one local day, inside an
opening-hours window and a working-hours window of that weekday, outside the
practitioner's time off and active appointments, with an active room free for
all of it. It runs the same seven queries for a day or a month, for one
practitioner or twenty, and computes the rest in Python (availability.py).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from consultations.catalog.models import Treatment

from .availability import Interval, clip, intersect, merge, overlaps, slot_starts, subtract
from .models import (
    ACTIVE_STATUSES,
    Appointment,
    BookingPolicy,
    OpeningHours,
    Practitioner,
    Room,
    TimeOff,
)

# An appointment starts and ends on one local day (the service's rule), so one that holds
# time after a moment started less than a day (25 hours on a clock change) before it. This
# bound turns "free_at > range start" into an index range on starts_at.
LONGEST_DAY = dt.timedelta(hours=25)


@dataclass(frozen=True, slots=True)
class Slot:
    starts_at: dt.datetime  # aware (UTC); show it with timezone.localtime
    practitioner_id: int
    practitioner_name: str
    room_id: int


def practitioners_for(treatment: Treatment) -> list[Practitioner]:
    """The active practitioners who perform the treatment, by name (one query)."""
    return list(
        Practitioner.objects.filter(is_active=True, treatments=treatment).order_by("display_name")
    )


def _utc(day: dt.date, time: dt.time, zone: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=zone).astimezone(dt.UTC)


def _windows(rows: list[tuple[int, dt.time, dt.time]]) -> dict[int, list[tuple[dt.time, dt.time]]]:
    by_weekday: dict[int, list[tuple[dt.time, dt.time]]] = defaultdict(list)
    for weekday, starts, ends in rows:
        by_weekday[weekday].append((starts, ends))
    return {weekday: merge(windows) for weekday, windows in by_weekday.items()}


def _within(moment: dt.datetime, end: dt.datetime, windows: list[tuple[dt.time, dt.time]]) -> bool:
    """The service's own test, on the local wall clock (used on clock-change days)."""
    start, finish = timezone.localtime(moment), timezone.localtime(end)
    if start.date() != finish.date():
        return False
    return any(a <= start.time() and finish.time() <= b for a, b in windows)


def slots_available(
    *,
    treatment: Treatment,
    start: dt.date,
    end: dt.date,
    practitioner_id: int | None = None,
    now: dt.datetime | None = None,
) -> list[Slot]:
    """Every bookable start for the treatment from `start` to `end` (both included, clinic
    days), sorted by time then practitioner's name, each with the first free room by name.

    The grid: starts every `BookingPolicy.slot_minutes` from the start of each
    opening-hours window (09:00, 09:15, ... for a clinic opening at 09:00); working
    hours, time off and appointments remove grid points, they never move the grid.

    Queries (7, whatever the range and the number of practitioners; none after the
    first when no one performs the treatment): the policy; opening hours; the
    practitioners (`booking_practitioner_treatments` join) and their working hours
    (prefetched); their time off (`time_off_idx`, by practitioner and end); active
    appointments in the range of those practitioners or of an active room
    (`appointment_practitioner_idx`, `appointment_room_idx`); the active rooms.
    """
    if end < start:
        return []
    now = now or timezone.now()
    zone = timezone.get_current_timezone()
    practitioners = Practitioner.objects.filter(is_active=True, treatments=treatment)
    if practitioner_id is not None:
        practitioners = practitioners.filter(pk=practitioner_id)
    policy = BookingPolicy.current()
    step = dt.timedelta(minutes=policy.slot_minutes)
    length = dt.timedelta(minutes=treatment.duration_minutes + treatment.buffer_minutes)
    practitioners = list(practitioners.order_by("display_name").prefetch_related("working_hours"))
    if not practitioners:
        return []
    opening = _windows(list(OpeningHours.objects.values_list("weekday", "opens", "closes")))
    range_start = _utc(start, dt.time(0), zone)
    range_end = _utc(end + dt.timedelta(days=1), dt.time(0), zone)
    ids = [p.pk for p in practitioners]
    rooms = list(Room.objects.filter(is_active=True).order_by("name").values_list("pk", flat=True))
    if not rooms:
        return []

    busy: dict[int, list[Interval]] = defaultdict(list)  # practitioner -> time taken
    room_busy: dict[int, list[Interval]] = defaultdict(list)
    for practitioner, starts_at, ends_at in TimeOff.objects.filter(
        practitioner_id__in=ids, starts_at__lt=range_end, ends_at__gt=range_start
    ).values_list("practitioner_id", "starts_at", "ends_at"):
        busy[practitioner].append((starts_at, ends_at))
    for practitioner, room, starts_at, free_at in Appointment.objects.filter(
        Q(practitioner_id__in=ids) | Q(room_id__in=rooms),
        status__in=ACTIVE_STATUSES,
        starts_at__gt=range_start - LONGEST_DAY,
        starts_at__lt=range_end,
        free_at__gt=range_start,
    ).values_list("practitioner_id", "room_id", "starts_at", "free_at"):
        busy[practitioner].append((starts_at, free_at))
        room_busy[room].append((starts_at, free_at))
    busy_timelines = {pk: merge(busy[pk]) for pk in ids}
    room_timelines = [(pk, merge(room_busy[pk])) for pk in rooms]
    working = {
        p.pk: _windows([(w.weekday, w.starts, w.ends) for w in p.working_hours.all()])
        for p in practitioners
    }

    slots: list[Slot] = []
    day = start
    while day <= end:
        weekday = day.weekday()
        day_start, day_end = (
            _utc(day, dt.time(0), zone),
            _utc(day + dt.timedelta(1), dt.time(0), zone),
        )
        # On a clock change the wall clock and real time part ways: check each start as
        # the service does. Every other day they differ by a constant offset.
        clock_changes = day_end - day_start != dt.timedelta(days=1)
        windows = [(_utc(day, a, zone), _utc(day, b, zone)) for a, b in opening.get(weekday, [])]
        for practitioner in practitioners:
            hours = merge(
                (_utc(day, a, zone), _utc(day, b, zone))
                for a, b in working[practitioner.pk].get(weekday, [])
            )
            free = subtract(
                intersect(windows, hours), clip(busy_timelines[practitioner.pk], day_start, day_end)
            )
            for window in windows:
                for moment in slot_starts(
                    intersect([window], free), length=length, step=step, anchor=window[0]
                ):
                    if moment <= now:
                        continue
                    until = moment + length
                    if clock_changes and not (
                        _within(moment, until, opening.get(weekday, []))
                        and _within(moment, until, working[practitioner.pk].get(weekday, []))
                    ):
                        continue
                    room = next(
                        (pk for pk, taken in room_timelines if not overlaps(taken, moment, until)),
                        None,
                    )
                    if room is not None:
                        slots.append(Slot(moment, practitioner.pk, practitioner.display_name, room))
        day += dt.timedelta(days=1)
    # Practitioners are visited by name, so a stable sort by time is enough.
    slots.sort(key=lambda slot: slot.starts_at)
    return slots
