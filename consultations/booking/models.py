"""Practitioners, rooms, hours, appointments, check-ins and problem reports.

The rule this room exists for: an appointment is only ever held under a valid
clearance (consultations.review.Clearance) — not revoked, not expired on the
day of the treatment, for that patient, product and area, and granted on the
patient's current intake version. The service checks it in the transaction that
books; a PostgreSQL trigger checks it again on every insert and every change of
an active appointment, whatever the path (the admin, a console, a bulk update);
and exclusion constraints make two overlapping active appointments for one
practitioner or one room impossible (migrations 0002).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations.catalog.models import Area, Product, Treatment
from consultations.patients.models import Patient
from consultations.review.models import Clearance


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class BookingPolicy(models.Model):
    """The clinic's booking rules (one row, edited in the admin)."""

    cancellation_hours = models.PositiveSmallIntegerField(
        _("patients may cancel or move up to (hours before)"), default=24
    )
    slot_minutes = models.PositiveSmallIntegerField(_("slot step (minutes)"), default=15)
    horizon_days = models.PositiveSmallIntegerField(_("bookable ahead (days)"), default=90)
    clinic_email = models.EmailField(
        _("clinic's email for problem reports"), default="clinic@example.com"
    )

    class Meta:
        verbose_name = _("booking policy")
        verbose_name_plural = _("booking policy")
        constraints = [
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=5, slot_minutes__lte=120),
                name="policy_slot_sensible",
            ),
            models.CheckConstraint(
                condition=Q(horizon_days__gte=1, horizon_days__lte=366),
                name="policy_horizon_sensible",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Booking policy"))

    @classmethod
    def current(cls) -> "BookingPolicy":
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy


class Room(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=80, unique=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")

    def __str__(self) -> str:
        return self.name


class Practitioner(models.Model):
    """A member of staff who treats patients, with their credentials and treatments."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="practitioner"
    )
    display_name = models.CharField(_("name shown to patients"), max_length=150)
    credentials = models.CharField(
        _("professional credentials"),
        max_length=200,
        help_text=_("Qualification and registration, e.g. 'RN, NMC 12A3456E'."),
    )
    treatments = models.ManyToManyField(
        Treatment, related_name="practitioners", verbose_name=_("treatments performed")
    )
    is_active = models.BooleanField(_("taking appointments"), default=True)

    class Meta:
        ordering = ["display_name"]
        verbose_name = _("practitioner")
        verbose_name_plural = _("practitioners")

    def __str__(self) -> str:
        return self.display_name


class OpeningHours(models.Model):
    """When the clinic is open, per weekday (several rows make a split day)."""

    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="opening_closes_after")
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class WorkingHours(models.Model):
    """When a practitioner works, per weekday (inside the clinic's opening hours to count)."""

    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="working_hours"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts = models.TimeField(_("starts"))
    ends = models.TimeField(_("ends"))

    class Meta:
        ordering = ["practitioner", "weekday", "starts"]
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        constraints = [
            models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="working_ends_after")
        ]

    def __str__(self) -> str:
        day = self.get_weekday_display()
        return f"{self.practitioner}: {day} {self.starts:%H:%M}-{self.ends:%H:%M}"


class TimeOff(models.Model):
    # Indexed by time_off_idx (practitioner, ends_at).
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="time_off", db_index=False
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=120, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("time off")
        verbose_name_plural = _("time off")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="time_off_ends_after"
            )
        ]
        # By the end: the searches ask for time off that ends after a moment (and starts
        # before another), so the index's range leaves out every past absence.
        indexes = [models.Index(fields=["practitioner", "ends_at"], name="time_off_idx")]

    def __str__(self) -> str:
        return (
            f"{self.practitioner}: {self.starts_at:%Y-%m-%d %H:%M} - {self.ends_at:%Y-%m-%d %H:%M}"
        )


class Status(models.TextChoices):
    BOOKED = "booked", _("Booked")
    ON_HOLD = "on_hold", _("On hold for a clinician")
    CHECKED_IN = "checked_in", _("Checked in")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("Did not come")


# Statuses that hold the practitioner's and the room's time.
ACTIVE_STATUSES = (Status.BOOKED, Status.ON_HOLD, Status.CHECKED_IN)

# The lifecycle. A hold (a change at check-in) is released by a clinician's new clearance
# (back to booked) or ends in a cancellation.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.BOOKED: frozenset({Status.CHECKED_IN, Status.ON_HOLD, Status.CANCELLED, Status.NO_SHOW}),
    Status.ON_HOLD: frozenset({Status.BOOKED, Status.CANCELLED}),
    Status.CHECKED_IN: frozenset({Status.COMPLETED, Status.ON_HOLD, Status.CANCELLED}),
    Status.COMPLETED: frozenset(),
    Status.CANCELLED: frozenset(),
    Status.NO_SHOW: frozenset(),
}


class Appointment(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Patient, practitioner and room: indexed by appointment_*_idx (each, starts_at).
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="appointments", db_index=False
    )
    clearance = models.ForeignKey(Clearance, on_delete=models.PROTECT, related_name="appointments")
    treatment = models.ForeignKey(Treatment, on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.PROTECT, related_name="appointments", db_index=False
    )
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, related_name="appointments", db_index=False
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    # The end of the buffer after it: what the exclusion constraints keep apart.
    free_at = models.DateTimeField(_("practitioner and room free again"))
    # The day in the clinic's time zone, which the clearance's expiry is compared with.
    local_date = models.DateField(_("day"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.BOOKED
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at"), free_at__gte=F("ends_at")),
                name="appointment_times_in_order",
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="appointment_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["practitioner", "starts_at"], name="appointment_practitioner_idx"),
            models.Index(fields=["room", "starts_at"], name="appointment_room_idx"),
            models.Index(fields=["patient", "starts_at"], name="appointment_patient_idx"),
            models.Index(
                fields=["starts_at"],
                condition=Q(status="booked", reminder_sent_at__isnull=True),
                name="appointment_reminder_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} — {self.area}, {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class AppointmentEvent(models.Model):
    """Who did what to an appointment, and when (append-only)."""

    class Kind(models.TextChoices):
        BOOKED = "booked", _("Booked")
        RESCHEDULED = "rescheduled", _("Moved")
        HELD = "held", _("Put on hold")
        RELEASED = "released", _("Released from hold")
        CHECKED_IN = "checked_in", _("Checked in")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("Did not come")

    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("what"), max_length=12, choices=Kind.choices)
    status = models.CharField(_("status after"), max_length=12, choices=Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("when"), default=timezone.now)
    # For a move: where it was. For a cancellation: why.
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("appointment event")
        verbose_name_plural = _("appointment events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.by} at {self.at:%Y-%m-%d %H:%M}"


class CheckIn(models.Model):
    """On the day, the patient re-confirms what changes quickly, before any treatment."""

    # One per attempt: an appointment held at check-in and released later is checked in again.
    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="check_ins")
    pregnancy_changed = models.BooleanField(_("pregnant, breastfeeding or trying since"))
    infection_at_area = models.BooleanField(
        _("infection, inflammation, a cold sore or a wound at the area today")
    )
    new_medications = models.BooleanField(_("new medicines or supplements since"))
    new_medications_detail = models.CharField(_("which"), max_length=500, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    with_patient = models.BooleanField(_("answered with the patient present"), default=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")

    def __str__(self) -> str:
        return f"{self.appointment} checked in"

    @property
    def anything_changed(self) -> bool:
        return self.pregnancy_changed or self.infection_at_area or self.new_medications


class Symptom(models.TextChoices):
    SPREADING_REDNESS = "spreading_redness", _("Redness that spreads")
    LUMPS = "lumps", _("Lumps or hard areas")
    PUS = "pus", _("Pus or discharge")
    FEVER = "fever", _("Fever or feeling unwell")
    PAIN = "pain", _("Pain that gets worse")
    SKIN_COLOUR = "skin_colour", _("Pale, dusky or blue-grey skin")
    VISION = "vision", _("Changes in vision")
    OTHER = "other", _("Something else")


class ProblemReport(models.Model):
    """A patient's report of a problem after a treatment: it goes to the top of the queue."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, related_name="problem_reports"
    )
    symptoms = models.JSONField(_("symptoms"), default=list)
    details = models.TextField(_("what you notice"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("problem report")
        verbose_name_plural = _("problem reports")

    def __str__(self) -> str:
        return f"Problem after {self.appointment}"
