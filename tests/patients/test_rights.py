"""A patient's rights over their data: see it all, download it, close the account
(consultations/patients/views_rights.py, data_export.py, services.patient_account_close)."""

import json

import pytest
from django.urls import reverse

from consultations.booking.models import Appointment, AppointmentEvent, Status
from consultations.booking.services import appointment_book
from consultations.intake.models import Intake
from consultations.patients.models import Patient, User
from consultations.patients.services import CLOSED_EMAIL_DOMAIN, patient_register
from consultations.review.models import Decision
from tests.booking.conftest import at, cleared, clinic  # noqa: F401 (fixture)
from tests.conftest import PASSWORD
from tests.review.conftest import decide, submit_case

pytestmark = pytest.mark.django_db

MY_DATA = reverse("patients:my_data")
DOWNLOAD = reverse("patients:my_data_download")
CLOSE = reverse("patients:account_close")


@pytest.fixture
def history(patient_a, clinician, clinic):  # noqa: F811
    """Anna: a blocked intake declined with a clinical note, a cleared one, a booking."""
    declined = submit_case(patient_a)
    decide(
        declined,
        clinician,
        "skinvive",
        "cheeks",
        "decline",
        note="Lidocaine allergy with throat swelling: not safe here.",
        message_to_patient="We cannot offer this treatment safely.",
    )
    clearance = cleared(patient_a, clinician)
    appointment = appointment_book(
        clearance_id=clearance.pk,
        starts_at=at(3, 10),
        practitioner_id=clinic["nurse"].pk,
        by=patient_a,
    )
    return {"clearance": clearance, "appointment": appointment}


@pytest.fixture
def other_patient(patient_b, clinician):
    case = submit_case(patient_b, requests=[("meso-vitamin", "face")])
    decide(case, clinician, "meso-vitamin", "face", "consult", note="BINH-PRIVATE-NOTE")
    return case


def test_the_patient_sees_all_their_data_on_one_page(
    client, patient_a, history, other_patient, django_assert_max_num_queries
):
    client.force_login(patient_a)
    with django_assert_max_num_queries(40):
        response = client.get(MY_DATA)
    assert response.status_code == 200
    page = response.content.decode()
    for expected in (
        "anna@example.com",
        "Eliquis 5mg, fish oil",  # an answer
        "xylocaine - throat swelling at the dentist",
        "Anna Nguyen",  # the typed name of the consent signature
        "Lidocaine allergy with throat swelling: not safe here.",  # the clinical note
        "We cannot offer this treatment safely.",
        "Dr Minh Le",
        "Nurse Ha",
        str(history["appointment"].public_id),
        str(history["clearance"].public_id),
    ):
        assert expected in page, expected
    assert "BINH-PRIVATE-NOTE" not in page
    assert "binh@example.com" not in page
    assert reverse("patients:my_data") in page, "the menu links to it"


def test_the_download_is_a_json_attachment_of_the_same_data(
    client, patient_a, history, other_patient
):
    client.force_login(patient_a)
    response = client.get(DOWNLOAD)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="my-clinic-data-')
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["account"]["email"] == "anna@example.com"
    assert [i["version"] for i in data["intakes"]] == [1, 2]
    assert data["intakes"][0]["answers"]["medicines_and_supplements"] == "Eliquis 5mg, fish oil"
    assert data["intakes"][0]["consent_signature"]["typed_name"] == "Anna Nguyen"
    assert {d["decision"] for d in data["decisions"]} == {"Decline", "Clear"}
    assert any(d["clinical_note"].startswith("Lidocaine allergy") for d in data["decisions"])
    assert data["screenings"]
    assert all(s["requests"] for s in data["screenings"])
    assert len(data["clearances"]) == 1
    (appointment,) = data["appointments"]
    assert appointment["public_id"] == str(history["appointment"].public_id)
    assert appointment["history"][0]["what"] == "Booked"
    assert "BINH-PRIVATE-NOTE" not in response.content.decode()
    assert '"id"' not in response.content.decode(), "no sequential ids leave the clinic"


def test_a_patient_with_nothing_yet_gets_their_account(client, patient_a):
    client.force_login(patient_a)
    data = client.get(DOWNLOAD).json()
    assert data["patient"]["full_name"] == "Anna Nguyen"
    assert data["intakes"] == []
    assert data["appointments"] == []
    assert client.get(MY_DATA).status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(client):
    for url in (MY_DATA, DOWNLOAD, CLOSE):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("patients:login") in response["Location"]


@pytest.mark.parametrize("role", ["clinician", "front_desk", "admin_user"])
def test_staff_have_no_patient_data_page_and_cannot_close_here(client, request, role):
    client.force_login(request.getfixturevalue(role))
    for url in (MY_DATA, DOWNLOAD, CLOSE):
        assert client.get(url).status_code == 403


def test_the_closure_page_explains_what_happens(client, patient_a):
    client.force_login(patient_a)
    page = client.get(CLOSE).content.decode()
    assert "medical records" in page
    assert "cancelled" in page
    assert 'type="password"' in page


@pytest.mark.parametrize(
    "data",
    [
        {"password": "not-my-password", "understood": "on"},
        {"password": PASSWORD},  # not confirmed
        {},
    ],
)
def test_without_the_password_and_the_confirmation_nothing_is_closed(client, patient_a, data):
    client.force_login(patient_a)
    response = client.post(CLOSE, data)
    assert response.status_code == 200
    patient_a.refresh_from_db()
    assert patient_a.is_active
    assert patient_a.email == "anna@example.com"
    assert Patient.objects.get(full_name="Anna Nguyen").user == patient_a


def test_closing_detaches_the_records_cancels_bookings_and_logs_out(
    client, patient_a, history, mailoutbox, django_capture_on_commit_callbacks
):
    patient = patient_a.patient
    intakes, decisions = Intake.objects.count(), Decision.objects.count()
    client.force_login(patient_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CLOSE, {"password": PASSWORD, "understood": "on"})
    assert response.status_code == 302
    assert response["Location"] == reverse("patients:account_closed")

    user = User.objects.get(pk=patient_a.pk)
    assert not user.is_active
    assert not user.has_usable_password()
    assert user.email == f"closed-{user.public_id.hex}@{CLOSED_EMAIL_DOMAIN}"
    assert "Anna" not in user.full_name
    assert not user.groups.exists()

    patient.refresh_from_db()
    assert patient.user is None
    assert patient.full_name == "Anna Nguyen", "the medical record keeps whose it is"
    assert Intake.objects.count() == intakes
    assert Decision.objects.count() == decisions
    assert Intake.objects.filter(patient=patient).count() == 2

    appointment = Appointment.objects.get(pk=history["appointment"].pk)
    assert appointment.status == Status.CANCELLED
    event = appointment.events.get(kind=AppointmentEvent.Kind.CANCELLED)
    assert event.by_id == user.pk
    assert event.detail == "Account closed"

    (message,) = mailoutbox
    assert message.to == ["anna@example.com"]
    assert message.subject == "Your clinic account is closed"
    assert "medical records" in message.body
    assert "cancelled your coming appointment" in message.body

    assert client.get(response["Location"]).status_code == 200
    assert client.get(MY_DATA).status_code == 302, "logged out"
    assert not client.login(email="anna@example.com", password=PASSWORD)


def test_the_address_can_register_again_as_a_new_patient(client, patient_a):
    client.force_login(patient_a)
    client.post(CLOSE, {"password": PASSWORD, "understood": "on"})
    again = patient_register(email="anna@example.com", password=PASSWORD, full_name="Anna Nguyen")
    assert again.pk != patient_a.pk
    assert Patient.objects.filter(full_name="Anna Nguyen").count() == 2


def test_an_appointment_too_soon_to_cancel_online_stops_the_closure(
    client,
    patient_a,
    clinician,
    clinic,  # noqa: F811 (the fixture)
    time_machine,
):
    time_machine.move_to(at(0, 8))
    clearance = cleared(patient_a, clinician)
    appointment = appointment_book(
        clearance_id=clearance.pk,
        starts_at=at(0, 15),
        practitioner_id=clinic["nurse"].pk,
        by=patient_a,
    )
    client.force_login(patient_a)
    response = client.post(CLOSE, {"password": PASSWORD, "understood": "on"})
    assert response.status_code == 200
    assert "Please call the clinic" in response.content.decode()
    patient_a.refresh_from_db()
    assert patient_a.is_active
    appointment.refresh_from_db()
    assert appointment.status == Status.BOOKED


def test_password_guessing_on_the_closure_form_is_throttled(client, patient_a):
    client.force_login(patient_a)
    for _ in range(5):
        client.post(CLOSE, {"password": "guess", "understood": "on"})
    response = client.post(CLOSE, {"password": PASSWORD, "understood": "on"})
    assert "Too many attempts" in response.content.decode()
    patient_a.refresh_from_db()
    assert patient_a.is_active


def _keys(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


def test_every_field_of_the_export_is_named_on_the_page_in_the_patients_language(
    client, patient_a, history
):
    from consultations.patients.templatetags.patient_data import DATA_LABELS

    client.force_login(patient_a)
    data = client.get(DOWNLOAD).json()
    unnamed = sorted(set(_keys(data)) - set(DATA_LABELS))
    assert unnamed == [], f"give these export keys a label in DATA_LABELS: {unnamed}"
    page = client.get(MY_DATA, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Dữ liệu của tôi" in page
