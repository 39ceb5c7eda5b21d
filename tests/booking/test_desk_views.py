"""The front desk's pages: finding a patient, the minimum-necessary view, check-in, holds."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from consultations.booking.models import Appointment, AppointmentEvent, CheckIn, Status
from consultations.booking.services import appointment_book, appointment_check_in
from consultations.review.models import Clearance, ClearanceCondition, FrontDeskNote, ReviewCase
from tests.booking.conftest import at, cleared
from tests.review.conftest import CLEAN, decide, submit_case

pytestmark = pytest.mark.django_db

DESK = reverse("booking:desk")

ALLERGY = "Xylocaine rash 2019"
MEDICINE = "Coumadin 5 mg nightly"
CONDITION_TEXT = "mild eczema flares"
CLINICAL_NOTE = "Warfarin reviewed: INR stable, low bruising risk"
JUSTIFICATION = "Lidocaine-free product chosen; allergy only to lidocaine, so override is safe"


def patient_page(user) -> str:
    return reverse("booking:desk_patient", kwargs={"public_id": user.patient.public_id})


def check_in_url(appointment: Appointment) -> str:
    return reverse("booking:check_in", kwargs={"public_id": appointment.public_id})


def book(clearance: Clearance, clinic, when: dt.datetime, by) -> Appointment:
    return appointment_book(
        clearance_id=clearance.pk, starts_at=when, practitioner_id=clinic["nurse"].pk, by=by
    )


@pytest.fixture
def booked_today(clinic, clearance, front_desk) -> Appointment:
    """An appointment at 11:00 today, booked the day before (time travel)."""
    when = at(0, 11)
    with time_machine.travel(at(-1, 12), tick=False):
        return book(clearance, clinic, when, front_desk)


@pytest.fixture
def morning():
    with time_machine.travel(at(0, 10), tick=False):
        yield


# --- Finding a patient ------------------------------------------------------------------------


def test_the_front_desk_finds_a_patient_by_name_or_email(client, front_desk, patient_a, patient_b):
    client.force_login(front_desk)
    page = client.get(DESK, {"q": "anna"}).content.decode()
    assert "Anna Nguyen" in page
    assert "Binh Tran" not in page
    page = client.get(DESK, {"q": "binh@example"}).content.decode()
    assert "Binh Tran" in page
    assert "Anna Nguyen" not in page
    assert patient_page(patient_b) in page


def test_an_admin_reaches_the_desk(client, admin_user, patient_a):
    client.force_login(admin_user)
    assert client.get(DESK, {"q": "anna"}).status_code == 200
    assert client.get(patient_page(patient_a)).status_code == 200


@pytest.mark.parametrize("who", ["patient_a", "clinician"])
def test_patients_and_clinicians_cannot_reach_the_desk_pages(client, request, who, patient_a):
    client.force_login(request.getfixturevalue(who))
    assert client.get(DESK).status_code == 403
    assert client.get(patient_page(patient_a)).status_code == 403
    assert client.get(reverse("booking:calendar")).status_code == 403


def test_anonymous_is_sent_to_log_in(client, patient_a):
    assert client.get(DESK).status_code == 302
    assert client.get(patient_page(patient_a)).status_code == 302


# --- The minimum-necessary view --------------------------------------------------------------


@pytest.fixture
def overridden(patient_a, clinician) -> Clearance:
    """Anna: a lidocaine allergy, warfarin, eczema; cleared under conditions by an override."""
    case = submit_case(
        patient_a,
        requests=[("skinvive", "cheeks")],
        allergies={"allergies_other": ALLERGY},
        medicines={"medications": MEDICINE},
        conditions={"conditions": ["recurrent_cold_sores"], "conditions_other": CONDITION_TEXT},
    )
    decision = decide(
        case,
        clinician,
        "skinvive",
        "cheeks",
        "clear",
        conditions=[ClearanceCondition.LIDOCAINE_FREE, ClearanceCondition.PATCH_TEST],
        conditions_note="Bring the doctor's letter",
        note=CLINICAL_NOTE,
        justification=JUSTIFICATION,
    )
    assert decision.is_override
    return decision.clearance


def test_the_desk_sees_what_is_cleared_under_which_conditions_until_when(
    client, front_desk, patient_a, overridden
):
    client.force_login(front_desk)
    page = client.get(patient_page(patient_a)).content.decode()
    assert "Anna Nguyen" in page
    assert "anna@example.com" in page
    assert overridden.product.name in page
    assert overridden.area.name in page
    assert str(ClearanceCondition.LIDOCAINE_FREE.label) in page
    assert str(ClearanceCondition.PATCH_TEST.label) in page
    assert "Bring the doctor&#x27;s letter" in page
    assert overridden.expires_on.strftime("%Y") in page
    assert "until" in page


def test_the_desk_never_sees_the_medical_history_behind_a_clearance(
    client, front_desk, patient_a, overridden
):
    client.force_login(front_desk)
    page = client.get(patient_page(patient_a)).content.decode()
    flags = ReviewCase.objects.get(intake_id=overridden.intake_id).flags
    assert flags, "the case must have flags for this test to mean something"
    secrets = (ALLERGY, MEDICINE, "Coumadin", CONDITION_TEXT, CLINICAL_NOTE, JUSTIFICATION)
    for secret in (*secrets, "Recurrent cold sores", "lidocaine allergy"):
        assert secret not in page
    for code, _severity in flags:
        assert code not in page
    assert "override" not in page.lower()


def test_each_valid_clearance_has_a_book_link(client, front_desk, patient_a, clearance):
    client.force_login(front_desk)
    page = client.get(patient_page(patient_a)).content.decode()
    url = reverse("booking:book", kwargs={"clearance_public_id": clearance.public_id})
    assert f'href="{url}"' in page


def test_a_withdrawn_clearance_has_no_book_link(client, front_desk, patient_a, clearance):
    Clearance.objects.filter(pk=clearance.pk).update(
        revoked_at=timezone.now(), revoked_because=Clearance.RevokedBecause.CORRECTED
    )
    client.force_login(front_desk)
    page = client.get(patient_page(patient_a)).content.decode()
    assert str(clearance.public_id) not in page
    assert "Not cleared for any treatment" in page


def test_an_uncleared_patient_is_shown_as_not_cleared_and_review_pending(
    client, front_desk, patient_b
):
    submit_case(patient_b, requests=[("meso-vitamin", "face")], **CLEAN)
    client.force_login(front_desk)
    page = client.get(patient_page(patient_b)).content.decode()
    assert "Not cleared for any treatment" in page
    assert "Pending" in page


def test_the_desk_sees_its_notes_for_the_patient(client, front_desk, patient_a, clearance):
    FrontDeskNote.objects.create(
        patient=patient_a.patient,
        reason=FrontDeskNote.Reason.CLEARANCE_REVOKED,
        text="Clearance withdrawn for Meso face",
    )
    client.force_login(front_desk)
    assert (
        "Clearance withdrawn for Meso face" in client.get(patient_page(patient_a)).content.decode()
    )


def test_the_patient_page_lists_appointments_with_their_status(
    client, front_desk, patient_a, booked_today, morning
):
    client.force_login(front_desk)
    page = client.get(patient_page(patient_a)).content.decode()
    assert "Booked" in page
    assert check_in_url(booked_today) in page


# --- Check-in -------------------------------------------------------------------------------

NOTHING_CHANGED = {"pregnancy_changed": "no", "infection_at_area": "no", "new_medications": "no"}


def test_the_check_in_form_answers_nothing_by_itself(client, front_desk, booked_today, morning):
    client.force_login(front_desk)
    page = client.get(check_in_url(booked_today)).content.decode()
    assert page.count('type="radio"') == 6
    assert "checked" not in page.replace("Checked in", "")
    response = client.post(check_in_url(booked_today), {})
    assert "Answer yes or no." in response.content.decode()
    booked_today.refresh_from_db()
    assert booked_today.status == Status.BOOKED


def test_check_in_with_nothing_changed_checks_the_patient_in(
    client, front_desk, booked_today, morning
):
    client.force_login(front_desk)
    response = client.post(check_in_url(booked_today), NOTHING_CHANGED, follow=True)
    assert "Checked in." in response.content.decode()
    booked_today.refresh_from_db()
    assert booked_today.status == Status.CHECKED_IN
    check_in = CheckIn.objects.get(appointment=booked_today)
    assert check_in.confirmed_by == front_desk
    assert not check_in.anything_changed
    event = booked_today.events.last()
    assert (event.kind, event.by) == (AppointmentEvent.Kind.CHECKED_IN, front_desk)


def test_a_change_at_check_in_holds_the_appointment_and_reopens_review(
    client, front_desk, booked_today, clearance, morning
):
    client.force_login(front_desk)
    response = client.post(
        check_in_url(booked_today),
        {**NOTHING_CHANGED, "new_medications": "yes", "new_medications_detail": "Ibuprofen"},
        follow=True,
    )
    assert "On hold: a clinician will look again before treatment" in response.content.decode()
    booked_today.refresh_from_db()
    assert booked_today.status == Status.ON_HOLD
    assert ReviewCase.objects.filter(
        kind=ReviewCase.Kind.CHECK_IN, patient=clearance.patient, status=ReviewCase.Status.OPEN
    ).exists()
    clearance.refresh_from_db()
    assert clearance.revoked_at is not None
    assert clearance.revoked_because == Clearance.RevokedBecause.CHECK_IN_CHANGE


def test_new_medicines_need_their_names(client, front_desk, booked_today, morning):
    client.force_login(front_desk)
    response = client.post(
        check_in_url(booked_today), {**NOTHING_CHANGED, "new_medications": "yes"}
    )
    assert "Tell us which medicines or supplements." in response.content.decode()
    booked_today.refresh_from_db()
    assert booked_today.status == Status.BOOKED


def test_check_in_before_the_day_is_refused_with_the_message(client, front_desk, clinic, clearance):
    appointment = book(clearance, clinic, at(2, 11), front_desk)
    client.force_login(front_desk)
    assert "Check-in opens on the day" in client.get(check_in_url(appointment)).content.decode()
    response = client.post(check_in_url(appointment), NOTHING_CHANGED, follow=True)
    assert "Check-in opens on the day of the appointment." in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == Status.BOOKED


def test_the_patient_checks_themselves_in_on_the_day(client, patient_a, booked_today, morning):
    client.force_login(patient_a)
    page = client.get(check_in_url(booked_today)).content.decode()
    assert 'type="radio"' in page
    response = client.post(check_in_url(booked_today), NOTHING_CHANGED, follow=True)
    assert "Checked in." in response.content.decode()
    assert CheckIn.objects.get(appointment=booked_today).confirmed_by == patient_a


def test_another_patient_cannot_open_the_check_in(client, patient_b, booked_today, morning):
    client.force_login(patient_b)
    assert client.get(check_in_url(booked_today)).status_code == 404
    assert client.post(check_in_url(booked_today), NOTHING_CHANGED).status_code == 404


def test_a_clinician_does_not_check_patients_in(client, clinician, booked_today, morning):
    client.force_login(clinician)
    assert client.get(check_in_url(booked_today)).status_code == 403


# --- Holds, no-shows, completion ------------------------------------------------------------


def test_the_desk_releases_a_hold_with_a_new_clearance(
    client, front_desk, patient_a, clinician, booked_today, morning
):
    appointment_check_in(
        appointment_id=booked_today.pk,
        by=front_desk,
        pregnancy_changed=False,
        infection_at_area=True,
        new_medications=False,
    )
    case = ReviewCase.objects.get(kind=ReviewCase.Kind.CHECK_IN)
    assert case.status == ReviewCase.Status.OPEN
    # The clinician looks again: the patient sends fresh answers and is cleared again.
    fresh = cleared(patient_a, clinician)
    client.force_login(front_desk)
    page = client.get(patient_page(patient_a)).content.decode()
    assert "Release the hold" in page
    assert str(fresh.public_id) in page
    url = reverse("booking:release_hold", kwargs={"public_id": booked_today.public_id})
    response = client.post(url, {"clearance": str(fresh.public_id)}, follow=True)
    assert "Released" in response.content.decode()
    booked_today.refresh_from_db()
    assert booked_today.status == Status.BOOKED
    assert booked_today.clearance_id == fresh.pk
    assert booked_today.events.last().kind == AppointmentEvent.Kind.RELEASED


def test_a_hold_is_not_released_with_the_withdrawn_clearance(
    client, front_desk, clearance, booked_today, morning
):
    appointment_check_in(
        appointment_id=booked_today.pk,
        by=front_desk,
        pregnancy_changed=True,
        infection_at_area=False,
        new_medications=False,
    )
    client.force_login(front_desk)
    url = reverse("booking:release_hold", kwargs={"public_id": booked_today.public_id})
    response = client.post(url, {"clearance": str(clearance.public_id)}, follow=True)
    assert "withdrawn" in response.content.decode()
    booked_today.refresh_from_db()
    assert booked_today.status == Status.ON_HOLD


def test_a_no_show_before_the_start_is_refused(client, front_desk, booked_today, morning):
    client.force_login(front_desk)
    url = reverse("booking:no_show", kwargs={"public_id": booked_today.public_id})
    response = client.post(url, follow=True)
    assert "The appointment has not started yet." in response.content.decode()
    booked_today.refresh_from_db()
    assert booked_today.status == Status.BOOKED


def test_a_no_show_after_the_start_is_recorded(client, front_desk, booked_today):
    url = reverse("booking:no_show", kwargs={"public_id": booked_today.public_id})
    with time_machine.travel(at(0, 11, 20), tick=False):
        client.force_login(front_desk)  # logged in at that time: staff sessions end when idle
        client.post(url)
    booked_today.refresh_from_db()
    assert booked_today.status == Status.NO_SHOW
    assert booked_today.events.last().by == front_desk


@pytest.mark.parametrize("who", ["patient_a", "clinician"])
def test_only_the_desk_records_no_shows_and_releases(client, request, who, booked_today):
    client.force_login(request.getfixturevalue(who))
    for name in ("no_show", "release_hold"):
        url = reverse(f"booking:{name}", kwargs={"public_id": booked_today.public_id})
        assert client.post(url).status_code == 403


def test_a_clinician_records_the_treatment_as_given(client, front_desk, booked_today, morning):
    appointment_check_in(
        appointment_id=booked_today.pk,
        by=front_desk,
        pregnancy_changed=False,
        infection_at_area=False,
        new_medications=False,
    )
    url = reverse("booking:complete", kwargs={"public_id": booked_today.public_id})
    client.force_login(front_desk)
    assert client.post(url).status_code == 403
    client.force_login(booked_today.practitioner.user)
    client.post(url)
    booked_today.refresh_from_db()
    assert booked_today.status == Status.COMPLETED
    assert booked_today.clearance.first_used_at is not None


def test_action_urls_use_public_ids_only(booked_today):
    assert str(booked_today.public_id) in check_in_url(booked_today)
    assert f"/{booked_today.pk}/" not in check_in_url(booked_today)
    assert timezone.localtime(booked_today.starts_at).hour == 11
