"""Every list page the clinic uses daily costs the same queries for a few rows or many."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultations.audit.models import AccessEvent
from consultations.booking.models import Appointment

pytestmark = pytest.mark.django_db


def _count(client, url: str, data: dict | None = None) -> int:
    client.get(url, data or {})  # warm the session and the caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, data or {})
    assert response.status_code == 200, url
    return len(queries)


def _counts(client, fill, url_of, data=None) -> tuple[int, int]:
    counts = []
    for n in (2, 30):
        fill(n)
        counts.append(_count(client, url_of(), data))
    return counts[0], counts[1]


def test_the_patients_appointments_cost_the_same_for_2_or_30(
    client, patient_a, week_of_appointments
) -> None:
    client.force_login(patient_a)
    few, many = _counts(client, week_of_appointments, lambda: reverse("booking:mine"))
    assert Appointment.objects.count() == 30
    assert few == many


def test_the_desk_patient_page_costs_the_same_for_2_or_30_appointments(
    client, front_desk, clearance, week_of_appointments
) -> None:
    client.force_login(front_desk)
    url = reverse("booking:desk_patient", kwargs={"public_id": clearance.patient.public_id})
    few, many = _counts(client, week_of_appointments, lambda: url)
    assert few == many


def test_the_desk_search_costs_the_same_for_2_or_30_appointments(
    client, front_desk, week_of_appointments
) -> None:
    client.force_login(front_desk)
    few, many = _counts(
        client, week_of_appointments, lambda: reverse("booking:desk"), {"q": "Anna"}
    )
    assert few == many


def test_the_admins_appointment_list_costs_the_same_for_2_or_30(
    client, admin_user, week_of_appointments
) -> None:
    client.force_login(admin_user)
    few, many = _counts(
        client, week_of_appointments, lambda: reverse("admin:booking_appointment_changelist")
    )
    assert few == many


def test_the_access_history_costs_the_same_for_2_or_30_events(
    client, admin_user, patient_a, clinician
) -> None:
    def fill(n: int) -> None:
        AccessEvent.objects.bulk_create(
            AccessEvent(user=clinician, patient=patient_a.patient, what="review case", path="/r/")
            for _ in range(n)
        )

    client.force_login(admin_user)
    url = reverse("admin:audit_accessevent_changelist")
    few, many = _counts(client, fill, lambda: url, {"patient__id__exact": patient_a.patient.pk})
    assert few == many


def test_the_patients_own_data_page_costs_the_same_for_2_or_30_appointments(
    client, patient_a, week_of_appointments
) -> None:
    client.force_login(patient_a)
    few, many = _counts(client, week_of_appointments, lambda: reverse("patients:my_data"))
    assert few == many
