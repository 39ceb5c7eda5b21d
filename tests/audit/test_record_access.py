"""Staff opening a patient's record leave an access event; a patient reading their own does not."""

import pytest
from django.test import Client
from django.urls import reverse

from consultations.audit.models import AccessEvent
from consultations.audit.services import record_access
from consultations.patients.models import User
from tests.review.conftest import submit_case

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (clinic test)"


def test_a_clinician_opening_a_case_is_recorded(
    client: Client, patient_a: User, clinician: User
) -> None:
    case = submit_case(patient_a)
    client.force_login(clinician)
    url = reverse("review:case", kwargs={"public_id": case.public_id})

    response = client.get(url, REMOTE_ADDR="198.51.100.9", HTTP_USER_AGENT=BROWSER)

    assert response.status_code == 200
    event = AccessEvent.objects.get()
    assert event.patient == patient_a.patient
    assert event.user == clinician
    assert event.what == AccessEvent.What.REVIEW_CASE
    assert event.path == url
    assert event.ip_address == "198.51.100.9"
    assert event.user_agent == BROWSER


def test_a_refused_decision_that_shows_the_case_again_is_recorded(
    client: Client, patient_a: User, clinician: User
) -> None:
    case = submit_case(patient_a)
    client.force_login(clinician)

    response = client.post(
        reverse("review:decide", kwargs={"public_id": case.public_id}), {"request": "nothing"}
    )

    assert response.status_code == 400
    assert AccessEvent.objects.filter(patient=patient_a.patient, user=clinician).count() == 1


def test_a_patient_viewing_their_own_intake_writes_none(client: Client, patient_a: User) -> None:
    case = submit_case(patient_a)
    client.force_login(patient_a)

    response = client.get(reverse("intake:detail", kwargs={"public_id": case.intake.public_id}))

    assert response.status_code == 200
    assert not AccessEvent.objects.exists()


def test_a_refused_look_at_a_case_writes_none(
    client: Client, patient_a: User, front_desk: User
) -> None:
    case = submit_case(patient_a)
    client.force_login(front_desk)

    response = client.get(reverse("review:case", kwargs={"public_id": case.public_id}))

    assert response.status_code in (403, 404)
    assert not AccessEvent.objects.exists()


def test_the_front_desk_opening_a_patient_page_is_recorded_as_the_desk_record(
    client: Client, patient_a: User, front_desk: User
) -> None:
    client.force_login(front_desk)

    response = client.get(
        reverse("booking:desk_patient", kwargs={"public_id": patient_a.patient.public_id})
    )

    assert response.status_code == 200
    event = AccessEvent.objects.get()
    assert (event.patient, event.user, event.what) == (
        patient_a.patient,
        front_desk,
        AccessEvent.What.DESK_RECORD,
    )


def test_an_admin_opening_a_patient_in_the_admin_is_recorded(
    client: Client, patient_a: User, admin_user: User
) -> None:
    client.force_login(admin_user)

    response = client.get(reverse("admin:patients_patient_change", args=[patient_a.patient.pk]))

    assert response.status_code == 200
    event = AccessEvent.objects.get()
    assert (event.patient, event.user, event.what) == (
        patient_a.patient,
        admin_user,
        AccessEvent.What.ADMIN_PATIENT,
    )


def test_record_access_ignores_a_patient_reading_their_own_record(
    rf, patient_a: User, clinician: User
) -> None:
    request = rf.get("/anything/")
    request.user = patient_a
    assert record_access(request, patient_a.patient, "review case") is None

    request.user = clinician
    assert record_access(request, patient_a.patient, "review case") is not None
    assert AccessEvent.objects.count() == 1


def test_a_superuser_opening_a_check_in_in_the_admin_is_recorded(
    client: Client, patient_a: User, clinician: User, front_desk: User, time_machine
) -> None:
    from consultations.booking.models import Room
    from consultations.booking.services import appointment_book, appointment_check_in
    from tests.booking.conftest import at, cleared, make_practitioner, open_clinic

    open_clinic()
    Room.objects.create(name="Room A")
    nurse = make_practitioner("nurse.audit@example.com", "Nurse Audit", ["mesotherapy"])
    time_machine.move_to(at(0, 9))
    appointment = appointment_book(
        clearance_id=cleared(patient_a, clinician).pk,
        starts_at=at(0, 15),
        practitioner_id=nurse.pk,
        by=front_desk,
    )
    appointment_check_in(
        appointment_id=appointment.pk,
        by=front_desk,
        pregnancy_changed=False,
        infection_at_area=False,
        new_medications=False,
    )
    superuser = User.objects.create_superuser(
        email="root@example.com", password="a-long-superuser-passphrase", full_name="Root"
    )
    client.force_login(superuser)
    check_in = appointment.check_ins.get()

    response = client.get(reverse("admin:booking_checkin_change", args=[check_in.pk]))

    assert response.status_code == 200
    event = AccessEvent.objects.get()
    assert (event.patient, event.user, event.what) == (
        patient_a.patient,
        superuser,
        AccessEvent.What.ADMIN_CHECK_IN,
    )
