"""The patient's booking pages (and the front desk booking for a patient): views/patient.py."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from consultations.booking.models import Appointment, BookingPolicy, Status
from consultations.booking.services import (
    appointment_book,
    appointment_check_in,
    appointment_complete,
)
from consultations.review.models import Clearance, Priority, ReviewCase
from tests.booking.conftest import at, cleared
from tests.review.conftest import CLEAN, resubmit

pytestmark = pytest.mark.django_db


def book_url(clearance: Clearance) -> str:
    return reverse("booking:book", kwargs={"clearance_public_id": clearance.public_id})


def url(name: str, appointment: Appointment) -> str:
    return reverse(f"booking:{name}", kwargs={"public_id": appointment.public_id})


def slot(starts_at: dt.datetime, clinic) -> str:
    """The value of a listed time, as the page's radio buttons carry it."""
    return f"{starts_at.astimezone(dt.UTC).isoformat()}~{clinic['nurse'].public_id}"


def booked(clearance, clinic, by, days=3, hour=10) -> Appointment:
    return appointment_book(
        clearance_id=clearance.pk,
        starts_at=at(days, hour),
        practitioner_id=clinic["nurse"].pk,
        by=by,
    )


@pytest.fixture
def done(clinic, clearance, front_desk, time_machine) -> Appointment:
    """A treatment given today at 15:00 (the clock at 16:00)."""
    time_machine.move_to(at(0, 9))
    appointment = booked(clearance, clinic, front_desk, days=0, hour=15)
    appointment_check_in(
        appointment_id=appointment.pk,
        by=front_desk,
        pregnancy_changed=False,
        infection_at_area=False,
        new_medications=False,
    )
    time_machine.move_to(at(0, 16))
    return appointment_complete(appointment_id=appointment.pk, by=appointment.practitioner.user)


# --- Booking --------------------------------------------------------------------------------


def test_the_patient_books_a_cleared_treatment_through_the_page(
    client, clinic, clearance, patient_a
):
    client.force_login(patient_a)
    mine = client.get(reverse("booking:mine")).content.decode()
    assert book_url(clearance) in mine
    page = client.get(book_url(clearance)).content.decode()
    assert f"Book {clearance.product.name} — {clearance.area.name}" in page
    assert slot(at(3, 10), clinic) in page
    assert 'type="radio"' in page
    response = client.post(book_url(clearance), {"slot": slot(at(3, 10), clinic)})
    appointment = Appointment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("appointment", appointment)
    assert (appointment.starts_at, appointment.booked_by) == (at(3, 10), patient_a)
    page = client.get(response["Location"]).content.decode()
    assert "Booked. We have emailed you the details." in page
    assert url("ics", appointment) in page
    assert "10:00" in page


def test_the_intake_page_and_the_menu_lead_to_booking(client, clearance, patient_a):
    client.force_login(patient_a)
    intake = reverse("intake:detail", kwargs={"public_id": clearance.intake.public_id})
    page = client.get(intake).content.decode()
    assert book_url(clearance) in page
    assert reverse("booking:mine") in page


def test_the_slot_list_can_be_narrowed_and_refreshed_by_htmx(client, clinic, clearance, patient_a):
    client.force_login(patient_a)
    day = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = client.get(
        book_url(clearance),
        {"start": day, "end": day, "practitioner": str(clinic["nurse"].public_id)},
        headers={"HX-Request": "true"},
    )
    partial = response.content.decode()
    assert "<html" not in partial
    assert 'id="slots"' in partial
    assert slot(at(3, 10), clinic) in partial
    assert slot(at(4, 10), clinic) not in partial
    assert f'value="{day}"' in partial  # the POST form keeps the filters


def test_a_search_of_a_reversed_range_says_so(client, clearance, patient_a):
    client.force_login(patient_a)
    today = timezone.localdate()
    page = client.get(
        book_url(clearance),
        {"start": (today + dt.timedelta(5)).isoformat(), "end": today.isoformat()},
    ).content.decode()
    assert "Choose a day on or after the first day." in page


@pytest.mark.parametrize("why", ["revoked", "expired", "newer answers"])
def test_no_booking_without_a_valid_clearance(
    client, clinic, patient_a, clinician, time_machine, why
):
    time_machine.move_to(at(0, 8))
    clearance = cleared(patient_a, clinician, expires_on=timezone.localdate() + dt.timedelta(5))
    if why == "revoked":
        Clearance.objects.filter(pk=clearance.pk).update(
            revoked_at=timezone.now(), revoked_because="corrected"
        )
        says = "This clearance was withdrawn."
    elif why == "expired":
        time_machine.move_to(at(7, 8))
        says = "This clearance ends on"
    else:
        resubmit(clearance.decision.case, **CLEAN)  # revokes the earlier version's clearance
        says = "This clearance was withdrawn."
    client.force_login(patient_a)
    assert book_url(clearance) not in client.get(reverse("booking:mine")).content.decode()
    page = client.get(book_url(clearance)).content.decode()
    assert says in page
    assert 'type="radio"' not in page
    response = client.post(book_url(clearance), {"slot": slot(at(9, 10), clinic)})
    assert response.status_code == 200
    assert says in response.content.decode()
    assert not Appointment.objects.exists()


def test_a_cleared_request_without_clearance_shows_no_book_button(client, patient_a, clinician):
    from tests.review.conftest import decide, submit_case

    case = submit_case(patient_a, requests=[("meso-vitamin", "face")], **CLEAN)
    decide(case, clinician, "meso-vitamin", "face", "consult")
    client.force_login(patient_a)
    page = client.get(reverse("booking:mine")).content.decode()
    assert "Nothing is cleared for booking right now." in page
    assert "/book/" not in page


def test_another_patients_clearance_is_not_found(client, clinic, clearance, patient_b):
    client.force_login(patient_b)
    assert client.get(book_url(clearance)).status_code == 404
    assert client.post(book_url(clearance), {"slot": slot(at(3, 10), clinic)}).status_code == 404
    assert not Appointment.objects.exists()


def test_a_clinician_does_not_book_from_these_pages(client, clearance, clinician_b):
    client.force_login(clinician_b)
    assert client.get(book_url(clearance)).status_code == 404
    assert client.get(reverse("booking:mine")).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, clearance):
    response = client.get(book_url(clearance))
    assert response.status_code == 302
    assert reverse("patients:login") in response["Location"]


@pytest.mark.parametrize("role", ["front_desk", "admin_user"])
def test_the_front_desk_books_for_a_patient(client, clinic, clearance, request, role):
    desk = request.getfixturevalue(role)
    client.force_login(desk)
    page = client.get(book_url(clearance)).content.decode()
    assert "For Anna Nguyen" in page
    assert slot(at(3, 10), clinic) in page
    response = client.post(book_url(clearance), {"slot": slot(at(3, 10), clinic)})
    appointment = Appointment.objects.get()
    assert response["Location"] == url("appointment", appointment)
    assert (appointment.patient, appointment.booked_by) == (clearance.patient, desk)
    assert "The patient has been emailed" in client.get(response["Location"]).content.decode()


def test_a_time_just_taken_is_explained_and_the_list_refreshed(
    client, clinic, clearance, patient_a, patient_b, clinician
):
    client.force_login(patient_a)
    day = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    filters = {"start": day, "end": day, "practitioner": str(clinic["nurse"].public_id)}
    assert slot(at(3, 10), clinic) in client.get(book_url(clearance), filters).content.decode()
    # Meanwhile, someone else books that time with the same nurse.
    booked(cleared(patient_b, clinician), clinic, patient_b)
    response = client.post(book_url(clearance), {**filters, "slot": slot(at(3, 10), clinic)})
    page = response.content.decode()
    assert response.status_code == 200
    assert "That time was just taken. Please choose another time." in page
    assert slot(at(3, 10), clinic) not in page  # the list is fresh
    assert slot(at(3, 11), clinic) in page
    assert slot(at(4, 11), clinic) not in page  # the chosen filters are kept
    assert Appointment.objects.filter(patient=clearance.patient).count() == 0


def test_a_tampered_slot_is_refused_plainly(client, clearance, patient_a):
    client.force_login(patient_a)
    for value in ["", "yesterday~nobody", "2026-01-01T10:00~not-a-uuid"]:
        response = client.post(book_url(clearance), {"slot": value})
        assert "Choose a time from the list." in response.content.decode()
    assert not Appointment.objects.exists()


# --- The appointment: moving, cancelling, calendar --------------------------------------------


def test_the_patient_sees_their_appointments_and_the_conditions(
    client, clinic, patient_a, clinician, django_assert_max_num_queries
):
    clearance = cleared(patient_a, clinician, conditions=["patch_test"])
    appointment = booked(clearance, clinic, patient_a)
    client.force_login(patient_a)
    with django_assert_max_num_queries(12):
        mine = client.get(reverse("booking:mine")).content.decode()
    assert url("appointment", appointment) in mine
    page = client.get(url("appointment", appointment)).content.decode()
    assert "Patch test first" in page
    assert "Nurse Ha" in page
    assert "Room 1" in page


def test_the_patient_moves_inside_the_window(client, clinic, clearance, patient_a):
    appointment = booked(clearance, clinic, patient_a)
    client.force_login(patient_a)
    page = client.get(url("appointment", appointment), {"move": "1"}).content.decode()
    assert slot(at(4, 14), clinic) in page
    assert url("reschedule", appointment) in page
    response = client.post(url("reschedule", appointment), {"slot": slot(at(4, 14), clinic)})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.starts_at == at(4, 14)
    assert "Moved." in client.get(response["Location"]).content.decode()


def test_a_refused_move_keeps_the_appointment_and_says_why(client, clinic, clearance, patient_a):
    appointment = booked(clearance, clinic, patient_a)
    client.force_login(patient_a)
    response = client.post(url("reschedule", appointment), {"slot": slot(at(4, 7), clinic)})
    assert "The clinic is closed at that time." in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.starts_at == at(3, 10)


def test_the_patient_cancels_after_confirming(client, clinic, clearance, patient_a):
    appointment = booked(clearance, clinic, patient_a)
    client.force_login(patient_a)
    response = client.post(url("cancel", appointment), {"reason": "travel"})
    assert response.status_code == 400
    assert "Tick the box to confirm the cancellation." in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == Status.BOOKED
    response = client.post(url("cancel", appointment), {"confirm": "on", "reason": "travel"})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == Status.CANCELLED
    assert appointment.events.last().detail == "travel"
    page = client.get(response["Location"]).content.decode()
    assert "Cancelled." in page
    assert url("cancel", appointment) not in page


def test_outside_the_window_the_patient_is_told_to_call(
    client, clinic, clearance, patient_a, time_machine
):
    time_machine.move_to(at(0, 8))
    appointment = booked(clearance, clinic, patient_a, days=1, hour=10)  # 26 hours away
    client.force_login(patient_a)
    time_machine.move_to(at(0, 20))  # 14 hours before
    page = client.get(url("appointment", appointment)).content.decode()
    says = "Appointments can be moved or cancelled online up to 24 hours before."
    assert says in page
    assert url("cancel", appointment) not in page
    response = client.post(url("cancel", appointment), {"confirm": "on"})
    assert says in response.content.decode()
    response = client.post(url("reschedule", appointment), {"slot": slot(at(4, 14), clinic)})
    assert says in response.content.decode()
    appointment.refresh_from_db()
    assert (appointment.status, appointment.starts_at) == (Status.BOOKED, at(1, 10))


def test_the_front_desk_may_still_move_inside_the_window(
    client, clinic, clearance, patient_a, front_desk, time_machine
):
    time_machine.move_to(at(0, 8))
    appointment = booked(clearance, clinic, patient_a, days=1, hour=10)
    time_machine.move_to(at(0, 20))
    client.force_login(front_desk)
    response = client.post(url("reschedule", appointment), {"slot": slot(at(1, 15), clinic)})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.starts_at == at(1, 15)


@pytest.mark.parametrize("name", ["appointment", "ics", "cancel", "reschedule", "report_problem"])
def test_another_patients_appointment_is_not_found(
    client, clinic, clearance, patient_a, patient_b, name
):
    appointment = booked(clearance, clinic, patient_a)
    client.force_login(patient_b)
    if name in ("cancel", "reschedule"):
        response = client.post(url(name, appointment), {"confirm": "on"})
    else:
        response = client.get(url(name, appointment))
    assert response.status_code == 404
    appointment.refresh_from_db()
    assert appointment.status == Status.BOOKED


def test_the_calendar_file_is_valid_icalendar(client, clinic, clearance, patient_a):
    appointment = booked(clearance, clinic, patient_a)
    client.force_login(patient_a)
    response = client.get(url("ics", appointment))
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    calendar = Calendar.from_ical(response.content)
    assert calendar["METHOD"] == "REQUEST"
    event = calendar.walk("VEVENT")[0]
    assert str(event["UID"]) == f"{appointment.public_id}@127.0.0.1"
    assert event.decoded("DTSTART") == at(3, 10)
    assert event.decoded("DTSTART").utcoffset() == dt.timedelta(0)
    assert event["SEQUENCE"] == 0
    assert str(event["LOCATION"]) == "Room 1"


# --- After the treatment ----------------------------------------------------------------------


def test_aftercare_is_shown_only_after_the_treatment(client, clinic, clearance, patient_a, done):
    aftercare = done.treatment.aftercare.splitlines()[0][:40]
    client.force_login(patient_a)
    page = client.get(url("appointment", done)).content.decode()
    assert "Aftercare" in page
    assert aftercare in page
    assert url("report_problem", done) in page
    upcoming = booked(clearance, clinic, patient_a, days=30)
    page = client.get(url("appointment", upcoming)).content.decode()
    assert "Aftercare" not in page
    assert url("report_problem", upcoming) not in page


def test_a_problem_report_reaches_the_top_of_the_queue_and_the_clinic(
    client, patient_a, done, mailoutbox, django_capture_on_commit_callbacks
):
    policy = BookingPolicy.current()
    policy.clinic_email = "care@clinic.test"
    policy.save()
    client.force_login(patient_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("report_problem", done), {"symptoms": ["pus", "fever"], "details": "since noon"}
        )
    assert response.status_code == 302
    case = ReviewCase.objects.get(kind=ReviewCase.Kind.PROBLEM)
    assert case.priority == Priority.PROBLEM == 3
    assert "Pus or discharge" in case.summary
    assert [m.to for m in mailoutbox] == [["care@clinic.test"]]
    assert "since noon" not in mailoutbox[0].body  # no medical detail by email
    page = client.get(response["Location"]).content.decode()
    assert "your report is with the clinic" in page
    assert "Call the clinic or emergency services now" not in page


def test_signs_of_a_blocked_vessel_say_call_now(client, patient_a, done):
    client.force_login(patient_a)
    response = client.post(url("report_problem", done), {"symptoms": ["vision"]}, follow=True)
    page = response.content.decode()
    assert "Call the clinic or emergency services now" in page
    assert "your report is with the clinic" in page


def test_a_problem_report_needs_a_symptom(client, patient_a, done):
    client.force_login(patient_a)
    response = client.post(url("report_problem", done), {"details": "hmm"})
    assert response.status_code == 400
    assert "Tick what you notice." in response.content.decode()
    response = client.post(url("report_problem", done), {"symptoms": ["other"]})
    assert "Tell us what you notice." in response.content.decode()
    assert not ReviewCase.objects.filter(kind=ReviewCase.Kind.PROBLEM).exists()


def test_a_problem_is_reported_only_after_the_treatment_and_only_by_the_patient(
    client, clinic, clearance, patient_a, patient_b, front_desk
):
    appointment = booked(clearance, clinic, patient_a)
    client.force_login(patient_a)
    page = client.get(url("report_problem", appointment)).content.decode()
    assert "Problems are reported after a treatment." in page
    response = client.post(url("report_problem", appointment), {"symptoms": ["pus"]})
    assert "Problems are reported after a treatment." in response.content.decode()
    for other in (patient_b, front_desk):
        client.force_login(other)
        response = client.post(url("report_problem", appointment), {"symptoms": ["pus"]})
        assert response.status_code == 404
    assert not ReviewCase.objects.filter(kind=ReviewCase.Kind.PROBLEM).exists()
