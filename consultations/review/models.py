"""The clinician review: the queue's cases, the decisions, and the clearances they grant.

A `ReviewCase` is one thing waiting for a clinician: a submitted intake version
(or, from the booking room, a problem reported after a treatment). A
`Decision` is a clinician's answer for one requested (product, area) of the
case; it is never edited (a PostgreSQL trigger refuses it) and a correction is
a new decision that names the one it corrects. A "clear" decision grants a
`Clearance`: the record a booking requires, for that patient, product and area,
under that intake version, until its expiry, unless it is revoked.
"""

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from consultations.catalog.models import Area, Product
from consultations.intake.models import Intake
from consultations.patients.models import Patient
from consultations.screening.models import Screening

CLAIM_MINUTES = 20
CLEARANCE_DAYS = 90
CLEARANCE_MAX_DAYS = 365
OVERRIDE_MIN_LENGTH = 20


class Priority(models.IntegerChoices):
    """The queue's order, most urgent first."""

    CLEAN = 0, _("No flags")
    REVIEW = 1, _("Review flags")
    BLOCK = 2, _("Block flags")
    PROBLEM = 3, _("Problem after treatment")


class ReviewCaseQuerySet(models.QuerySet["ReviewCase"]):
    def open(self) -> "ReviewCaseQuerySet":
        return self.filter(status=ReviewCase.Status.OPEN)


class ReviewCase(models.Model):
    class Kind(models.TextChoices):
        INTAKE = "intake", _("Submitted intake")
        PROBLEM = "problem", _("Problem after treatment")
        CHECK_IN = "check_in", _("Change at check-in")

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for a decision")
        DECIDED = "decided", _("Decided")
        SUPERSEDED = "superseded", _("Replaced by a newer version")

    # A decided case can still be corrected (a new decision); a superseded one cannot.
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.OPEN: frozenset({Status.DECIDED, Status.SUPERSEDED}),
        Status.DECIDED: frozenset({Status.SUPERSEDED}),
        Status.SUPERSEDED: frozenset(),
    }

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.INTAKE)
    # Indexed by review_case_patient_idx (patient, status).
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="review_cases", db_index=False
    )
    intake = models.ForeignKey(Intake, on_delete=models.PROTECT, related_name="review_cases")
    screening = models.ForeignKey(
        Screening, on_delete=models.PROTECT, related_name="review_cases", null=True, blank=True
    )
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)
    # The flags as the queue shows them, [[code, severity], ...] most severe first, so the
    # queue never loads a screening's full result.
    flags = models.JSONField(_("flags"), default=list, blank=True)
    # Words about a reported problem (booking room), shown in the queue.
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    waiting_since = models.DateTimeField(_("waiting since"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("claimed by"),
    )
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # A concern (a problem after treatment, a change at check-in) is closed with what the
    # clinician did about it; an intake case is closed by its decisions.
    resolution = models.TextField(_("what was done"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("resolved by"),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ReviewCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("review case")
        verbose_name_plural = _("review cases")
        constraints = [
            models.UniqueConstraint(
                fields=["intake"], condition=Q(kind="intake"), name="review_case_once_per_intake"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "decided", "superseded"]),
                name="review_case_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(priority__gte=0, priority__lte=3), name="review_case_priority_valid"
            ),
            models.CheckConstraint(
                condition=Q(claimed_by__isnull=True, claimed_until__isnull=True)
                | Q(claimed_by__isnull=False, claimed_until__isnull=False),
                name="review_case_claim_has_holder_and_expiry",
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | (~Q(status="open") & Q(closed_at__isnull=False)),
                name="review_case_closed_when_not_open",
            ),
            models.CheckConstraint(
                condition=Q(kind="problem") | Q(screening__isnull=False),
                name="review_case_intake_has_screening",
            ),
        ]
        indexes = [
            # Serves the queue: WHERE status = 'open' ORDER BY priority DESC, waiting_since, id
            # (keyset pagination continues from the last row's three values).
            models.Index(
                F("priority").desc(),
                "waiting_since",
                "id",
                condition=Q(status="open"),
                name="review_queue_idx",
            ),
            models.Index(fields=["patient", "status"], name="review_case_patient_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.public_id} ({self.get_status_display()})"

    def claim_holder(self, now: dt.datetime | None = None) -> int | None:
        """The id of the clinician holding the claim now, if any."""
        now = now or timezone.now()
        if self.claimed_by_id and self.claimed_until and self.claimed_until > now:
            return self.claimed_by_id
        return None


class ClearanceCondition(models.TextChoices):
    """Conditions a clinician may attach to a clearance (the front desk sees them)."""

    LIDOCAINE_FREE = "lidocaine_free", _("Lidocaine-free product only")
    NO_TOPICAL_ANAESTHETIC = "no_topical_anaesthetic", _("No topical anaesthetic")
    ANTIVIRAL_COVER = "antiviral_cover", _("Antiviral cover before treatment")
    PATCH_TEST = "patch_test", _("Patch test first")
    DOCTOR_LETTER = "doctor_letter", _("Letter from the patient's own doctor first")
    CONFIRM_AT_CHECK_IN = (
        "confirm_at_check_in",
        _("Practitioner re-checks the skin at the area before treating"),
    )
    REDUCED_VOLUME = "reduced_volume", _("Conservative volume, review after two weeks")


class DecisionKind(models.TextChoices):
    CLEAR = "clear", _("Clear")
    CONSULT = "consult", _("In-person consultation first")
    DEFER = "defer", _("Defer until a date")
    DECLINE = "decline", _("Decline")


class Decision(models.Model):
    """A clinician's decision for one requested (product, area). Never changed afterwards."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(ReviewCase, on_delete=models.PROTECT, related_name="decisions")
    # What it was based on: the intake version and the ruleset of its screening.
    # Indexed by decision_request_idx (intake, product, area).
    intake = models.ForeignKey(
        Intake, on_delete=models.PROTECT, related_name="decisions", db_index=False
    )
    ruleset = models.CharField(_("ruleset version"), max_length=40)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("decision"), max_length=8, choices=DecisionKind.choices)
    conditions = models.JSONField(
        pgettext_lazy("clearance", "conditions"), default=list, blank=True
    )
    conditions_note = models.CharField(
        pgettext_lazy("clearance", "other conditions"), max_length=500, blank=True
    )
    expires_on = models.DateField(_("clearance expires on"), null=True, blank=True)
    defer_until = models.DateField(_("deferred until"), null=True, blank=True)
    # For the patient, in plain words (optional); the clinical reasoning stays in `note`.
    message_to_patient = models.TextField(_("message to the patient"), blank=True)
    note = models.TextField(_("clinical note"), blank=True)
    # Clearing a request that has a block flag is an override and needs its reason.
    is_override = models.BooleanField(_("override of a block flag"), default=False)
    justification = models.TextField(_("override justification"), blank=True)
    # The flags of this request when it was decided: [[code, severity], ...].
    flags = models.JSONField(_("flags at decision"), default=list, blank=True)
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="decisions"
    )
    clinician_name = models.CharField(_("clinician"), max_length=150)
    clinician_registration = models.CharField(_("registration number"), max_length=40)
    corrects = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        related_name="corrected_by",
        null=True,
        blank=True,
        verbose_name=_("corrects"),
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        ordering = ["decided_at", "id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="clear", expires_on__isnull=False, defer_until__isnull=True)
                | Q(kind="defer", expires_on__isnull=True, defer_until__isnull=False)
                | Q(
                    kind__in=["consult", "decline"],
                    expires_on__isnull=True,
                    defer_until__isnull=True,
                ),
                name="decision_dates_match_kind",
            ),
            models.CheckConstraint(
                condition=Q(is_override=False)
                | Q(GreaterThanOrEqual(Length("justification"), OVERRIDE_MIN_LENGTH), kind="clear"),
                name="decision_override_is_a_justified_clearance",
            ),
            models.CheckConstraint(
                condition=~Q(clinician_registration=""), name="decision_names_a_registration"
            ),
            # One first decision per (case, product, area); later ones correct it.
            models.UniqueConstraint(
                fields=["case", "product", "area"],
                condition=Q(corrects__isnull=True),
                name="decision_first_once_per_request",
            ),
        ]
        indexes = [models.Index(fields=["intake", "product", "area"], name="decision_request_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.product} — {self.area}"


class Clearance(models.Model):
    """Permission to book one product in one area, granted by a clinician's decision.

    Valid while not revoked, not expired, and based on the patient's current
    intake version (the booking room checks all three in one transaction).
    """

    class RevokedBecause(models.TextChoices):
        NEW_INTAKE = "new_intake", _("The patient sent a new version of their answers")
        CORRECTED = "corrected", _("A clinician corrected the decision")
        CHECK_IN_CHANGE = "check_in_change", _("Something changed at check-in")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="clearance")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="clearances")
    intake = models.ForeignKey(Intake, on_delete=models.PROTECT, related_name="clearances")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    conditions = models.JSONField(
        pgettext_lazy("clearance", "conditions"), default=list, blank=True
    )
    conditions_note = models.CharField(
        pgettext_lazy("clearance", "other conditions"), max_length=500, blank=True
    )
    is_override = models.BooleanField(_("override of a block flag"), default=False)
    granted_at = models.DateTimeField(_("granted at"))
    expires_on = models.DateField(_("expires on"))
    first_used_at = models.DateTimeField(_("first used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_because = models.CharField(
        _("revoked because"), max_length=16, choices=RevokedBecause.choices, blank=True
    )

    class Meta:
        verbose_name = _("clearance")
        verbose_name_plural = _("clearances")
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, revoked_because="")
                | Q(
                    revoked_at__isnull=False,
                    revoked_because__in=["new_intake", "corrected", "check_in_change"],
                ),
                name="clearance_revoked_has_reason",
            ),
        ]
        indexes = [
            models.Index(
                fields=["patient", "product", "area"],
                condition=Q(revoked_at__isnull=True),
                name="clearance_active_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.product} — {self.area} until {self.expires_on}"

    def is_valid_on(self, day: dt.date) -> bool:
        """Not revoked and not expired on `day` (the current-version check needs the database)."""
        return self.revoked_at is None and day <= self.expires_on


class FrontDeskNote(models.Model):
    """Something the front desk must know about a patient's bookings. No medical detail."""

    class Reason(models.TextChoices):
        CLEARANCE_REVOKED = "clearance_revoked", _("Clearance withdrawn")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="desk_notes")
    reason = models.CharField(_("reason"), max_length=24, choices=Reason.choices)
    text = models.CharField(_("note"), max_length=500)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    acknowledged_at = models.DateTimeField(_("seen at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("note to the front desk")
        verbose_name_plural = _("notes to the front desk")
        constraints = [
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True, acknowledged_by__isnull=True)
                | Q(acknowledged_at__isnull=False, acknowledged_by__isnull=False),
                name="desk_note_seen_by_someone",
            )
        ]
        indexes = [
            models.Index(
                fields=["-created_at"],
                condition=Q(acknowledged_at__isnull=True),
                name="desk_note_unseen_idx",
            )
        ]

    def __str__(self) -> str:
        return self.text
