"""A demo clinic to book in: opening hours, two rooms, the demo clinician as practitioner.

Idempotent: what exists is left as it is, so an admin's changes survive `make run`.
"""

import datetime as dt

from django.db import transaction

from consultations.catalog.models import Treatment
from consultations.patients.models import Role, User

from .models import BookingPolicy, OpeningHours, Practitioner, Room, Weekday, WorkingHours

DEMO_CLINICIAN = "clinician@example.com"
OPEN, CLOSE = dt.time(9, 0), dt.time(18, 0)
OPEN_DAYS = (
    Weekday.MONDAY,
    Weekday.TUESDAY,
    Weekday.WEDNESDAY,
    Weekday.THURSDAY,
    Weekday.FRIDAY,
    Weekday.SATURDAY,
)


@transaction.atomic
def demo_clinic_ensure() -> bool:
    """Create the demo clinic's hours, rooms and practitioner if missing. True if created."""
    BookingPolicy.current()
    created = False
    if not OpeningHours.objects.exists():
        OpeningHours.objects.bulk_create(
            OpeningHours(weekday=day, opens=OPEN, closes=CLOSE) for day in OPEN_DAYS
        )
        created = True
    if not Room.objects.exists():
        Room.objects.bulk_create([Room(name="Treatment room 1"), Room(name="Treatment room 2")])
        created = True
    user = User.objects.filter(email__iexact=DEMO_CLINICIAN).first()
    if user is not None and user.has_role(Role.CLINICIAN) and not hasattr(user, "practitioner"):
        practitioner = Practitioner.objects.create(
            user=user,
            display_name=user.full_name,
            credentials=f"Physician, registration {user.registration_number or 'on file'}",
        )
        practitioner.treatments.set(Treatment.objects.filter(is_active=True))
        WorkingHours.objects.bulk_create(
            WorkingHours(practitioner=practitioner, weekday=day, starts=OPEN, ends=CLOSE)
            for day in OPEN_DAYS
        )
        created = True
    return created
