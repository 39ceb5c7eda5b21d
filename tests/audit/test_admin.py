"""The admin shows a patient's access history and change history, read-only, to admins only."""

import pytest
from django.test import Client
from django.urls import reverse

from consultations.audit.models import AccessEvent
from consultations.patients.models import User

pytestmark = pytest.mark.django_db


def _access(patient: User, by: User, path: str) -> AccessEvent:
    return AccessEvent.objects.create(
        user=by, patient=patient.patient, what=AccessEvent.What.REVIEW_CASE, path=path
    )


def test_the_access_history_lists_the_patients_events_only(
    client: Client, patient_a: User, patient_b: User, clinician: User, admin_user: User
) -> None:
    _access(patient_a, clinician, "/review/anna/")
    _access(patient_b, clinician, "/review/binh/")
    client.force_login(admin_user)

    response = client.get(
        reverse("admin:audit_accessevent_changelist"),
        {"patient__id__exact": patient_a.patient.pk},
    )

    assert response.status_code == 200
    assert [e.path for e in response.context["cl"].result_list] == ["/review/anna/"]
    text = response.content.decode()
    assert "Anna Nguyen" in text
    assert "Binh Tran" not in text
    assert "dr.le@example.com" in text


def test_the_patient_page_links_to_the_access_history(
    client: Client, patient_a: User, admin_user: User
) -> None:
    client.force_login(admin_user)

    response = client.get(reverse("admin:patients_patient_change", args=[patient_a.patient.pk]))

    url = reverse("admin:audit_accessevent_changelist")
    assert f"{url}?patient__id__exact={patient_a.patient.pk}" in response.content.decode()


def test_the_access_history_is_read_only(
    client: Client, patient_a: User, clinician: User, admin_user: User
) -> None:
    event = _access(patient_a, clinician, "/review/anna/")
    client.force_login(admin_user)

    change = client.post(reverse("admin:audit_accessevent_change", args=[event.pk]), {})
    delete = client.post(
        reverse("admin:audit_accessevent_delete", args=[event.pk]), {"post": "yes"}
    )

    assert change.status_code == 403
    assert delete.status_code == 403
    assert AccessEvent.objects.filter(pk=event.pk, path="/review/anna/").exists()


def test_the_change_history_of_intakes_is_listed_with_who(
    client: Client, patient_a: User, admin_user: User
) -> None:
    client.force_login(admin_user)

    response = client.get(reverse("admin:audit_patienthistory_changelist"))

    assert response.status_code == 200
    assert "insert" in response.content.decode()


@pytest.mark.parametrize("who", ["clinician", "front_desk", "patient_a"])
def test_the_access_history_is_not_for_anyone_but_admins(
    client: Client, request: pytest.FixtureRequest, who: str, patient_a: User
) -> None:
    client.force_login(request.getfixturevalue(who))

    response = client.get(reverse("admin:audit_accessevent_changelist"))

    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "login" in response["Location"] or "two-factor" in response["Location"]
