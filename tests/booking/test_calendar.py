"""The front desk's day and week calendars: what they show, what they never show, and speed."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultations.booking.models import Appointment, Status
from consultations.booking.services import appointment_book, appointment_check_in
from consultations.review.models import Clearance
from tests.booking.conftest import at, cleared, make_practitioner

pytestmark = pytest.mark.django_db

CALENDAR = reverse("booking:calendar")


def book(clearance: Clearance, practitioner, when: dt.datetime, by) -> Appointment:
    return appointment_book(
        clearance_id=clearance.pk, starts_at=when, practitioner_id=practitioner.pk, by=by
    )


def day_of(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


@pytest.fixture
def two_bookings(clinic, clearance, patient_b, clinician, front_desk):
    """Anna at 10:00 with Nurse Ha, Binh at 14:30 with Dr Khoa, both tomorrow."""
    khoa = make_practitioner("khoa@example.com", "Dr Khoa", ["mesotherapy"])
    other = cleared(patient_b, clinician)
    return [
        book(clearance, clinic["nurse"], at(1, 10), front_desk),
        book(other, khoa, at(1, 14, 30), front_desk),
    ]


def test_the_day_shows_a_column_per_practitioner_with_the_appointments(
    client, front_desk, two_bookings
):
    client.force_login(front_desk)
    page = client.get(CALENDAR, {"date": day_of(1)}).content.decode()
    assert "Nurse Ha" in page
    assert "Dr Khoa" in page
    assert page.count('class="cal-col"') == 2
    assert "Anna Nguyen" in page
    assert "Binh Tran" in page
    assert "10:00\N{EN DASH}10:" in page
    assert "14:30\N{EN DASH}" in page
    first = two_bookings[0]
    assert first.product.name in page
    assert first.area.name in page
    assert "Booked" in page  # the status in words, not colour alone
    # 09:00 opening: 10:00 is the fifth quarter hour.
    assert "cal-at-5 " in page


def test_the_day_switches_to_a_column_per_room(client, front_desk, clinic, two_bookings):
    client.force_login(front_desk)
    page = client.get(CALENDAR, {"date": day_of(1), "by": "room"}).content.decode()
    assert "Room 1" in page
    assert "Room 2" in page
    assert page.count('class="cal-col"') == 2


def test_the_day_filters_by_practitioner(client, front_desk, clinic, two_bookings):
    client.force_login(front_desk)
    nurse = clinic["nurse"]
    page = client.get(
        CALENDAR, {"date": day_of(1), "practitioner": str(nurse.public_id)}
    ).content.decode()
    assert "Anna Nguyen" in page
    assert "Binh Tran" not in page


def test_the_week_of_one_practitioner_has_a_column_per_day(
    client, front_desk, clinic, two_bookings
):
    client.force_login(front_desk)
    nurse = clinic["nurse"]
    page = client.get(
        CALENDAR, {"date": day_of(1), "view": "week", "practitioner": str(nurse.public_id)}
    ).content.decode()
    assert page.count('class="cal-col"') == 7
    assert "Anna Nguyen" in page
    assert "Binh Tran" not in page
    assert "Week of" in page


def test_navigation_goes_to_the_previous_and_next_day_and_today(client, front_desk, clinic):
    client.force_login(front_desk)
    page = client.get(CALENDAR, {"date": "2026-03-10"}).content.decode()
    assert "date=2026-03-09" in page
    assert "date=2026-03-11" in page
    assert f"date={timezone.localdate().isoformat()}" in page
    week = client.get(CALENDAR, {"date": "2026-03-10", "view": "week"}).content.decode()
    assert "date=2026-03-03" in week
    assert "date=2026-03-17" in week


def test_a_bad_date_falls_back_to_today(client, front_desk, clinic):
    client.force_login(front_desk)
    response = client.get(CALENDAR, {"date": "not-a-date", "practitioner": "junk"})
    assert response.status_code == 200
    assert timezone.localdate().strftime("%Y") in response.content.decode()


def test_a_held_appointment_and_a_withdrawn_clearance_need_clearance(
    client, front_desk, clinic, clearance, patient_b, clinician
):
    # Both booked the day before (today's 15:00 may have passed when the suite runs); the
    # morning's check-in, the withdrawal and the look at the calendar happen at 10:00.
    day_before, eleven, three, ten = at(-1, 12), at(0, 11), at(0, 15), at(0, 10)
    with time_machine.travel(day_before, tick=False):
        held = book(clearance, clinic["nurse"], eleven, front_desk)
        other = cleared(patient_b, clinician)
        kept = book(other, clinic["nurse"], three, front_desk)
    with time_machine.travel(ten, tick=False):
        appointment_check_in(
            appointment_id=held.pk,
            by=front_desk,
            pregnancy_changed=True,
            infection_at_area=False,
            new_medications=False,
        )
        Clearance.objects.filter(pk=other.pk).update(
            revoked_at=timezone.now(), revoked_because=Clearance.RevokedBecause.CORRECTED
        )
        client.force_login(front_desk)
        page = client.get(CALENDAR).content.decode()
    assert page.count("Needs clearance") == 2
    assert "On hold for a clinician" in page
    held.refresh_from_db()
    kept.refresh_from_db()
    assert (held.status, kept.status) == (Status.ON_HOLD, Status.BOOKED)


def test_the_calendar_shows_no_medical_detail(client, front_desk, clinic, patient_a, clinician):
    from tests.booking.test_desk_views import ALLERGY, CLINICAL_NOTE, MEDICINE
    from tests.review.conftest import CLEAN, decide, submit_case

    case = submit_case(
        patient_a,
        requests=[("meso-vitamin", "face")],
        **{
            **CLEAN,
            "allergies": {**CLEAN["allergies"], "allergies_other": ALLERGY},
            "medicines": {"takes_medications": True, "medications": MEDICINE},
        },
    )
    clearance = decide(case, clinician, "meso-vitamin", "face", "clear", note=CLINICAL_NOTE)
    book(clearance.clearance, clinic["nurse"], at(1, 10), front_desk)
    client.force_login(front_desk)
    page = client.get(CALENDAR, {"date": day_of(1)}).content.decode()
    assert "Anna Nguyen" in page
    for secret in (ALLERGY, MEDICINE, CLINICAL_NOTE):
        assert secret not in page


@pytest.mark.parametrize("params", [{"view": "week"}, {"view": "day"}, {"by": "room"}])
def test_the_calendar_runs_a_constant_number_of_queries(
    client, front_desk, week_of_appointments, params
):
    client.force_login(front_desk)
    counts = []
    for n in (5, 60):
        monday = week_of_appointments(n)
        query = {**params, "date": monday.isoformat()}
        client.get(CALENDAR, query)  # warm the session and caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(CALENDAR, query)
        shown = response.content.decode().count('class="cal-appt ')
        assert shown == (n if params.get("view") == "week" else -(-n // 7))
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_date_at_the_ends_of_time_shows_today_instead(client, front_desk):
    from django.utils import timezone

    client.force_login(front_desk)
    for day in ("0001-01-01", "9999-12-31"):
        response = client.get(reverse("booking:calendar"), {"date": day})
        assert response.status_code == 200
        assert f"date={timezone.localdate().isoformat()}" in response.content.decode()
