"""The intake's steps: what each asks, when it applies, and when it is complete.

Completeness is derived from the answers themselves, never stored beside them,
so it cannot drift. A step's snapshot (its saved answers as plain data) gives
the fingerprint that detects two tabs or devices editing the same step.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from consultations.intake.choices import Isotretinoin, SexAtBirth
from consultations.intake.models import Intake


def _always(intake: Intake) -> bool:
    return True


@dataclass(frozen=True)
class Step:
    code: str
    title: Promise
    fields: tuple[str, ...] = ()
    applies: Callable[[Intake], bool] = _always
    complete: Callable[[Intake], bool] = field(default=_always)


def _about_complete(i: Intake) -> bool:
    return bool(i.date_of_birth and i.sex_at_birth)


def _allergies_complete(i: Intake) -> bool:
    if i.has_allergies is None or i.anaphylaxis_history is None:
        return False
    if not i.has_allergies:
        return True
    named = bool(i.common_allergies or i.allergies_other.strip())
    return named and bool(i.allergy_reaction) and i.multiple_severe_allergies is not None


def _medicines_complete(i: Intake) -> bool:
    if i.takes_medications is None or i.recent_illness_or_vaccination is None:
        return False
    if i.takes_medications and not i.medications.strip():
        return False
    if not i.isotretinoin:
        return False
    return i.isotretinoin != Isotretinoin.RECENT or i.isotretinoin_last_taken is not None


def _requested_area_ids(i: Intake) -> set[int]:
    return {r.area_id for r in i.requests.all()}


def _skin_complete(i: Intake) -> bool:
    areas = _requested_area_ids(i)
    return bool(areas) and areas == {c.area_id for c in i.skin_checks.all()}


def _history_complete(i: Intake) -> bool:
    if i.had_previous_treatments is None:
        return False
    return not i.had_previous_treatments or bool(i.previous_treatments.all())


STEPS: tuple[Step, ...] = (
    Step("treatments", _("What you would like"), complete=lambda i: bool(i.requests.all())),
    Step(
        "about",
        _("About you"),
        ("date_of_birth", "sex_at_birth", "phone"),
        complete=_about_complete,
    ),
    Step(
        "allergies",
        _("Allergies"),
        (
            "has_allergies",
            "common_allergies",
            "allergies_other",
            "allergy_reaction",
            "anaphylaxis_history",
            "multiple_severe_allergies",
        ),
        complete=_allergies_complete,
    ),
    Step(
        "medicines",
        _("Medicines"),
        (
            "takes_medications",
            "medications",
            "isotretinoin",
            "isotretinoin_last_taken",
            "recent_illness_or_vaccination",
            "recent_illness_details",
        ),
        complete=_medicines_complete,
    ),
    Step(
        "conditions",
        _("Health conditions"),
        ("conditions", "conditions_other"),
        complete=lambda i: i.conditions is not None,
    ),
    Step(
        "pregnancy",
        _("Pregnancy"),
        ("pregnancy",),
        applies=lambda i: i.sex_at_birth != SexAtBirth.MALE,
        complete=lambda i: bool(i.pregnancy),
    ),
    Step("skin", _("Your skin today"), complete=_skin_complete),
    Step(
        "history",
        _("Previous treatments"),
        ("had_previous_treatments",),
        complete=_history_complete,
    ),
    Step("consent", _("Consent"), complete=lambda i: i.consent_signature_id is not None),
    Step("review", _("Check and submit"), complete=lambda i: i.is_submitted),
)
STEPS_BY_CODE: dict[str, Step] = {s.code: s for s in STEPS}
ANSWER_STEPS = tuple(s for s in STEPS if s.code not in {"consent", "review"})


def applicable_steps(intake: Intake) -> list[Step]:
    return [s for s in STEPS if s.applies(intake)]


def missing_steps(intake: Intake) -> list[Step]:
    """Steps the patient still has to answer before consent and submission."""
    return [s for s in applicable_steps(intake) if s.code != "review" and not s.complete(intake)]


def next_step(intake: Intake, after: str) -> Step:
    """The first step after `after` in the wizard's order that applies to this intake."""
    order = [s.code for s in STEPS]
    later = STEPS[order.index(after) + 1 :]
    return next((s for s in later if s.applies(intake)), STEPS_BY_CODE["review"])


def previous_step(intake: Intake, before: str) -> Step | None:
    """The last step before `before` that applies, or None on the first step."""
    order = [s.code for s in STEPS]
    earlier = STEPS[: order.index(before)]
    return next((s for s in reversed(earlier) if s.applies(intake)), None)


def first_unfinished(intake: Intake) -> Step:
    missing = missing_steps(intake)
    return missing[0] if missing else STEPS_BY_CODE["review"]


def _plain(value: object) -> object:
    return value.isoformat() if hasattr(value, "isoformat") else value


def step_snapshot(intake: Intake, code: str) -> dict[str, object]:
    """The step's saved answers as plain data (for conflict detection and comparison)."""
    step = STEPS_BY_CODE[code]
    data: dict[str, object] = {name: _plain(getattr(intake, name)) for name in step.fields}
    if code == "treatments":
        data["requests"] = [
            [r.treatment_id, r.product_id, r.area_id, r.goal] for r in intake.requests.all()
        ]
    elif code == "skin":
        data["skin"] = sorted([c.area_id, sorted(c.findings)] for c in intake.skin_checks.all())
    elif code == "history":
        data["previous"] = [
            [p.product_id, p.description, p.area_id, p.treated_on.isoformat()]
            for p in intake.previous_treatments.all()
        ]
    elif code == "consent":
        data["signature"] = intake.consent_signature_id
    return data


def fingerprint(snapshot: dict[str, object]) -> str:
    encoded = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()[:32]
