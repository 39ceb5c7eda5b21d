"""The treatment catalog: the facts the screening engine and the patient pages read.

Every product records what is in it, where it is approved or intended to be
used, its minimum age, the spacing of sessions and the evidence behind it, so
that the patient-facing page can answer the "smart questions" of the seed
article and the screening rules need no code change for a new product.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from consultations.catalog.intervals import IntervalUnit, add_interval


def translation_languages() -> list[tuple[str, str]]:
    """The languages a catalog text can be translated into: every site language but the first."""
    return [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


class Translatable(models.Model):
    """Catalog texts a patient reads, in each site language (`translations`), English in the field.

    `translations` is `{"vi": {"name": "...", "summary": "..."}}`: only the fields of
    TRANSLATED, only the site's other languages. The English field stays the source of truth
    for the screening engine, the admin and the records, so a screening never depends on the
    language of the page that asked for it. A missing translation shows the English text.
    """

    TRANSLATED: tuple[str, ...] = ()

    translations = models.JSONField(_("translations"), default=dict, blank=True)

    class Meta:
        abstract = True

    def translated(self, field: str, language: str | None = None) -> str:
        """`field` in `language` (the active one by default), else in English."""
        if field not in self.TRANSLATED:
            raise ValueError(f"{type(self).__name__}.{field} is not translated")
        language = (language or get_language() or settings.LANGUAGE_CODE).split("-")[0]
        text = (self.translations or {}).get(language, {}).get(field, "")
        return text or getattr(self, field)

    def clean(self) -> None:
        super().clean()
        allowed = {code for code, _name in translation_languages()}
        translations = self.translations or {}
        if not isinstance(translations, dict):
            raise ValidationError({"translations": _("Translations must be a mapping.")})
        for language, texts in translations.items():
            if language not in allowed or not isinstance(texts, dict):
                raise ValidationError(
                    {"translations": _("Unknown language: %(code)s.") % {"code": language}}
                )
            unknown = set(texts) - set(self.TRANSLATED)
            if unknown or not all(isinstance(text, str) for text in texts.values()):
                raise ValidationError(
                    {
                        "translations": _("Only these texts are translated: %(fields)s.")
                        % {"fields": ", ".join(self.TRANSLATED)}
                    }
                )


class Area(Translatable):
    """A treatment area. `face` contains its sub-areas (SCREENING.md)."""

    TRANSLATED = ("name",)

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("contained in"),
    )
    display_order = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        ordering = ["display_order", "code"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="area_not_its_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.translated("name")


class Treatment(Translatable):
    """A kind of treatment a patient asks for (mesotherapy, skin booster, filler...)."""

    TRANSLATED = (
        "name",
        "summary",
        "description",
        "purpose",
        "risks",
        "aftercare",
        "alternatives",
        "evidence_summary",
    )

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    summary = models.CharField(_("summary"), max_length=300)
    description = models.TextField(_("what it is"))
    purpose = models.TextField(_("what it is for"))
    risks = models.TextField(_("risks"))
    aftercare = models.TextField(_("aftercare"))
    alternatives = models.TextField(_("alternatives"))
    evidence_summary = models.TextField(_("what the evidence says"))
    is_active = models.BooleanField(_("offered"), default=True)
    display_order = models.PositiveSmallIntegerField(_("display order"), default=0)
    # How long an appointment takes, and the time after it before the practitioner and the
    # room are free again (cleaning, notes).
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=45)
    buffer_minutes = models.PositiveSmallIntegerField(_("buffer after (minutes)"), default=15)

    class Meta:
        ordering = ["display_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=5, duration_minutes__lte=480),
                name="treatment_duration_sensible",
            ),
            models.CheckConstraint(
                condition=models.Q(buffer_minutes__lte=120), name="treatment_buffer_sensible"
            ),
        ]
        verbose_name = _("treatment")
        verbose_name_plural = _("treatments")

    def __str__(self) -> str:
        return self.translated("name")

    def get_absolute_url(self) -> str:
        return reverse("catalog:treatment", kwargs={"code": self.code})


class Ingredient(Translatable):
    """A substance in a product, with the facts the allergy rules need."""

    TRANSLATED = ("name",)

    class AnaestheticClass(models.TextChoices):
        NONE = "", _("Not a local anaesthetic")
        AMIDE = "amide", _("Amide local anaesthetic")
        ESTER = "ester", _("Ester local anaesthetic")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    anaesthetic_class = models.CharField(
        _("local anaesthetic class"),
        max_length=8,
        choices=AnaestheticClass.choices,
        blank=True,
        default=AnaestheticClass.NONE,
    )
    bacterial_origin = models.BooleanField(
        _("of bacterial origin"),
        default=False,
        help_text=_("Made by bacterial fermentation; matters for allergy to bacterial proteins."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("ingredient")
        verbose_name_plural = _("ingredients")

    def __str__(self) -> str:
        return self.translated("name")


class IntervalUnitChoices(models.TextChoices):
    DAY = IntervalUnit.DAY.value, _("days")
    WEEK = IntervalUnit.WEEK.value, _("weeks")
    MONTH = IntervalUnit.MONTH.value, _("months")


class RegulatoryStatus(models.TextChoices):
    """The regulatory standing of a product, or of a product in one area."""

    APPROVED = "approved", _("FDA-approved")
    NOT_EVALUATED = "not_evaluated", _("Not evaluated by the FDA (clinic preparation)")
    UNAPPROVED = "unapproved", _("Unapproved; the FDA warns against it")


class Product(Translatable):
    """A product the clinic may inject. The screening reads these facts."""

    TRANSLATED = ("name", "regulatory_note", "evidence_summary", "risks", "aftercare")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=150)
    brand = models.CharField(_("brand"), max_length=80, blank=True)
    brand_family = models.SlugField(
        _("brand family"),
        max_length=40,
        blank=True,
        help_text=_("Products whose labeling shares contraindications, e.g. 'restylane'."),
    )
    manufacturer = models.CharField(_("manufacturer"), max_length=120, blank=True)
    treatment = models.ForeignKey(
        Treatment, on_delete=models.PROTECT, related_name="products", verbose_name=_("treatment")
    )
    ingredients = models.ManyToManyField(
        Ingredient, related_name="products", verbose_name=_("ingredients")
    )
    areas = models.ManyToManyField(
        Area, through="ProductArea", related_name="products", verbose_name=_("areas")
    )
    regulatory_status = models.CharField(
        _("regulatory status"), max_length=20, choices=RegulatoryStatus.choices
    )
    regulatory_note = models.TextField(_("regulatory note"), blank=True)
    min_age = models.PositiveSmallIntegerField(_("minimum age (years)"), default=18)
    min_interval_count = models.PositiveSmallIntegerField(
        _("minimum interval between sessions in the same area"), default=2
    )
    min_interval_unit = models.CharField(
        _("interval unit"), max_length=8, choices=IntervalUnitChoices.choices, default="week"
    )
    max_sessions = models.PositiveSmallIntegerField(
        _("maximum sessions"), null=True, blank=True, help_text=_("Empty when unlimited.")
    )
    evidence_summary = models.TextField(_("what the evidence says"))
    evidence_sources = models.TextField(_("sources"), blank=True)
    risks = models.TextField(_("risks specific to this product"), blank=True)
    aftercare = models.TextField(_("aftercare specific to this product"), blank=True)
    is_active = models.BooleanField(_("offered"), default=True)
    display_order = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        ordering = ["treatment__display_order", "display_order", "code"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            # The clinic treats adults only; no product may be screened for minors.
            models.CheckConstraint(
                condition=Q(min_age__gte=18, min_age__lte=120), name="product_min_age_adult"
            ),
            models.CheckConstraint(
                condition=Q(max_sessions__isnull=True) | Q(max_sessions__gte=1),
                name="product_max_sessions_positive",
            ),
            models.CheckConstraint(
                condition=Q(regulatory_status__in=RegulatoryStatus.values),
                name="product_regulatory_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(min_interval_unit__in=IntervalUnitChoices.values),
                name="product_interval_unit_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.translated("name")

    def get_absolute_url(self) -> str:
        return reverse("catalog:product", kwargs={"code": self.code})

    def earliest_next_session(self, last_session: dt.date) -> dt.date:
        """The first day a new session in the same area respects the product's spacing."""
        return add_interval(last_session, self.min_interval_count, self.min_interval_unit)

    @property
    def contains_lidocaine(self) -> bool:
        """Derived from the ingredient list, so the two can never disagree."""
        return any(i.code == "lidocaine" for i in self.ingredients.all())


class ProductArea(models.Model):
    """An area a product is approved for, or intended for by the clinic."""

    # Indexed by product_area_unique (product, area).
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="product_areas", db_index=False
    )
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="product_areas")
    status = models.CharField(
        _("status in this area"),
        max_length=20,
        choices=RegulatoryStatus.choices,
        help_text=_("FDA-approved for this area, or a clinic use not evaluated by the FDA."),
    )

    class Meta:
        ordering = ["area__display_order"]
        verbose_name = _("product area")
        verbose_name_plural = _("product areas")
        constraints = [
            models.UniqueConstraint(fields=["product", "area"], name="product_area_unique"),
            models.CheckConstraint(
                condition=Q(status__in=RegulatoryStatus.values), name="product_area_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} — {self.area}"


class CatalogRevision(models.Model):
    """One row whose number changes with every change to the catalog (on PostgreSQL).

    Triggers on each catalog table set it from a sequence after every statement that
    writes there, so a number names one state of the catalog: a sequence never hands a
    number out twice, even when the transaction that took it rolls back. A process may keep
    what it read from the catalog (the screening's facts) under the number it read first,
    and reads the catalog again when the number differs (`consultations.catalog.revision`).
    """

    number = models.BigIntegerField(_("revision"))

    class Meta:
        verbose_name = _("catalog revision")
        verbose_name_plural = _("catalog revisions")

    def __str__(self) -> str:
        return str(self.number)
