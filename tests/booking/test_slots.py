"""The slot search: what it offers is what the booking service accepts, in a constant
number of queries."""

import datetime as dt
import re

import pytest
from django.db import transaction
from django.utils import timezone

from consultations.booking.availability import (
    clip,
    intersect,
    merge,
    overlaps,
    slot_starts,
    subtract,
)
from consultations.booking.models import (
    Appointment,
    BookingPolicy,
    OpeningHours,
    Room,
    Status,
    TimeOff,
    WorkingHours,
)
from consultations.booking.selectors import Slot, practitioners_for, slots_available
from consultations.booking.services import BookingRefused, appointment_book
from consultations.catalog.models import Treatment
from consultations.patients.services import patient_register
from tests.booking.conftest import appointment_row, at, cleared, make_practitioner
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def meso() -> Treatment:
    return Treatment.objects.get(code="mesotherapy")  # 45 minutes and a 15-minute buffer


def day_of(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def local_times(slots: list[Slot]) -> list[str]:
    return [f"{timezone.localtime(s.starts_at):%H:%M}" for s in slots]


def grid(first: str, last: str, minutes: int = 15) -> list[str]:
    moment = dt.datetime.strptime(first, "%H:%M")
    times = []
    while f"{moment:%H:%M}" <= last:
        times.append(f"{moment:%H:%M}")
        moment += dt.timedelta(minutes=minutes)
    return times


def search(treatment: Treatment, days: int, **kwargs) -> list[Slot]:
    return slots_available(treatment=treatment, start=day_of(days), end=day_of(days), **kwargs)


def book(clearance, practitioner, by, starts_at: dt.datetime) -> Appointment:
    return appointment_book(
        clearance_id=clearance.pk, starts_at=starts_at, practitioner_id=practitioner.pk, by=by
    )


def accepted(clearance, practitioner, by, starts_at: dt.datetime) -> int | None:
    """The room the service books at that time, in a savepoint rolled back after; None if
    it refuses."""
    room = None
    try:
        with transaction.atomic():
            room = book(clearance, practitioner, by, starts_at).room_id
            transaction.set_rollback(True)
    except BookingRefused:
        return None
    return room


def assert_offers_exactly_what_the_service_accepts(
    slots, clearance, practitioner, by, days: int, first: int = 7, last: int = 20
) -> None:
    """Every quarter hour of the day: offered (with that room) if and only if the service
    books it."""
    offered = {s.starts_at: s.room_id for s in slots if s.practitioner_id == practitioner.pk}
    assert offered, "nothing offered: the comparison would prove nothing"
    for hour in range(first, last):
        for minute in (0, 15, 30, 45):
            moment = at(days, hour, minute)
            assert offered.get(moment) == accepted(clearance, practitioner, by, moment), moment


# --- Interval arithmetic ------------------------------------------------------------------


def test_merge_joins_overlapping_and_touching_intervals_and_drops_empty_ones():
    assert merge([(5, 7), (1, 3), (3, 4), (6, 9), (10, 10)]) == [(1, 4), (5, 9)]


def test_intersect_keeps_the_time_in_both():
    assert intersect([(0, 4), (6, 10)], [(2, 7), (9, 12)]) == [(2, 4), (6, 7), (9, 10)]


def test_subtract_cuts_holes_and_edges():
    assert subtract([(0, 10), (12, 20)], [(2, 3), (5, 13), (20, 25)]) == [
        (0, 2),
        (3, 5),
        (13, 20),
    ]
    assert subtract([(0, 10)], []) == [(0, 10)]
    assert subtract([(0, 10)], [(0, 10)]) == []


def test_overlaps_is_half_open():
    timeline = [(2, 4), (8, 9)]
    assert not overlaps(timeline, 4, 8)  # touching both ends is free
    assert overlaps(timeline, 3, 5)
    assert overlaps(timeline, 0, 10)
    assert not overlaps(timeline, 9, 12)


def test_clip_keeps_the_part_inside():
    assert clip([(0, 3), (5, 8), (9, 12)], 2, 10) == [(2, 3), (5, 8), (9, 10)]


def test_slot_starts_sit_on_the_anchor_grid_and_fit_whole():
    anchor = dt.datetime(2027, 1, 4, 9, tzinfo=dt.UTC)
    minutes = dt.timedelta(minutes=1)
    free = [(anchor + 10 * minutes, anchor + 100 * minutes)]
    starts = slot_starts(free, length=60 * minutes, step=15 * minutes, anchor=anchor)
    assert starts == [anchor + 15 * minutes, anchor + 30 * minutes]


# --- Hours --------------------------------------------------------------------------------


def test_a_free_day_offers_every_quarter_hour_until_the_last_that_ends_at_closing(clinic, meso):
    slots = search(meso, 3)
    assert local_times(slots) == grid("09:00", "17:00")
    last = slots[-1]
    assert timezone.localtime(last.starts_at + HOUR).time() == dt.time(18, 0)
    assert {s.practitioner_name for s in slots} == {"Nurse Ha"}
    assert {s.room_id for s in slots} == {clinic["rooms"][0].pk}  # the first room by name


def test_a_longer_treatment_ends_its_last_slot_at_closing(clinic):
    filler = Treatment.objects.get(code="dermal_filler")  # 60 + 15
    assert local_times(search(filler, 3))[-1] == "16:45"


def test_the_step_comes_from_the_booking_policy(clinic, meso):
    BookingPolicy.objects.update_or_create(pk=1, defaults={"slot_minutes": 30})
    assert local_times(search(meso, 3)) == grid("09:00", "17:00", 30)


def test_opening_hours_limit_the_day_and_a_closed_day_offers_nothing(clinic, meso):
    weekday = day_of(3).weekday()
    OpeningHours.objects.filter(weekday=weekday).update(opens=dt.time(10, 30))
    assert local_times(search(meso, 3))[0] == "10:30"
    OpeningHours.objects.filter(weekday=weekday).delete()
    assert search(meso, 3) == []


def test_working_hours_on_a_split_day(clinic, meso):
    nurse = clinic["nurse"]
    weekday = day_of(3).weekday()
    WorkingHours.objects.filter(practitioner=nurse, weekday=weekday).delete()
    WorkingHours.objects.create(
        practitioner=nurse, weekday=weekday, starts=dt.time(9), ends=dt.time(12)
    )
    WorkingHours.objects.create(
        practitioner=nurse, weekday=weekday, starts=dt.time(14, 10), ends=dt.time(18)
    )
    # The grid stays on the opening's quarter hours: 14:10 is not on it.
    assert local_times(search(meso, 3)) == grid("09:00", "11:00") + grid("14:15", "17:00")


def test_a_split_opening_day_anchors_each_session_at_its_opening(clinic, meso):
    weekday = day_of(3).weekday()
    OpeningHours.objects.filter(weekday=weekday).delete()
    OpeningHours.objects.create(weekday=weekday, opens=dt.time(9), closes=dt.time(12))
    OpeningHours.objects.create(weekday=weekday, opens=dt.time(13, 10), closes=dt.time(18))
    assert local_times(search(meso, 3)) == grid("09:00", "11:00") + grid("13:10", "16:55")


def test_a_day_off_offers_nothing(clinic, meso):
    WorkingHours.objects.filter(practitioner=clinic["nurse"], weekday=day_of(3).weekday()).delete()
    assert search(meso, 3) == []
    assert search(meso, 4) != []


def test_time_off_removes_the_times_that_would_overlap_it(clinic, meso):
    TimeOff.objects.create(practitioner=clinic["nurse"], starts_at=at(3, 12), ends_at=at(3, 13))
    times = local_times(search(meso, 3))
    assert times == grid("09:00", "11:00") + grid("13:00", "17:00")


def test_time_off_over_several_days(clinic, meso):
    TimeOff.objects.create(practitioner=clinic["nurse"], starts_at=at(3, 0), ends_at=at(5, 0))
    found = slots_available(treatment=meso, start=day_of(2), end=day_of(6))
    assert {timezone.localtime(s.starts_at).date() for s in found} == {
        day_of(2),
        day_of(5),
        day_of(6),
    }


# --- Appointments and rooms -------------------------------------------------------------


def test_an_appointment_and_its_buffer_hold_the_practitioner(clinic, meso, clearance, front_desk):
    book(clearance, clinic["nurse"], front_desk, at(3, 11))  # holds 11:00 to 12:00
    times = local_times(search(meso, 3))
    assert times == grid("09:00", "10:00") + grid("12:00", "17:00")


def test_the_buffer_of_a_longer_treatment_counts_too(
    clinic, meso, front_desk, patient_b, clinician
):
    filler = cleared(patient_b, clinician, "juvederm-voluma-xc", "cheeks")
    book(filler, clinic["nurse"], front_desk, at(3, 11))  # 60 + 15: holds 11:00 to 12:15
    times = local_times(search(meso, 3))
    assert times == grid("09:00", "10:00") + grid("12:15", "17:00")


def test_a_cancelled_appointment_frees_its_time(clinic, meso, clearance, front_desk):
    appointment = book(clearance, clinic["nurse"], front_desk, at(3, 11))
    Appointment.objects.filter(pk=appointment.pk).update(status="cancelled")
    assert local_times(search(meso, 3)) == grid("09:00", "17:00")


def test_the_next_room_is_offered_when_the_first_is_taken(clinic, meso, clearance, front_desk):
    other = make_practitioner("nurse.an@example.com", "Nurse An", ["mesotherapy"])
    book(clearance, other, front_desk, at(3, 11))  # Room 1, 11:00 to 12:00
    room_1, room_2 = (r.pk for r in clinic["rooms"])
    ha = {
        f"{timezone.localtime(s.starts_at):%H:%M}": s.room_id
        for s in search(meso, 3)
        if s.practitioner_name == "Nurse Ha"
    }
    assert ha["10:00"] == room_1
    assert ha["10:15"] == ha["11:45"] == room_2
    assert ha["12:00"] == room_1


def test_no_slot_when_both_rooms_are_busy_even_if_the_practitioner_is_free(
    clinic, meso, clearance, front_desk, patient_b, clinician
):
    an = make_practitioner("nurse.an@example.com", "Nurse An", ["mesotherapy"])
    binh = make_practitioner("nurse.binh@example.com", "Nurse Binh", ["mesotherapy"])
    book(clearance, an, front_desk, at(3, 11))
    book(cleared(patient_b, clinician), binh, front_desk, at(3, 11))
    ha = [s for s in search(meso, 3) if s.practitioner_name == "Nurse Ha"]
    assert local_times(ha) == grid("09:00", "10:00") + grid("12:00", "17:00")


def test_an_inactive_room_is_never_offered(clinic, meso):
    Room.objects.filter(pk=clinic["rooms"][0].pk).update(is_active=False)
    assert {s.room_id for s in search(meso, 3)} == {clinic["rooms"][1].pk}
    Room.objects.update(is_active=False)
    assert search(meso, 3) == []


# --- Practitioners ---------------------------------------------------------------------


def test_slots_are_sorted_by_time_then_practitioner_name(clinic, meso):
    make_practitioner("zed@example.com", "Anh Zed", ["mesotherapy"])
    slots = search(meso, 3)
    assert [s.practitioner_name for s in slots[:4]] == ["Anh Zed", "Nurse Ha"] * 2
    assert slots == sorted(slots, key=lambda s: (s.starts_at, s.practitioner_name))


def test_the_practitioner_filter(clinic, meso):
    other = make_practitioner("nurse.an@example.com", "Nurse An", ["mesotherapy"])
    slots = search(meso, 3, practitioner_id=other.pk)
    assert {s.practitioner_id for s in slots} == {other.pk}
    assert len(slots) == len(grid("09:00", "17:00"))


def test_a_practitioner_who_does_not_perform_the_treatment_is_never_offered(clinic, meso):
    booster_only = make_practitioner("nurse.an@example.com", "Nurse An", ["skin_booster"])
    assert {s.practitioner_name for s in search(meso, 3)} == {"Nurse Ha"}
    assert search(meso, 3, practitioner_id=booster_only.pk) == []
    assert practitioners_for(meso) == [clinic["nurse"]]


def test_an_inactive_practitioner_is_never_offered(clinic, meso):
    clinic["nurse"].is_active = False
    clinic["nurse"].save(update_fields=["is_active"])
    assert search(meso, 3) == []
    assert practitioners_for(meso) == []


# --- Now -------------------------------------------------------------------------------


def test_times_not_after_now_are_left_out(clinic, meso):
    slots = search(meso, 1, now=at(1, 12, 10))
    assert local_times(slots) == grid("12:15", "17:00")
    assert local_times(search(meso, 1, now=at(1, 12, 15))) == grid("12:30", "17:00")


def test_now_defaults_to_the_clock(clinic, meso, time_machine):
    time_machine.move_to(at(1, 16, 40), tick=False)  # tomorrow is today now
    assert local_times(search(meso, 0)) == ["16:45", "17:00"]
    assert search(meso, -1) == []


def test_an_empty_or_reversed_range_offers_nothing(clinic, meso):
    assert slots_available(treatment=meso, start=day_of(4), end=day_of(3)) == []


# --- Agreement with the booking service --------------------------------------------------


def test_every_offered_time_is_booked_and_every_other_is_refused(
    clinic, meso, clearance, front_desk, patient_b, clinician
):
    """A busy day: a split opening (touching rows), split working hours, time off, another
    patient's appointment, and both rooms taken for a while by a colleague's patients."""
    nurse = clinic["nurse"]
    weekday = day_of(3).weekday()
    OpeningHours.objects.filter(weekday=weekday).delete()
    OpeningHours.objects.create(weekday=weekday, opens=dt.time(8, 30), closes=dt.time(12))
    OpeningHours.objects.create(weekday=weekday, opens=dt.time(12), closes=dt.time(19, 30))
    WorkingHours.objects.filter(practitioner=nurse, weekday=weekday).delete()
    WorkingHours.objects.create(
        practitioner=nurse, weekday=weekday, starts=dt.time(8), ends=dt.time(13)
    )
    WorkingHours.objects.create(
        practitioner=nurse, weekday=weekday, starts=dt.time(14, 20), ends=dt.time(20)
    )
    TimeOff.objects.create(practitioner=nurse, starts_at=at(3, 16), ends_at=at(3, 16, 30))
    book(cleared(patient_b, clinician), nurse, front_desk, at(3, 10, 30))
    colleague = make_practitioner("nurse.an@example.com", "Nurse An", ["mesotherapy"])
    other = make_practitioner("nurse.binh@example.com", "Nurse Binh", ["mesotherapy"])
    for n, practitioner in enumerate((colleague, other)):
        patient = patient_register(email=f"p{n}@example.com", password=PASSWORD, full_name="P")
        book(cleared(patient, clinician), practitioner, front_desk, at(3, 16, 45))

    slots = search(meso, 3)
    nurse_times = local_times([s for s in slots if s.practitioner_id == nurse.pk])
    assert nurse_times == (
        grid("08:30", "09:30")  # the appointment at 10:30 holds until 11:30
        + grid("11:30", "12:00")  # across the touching opening rows; work pauses at 13:00
        + grid("14:30", "15:00")  # the grid's next quarter after 14:20; time off from 16:00
        + grid("17:45", "18:30")  # both rooms are taken from 16:45 to 17:45; closing 19:30
    )
    assert_offers_exactly_what_the_service_accepts(slots, clearance, nurse, front_desk, 3)


def test_the_offered_slots_book_one_after_another(clinic, meso, front_desk, clinician):
    """Booked for real (different patients, the service's spacing rules are per patient):
    each offered time still free after the ones before is accepted, in the offered room."""
    slots = search(meso, 4)
    taken: list[tuple[dt.datetime, dt.datetime]] = []
    booked = 0
    for n, slot in enumerate(slots):
        until = slot.starts_at + HOUR
        if any(s < until and slot.starts_at < e for s, e in taken):
            continue
        patient = patient_register(email=f"s{n}@example.com", password=PASSWORD, full_name="P")
        appointment = appointment_book(
            clearance_id=cleared(patient, clinician).pk,
            starts_at=slot.starts_at,
            practitioner_id=slot.practitioner_id,
            by=front_desk,
        )
        assert appointment.room_id == slot.room_id
        taken.append((slot.starts_at, until))
        booked += 1
    assert booked == 9  # 09:00, 10:00 ... 17:00
    assert search(meso, 4) == []


# --- Clock changes ----------------------------------------------------------------------


@pytest.fixture
def london(settings):
    settings.TIME_ZONE = "Europe/London"


def test_slots_keep_the_local_clock_across_the_change_to_summer_time(
    london, clinic, meso, patient_a, clinician, front_desk, time_machine
):
    time_machine.move_to(dt.datetime(2027, 3, 24, 12, tzinfo=dt.UTC), tick=False)
    before, change = dt.date(2027, 3, 27), dt.date(2027, 3, 28)  # clocks go forward at 01:00
    slots = slots_available(treatment=meso, start=before, end=change)
    by_day = {
        day: [s for s in slots if timezone.localtime(s.starts_at).date() == day]
        for day in (before, change)
    }
    for day_slots in by_day.values():
        assert local_times(day_slots) == grid("09:00", "17:00")
    assert by_day[before][0].starts_at == dt.datetime(2027, 3, 27, 9, tzinfo=dt.UTC)
    assert by_day[change][0].starts_at == dt.datetime(2027, 3, 28, 8, tzinfo=dt.UTC)  # BST
    clearance = cleared(patient_a, clinician)
    for slot in (by_day[change][0], by_day[change][-1]):
        assert accepted(clearance, clinic["nurse"], front_desk, slot.starts_at) == slot.room_id


def test_a_night_session_across_the_missing_hour_counts_real_time(
    london, clinic, meso, patient_a, clinician, front_desk, time_machine
):
    time_machine.move_to(dt.datetime(2027, 3, 24, 12, tzinfo=dt.UTC), tick=False)
    change = dt.date(2027, 3, 28)  # a Sunday: 01:00 GMT becomes 02:00 BST
    OpeningHours.objects.filter(weekday=change.weekday()).delete()
    OpeningHours.objects.create(weekday=change.weekday(), opens=dt.time(0), closes=dt.time(4))
    WorkingHours.objects.filter(weekday=change.weekday()).update(starts=dt.time(0), ends=dt.time(4))
    slots = slots_available(treatment=meso, start=change, end=change)
    # Three real hours, 00:00 to 04:00 on the clock: every start leaves one real hour.
    assert local_times(slots) == ["00:00", "00:15", "00:30", "00:45", *grid("02:00", "03:00")]
    assert slots[-1].starts_at + HOUR == dt.datetime(2027, 3, 28, 3, tzinfo=dt.UTC)  # 04:00 BST
    clearance = cleared(patient_a, clinician)
    for slot in slots:
        assert accepted(clearance, clinic["nurse"], front_desk, slot.starts_at) == slot.room_id
    after_last = slots[-1].starts_at + dt.timedelta(minutes=15)
    assert accepted(clearance, clinic["nurse"], front_desk, after_last) is None


# --- Queries ----------------------------------------------------------------------------


def test_the_same_queries_for_a_day_and_a_month(
    clinic, meso, clearance, front_desk, django_assert_num_queries
):
    book(clearance, clinic["nurse"], front_desk, at(3, 11))
    TimeOff.objects.create(practitioner=clinic["nurse"], starts_at=at(5, 9), ends_at=at(5, 12))
    BookingPolicy.current()
    with django_assert_num_queries(7):
        day = slots_available(treatment=meso, start=day_of(3), end=day_of(3))
    with django_assert_num_queries(7):
        month = slots_available(treatment=meso, start=day_of(1), end=day_of(31))
    assert 0 < len(day) < len(month)


def test_the_same_queries_for_one_practitioner_and_ten(
    clinic, meso, clearance, front_desk, django_assert_num_queries
):
    BookingPolicy.current()
    with django_assert_num_queries(7):
        one = slots_available(treatment=meso, start=day_of(1), end=day_of(7))
    for n in range(9):
        practitioner = make_practitioner(f"nurse{n}@example.com", f"Nurse {n}", ["mesotherapy"])
        TimeOff.objects.create(practitioner=practitioner, starts_at=at(2, 9), ends_at=at(2, 10))
    book(clearance, practitioner, front_desk, at(3, 11))
    with django_assert_num_queries(7):
        ten = slots_available(treatment=meso, start=day_of(1), end=day_of(7))
    assert len({s.practitioner_id for s in ten}) == 10
    assert len(ten) > len(one)


def test_the_queries_that_grow_with_the_diary_are_index_range_scans(
    clinic, meso, clearance, front_desk
):
    """Years of past appointments and time off must not slow the search for next month: both
    are read through their practitioner's (and room's) indexes, the practitioner's by the
    month's range of start times. The diary holds a year behind the month and weeks of
    bookings after it, analysed, so that the planner chooses by the statistics of a clinic in
    use and not by whatever earlier tests left (sequential scans off, so that a few thousand
    rows do not hide a missing index)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    nurse, rooms = clinic["nurse"], clinic["rooms"]
    book(clearance, nurse, front_desk, at(3, 11))
    # A year behind (completed) and, after the searched month, bookings until the clearance
    # expires.
    expires = (clearance.expires_on - timezone.localdate()).days
    Appointment.objects.bulk_create(
        appointment_row(
            clearance,
            nurse,
            rooms[hour % 2],
            at(days, hour),
            front_desk,
            minutes=45,
            buffer=15,
            status=Status.COMPLETED if days < 0 else Status.BOOKED,
        )
        for days in [*range(-365, 0), *range(32, expires + 1)]
        for hour in range(9, 15)
    )
    TimeOff.objects.bulk_create(
        TimeOff(practitioner=nurse, starts_at=at(-days, 15), ends_at=at(-days, 17))
        for days in range(1, 366, 3)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE booking_appointment, booking_timeoff")
    with CaptureQueriesContext(connection) as queries:
        slots_available(treatment=meso, start=day_of(1), end=day_of(31))
    growing = {
        table: next(q["sql"] for q in queries if f'FROM "{table}"' in q["sql"])
        for table in ("booking_appointment", "booking_timeoff")
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plans = {}
        for table, sql in growing.items():
            cursor.execute(f"EXPLAIN {sql}")
            plans[table] = "\n".join(row[0] for row in cursor.fetchall())
    appointments = plans["booking_appointment"]
    assert "appointment_practitioner_idx" in appointments, appointments
    # The room's side: its (room, start) index, or the exclusion constraint's index of the
    # room's active appointments, whichever the planner finds cheaper for the rows it sees.
    assert re.search(r"appointment_room_(idx|no_overlap)", appointments), appointments
    assert "Seq Scan" not in appointments, appointments
    assert "time_off_idx" in plans["booking_timeoff"], plans["booking_timeoff"]
