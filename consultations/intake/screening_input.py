"""Build the screening contract's input (SCREENING.md) from an intake version.

The screening room reads this; it never reads intake models. The mapping is the
one place where the intake's patient-friendly answers become contract codes.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from consultations.catalog.models import Product
from consultations.catalog.revision import kept
from consultations.intake.choices import (
    CONTRACT_CONDITIONS,
    GOAL_INDICATION,
    CommonAllergy,
    Isotretinoin,
    SexAtBirth,
)
from consultations.intake.models import Intake, TreatmentRequest

# How each ticked common allergy reads in the contract's free-text `allergies`.
ALLERGY_WORDS: dict[str, str] = {
    CommonAllergy.LIDOCAINE: "lidocaine",
    CommonAllergy.PROCAINE: "procaine, benzocaine",
    CommonAllergy.HYALURONIC_ACID: "hyaluronic acid",
    CommonAllergy.LATEX: "latex",
    CommonAllergy.PENICILLIN: "penicillin",
    CommonAllergy.NSAID: "NSAIDs (aspirin, ibuprofen)",
    CommonAllergy.EGG: "egg",
}


@dataclass(frozen=True)
class OfferedProduct:
    """An offered product as the mapping of requests without one reads it."""

    code: str
    treatment_id: int
    area_ids: frozenset[int]  # the areas it is meant for
    area_parent_ids: frozenset[int]  # the areas containing those


def _candidate_products(
    request: TreatmentRequest, products: tuple[OfferedProduct, ...]
) -> list[str]:
    """Products the clinician could choose for a request made without one.

    Offered products of that treatment meant for the requested area, for the
    area containing it, or for an area inside it (`face` contains its parts);
    if none is, every offered product of the treatment, so that the screening
    shows why none fits instead of showing nothing.
    """
    area = request.area
    related = {area.pk, area.parent_id}
    of_treatment = [p for p in products if p.treatment_id == request.treatment_id]
    fitting = [p.code for p in of_treatment if p.area_ids & related or area.pk in p.area_parent_ids]
    return fitting or [p.code for p in of_treatment]


def offered_products() -> tuple[OfferedProduct, ...]:
    """The offered products with their areas, as `screening_input` reads them (kept while the
    catalog's revision stays the same; three queries when it changed)."""
    return kept("offered-products", _read_offered_products)


def _read_offered_products() -> tuple[OfferedProduct, ...]:
    return tuple(
        OfferedProduct(
            code=p.code,
            treatment_id=p.treatment_id,
            area_ids=frozenset(pa.area_id for pa in p.product_areas.all()),
            area_parent_ids=frozenset(
                pa.area.parent_id for pa in p.product_areas.all() if pa.area.parent_id
            ),
        )
        for p in Product.objects.filter(is_active=True).prefetch_related("product_areas__area")
    )


def screening_input(
    intake: Intake,
    *,
    treatment_date: dt.date | None = None,
    products: tuple[OfferedProduct, ...] | None = None,
) -> dict[str, Any]:
    """The contract's input for this intake, exactly as `manage.py screen` would take it.

    `products` (from `offered_products`) lets a caller screening many intakes load them once.
    """
    treatment_date = treatment_date or timezone.localdate()
    if products is None:
        products = offered_products()
    requests: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for r in intake.requests.all():
        codes = [r.product.code] if r.product_id else _candidate_products(r, products)
        for code in codes:
            if (code, r.area.code) not in seen:
                seen.add((code, r.area.code))
                requests.append(
                    {"product": code, "area": r.area.code, "indication": GOAL_INDICATION[r.goal]}
                )

    allergy_parts = [ALLERGY_WORDS[c] for c in intake.common_allergies if c in ALLERGY_WORDS]
    if intake.allergies_other.strip():
        allergy_parts.append(intake.allergies_other.strip())
    conditions = [c for c in intake.conditions or [] if c in CONTRACT_CONDITIONS]
    if CommonAllergy.BACTERIAL_PROTEINS in intake.common_allergies:
        conditions.append("bacterial_protein_allergy")

    if intake.isotretinoin == Isotretinoin.CURRENT:
        # Taking it now: the last dose is as recent as the answer itself.
        isotretinoin_last = (
            intake.submitted_at.date() if intake.submitted_at else timezone.localdate()
        )
    elif intake.isotretinoin == Isotretinoin.RECENT:
        isotretinoin_last = intake.isotretinoin_last_taken
    else:
        isotretinoin_last = None

    pregnancy = intake.pregnancy or "unsure"
    if intake.sex_at_birth == SexAtBirth.MALE:
        pregnancy = "not_applicable"

    return {
        "date_of_birth": intake.date_of_birth.isoformat() if intake.date_of_birth else None,
        "treatment_date": treatment_date.isoformat(),
        "requests": requests,
        "pregnancy": pregnancy,
        "allergies": "; ".join(allergy_parts) if intake.has_allergies else "",
        "anaphylaxis_history": bool(intake.anaphylaxis_history),
        "multiple_severe_allergies": bool(intake.multiple_severe_allergies),
        "medications": intake.medications.strip() if intake.takes_medications else "",
        "conditions": sorted(set(conditions)),
        "skin_at_site": {
            c.area.code: sorted(c.findings) for c in intake.skin_checks.all() if c.findings
        },
        "previous_sessions": [
            {"product": p.product.code, "area": p.area.code, "date": p.treated_on.isoformat()}
            for p in intake.previous_treatments.all()
            if p.product_id
        ],
        "isotretinoin_last_taken": isotretinoin_last.isoformat() if isotretinoin_last else None,
        "recent_illness_or_vaccination": bool(intake.recent_illness_or_vaccination),
    }
