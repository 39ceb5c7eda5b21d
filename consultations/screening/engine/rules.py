"""The clinic's contraindication rules (SCREENING.md), one declaration each, with its source.

A rule says which products it concerns (`products`), when it fires (`when`,
which returns the patient's words that raised it, or None) and what it tells
the clinician and the patient. Where SCREENING.md gives one topic two
severities for two groups of products, there are two rules with one condition.

Every condition only ever *adds* a flag when a risk factor is added to the
intake, so the outcome is monotonic by construction (tested with hypothesis).
Patient messages are plain words: never a diagnosis, never advice to stop a
prescribed medicine. They are marked with gettext_noop and translated where shown.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django.utils.translation import gettext_noop as _

from consultations.screening.engine.facts import CatalogFacts, ProductFacts
from consultations.screening.engine.reading import Mention, TextReading
from consultations.screening.engine.types import Request, ScreeningInput, Severity

BLOCK, REVIEW, INFO = Severity.BLOCK, Severity.REVIEW, Severity.INFO
ISOTRETINOIN_WINDOW_DAYS = 183  # "now or stopped within 6 months"


@dataclass(frozen=True)
class Context:
    """Everything one rule may read about one requested (product, area) pair."""

    data: ScreeningInput
    request: Request
    product: ProductFacts
    catalog: CatalogFacts
    allergies: TextReading
    medications: TextReading

    @cached_property
    def areas(self) -> frozenset[str]:
        return self.catalog.related_areas(self.request.area)

    @property
    def age(self) -> int:
        born, day = self.data.date_of_birth, self.data.treatment_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


Condition = Callable[[Context], str | None]
ProductTest = Callable[[ProductFacts], bool]


@dataclass(frozen=True)
class Products:
    """Which products a rule concerns, with the words the generated documentation uses."""

    test: ProductTest
    description: str

    def __call__(self, product: ProductFacts) -> bool:
        return self.test(product)


ALL = Products(lambda p: True, "all products")
HA_INJECTABLES = Products(lambda p: p.is_ha_injectable, "HA fillers and skin boosters (SKINVIVE)")
NOT_HA_INJECTABLES = Products(lambda p: not p.is_ha_injectable, "all other products")
WITH_AMIDE = Products(lambda p: p.contains_amide_anaesthetic, "products containing lidocaine")
WITHOUT_AMIDE = Products(lambda p: not p.contains_amide_anaesthetic, "lidocaine-free products")
WITH_ESTER = Products(lambda p: p.contains_ester_anaesthetic, "products containing procaine")
AMIDE_NOT_ESTER = Products(
    lambda p: p.contains_amide_anaesthetic and not p.contains_ester_anaesthetic,
    "products containing lidocaine (and no procaine)",
)
BACTERIAL_HA = Products(
    lambda p: p.contains_ha and p.bacterial_origin,
    "HA products of bacterial origin (JUVÉDERM, SKINVIVE, Restylane)",
)
RESTYLANE = Products(lambda p: p.brand_family == "restylane", "the Restylane family")
NOT_RESTYLANE = Products(lambda p: p.brand_family != "restylane", "all other products")
DEOXYCHOLIC = Products(lambda p: p.is_deoxycholic, "Kybella (deoxycholic acid)")
APPROVED_DEOXYCHOLIC = Products(
    lambda p: p.is_deoxycholic and p.regulatory_status == "approved",
    "Kybella (approved for the submental area only)",
)
OTHER_THAN_APPROVED_DEOXYCHOLIC = Products(
    lambda p: not (p.is_deoxycholic and p.regulatory_status == "approved"), "all other products"
)
UNAPPROVED = Products(lambda p: p.regulatory_status == "unapproved", "unapproved products")
MESOTHERAPY = Products(lambda p: p.treatment == "mesotherapy", "mesotherapy")
MESO_AND_FILLERS = Products(
    lambda p: p.treatment in {"mesotherapy", "dermal_filler", "skin_booster"},
    "mesotherapy and fillers (including SKINVIVE)",
)
SESSION_LIMITED = Products(lambda p: p.max_sessions is not None, "products with a session limit")


@dataclass(frozen=True)
class Rule:
    code: str
    topic: str
    severity: Severity
    products: Products
    when: Condition
    message: str
    patient_message: str
    source: str


def _quote(mentions: tuple[Mention, ...]) -> str | None:
    quoted = list(dict.fromkeys(m.text for m in mentions))
    return "; ".join(quoted) if quoted else None


# Conditions. Each returns the evidence (the patient's answer that raised it) or None.


def too_young(c: Context) -> str | None:
    if c.age < c.product.min_age:
        return (
            f"age {c.age} on {c.data.treatment_date.isoformat()} "
            f"(minimum {c.product.min_age} for {c.product.name})"
        )
    return None


def pregnant(c: Context) -> str | None:
    return "pregnancy: pregnant" if c.data.pregnancy == "pregnant" else None


def maybe_pregnant_or_nursing(c: Context) -> str | None:
    if c.data.pregnancy in {"breastfeeding", "trying", "unsure"}:
        return f"pregnancy: {c.data.pregnancy}"
    return None


def amide_allergy(c: Context) -> str | None:
    return _quote(c.allergies.having("amide_anaesthetic"))


def ester_allergy(c: Context) -> str | None:
    return _quote(c.allergies.having("ester_anaesthetic"))


def severe_allergies(c: Context) -> str | None:
    said = [
        name
        for name, yes in (
            ("anaphylaxis in the past", c.data.anaphylaxis_history),
            ("several severe allergies", c.data.multiple_severe_allergies),
        )
        if yes
    ]
    return "; ".join(said) or None


def bacterial_protein_allergy(c: Context) -> str | None:
    said = []
    if "bacterial_protein_allergy" in c.data.conditions:
        said.append("allergy to gram-positive bacterial proteins")
    quoted = _quote(c.allergies.having("bacterial_protein"))
    if quoted:
        said.append(quoted)
    return "; ".join(said) or None


def ingredient_allergy(c: Context) -> str | None:
    # Anaesthetics have rules of their own, which know amide from ester.
    kinds = {f"ingredient:{i.code}" for i in c.product.ingredients if not i.anaesthetic_class}
    return _quote(tuple(m for m in c.allergies.mentions if m.kinds & kinds))


def skin_problem_at_site(c: Context) -> str | None:
    findings = c.data.skin_findings()
    found = [
        f"{area}: {', '.join(sorted(findings[area]))}"
        for area in sorted(c.areas & findings.keys())
        if findings[area]
    ]
    return "; ".join(found) or None


LIPS_AREAS = frozenset({"lips", "perioral"})


def cold_sore_history_near_mouth(c: Context) -> str | None:
    if "recurrent_cold_sores" in c.data.conditions and c.areas & LIPS_AREAS:
        return f"recurrent cold sores; {c.request.area} requested"
    return None


def bleeding_disorder(c: Context) -> str | None:
    return "bleeding or clotting disorder" if "bleeding_disorder" in c.data.conditions else None


def anticoagulant(c: Context) -> str | None:
    return _quote(c.medications.having("anticoagulant") + c.medications.having("antiplatelet"))


def bleeding_supplement(c: Context) -> str | None:
    # A blood thinner already has its review flag; this is for the supplements alone.
    return _quote(
        tuple(
            m
            for m in c.medications.having("bleeding_supplement")
            if not m.kinds & {"anticoagulant", "antiplatelet"}
        )
    )


def keloid_scarring(c: Context) -> str | None:
    return "keloid or hypertrophic scarring" if "keloid_scarring" in c.data.conditions else None


def immunosuppression(c: Context) -> str | None:
    said = [
        name
        for code, name in (
            ("immunosuppressed", "immunosuppression"),
            ("autoimmune", "autoimmune disease"),
        )
        if code in c.data.conditions
    ]
    quoted = _quote(c.medications.having("immunosuppressant"))
    if quoted:
        said.append(quoted)
    return "; ".join(said) or None


def recent_isotretinoin(c: Context) -> str | None:
    said = []
    last = c.data.isotretinoin_last_taken
    if last is not None and c.data.treatment_date - last <= dt.timedelta(
        days=ISOTRETINOIN_WINDOW_DAYS
    ):
        said.append(f"isotretinoin last taken {last.isoformat()}")
    quoted = _quote(c.medications.having("isotretinoin"))
    if quoted:
        said.append(quoted)
    return "; ".join(said) or None


def dysphagia(c: Context) -> str | None:
    return "difficulty swallowing" if "dysphagia" in c.data.conditions else None


def submental_history(c: Context) -> str | None:
    said = [
        name
        for code, name in (
            ("prior_submental_treatment", "surgery or aesthetic treatment under the chin"),
            ("thyroid_or_neck_mass", "enlarged thyroid or neck lymph nodes"),
        )
        if code in c.data.conditions
    ]
    return "; ".join(said) or None


def off_label_area(c: Context) -> str | None:
    if c.request.area in c.product.areas:
        return None
    # A request for a part of an approved area (cheeks within face) is on label.
    parent = c.catalog.area_parents.get(c.request.area)
    if parent is not None and parent in c.product.areas:
        return None
    intended = ", ".join(sorted(c.product.areas)) or "none"
    return f"{c.request.area} requested; {c.product.name} is for: {intended}"


def unapproved(c: Context) -> str | None:
    return f"{c.product.name} is not an approved product"


def mesotherapy_for_cellulite(c: Context) -> str | None:
    return "indication: cellulite" if c.request.indication == "cellulite" else None


def _same_product_sessions(c: Context) -> list[dt.date]:
    return [
        s.date
        for s in c.data.previous_sessions
        if s.product == c.request.product and s.area in c.areas
    ]


def too_soon(c: Context) -> str | None:
    dates = _same_product_sessions(c)
    if not dates:
        return None
    last = max(dates)
    earliest = c.product.earliest_next_session(last)
    if c.data.treatment_date < earliest:
        return (
            f"last {c.product.code} session in {c.request.area} on {last.isoformat()}; "
            f"earliest next {earliest.isoformat()} ({c.product.interval_text()} apart)"
        )
    return None


def too_many_sessions(c: Context) -> str | None:
    done = len(_same_product_sessions(c))
    limit = c.product.max_sessions
    if limit is not None and done >= limit:
        return f"{done} previous sessions of {c.product.code} in {c.request.area} (limit {limit})"
    return None


def recent_illness(c: Context) -> str | None:
    if c.data.recent_illness_or_vaccination:
        return "illness, vaccination or dental work in the last 2 weeks"
    return None


def unplaced_allergy_words(c: Context) -> str | None:
    return "; ".join(f"“{p}”" for p in c.allergies.unplaced) or None


def unplaced_medicine_words(c: Context) -> str | None:
    return "; ".join(f"“{p}”" for p in c.medications.unplaced) or None


def negated_allergy(c: Context) -> str | None:
    return "; ".join(f"“{m.text}”" for m in c.allergies.negated) or None


def negated_medicine(c: Context) -> str | None:
    return "; ".join(f"“{m.text}”" for m in c.medications.negated) or None


FILLER_IFU = "JUVÉDERM and Restylane instructions for use (contraindications)"
KYBELLA_PI = "Kybella (deoxycholic acid) prescribing information"
FDA_FILLERS = "FDA: Dermal Fillers (Soft Tissue Fillers) — what to know"
CLINIC = "Clinic screening policy (SCREENING.md)"

RULES: tuple[Rule, ...] = (
    Rule(
        "AGE-MIN",
        "age",
        BLOCK,
        ALL,
        too_young,
        _("Younger than the product's minimum age on the treatment date."),
        _("This product is only for people over a certain age, so it cannot be used for you yet."),
        f"{FDA_FILLERS} (HA fillers and SKINVIVE: over 21); {KYBELLA_PI} (adults)",
    ),
    Rule(
        "PREG-DEFER",
        "pregnancy",
        BLOCK,
        ALL,
        pregnant,
        _("Pregnant: injectable treatments are deferred; safety has not been studied."),
        _(
            "Treatments like this are postponed during pregnancy, because their safety has not "
            "been studied. The clinic will be glad to see you afterwards."
        ),
        "Product labeling: safety not established in pregnancy; clinic deferral policy",
    ),
    Rule(
        "PREG-REVIEW",
        "pregnancy",
        REVIEW,
        ALL,
        maybe_pregnant_or_nursing,
        _("Breastfeeding, trying to conceive or unsure: weigh deferral with the patient."),
        _(
            "Because you are breastfeeding, trying for a baby or not sure, the clinician will "
            "talk with you about whether to wait."
        ),
        "Product labeling: safety not studied in pregnancy or lactation",
    ),
    Rule(
        "LIDO-AMIDE-BLOCK",
        "lidocaine_allergy",
        BLOCK,
        WITH_AMIDE,
        amide_allergy,
        _(
            "Allergy to lidocaine or another amide local anaesthetic; this product contains "
            "lidocaine."
        ),
        _(
            "This product contains lidocaine, a numbing medicine you told us you are allergic "
            "to. The clinician will discuss lidocaine-free options with you."
        ),
        f"{FILLER_IFU}: contraindicated with allergy to amide-type anaesthetics",
    ),
    Rule(
        "LIDO-AMIDE-REVIEW",
        "lidocaine_allergy",
        REVIEW,
        WITHOUT_AMIDE,
        amide_allergy,
        _(
            "Allergy to an amide local anaesthetic: confirm the product's ingredients and any "
            "numbing cream used."
        ),
        _(
            "You told us you are allergic to a numbing medicine. The clinician will check that "
            "nothing used in your treatment contains it."
        ),
        "Ingredient check; topical anaesthetics often contain lidocaine or prilocaine",
    ),
    Rule(
        "ANES-ESTER-BLOCK",
        "anesthetic_allergy",
        BLOCK,
        WITH_ESTER,
        ester_allergy,
        _("Allergy to an ester local anaesthetic; this product contains procaine."),
        _(
            "This product contains procaine, a numbing medicine of the kind you told us you are "
            "allergic to. The clinician will discuss other options with you."
        ),
        "Ingredient hypersensitivity (product composition)",
    ),
    Rule(
        "ANES-ESTER-REVIEW",
        "anesthetic_allergy",
        REVIEW,
        AMIDE_NOT_ESTER,
        ester_allergy,
        _(
            "Allergy to an ester anaesthetic; this product contains lidocaine (an amide). Esters "
            "and amides rarely cross-react, but confirm the real culprit."
        ),
        _(
            "You told us you are allergic to a numbing medicine. The clinician will check which "
            "one, and whether the numbing medicine in this product is safe for you."
        ),
        "Local anaesthetic allergy literature: ester/amide cross-reactivity is rare",
    ),
    Rule(
        "ALLERGY-SEVERE-BLOCK",
        "severe_allergy",
        BLOCK,
        HA_INJECTABLES,
        severe_allergies,
        _(
            "History of anaphylaxis or several severe allergies: contraindicated for this HA "
            "device."
        ),
        _(
            "Because of your history of severe allergic reactions, this product is not used. The "
            "clinician will explain other options."
        ),
        f"{FILLER_IFU}: severe allergies with a history of anaphylaxis",
    ),
    Rule(
        "ALLERGY-SEVERE-REVIEW",
        "severe_allergy",
        REVIEW,
        NOT_HA_INJECTABLES,
        severe_allergies,
        _("History of anaphylaxis or several severe allergies: weigh the risk."),
        _(
            "Because of your history of severe allergic reactions, the clinician will look at "
            "your treatment carefully with you."
        ),
        CLINIC,
    ),
    Rule(
        "BACT-PROTEIN-BLOCK",
        "bacterial_protein_allergy",
        BLOCK,
        BACTERIAL_HA,
        bacterial_protein_allergy,
        _(
            "Allergy to gram-positive bacterial proteins; this HA is made by bacterial "
            "fermentation."
        ),
        _(
            "This product is made with the help of bacteria you told us you are allergic to, so "
            "it is not used for you."
        ),
        f"{FILLER_IFU}: allergy to gram-positive bacterial proteins",
    ),
    Rule(
        "INGREDIENT-ALLERGY",
        "ingredient_allergy",
        BLOCK,
        ALL,
        ingredient_allergy,
        _("Allergy to an ingredient of this product."),
        _(
            "This product contains something you told us you are allergic to, so it is not used "
            "for you."
        ),
        "Ingredient hypersensitivity (product composition)",
    ),
    Rule(
        "SITE-INFECTION",
        "site_infection",
        BLOCK,
        ALL,
        skin_problem_at_site,
        _("Active infection, inflammation or open skin at the requested area: defer until healed."),
        _(
            "Injections are not given where the skin is infected, inflamed or broken. Once it "
            "has healed, the clinician can look again."
        ),
        "Every product label: defer where infection or inflammation is present at the site",
    ),
    Rule(
        "HERPES-HISTORY",
        "herpes_history",
        REVIEW,
        ALL,
        cold_sore_history_near_mouth,
        _(
            "Recurrent cold sores and lips or perioral area requested: injection can reactivate "
            "herpes; consider antiviral cover."
        ),
        _(
            "Injections near the mouth can bring back cold sores. The clinician may suggest a "
            "medicine to take beforehand."
        ),
        f"{FILLER_IFU}: herpes reactivation",
    ),
    Rule(
        "BLEED-DISORDER-BLOCK",
        "bleeding_disorder",
        BLOCK,
        RESTYLANE,
        bleeding_disorder,
        _("Bleeding or clotting disorder: contraindicated in Restylane labeling."),
        _(
            "Because of your bleeding or clotting condition, this product is not used. The "
            "clinician will explain other options."
        ),
        "Restylane labeling: contraindicated in patients with bleeding disorders",
    ),
    Rule(
        "BLEED-DISORDER-REVIEW",
        "bleeding_disorder",
        REVIEW,
        NOT_RESTYLANE,
        bleeding_disorder,
        _("Bleeding or clotting disorder: fillers may not be appropriate; use caution."),
        _(
            "Because of your bleeding or clotting condition, the clinician will look at your "
            "treatment carefully with you."
        ),
        f"{FDA_FILLERS}; {KYBELLA_PI}: caution with bleeding abnormalities",
    ),
    Rule(
        "ANTICOAGULANT",
        "anticoagulant",
        REVIEW,
        ALL,
        anticoagulant,
        _(
            "Anticoagulant or antiplatelet medicine: bleeding and bruising risk. Never advise "
            "stopping a prescribed drug; liaise with the prescriber if needed."
        ),
        _(
            "Your medicine can make bruising and bleeding more likely. Keep taking it as "
            "prescribed; the clinician will talk with you about it."
        ),
        f"{KYBELLA_PI}: anticoagulants; {FILLER_IFU}: bleeding at the injection site",
    ),
    Rule(
        "BLEED-SUPPLEMENT",
        "bleeding_supplement",
        INFO,
        ALL,
        bleeding_supplement,
        _("Supplement or painkiller that increases bruising."),
        _(
            "Some of what you take can make bruising more likely. Ask the clinic whether to "
            "pause supplements before treatment; do not stop any prescribed medicine."
        ),
        f"{FILLER_IFU}: bruising with NSAIDs and supplements",
    ),
    Rule(
        "SCARRING",
        "scarring",
        REVIEW,
        ALL,
        keloid_scarring,
        _("Keloid or hypertrophic scarring: injections may result in additional scars."),
        _(
            "Because your skin tends to form raised scars, the clinician will talk with you about "
            "this risk."
        ),
        f"{FILLER_IFU}: may result in hypertrophic scarring or keloids",
    ),
    Rule(
        "IMMUNOSUPPRESSION",
        "immunosuppression",
        REVIEW,
        ALL,
        immunosuppression,
        _("Immunosuppression or autoimmune disease: increased infection risk."),
        _(
            "Because of your immune condition or medicine, infections are more likely. The "
            "clinician will look at your treatment carefully with you."
        ),
        f"{FILLER_IFU}: patients on immunosuppressive therapy",
    ),
    Rule(
        "ISOTRETINOIN",
        "isotretinoin",
        INFO,
        MESO_AND_FILLERS,
        recent_isotretinoin,
        _("Isotretinoin now or within 6 months: no evidence for injectables either way."),
        _("You take or recently took isotretinoin. The clinician will take it into account."),
        "No evidence for injectables either way; clinic policy",
    ),
    Rule(
        "DYSPHAGIA",
        "dysphagia",
        BLOCK,
        DEOXYCHOLIC,
        dysphagia,
        _("Difficulty swallowing, now or in the past: avoid deoxycholic acid."),
        _("Because you have had difficulty swallowing, this treatment under the chin is not used."),
        f"{KYBELLA_PI}: avoid in patients with dysphagia",
    ),
    Rule(
        "SUBMENTAL-HISTORY",
        "prior_submental",
        REVIEW,
        DEOXYCHOLIC,
        submental_history,
        _(
            "Prior submental surgery or treatment, or thyroid or neck mass: screen before "
            "deoxycholic acid."
        ),
        _(
            "Because of your past treatment or a swelling in your neck, the clinician will "
            "examine the area first."
        ),
        f"{KYBELLA_PI}: screen for other causes of submental convexity",
    ),
    Rule(
        "OFF-LABEL-BLOCK",
        "off_label_area",
        BLOCK,
        APPROVED_DEOXYCHOLIC,
        off_label_area,
        _("Outside the submental area: deoxycholic acid is not recommended elsewhere."),
        _(
            "This treatment is only approved for fat under the chin, so it is not used on other "
            "areas."
        ),
        f"{KYBELLA_PI}: not recommended outside the submental region",
    ),
    Rule(
        "OFF-LABEL-REVIEW",
        "off_label_area",
        REVIEW,
        OTHER_THAN_APPROVED_DEOXYCHOLIC,
        off_label_area,
        _("Area outside the product's approved or intended areas."),
        _(
            "This product is not approved or intended for the area you asked about. The "
            "clinician will explain the options for that area."
        ),
        f"Product labeling (approved areas); {FDA_FILLERS}",
    ),
    Rule(
        "UNAPPROVED-PRODUCT",
        "unapproved_product",
        BLOCK,
        UNAPPROVED,
        unapproved,
        _(
            "Unapproved fat-dissolving injection: the FDA warns of scars, infections and "
            "deformities."
        ),
        _(
            "This injection is not approved and has caused serious problems, so the clinic does "
            "not use it. The clinician can tell you about approved options."
        ),
        "FDA: warning on unapproved fat-dissolving injections",
    ),
    Rule(
        "MESO-CELLULITE",
        "not_recommended",
        REVIEW,
        MESOTHERAPY,
        mesotherapy_for_cellulite,
        _(
            "Mesotherapy for cellulite: not recommended by dermatology societies; weak evidence, "
            "infection outbreaks."
        ),
        _(
            "Dermatologists do not recommend mesotherapy for cellulite, because it has little "
            "evidence and known risks. The clinician will discuss this with you."
        ),
        "American Academy of Dermatology: cellulite treatments",
    ),
    Rule(
        "INTERVAL",
        "treatment_interval",
        BLOCK,
        ALL,
        too_soon,
        _("Last session of this product in this area is more recent than its minimum interval."),
        _(
            "Sessions of this treatment need time apart. The clinician will suggest a date when "
            "the next one is possible."
        ),
        f"{KYBELLA_PI} (at least 1 month apart); series spaced weeks apart",
    ),
    Rule(
        "SESSION-LIMIT",
        "session_limit",
        BLOCK,
        SESSION_LIMITED,
        too_many_sessions,
        _("The product's maximum number of sessions has been reached."),
        _(
            "You have had the most sessions this treatment allows. The clinician will talk with "
            "you about other options."
        ),
        f"{KYBELLA_PI}: up to 6 treatment sessions",
    ),
    Rule(
        "RECENT-ILLNESS",
        "recent_illness",
        INFO,
        HA_INJECTABLES,
        recent_illness,
        _(
            "Illness, vaccination or dental work in the last 2 weeks: delayed-onset inflammation "
            "has been reported."
        ),
        _(
            "Because you were recently ill, vaccinated or at the dentist, the clinician may "
            "suggest waiting a little."
        ),
        "FDA safety communication on delayed-onset inflammation with HA fillers",
    ),
    # Free text the engine could not place is never ignored (SCREENING.md): a clinician
    # reads it. The contract's topics are fixed, so an unplaced allergy is filed under
    # ingredient_allergy and an unplaced medicine under anticoagulant, the risks they may hide.
    Rule(
        "ALLERGY-TEXT-UNPLACED",
        "ingredient_allergy",
        REVIEW,
        ALL,
        unplaced_allergy_words,
        _("Words in the allergies answer that screening could not place: read them."),
        _("The clinician will read what you wrote about your allergies."),
        "SCREENING.md: when unsure, raise a review flag quoting the words",
    ),
    Rule(
        "ALLERGY-TEXT-NEGATED",
        "ingredient_allergy",
        REVIEW,
        ALL,
        negated_allergy,
        _(
            "A substance named with a negation in the allergies answer (e.g. 'not allergic to "
            "...'): confirm."
        ),
        _("The clinician will check with you what you wrote about an allergy."),
        "SCREENING.md: never silently ignore text",
    ),
    Rule(
        "MEDS-TEXT-UNPLACED",
        "anticoagulant",
        REVIEW,
        ALL,
        unplaced_medicine_words,
        _(
            "Words in the medicines answer that screening could not place: read them (a "
            "blood thinner could hide there)."
        ),
        _("The clinician will read what you wrote about your medicines."),
        "SCREENING.md: when unsure, raise a review flag quoting the words",
    ),
    Rule(
        "MEDS-TEXT-NEGATED",
        "anticoagulant",
        REVIEW,
        ALL,
        negated_medicine,
        _(
            "A medicine named with a negation (e.g. 'stopped warfarin'): confirm when it was "
            "last taken."
        ),
        _("The clinician will check with you what you wrote about a medicine."),
        "SCREENING.md: never silently ignore text",
    ),
)
RULES_BY_CODE = {rule.code: rule for rule in RULES}
