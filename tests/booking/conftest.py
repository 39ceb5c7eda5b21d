"""A small clinic to book in: opening hours, a practitioner, two rooms, cleared patients."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from consultations.booking.models import (
    Appointment,
    OpeningHours,
    Practitioner,
    Room,
    Status,
    Weekday,
    WorkingHours,
)
from consultations.catalog.models import Treatment
from consultations.patients.models import Role, User
from consultations.patients.services import staff_member_create
from consultations.review.models import Clearance
from tests.conftest import PASSWORD
from tests.review.conftest import (  # noqa: F401 (fixtures)
    CLEAN,
    blocked_case,
    clean_case,
    decide,
    submit_case,
)

OPEN, CLOSE = dt.time(9, 0), dt.time(18, 0)


def at(days: int, hour: int, minute: int = 0) -> dt.datetime:
    """A time `days` from today in the clinic's time zone (aware)."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def make_practitioner(email: str, name: str, treatments: list[str]) -> Practitioner:
    user = staff_member_create(
        email=email,
        password=PASSWORD,
        full_name=name,
        role=Role.CLINICIAN,
        registration_number="NMC-" + email[:6],
    )
    practitioner = Practitioner.objects.create(
        user=user, display_name=name, credentials="RN, NMC 12A3456E"
    )
    practitioner.treatments.set(Treatment.objects.filter(code__in=treatments))
    WorkingHours.objects.bulk_create(
        WorkingHours(practitioner=practitioner, weekday=d, starts=OPEN, ends=CLOSE)
        for d in Weekday.values
    )
    return practitioner


def open_clinic() -> None:
    """Opening hours every day, 09:00-18:00."""
    OpeningHours.objects.bulk_create(
        OpeningHours(weekday=d, opens=OPEN, closes=CLOSE) for d in Weekday.values
    )


@pytest.fixture
def clinic(db: None) -> dict[str, Any]:
    open_clinic()
    rooms = [Room.objects.create(name="Room 1"), Room.objects.create(name="Room 2")]
    nurse = make_practitioner(
        "nurse.ha@example.com", "Nurse Ha", ["mesotherapy", "skin_booster", "dermal_filler"]
    )
    return {"rooms": rooms, "nurse": nurse}


def cleared(
    user: User, clinician: User, product: str = "meso-vitamin", area: str = "face", **decision: Any
) -> Clearance:
    """Submit a clean intake asking for (product, area) and clear it."""
    case = submit_case(user, requests=[(product, area)], **CLEAN)
    return decide(case, clinician, product, area, "clear", **decision).clearance


@pytest.fixture
def clearance(patient_a: User, clinician: User) -> Clearance:
    return cleared(patient_a, clinician)


def appointment_row(
    clearance: Clearance,
    practitioner: Practitioner,
    room: Room,
    starts: dt.datetime,
    by: User,
    *,
    minutes: int,
    buffer: int,
    status: str = Status.BOOKED,
) -> Appointment:
    """An unsaved appointment under `clearance`, for bulk_create (the database's gate still
    checks each active one)."""
    return Appointment(
        patient_id=clearance.patient_id,
        clearance=clearance,
        treatment=clearance.product.treatment,
        product_id=clearance.product_id,
        area_id=clearance.area_id,
        practitioner=practitioner,
        room=room,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=minutes),
        free_at=starts + dt.timedelta(minutes=minutes + buffer),
        local_date=timezone.localdate(starts),
        status=status,
        booked_by=by,
    )


@pytest.fixture
def week_of_appointments(clinic, clearance, front_desk):
    """Fill next week with n appointments of 30 minutes for Nurse Ha (bulk, under a valid
    clearance: the database's gate still checks each row)."""
    monday = timezone.localdate() + dt.timedelta(days=7 - timezone.localdate().weekday())

    def fill(n: int) -> dt.date:
        Appointment.objects.all().delete()
        rows = []
        for i in range(n):
            day = monday + dt.timedelta(days=i % 7)
            start = timezone.make_aware(
                dt.datetime.combine(day, dt.time(9, 0)) + dt.timedelta(minutes=45 * (i // 7))
            )
            rows.append(
                appointment_row(
                    clearance,
                    clinic["nurse"],
                    clinic["rooms"][i % 2],
                    start,
                    front_desk,
                    minutes=30,
                    buffer=10,
                )
            )
        Appointment.objects.bulk_create(rows)
        return monday

    return fill
