"""Intake versions, their structured answers, and the signed consent.

An `Intake` is one version of a patient's answers. It starts as a draft that is
saved step by step; submitting freezes it. A change after submission is a new
version (a new row, `previous` pointing at the one it revises), so every
decision can be traced to the exact answers it was made on. In PostgreSQL,
triggers refuse any change to a submitted version and its answer rows, and to
any consent text or signature (migration 0003).
"""

import datetime as dt
import hashlib
import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from consultations.catalog.models import Area, Product, Treatment
from consultations.intake.choices import (
    AllergyReaction,
    CommonAllergy,
    Condition,
    Goal,
    Isotretinoin,
    Pregnancy,
    SexAtBirth,
    SkinFinding,
)
from consultations.patients.models import Patient

ADULT_AGE = 18


def age_on(date_of_birth: dt.date, day: dt.date) -> int:
    """Whole years of age on `day` (a 29 February birthday counts on 1 March)."""
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - before_birthday


@deconstructible
class CodesValidator:
    """A JSON list of distinct codes, each one of `choices`."""

    def __init__(self, choices: type[models.TextChoices]) -> None:
        self.choices = choices

    def __call__(self, value: object) -> None:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValidationError(_("Expected a list of codes."), code="not_a_list")
        unknown = sorted(set(value) - set(self.choices.values))
        if unknown:
            raise ValidationError(
                _("Unknown answer: %(codes)s."), params={"codes": ", ".join(unknown)}, code="code"
            )
        if len(set(value)) != len(value):
            raise ValidationError(_("An answer is repeated."), code="repeated")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CodesValidator) and other.choices is self.choices

    def __hash__(self) -> int:
        return hash(self.choices)


validate_allergy_codes = CodesValidator(CommonAllergy)
validate_condition_codes = CodesValidator(Condition)
validate_skin_finding_codes = CodesValidator(SkinFinding)


class ConsentText(models.Model):
    """One published version of the consent a patient signs. Never edited: publish a new one."""

    version = models.CharField(_("version"), max_length=40)
    language = models.CharField(_("language"), max_length=8)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    sha256 = models.CharField(_("SHA-256 of the text"), max_length=64, editable=False)
    published_at = models.DateTimeField(_("published"), default=timezone.now)

    class Meta:
        ordering = ["-published_at"]
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")
        get_latest_by = "published_at"
        constraints = [
            models.UniqueConstraint(fields=["version", "language"], name="consent_version_lang"),
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="consent_sha256_hex"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.version}, {self.language})"

    def save(self, *args: object, **kwargs: object) -> None:
        # The hash is a function of the text, not workflow: keep it true on every save.
        self.sha256 = self.digest(self.title, self.body)
        super().save(*args, **kwargs)

    @staticmethod
    def digest(title: str, body: str) -> str:
        """The hash a signature stores: of exactly what the patient was shown."""
        return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()


class ConsentSignature(models.Model):
    """A patient's signature of one consent text: who, what exactly, when, from where."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    consent_text = models.ForeignKey(
        ConsentText, on_delete=models.PROTECT, related_name="signatures"
    )
    text_sha256 = models.CharField(_("SHA-256 of the signed text"), max_length=64)
    full_name = models.CharField(_("typed full name"), max_length=150)
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=512, blank=True)

    class Meta:
        verbose_name = _("consent signature")
        verbose_name_plural = _("consent signatures")
        constraints = [
            models.CheckConstraint(condition=~Q(full_name=""), name="consent_signature_has_name"),
            models.CheckConstraint(
                condition=Q(text_sha256__regex=r"^[0-9a-f]{64}$"),
                name="consent_signature_sha256_hex",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} — {self.consent_text.version} — {self.signed_at:%Y-%m-%d %H:%M}"


class IntakeQuerySet(models.QuerySet["Intake"]):
    def submitted(self) -> "IntakeQuerySet":
        return self.filter(status=Intake.Status.SUBMITTED)

    def drafts(self) -> "IntakeQuerySet":
        return self.filter(status=Intake.Status.DRAFT)


class Intake(models.Model):
    """One version of a patient's intake: a draft, then an immutable submission."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    # A draft becomes a submission; nothing leaves a submission (a change is a new version).
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.DRAFT: frozenset({Status.SUBMITTED}),
        Status.SUBMITTED: frozenset(),
    }

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Indexed by intake_version_unique (patient, version): no index of its own.
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="intakes", db_index=False
    )
    version = models.PositiveIntegerField(_("version"))
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_version",
        verbose_name=_("revises"),
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    # What the patient typed on a step that did not validate yet, kept so nothing is lost.
    pending_input = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)

    # About you
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    sex_at_birth = models.CharField(
        _("sex at birth"), max_length=12, choices=SexAtBirth.choices, blank=True
    )
    phone = models.CharField(_("mobile phone"), max_length=32, blank=True)

    # Allergies
    has_allergies = models.BooleanField(_("has allergies"), null=True, blank=True)
    common_allergies = models.JSONField(
        _("common allergies"), default=list, blank=True, validators=[validate_allergy_codes]
    )
    allergies_other = models.TextField(_("other allergies"), blank=True, max_length=2000)
    allergy_reaction = models.CharField(
        _("worst reaction"), max_length=10, choices=AllergyReaction.choices, blank=True
    )
    anaphylaxis_history = models.BooleanField(_("anaphylaxis ever"), null=True, blank=True)
    multiple_severe_allergies = models.BooleanField(
        _("several severe allergies"), null=True, blank=True
    )

    # Medicines
    takes_medications = models.BooleanField(_("takes medicines"), null=True, blank=True)
    medications = models.TextField(_("medicines and supplements"), blank=True, max_length=2000)
    isotretinoin = models.CharField(
        _("isotretinoin"), max_length=10, choices=Isotretinoin.choices, blank=True
    )
    isotretinoin_last_taken = models.DateField(_("isotretinoin last taken"), null=True, blank=True)
    recent_illness_or_vaccination = models.BooleanField(
        _("illness, vaccination or dental work in the last 2 weeks"), null=True, blank=True
    )
    recent_illness_details = models.CharField(_("details"), max_length=500, blank=True)

    # Conditions
    # None: not answered yet; []: "none of these".
    conditions = models.JSONField(
        _("conditions"), null=True, blank=True, default=None, validators=[validate_condition_codes]
    )
    conditions_other = models.TextField(_("other conditions"), blank=True, max_length=2000)

    # Pregnancy
    pregnancy = models.CharField(
        _("pregnancy"), max_length=16, choices=Pregnancy.choices, blank=True
    )

    # Previous treatments in the requested areas
    had_previous_treatments = models.BooleanField(
        _("treated in these areas in the last 12 months"), null=True, blank=True
    )

    consent_signature = models.OneToOneField(
        ConsentSignature,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="intake",
    )

    objects = IntakeQuerySet.as_manager()

    class Meta:
        ordering = ["patient", "-version"]
        verbose_name = _("intake")
        verbose_name_plural = _("intakes")
        permissions = [("view_medical_history", "Can read patients' medical answers")]
        constraints = [
            models.UniqueConstraint(fields=["patient", "version"], name="intake_version_unique"),
            # One open draft per patient: a double click on "start" cannot fork the intake.
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(status="draft"),
                name="intake_one_draft_per_patient",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="intake_version_positive"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted"]), name="intake_status_valid"
            ),
            # A submission carries its time and its signed consent; a draft has neither time.
            models.CheckConstraint(
                condition=(
                    Q(
                        status="submitted",
                        submitted_at__isnull=False,
                        consent_signature__isnull=False,
                    )
                    | Q(status="draft", submitted_at__isnull=True)
                ),
                name="intake_submitted_has_consent_and_time",
            ),
            models.CheckConstraint(
                condition=Q(isotretinoin="recent", isotretinoin_last_taken__isnull=False)
                | ~Q(isotretinoin="recent"),
                name="intake_isotretinoin_recent_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="intake_status_submitted_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.patient} — v{self.version} ({self.get_status_display()})"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.status]

    def age_on(self, day: dt.date) -> int | None:
        return age_on(self.date_of_birth, day) if self.date_of_birth else None

    @property
    def asks_about_pregnancy(self) -> bool:
        """Pregnancy questions are not asked of patients born male."""
        return self.sex_at_birth != SexAtBirth.MALE

    def get_common_allergies_display(self) -> list[str]:
        return [str(CommonAllergy(code).label) for code in self.common_allergies]

    def get_conditions_display(self) -> list[str]:
        return [str(Condition(code).label) for code in self.conditions or []]

    def clean(self) -> None:
        errors: dict[str, list[ValidationError]] = {}
        today = timezone.localdate()
        if self.date_of_birth:
            if self.date_of_birth > today:
                errors.setdefault("date_of_birth", []).append(
                    ValidationError(_("The date of birth is in the future."), code="future")
                )
            elif age_on(self.date_of_birth, today) < ADULT_AGE:
                errors.setdefault("date_of_birth", []).append(
                    ValidationError(
                        _(
                            "We are sorry: the clinic treats adults only. You must be 18 or "
                            "over to have these treatments with us."
                        ),
                        code="minor",
                    )
                )
            elif self.date_of_birth.year < today.year - 120:
                errors.setdefault("date_of_birth", []).append(
                    ValidationError(_("Please check the year of birth."), code="too_old")
                )
        if self.sex_at_birth == SexAtBirth.MALE and self.pregnancy not in (
            "",
            Pregnancy.NOT_APPLICABLE,
        ):
            errors.setdefault("pregnancy", []).append(
                ValidationError(_("Pregnancy does not apply."), code="not_applicable")
            )
        if (
            self.isotretinoin_last_taken
            and self.date_of_birth
            and self.isotretinoin_last_taken < self.date_of_birth
        ):
            errors.setdefault("isotretinoin_last_taken", []).append(
                ValidationError(_("This date is before your date of birth."), code="before_birth")
            )
        if self.isotretinoin_last_taken and self.isotretinoin_last_taken > today:
            errors.setdefault("isotretinoin_last_taken", []).append(
                ValidationError(_("This date is in the future."), code="future")
            )
        if errors:
            raise ValidationError(errors)


class TreatmentRequest(models.Model):
    """One thing the patient asks for: a treatment (and product, when they know it) in an area."""

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="requests")
    treatment = models.ForeignKey(
        Treatment, on_delete=models.PROTECT, related_name="+", verbose_name=_("treatment")
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("product"),
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    goal = models.CharField(_("goal"), max_length=20, choices=Goal.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("treatment request")
        verbose_name_plural = _("treatment requests")
        constraints = [
            models.UniqueConstraint(
                fields=["intake", "product", "area"],
                condition=Q(product__isnull=False),
                name="request_product_area_unique",
            ),
            models.UniqueConstraint(
                fields=["intake", "treatment", "area"],
                condition=Q(product__isnull=True),
                name="request_treatment_area_unique",
            ),
        ]

    def __str__(self) -> str:
        what = self.product or self.treatment
        return f"{what} — {self.area}"

    def clean(self) -> None:
        if self.product_id and self.treatment_id and self.product.treatment_id != self.treatment_id:
            raise ValidationError(
                {"product": _("This product is not a %(treatment)s product.")},
                params={"treatment": self.treatment},
            )


class SkinCheck(models.Model):
    """The skin today at one requested area; an empty list means the patient said it is clear."""

    # Indexed by skin_check_area_unique (intake, area).
    intake = models.ForeignKey(
        Intake, on_delete=models.CASCADE, related_name="skin_checks", db_index=False
    )
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    findings = models.JSONField(default=list, blank=True, validators=[validate_skin_finding_codes])

    class Meta:
        ordering = ["area__display_order"]
        verbose_name = _("skin check")
        verbose_name_plural = _("skin checks")
        constraints = [
            models.UniqueConstraint(fields=["intake", "area"], name="skin_check_area_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.area}: {', '.join(self.findings) or 'clear'}"

    def get_findings_display(self) -> list[str]:
        return [str(SkinFinding(code).label) for code in self.findings]


class PreviousTreatment(models.Model):
    """A treatment the patient had in one of the areas, here or elsewhere."""

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="previous_treatments")
    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("product"),
    )
    description = models.CharField(_("what it was, if not in the list"), max_length=200, blank=True)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    treated_on = models.DateField(_("date (approximate is fine)"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-treated_on", "position"]
        verbose_name = _("previous treatment")
        verbose_name_plural = _("previous treatments")
        constraints = [
            models.CheckConstraint(
                condition=Q(product__isnull=False) | ~Q(description=""),
                name="previous_treatment_names_something",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product or self.description} — {self.area} — {self.treated_on}"

    def clean(self) -> None:
        if self.treated_on and self.treated_on > timezone.localdate():
            raise ValidationError({"treated_on": _("This date is in the future.")})
