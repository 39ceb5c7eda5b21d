"""The clinician's day: today's treatments, and recording one as given."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultations.booking.models import Status
from consultations.booking.services import appointment_book, appointment_check_in
from tests.booking.conftest import at, cleared

pytestmark = pytest.mark.django_db

MY_DAY = reverse("booking:my_day")


@pytest.fixture
def checked_in(clinic, clearance, front_desk, time_machine):
    time_machine.move_to(at(0, 9))
    appointment = appointment_book(
        clearance_id=clearance.pk,
        starts_at=at(0, 15),
        practitioner_id=clinic["nurse"].pk,
        by=front_desk,
    )
    return appointment_check_in(
        appointment_id=appointment.pk,
        by=front_desk,
        pregnancy_changed=False,
        infection_at_area=False,
        new_medications=False,
    )


def test_the_practitioner_sees_today_and_records_the_treatment(client, checked_in):
    nurse = checked_in.practitioner.user
    client.force_login(nurse)
    page = client.get(MY_DAY).content.decode()
    assert "Anna Nguyen" in page
    assert "Treatment given" in page
    complete = reverse("booking:complete", kwargs={"public_id": checked_in.public_id})
    response = client.post(complete, {"next": MY_DAY}, follow=True)
    assert "Recorded: the treatment was given." in response.content.decode()
    checked_in.refresh_from_db()
    assert checked_in.status == Status.COMPLETED


def test_a_clinician_who_is_not_a_practitioner_is_told(client, clinician_b, checked_in):
    client.force_login(clinician_b)
    assert "not set up as a practitioner" in client.get(MY_DAY).content.decode()


@pytest.mark.parametrize("who", ["patient_a", "front_desk"])
def test_only_clinicians_reach_my_day(client, request, who, checked_in):
    client.force_login(request.getfixturevalue(who))
    assert client.get(MY_DAY).status_code == 403


def test_my_day_runs_the_same_queries_for_one_or_many(client, checked_in, clinician, front_desk):
    from consultations.patients.services import patient_register
    from tests.conftest import PASSWORD

    nurse = checked_in.practitioner.user
    client.force_login(nurse)
    client.get(MY_DAY)
    with CaptureQueriesContext(connection) as one:
        client.get(MY_DAY)
    for n, hour in enumerate((10, 12, 13)):
        other = patient_register(
            email=f"day{n}@example.com", password=PASSWORD, full_name=f"Day Patient {n}"
        )
        appointment_book(
            clearance_id=cleared(other, clinician).pk,
            starts_at=at(0, hour),
            practitioner_id=checked_in.practitioner_id,
            by=front_desk,
        )
    with CaptureQueriesContext(connection) as more:
        page = client.get(MY_DAY).content.decode()
    assert page.count("Day Patient") == 3
    assert len(more) == len(one)
