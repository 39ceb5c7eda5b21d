"""The admin manages resources; it cannot be used to get around the clearance gate."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from consultations.booking.models import (
    Appointment,
    AppointmentEvent,
    BookingPolicy,
    CheckIn,
    ProblemReport,
    Room,
)
from consultations.booking.services import appointment_book
from consultations.patients.models import User
from consultations.review.models import Clearance
from tests.booking.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db: None) -> User:
    return User.objects.create_superuser(
        email="root@example.com", password="x-long-root-pass-2026", full_name="Root"
    )


@pytest.fixture
def booked(clinic, clearance, front_desk) -> Appointment:
    return appointment_book(
        clearance_id=clearance.pk,
        starts_at=at(1, 10),
        practitioner_id=clinic["nurse"].pk,
        by=front_desk,
    )


def admin_url(model, action: str, *args: object) -> str:
    return reverse(f"admin:booking_{model._meta.model_name}_{action}", args=args)


@pytest.mark.parametrize("who", ["admin_user", "superuser"])
def test_the_admin_cannot_add_or_change_an_appointment(client, request, who, booked):
    client.force_login(request.getfixturevalue(who))
    assert client.get(admin_url(Appointment, "add")).status_code == 403
    assert client.post(admin_url(Appointment, "add"), {}).status_code == 403
    change = admin_url(Appointment, "change", booked.pk)
    page = client.get(change)
    assert page.status_code == 200  # shown read-only
    assert 'name="_save"' not in page.content.decode()
    response = client.post(change, {"status": "cancelled", "starts_at_0": "2030-01-01"})
    assert response.status_code == 403
    assert client.post(admin_url(Appointment, "delete", booked.pk)).status_code == 403
    booked.refresh_from_db()
    assert booked.status == "booked"


@pytest.mark.parametrize("model", [AppointmentEvent, CheckIn, ProblemReport])
def test_the_history_is_read_only_in_the_admin(client, superuser, model):
    client.force_login(superuser)
    assert client.get(admin_url(model, "add")).status_code == 403


def test_the_admin_lists_appointments(client, admin_user, booked):
    client.force_login(admin_user)
    page = client.get(admin_url(Appointment, "changelist")).content.decode()
    assert "Anna Nguyen" in page


def test_the_admin_manages_rooms_and_practitioners(client, admin_user, clinic):
    client.force_login(admin_user)
    assert client.get(admin_url(Room, "changelist")).status_code == 200
    page = client.get(admin_url(type(clinic["nurse"]), "change", clinic["nurse"].pk))
    assert page.status_code == 200
    assert "working_hours" in page.content.decode()
    assert "time_off" in page.content.decode()
    response = client.post(admin_url(Room, "add"), {"name": "Room 3", "is_active": "on"})
    assert response.status_code == 302
    assert Room.objects.filter(name="Room 3").exists()


def test_the_booking_policy_is_one_row_never_deleted(client, superuser):
    client.force_login(superuser)
    assert client.get(admin_url(BookingPolicy, "add")).status_code == 200
    BookingPolicy.current()
    assert client.get(admin_url(BookingPolicy, "add")).status_code == 403
    policy = BookingPolicy.objects.get()
    assert client.get(admin_url(BookingPolicy, "change", policy.pk)).status_code == 200
    assert client.post(admin_url(BookingPolicy, "delete", policy.pk)).status_code == 403


def _direct(clearance: Clearance, clinic, front_desk, when: dt.datetime) -> Appointment:
    treatment = clearance.product.treatment
    return Appointment.objects.create(
        patient_id=clearance.patient_id,
        clearance=clearance,
        treatment=treatment,
        product_id=clearance.product_id,
        area_id=clearance.area_id,
        practitioner=clinic["nurse"],
        room=clinic["rooms"][0],
        starts_at=when,
        ends_at=when + dt.timedelta(minutes=30),
        free_at=when + dt.timedelta(minutes=40),
        local_date=timezone.localtime(when).date(),
        booked_by=front_desk,
    )


def test_the_database_refuses_an_appointment_under_a_revoked_clearance(
    clinic, clearance, front_desk
):
    Clearance.objects.filter(pk=clearance.pk).update(
        revoked_at=timezone.now(), revoked_because=Clearance.RevokedBecause.CORRECTED
    )
    clearance.refresh_from_db()
    with pytest.raises(IntegrityError), transaction.atomic():
        _direct(clearance, clinic, front_desk, at(1, 10))
    assert not Appointment.objects.exists()


def test_the_database_refuses_an_appointment_after_the_clearance_expires(
    clinic, clearance, front_desk
):
    after = clearance.expires_on + dt.timedelta(days=1)
    when = timezone.make_aware(dt.datetime.combine(after, dt.time(10, 0)))
    with pytest.raises(IntegrityError), transaction.atomic():
        _direct(clearance, clinic, front_desk, when)
    assert not Appointment.objects.exists()


def test_the_database_accepts_a_valid_clearance(clinic, clearance, front_desk):
    assert _direct(clearance, clinic, front_desk, at(1, 10)).pk
