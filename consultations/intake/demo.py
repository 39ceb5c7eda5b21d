"""Synthetic patients with one submitted intake each, for demos and benchmarks.

Each synthetic patient is a pure function of the seed and their number
(`synthetic_patient`), so the same seed always gives the same people, and a
second run, which continues the numbering, adds new people rather than
copies. Roughly 60 % answer nothing that concerns the screening; the others
carry one or two of the risks the screening exists for (SCREENING.md): a
lidocaine or other allergy, a blood thinner, pregnancy, a condition, a skin
problem at the site, recent isotretinoin, a recent illness or vaccination, or
a session too soon after the last one.

`demo_patients_create` writes them in batches, one transaction per batch, with
a fixed number of bulk queries per batch whatever its size. In PostgreSQL,
triggers refuse answer rows for an intake that is already submitted, so each
intake is inserted as a draft, its answers are added, and one UPDATE per batch
submits them all (a draft becoming a submission is the one change the
triggers allow).
"""

import datetime as dt
import random
import re
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Length
from django.utils import timezone

from consultations.catalog.models import Area, Product, Treatment
from consultations.intake.choices import (
    AllergyReaction,
    CommonAllergy,
    Condition,
    Isotretinoin,
    Pregnancy,
    SexAtBirth,
    SkinFinding,
)
from consultations.intake.models import (
    ConsentSignature,
    ConsentText,
    Intake,
    PreviousTreatment,
    SkinCheck,
    TreatmentRequest,
)
from consultations.patients.models import Patient, Role, User

EMAIL_PREFIX = "demo-patient-"
EMAIL_DOMAIN = "example.com"
EMAIL_PATTERN = re.compile(rf"^{EMAIL_PREFIX}(\d+)@{re.escape(EMAIL_DOMAIN)}$")
CONSENT_LANGUAGE = "en"
SUBMITTED_WITHIN_DAYS = 60
CLEAN_SHARE = 0.6


def demo_patient_email(number: int) -> str:
    return f"{EMAIL_PREFIX}{number:06d}@{EMAIL_DOMAIN}"


# --- What patients ask for -------------------------------------------------------------


@dataclass(frozen=True)
class RequestTemplate:
    """A request patients really make; `product` is None when they name only the treatment."""

    treatment: str
    product: str | None
    area: str
    goals: tuple[str, ...]
    weight: int


REQUEST_TEMPLATES: tuple[RequestTemplate, ...] = (
    RequestTemplate("skin_booster", "skinvive", "cheeks", ("hydration", "texture"), 14),
    RequestTemplate("mesotherapy", "meso-vitamin", "face", ("hydration", "pigmentation"), 12),
    RequestTemplate("mesotherapy", "meso-vitamin", "face", ("pores", "texture"), 4),
    RequestTemplate("mesotherapy", "meso-vitamin", "neck", ("fine_lines", "texture"), 4),
    RequestTemplate("mesotherapy", "meso-vitamin", "decolletage", ("fine_lines",), 2),
    RequestTemplate("mesotherapy", "meso-vitamin", "hands", ("hydration", "pigmentation"), 2),
    RequestTemplate("mesotherapy", "meso-vitamin", "scalp", ("hair",), 3),
    RequestTemplate("mesotherapy", "meso-procaine", "face", ("hydration", "fine_lines"), 4),
    RequestTemplate("mesotherapy", "meso-procaine", "scalp", ("hair",), 2),
    RequestTemplate("mesotherapy", "meso-body", "thighs", ("cellulite",), 5),
    RequestTemplate("mesotherapy", "meso-body", "buttocks", ("cellulite",), 2),
    RequestTemplate("mesotherapy", "meso-body", "abdomen", ("fat_reduction",), 3),
    RequestTemplate("mesotherapy", "meso-body", "arms", ("fat_reduction",), 1),
    RequestTemplate("dermal_filler", "juvederm-volbella-xc", "lips", ("volume",), 10),
    RequestTemplate("dermal_filler", "juvederm-volbella-xc", "perioral", ("fine_lines",), 4),
    RequestTemplate("dermal_filler", "juvederm-voluma-xc", "cheeks", ("volume",), 6),
    RequestTemplate("dermal_filler", "juvederm-voluma-xc", "chin", ("volume",), 3),
    RequestTemplate("dermal_filler", "juvederm-voluma-xc", "jawline", ("volume",), 3),
    RequestTemplate("dermal_filler", "restylane-kysse", "lips", ("volume",), 6),
    RequestTemplate("fat_dissolving", "kybella", "submental", ("fat_reduction",), 8),
    # Requests the screening must question: off-label, unapproved.
    RequestTemplate("skin_booster", "skinvive", "neck", ("hydration",), 1),
    RequestTemplate("fat_dissolving", "lipo-dissolve", "abdomen", ("fat_reduction",), 1),
    # The patient knows the treatment, not the product.
    RequestTemplate("mesotherapy", None, "face", ("hydration", "texture", "pigmentation"), 5),
    RequestTemplate("skin_booster", None, "cheeks", ("hydration", "fine_lines"), 3),
    RequestTemplate("dermal_filler", None, "lips", ("volume",), 4),
    RequestTemplate("fat_dissolving", None, "submental", ("fat_reduction",), 2),
    RequestTemplate("mesotherapy", None, "thighs", ("cellulite",), 1),
)
_TEMPLATE_WEIGHTS = [t.weight for t in REQUEST_TEMPLATES]

# Products whose sessions a patient is likely to have had before, and how far apart.
_SESSION_SPACING_DAYS = {"kybella": 42}
_OTHER_PREVIOUS_TREATMENTS = (
    "Botulinum toxin",
    "Laser toning",
    "Chemical peel",
    "Microneedling",
    "Filler at another clinic, brand unknown",
    "Mesotherapy at a spa, product unknown",
)


# --- Who the patients are --------------------------------------------------------------

_VI_FAMILY = (
    ("Nguyễn", 38),
    ("Trần", 11),
    ("Lê", 10),
    ("Phạm", 7),
    ("Hoàng", 5),
    ("Huỳnh", 5),
    ("Phan", 4),
    ("Vũ", 4),
    ("Võ", 4),
    ("Đặng", 2),
    ("Bùi", 2),
    ("Đỗ", 1),
    ("Hồ", 1),
    ("Ngô", 1),
    ("Dương", 1),
    ("Lý", 1),
)
_VI_MIDDLE = {
    SexAtBirth.FEMALE: ("Thị", "Thị", "Ngọc", "Thu", "Thanh", "Bảo", "Minh"),
    SexAtBirth.MALE: ("Văn", "Văn", "Minh", "Đức", "Quốc", "Hoàng", "Gia"),
}
_VI_GIVEN = {
    SexAtBirth.FEMALE: (
        "Mai", "Lan", "Hương", "Linh", "Trang", "Thảo", "Ngọc", "Hà", "Anh", "Vy", "Nhung",
        "Phương", "Hạnh", "Yến", "Quỳnh", "My", "Giang", "Thu", "Hoa", "Diệp",
    ),
    SexAtBirth.MALE: (
        "Minh", "Huy", "Nam", "Tuấn", "Dũng", "Hùng", "Khoa", "Long", "Phúc", "Quang", "Sơn",
        "Bảo", "Đức", "Thắng", "Khang", "Trung",
    ),
}  # fmt: skip
_EN_GIVEN = {
    SexAtBirth.FEMALE: (
        "Emma", "Olivia", "Sophie", "Charlotte", "Grace", "Hannah", "Chloe", "Emily", "Lucy",
        "Amelia", "Jessica", "Sarah", "Laura", "Rachel", "Megan", "Zoe",
    ),
    SexAtBirth.MALE: (
        "James", "Oliver", "Thomas", "Daniel", "William", "Jack", "Samuel", "Michael", "David",
        "Matthew", "Ben", "Ryan",
    ),
}  # fmt: skip
_EN_FAMILY = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson",
    "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood",
    "Clarke", "Murphy",
)  # fmt: skip
_USER_AGENTS = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
)


# --- The risks, as patients write them -------------------------------------------------

# (common allergies, free text, worst reaction, anaphylaxis, several severe allergies), weight
_ALLERGIES: tuple[tuple[tuple[list[str], str, str, bool, bool], int], ...] = (
    (([CommonAllergy.LIDOCAINE], "", AllergyReaction.SEVERE, False, False), 5),
    (([CommonAllergy.LIDOCAINE], "", AllergyReaction.MILD, False, False), 3),
    (([], "xylocaine - throat swelling at the dentist", AllergyReaction.SEVERE, True, False), 3),
    (([], "lignocaine", AllergyReaction.UNKNOWN, False, False), 2),
    (([], "lidocane (numbing cream)", AllergyReaction.MILD, False, False), 1),
    (([CommonAllergy.PENICILLIN], "", AllergyReaction.MILD, False, False), 4),
    (([], "penicillin", AllergyReaction.MILD, False, False), 2),
    (([], "no known allergies", AllergyReaction.UNKNOWN, False, False), 2),
    (([CommonAllergy.PROCAINE], "Novocaine", AllergyReaction.MILD, False, False), 1),
    (([CommonAllergy.LATEX], "peanuts, shellfish", AllergyReaction.SEVERE, True, True), 2),
    (([CommonAllergy.NSAID], "", AllergyReaction.MILD, False, False), 1),
    (([], "sulfa drugs", AllergyReaction.MILD, False, False), 1),
)
BLOOD_THINNERS = (
    "Eliquis 5mg",
    "warfarin",
    "aspirin 81mg, fish oil",
    "Xarelto 20 mg once a day",
    "clopidogrel (Plavix) 75mg",
    "Coumadin",
)
_SUPPLEMENTS = ("fish oil", "vitamin E", "ibuprofen for headaches", "ginkgo biloba")
_EVERYDAY_MEDICINES = (
    "vitamin D 1000 IU",
    "levothyroxine 50 mcg",
    "oral contraceptive pill",
    "cetirizine when needed",
    "multivitamin",
)
_CONDITIONS: tuple[tuple[list[str], str], ...] = (
    ([Condition.BLEEDING_DISORDER], "von Willebrand disease"),
    ([Condition.BLEEDING_DISORDER], ""),
    ([Condition.RECURRENT_COLD_SORES], ""),
    ([Condition.RECURRENT_COLD_SORES], ""),
    ([Condition.KELOID_SCARRING], ""),
    ([Condition.AUTOIMMUNE], "lupus"),
    ([Condition.AUTOIMMUNE], "Hashimoto's thyroiditis"),
    ([Condition.IMMUNOSUPPRESSED], "methotrexate for psoriasis"),
    ([Condition.DIABETES], "type 2"),
    ([Condition.AUTOIMMUNE, Condition.KELOID_SCARRING], ""),
)
_PREGNANCY = (
    (Pregnancy.PREGNANT, 3),
    (Pregnancy.BREASTFEEDING, 3),
    (Pregnancy.TRYING, 2),
    (Pregnancy.UNSURE, 1),
)
_LIP_AREAS = frozenset({"lips", "perioral", "face"})
_RECENT_ILLNESS = (
    "flu vaccine last week",
    "dental filling 5 days ago",
    "a cold, better now",
    "COVID booster 10 days ago",
)
# risk, weight: how often each kind of risk appears among the patients who have one.
_RISKS = (
    ("allergy", 24),
    ("blood_thinner", 14),
    ("supplement", 6),
    ("pregnancy", 10),
    ("condition", 16),
    ("skin", 14),
    ("isotretinoin", 8),
    ("recent_illness", 5),
    ("too_soon", 4),
)


# --- One synthetic patient, as plain data ----------------------------------------------


@dataclass
class SyntheticPatient:
    number: int
    email: str
    full_name: str
    language: str
    joined_at: dt.datetime
    started_at: dt.datetime
    signed_at: dt.datetime
    submitted_at: dt.datetime
    ip_address: str
    user_agent: str
    answers: dict[str, Any]
    # (template, goal)
    requests: list[tuple[RequestTemplate, str]]
    # area code -> skin findings there
    skin: dict[str, list[str]]
    # (product code or None, description, area code, date)
    previous: list[tuple[str | None, str, str, dt.date]] = field(default_factory=list)


def _weighted(rng: random.Random, pairs: tuple[tuple[Any, int], ...]) -> Any:
    return rng.choices([v for v, _ in pairs], weights=[w for _, w in pairs])[0]


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def _date_of_birth(rng: random.Random, today: dt.date) -> dt.date:
    """A birth date making the patient 18 to 75 today, most of them in their thirties."""
    age = min(75, int(rng.triangular(18, 76, 33)))
    latest = _years_before(today, age)
    earliest = _years_before(today, age + 1) + dt.timedelta(days=1)
    return earliest + dt.timedelta(days=rng.randint(0, (latest - earliest).days))


def _name(rng: random.Random, sex: str) -> tuple[str, str]:
    """A full name and the language the patient would choose."""
    gendered = (
        sex
        if sex in (SexAtBirth.FEMALE, SexAtBirth.MALE)
        else rng.choice((SexAtBirth.FEMALE, SexAtBirth.MALE))
    )
    roll = rng.random()
    if roll < 0.6:
        family = _weighted(rng, _VI_FAMILY)
        middle = rng.choice(_VI_MIDDLE[gendered])
        given = rng.choice(_VI_GIVEN[gendered])
        return f"{family} {middle} {given}", "vi" if rng.random() < 0.7 else "en"
    if roll < 0.7:  # Vietnamese family, English given name, as many in the diaspora
        family = _weighted(rng, _VI_FAMILY)
        return f"{rng.choice(_EN_GIVEN[gendered])} {family}", "en"
    return f"{rng.choice(_EN_GIVEN[gendered])} {rng.choice(_EN_FAMILY)}", "en"


def _phone(rng: random.Random, language: str) -> str:
    """A Vietnamese mobile number in E.164, as the intake keeps it (real operator prefixes)."""
    if rng.random() < 0.1:
        return ""
    prefix = rng.choice(("90", "91", "93", "94", "96", "97", "98", "86", "88", "89"))
    return f"+84{prefix}{rng.randint(1_000_000, 9_999_999)}"


def _requests(rng: random.Random) -> list[tuple[RequestTemplate, str]]:
    wanted = rng.choices((1, 2, 3), weights=(55, 35, 10))[0]
    chosen: list[tuple[RequestTemplate, str]] = []
    seen: set[tuple[str, str]] = set()
    while len(chosen) < wanted:
        template = rng.choices(REQUEST_TEMPLATES, weights=_TEMPLATE_WEIGHTS)[0]
        # The intake's unique constraints: one request per product (or treatment) and area.
        key = (template.product or f"treatment:{template.treatment}", template.area)
        if key in seen:
            continue
        seen.add(key)
        chosen.append((template, rng.choice(template.goals)))
    return chosen


def _skin_finding(rng: random.Random, area: str) -> list[str]:
    options: list[tuple[str, int]] = [
        (SkinFinding.ACTIVE_INFECTION, 3),
        (SkinFinding.INFLAMED_ACNE, 4 if area not in ("lips", "hands", "scalp") else 0),
        (SkinFinding.ACTIVE_COLD_SORE, 6 if area in _LIP_AREAS else 0),
        (SkinFinding.RASH, 2),
        (SkinFinding.OPEN_WOUND, 1),
        (SkinFinding.HIVES, 1),
    ]
    first = _weighted(rng, tuple((c, w) for c, w in options if w))
    if first == SkinFinding.INFLAMED_ACNE and rng.random() < 0.2:
        return [first, SkinFinding.RASH]
    return [first]


def synthetic_patient(*, seed: int, number: int, now: dt.datetime) -> SyntheticPatient:
    """Patient `number` of the synthetic population `seed`, submitting within 60 days of `now`."""
    # A generator of our own per patient: not for secrets, only for repeatable demo data.
    rng = random.Random(f"{seed}:{number}")  # noqa: S311
    submitted_at = now - dt.timedelta(seconds=rng.uniform(60, SUBMITTED_WITHIN_DAYS * 86_400))
    started_at = submitted_at - dt.timedelta(seconds=rng.uniform(180, 2 * 86_400))
    signed_at = submitted_at - dt.timedelta(seconds=rng.uniform(15, 170))
    joined_at = started_at - dt.timedelta(seconds=rng.uniform(5, 120))
    submitted_on = timezone.localdate(submitted_at)

    sex = _weighted(
        rng,
        (
            (SexAtBirth.FEMALE, 70),
            (SexAtBirth.MALE, 25),
            (SexAtBirth.UNDISCLOSED, 4),
            (SexAtBirth.INTERSEX, 1),
        ),
    )
    full_name, language = _name(rng, sex)
    requests = _requests(rng)
    areas = list(dict.fromkeys(t.area for t, _ in requests))
    answers: dict[str, Any] = {
        "date_of_birth": _date_of_birth(rng, submitted_on),
        "sex_at_birth": sex,
        "phone": _phone(rng, language),
        "has_allergies": False,
        "common_allergies": [],
        "allergies_other": "",
        "allergy_reaction": "",
        "anaphylaxis_history": False,
        "multiple_severe_allergies": None,
        "takes_medications": False,
        "medications": "",
        "isotretinoin": Isotretinoin.NEVER,
        "isotretinoin_last_taken": None,
        "recent_illness_or_vaccination": False,
        "recent_illness_details": "",
        "conditions": [],
        "conditions_other": "",
        "pregnancy": Pregnancy.NOT_APPLICABLE if sex == SexAtBirth.MALE else Pregnancy.NO,
        "had_previous_treatments": False,
    }
    skin: dict[str, list[str]] = {area: [] for area in areas}
    previous: list[tuple[str | None, str, str, dt.date]] = []

    if rng.random() < 0.2:
        answers["takes_medications"] = True
        answers["medications"] = rng.choice(_EVERYDAY_MEDICINES)

    risks: set[str] = set()
    if rng.random() >= CLEAN_SHARE:
        wanted = 1 if rng.random() < 0.75 else 2
        while len(risks) < wanted:
            risk = _weighted(rng, _RISKS)
            if risk == "pregnancy" and sex != SexAtBirth.FEMALE:
                continue
            if risk == "too_soon" and not any(t.product for t, _ in requests):
                continue
            risks.add(risk)

    if "allergy" in risks:
        common, other, reaction, anaphylaxis, several = _weighted(rng, _ALLERGIES)
        answers.update(
            has_allergies=True,
            common_allergies=list(common),
            allergies_other=other,
            allergy_reaction=reaction,
            anaphylaxis_history=anaphylaxis,
            multiple_severe_allergies=several,
        )
    if "blood_thinner" in risks or "supplement" in risks:
        taken = [rng.choice(BLOOD_THINNERS)] if "blood_thinner" in risks else []
        if "supplement" in risks:
            taken.append(rng.choice(_SUPPLEMENTS))
        if answers["medications"]:
            taken.append(answers["medications"])
        answers.update(takes_medications=True, medications=", ".join(taken))
    if "pregnancy" in risks:
        answers["pregnancy"] = _weighted(rng, _PREGNANCY)
    if "condition" in risks:
        conditions, other = rng.choice(_CONDITIONS)
        answers.update(conditions=list(conditions), conditions_other=other)
    if "skin" in risks:
        area = rng.choice(areas)
        skin[area] = _skin_finding(rng, area)
    if "isotretinoin" in risks:
        if rng.random() < 0.25:
            answers["isotretinoin"] = Isotretinoin.CURRENT
        else:
            answers["isotretinoin"] = Isotretinoin.RECENT
            answers["isotretinoin_last_taken"] = submitted_on - dt.timedelta(
                days=rng.randint(10, 175)
            )
    if "recent_illness" in risks:
        answers.update(
            recent_illness_or_vaccination=True, recent_illness_details=rng.choice(_RECENT_ILLNESS)
        )

    # Earlier sessions in a requested area: mostly long enough ago, sometimes too soon.
    product_requests = [t for t, _ in requests if t.product]
    if "too_soon" in risks:
        template = rng.choice(product_requests)
        days_ago = rng.randint(5, 13)
        previous.append(
            (template.product, "", template.area, submitted_on - dt.timedelta(days_ago))
        )
    elif rng.random() < 0.25:
        if product_requests and rng.random() < 0.6:
            template = rng.choice(product_requests)
            sessions = rng.randint(1, 3) if template.product in _SESSION_SPACING_DAYS else 1
            spacing = _SESSION_SPACING_DAYS.get(template.product or "", 0)
            last = submitted_on - dt.timedelta(days=rng.randint(45, 270))
            for session in range(sessions):
                day = last - dt.timedelta(days=spacing * session)
                previous.append((template.product, "", template.area, day))
        else:
            day = submitted_on - dt.timedelta(days=rng.randint(30, 360))
            previous.append((None, rng.choice(_OTHER_PREVIOUS_TREATMENTS), rng.choice(areas), day))
    answers["had_previous_treatments"] = bool(previous)

    return SyntheticPatient(
        number=number,
        email=demo_patient_email(number),
        full_name=full_name,
        language=language,
        joined_at=joined_at,
        started_at=started_at,
        signed_at=signed_at,
        submitted_at=submitted_at,
        ip_address=f"203.0.113.{rng.randint(1, 254)}",  # a documentation range, never real
        user_agent=rng.choice(_USER_AGENTS),
        answers=answers,
        requests=requests,
        skin=skin,
        previous=previous,
    )


# --- Writing them ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Lookups:
    """Everything the rows point at, loaded once for the whole run."""

    treatments: dict[str, Treatment]
    products: dict[str, Product]
    areas: dict[str, Area]
    consent_text: ConsentText
    patient_group: Group

    @classmethod
    def load(cls) -> "_Lookups":
        needed_products = {t.product for t in REQUEST_TEMPLATES if t.product}
        needed_areas = {t.area for t in REQUEST_TEMPLATES}
        products = {p.code: p for p in Product.objects.filter(code__in=needed_products)}
        areas = {a.code: a for a in Area.objects.filter(code__in=needed_areas)}
        treatments = {t.code: t for t in Treatment.objects.all()}
        missing = (
            (needed_products - products.keys())
            | (needed_areas - areas.keys())
            | ({t.treatment for t in REQUEST_TEMPLATES} - treatments.keys())
        )
        if missing:
            raise ImproperlyConfigured(
                f"The seeded catalog is incomplete (missing {', '.join(sorted(missing))}); "
                "run the migrations."
            )
        consent_text = (
            ConsentText.objects.filter(language=CONSENT_LANGUAGE).order_by("-published_at").first()
        )
        if consent_text is None:
            raise ImproperlyConfigured("No English consent text is published; run the migrations.")
        try:
            group = Group.objects.get(name=Role.PATIENT)
        except Group.DoesNotExist as exc:
            raise ImproperlyConfigured("The role groups do not exist; run the migrations.") from exc
        return cls(treatments, products, areas, consent_text, group)


def next_demo_patient_number() -> int:
    """One past the highest demo patient number in use, so a new run never collides."""
    # Longest address first: a zero-padded number sorts as text until it outgrows its padding.
    last = (
        User.objects.filter(email__regex=EMAIL_PATTERN.pattern)
        .order_by(Length("email").desc(), "-email")
        .values_list("email", flat=True)
        .first()
    )
    match = EMAIL_PATTERN.match(last) if last else None
    return int(match.group(1)) + 1 if match else 1


def _write_batch(people: list[SyntheticPatient], lookups: _Lookups, *, submit: bool = True) -> None:
    """Insert one batch: logins, patients, signatures, draft intakes, answers, then submit.

    With `submit=False` the intakes stay complete, signed drafts, ready to be sent.
    """
    with transaction.atomic():
        users = User.objects.bulk_create(
            User(
                email=p.email,
                full_name=p.full_name,
                preferred_language=p.language,
                # Synthetic patients never log in: an unusable password, as make_password(None)
                # makes, but from one urandom call instead of forty choices.
                password=UNUSABLE_PASSWORD_PREFIX + secrets.token_hex(20),
                date_joined=p.joined_at,
            )
            for p in people
        )
        Membership = User.groups.through
        Membership.objects.bulk_create(
            Membership(user_id=user.pk, group_id=lookups.patient_group.pk) for user in users
        )
        patients = Patient.objects.bulk_create(
            Patient(user=user, full_name=p.full_name, created_at=p.joined_at)
            for user, p in zip(users, people, strict=True)
        )
        consent = lookups.consent_text
        signatures = ConsentSignature.objects.bulk_create(
            ConsentSignature(
                consent_text=consent,
                text_sha256=consent.sha256,
                full_name=p.full_name,
                signed_at=p.signed_at,
                ip_address=p.ip_address,
                user_agent=p.user_agent,
            )
            for p in people
        )
        intakes = Intake.objects.bulk_create(
            Intake(
                patient=patient,
                version=1,
                status=Intake.Status.DRAFT,
                consent_signature=signature,
                created_at=p.started_at,
                # The submission is the draft's last change; the UPDATE below copies this time.
                updated_at=p.submitted_at,
                **p.answers,
            )
            for patient, signature, p in zip(patients, signatures, people, strict=True)
        )
        TreatmentRequest.objects.bulk_create(_request_rows(intakes, people, lookups))
        SkinCheck.objects.bulk_create(
            SkinCheck(intake=intake, area=lookups.areas[area], findings=findings)
            for intake, p in zip(intakes, people, strict=True)
            for area, findings in p.skin.items()
        )
        PreviousTreatment.objects.bulk_create(
            PreviousTreatment(
                intake=intake,
                product=lookups.products[product] if product else None,
                description=description,
                area=lookups.areas[area],
                treated_on=treated_on,
                position=position,
            )
            for intake, p in zip(intakes, people, strict=True)
            for position, (product, description, area, treated_on) in enumerate(p.previous)
        )
        if submit:
            Intake.objects.filter(pk__in=[intake.pk for intake in intakes]).update(
                status=Intake.Status.SUBMITTED, submitted_at=F("updated_at")
            )


def _request_rows(
    intakes: list[Intake], people: list[SyntheticPatient], lookups: _Lookups
) -> Iterator[TreatmentRequest]:
    for intake, p in zip(intakes, people, strict=True):
        for position, (template, goal) in enumerate(p.requests):
            yield TreatmentRequest(
                intake=intake,
                treatment=lookups.treatments[template.treatment],
                product=lookups.products[template.product] if template.product else None,
                area=lookups.areas[template.area],
                goal=goal,
                position=position,
            )


def demo_patients_create(
    *,
    count: int,
    seed: int,
    batch_size: int = 2_000,
    progress: Callable[[int, int, float], None] | None = None,
    submit: bool = True,
    adjust: Callable[[SyntheticPatient], SyntheticPatient] | None = None,
    first: int | None = None,
) -> range:
    """Create `count` synthetic patients with a submitted intake each; return their numbers.

    `progress(done, count, seconds)` is called after every batch. The benchmark leaves the
    intakes as signed drafts (`submit=False`) or shapes the patients (`adjust`). `first` is
    the first number to use (for parallel writers, each given its own range); by default one
    past the highest in use.
    """
    if count < 0 or batch_size < 1:
        raise ValueError("count must be 0 or more and batch_size at least 1.")
    lookups = _Lookups.load()
    if first is None:
        first = next_demo_patient_number()
    numbers = range(first, first + count)
    now = timezone.now()
    started = time.monotonic()
    for start in range(0, count, batch_size):
        batch = numbers[start : start + batch_size]
        people = [synthetic_patient(seed=seed, number=n, now=now) for n in batch]
        _write_batch([adjust(p) for p in people] if adjust else people, lookups, submit=submit)
        if progress:
            progress(start + len(batch), count, time.monotonic() - started)
    return numbers
