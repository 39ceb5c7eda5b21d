"""What changed between two versions of a patient's answers, in plain words.

Pure functions: they compare two screening inputs (the contract JSON each
version produced, SCREENING.md) and a few answers the contract does not carry,
and return (label, before, after) triples for the clinician. Both versions are
immutable, so the comparison is stable: it says what the patient changed, not
what the screening made of it. The planned treatment date is left out: it is
the day of submission, not an answer.
"""

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consultations.intake.choices import (
    CONTRACT_CONDITIONS,
    AllergyReaction,
    Condition,
    Pregnancy,
    SexAtBirth,
    SkinFinding,
)


class Change(NamedTuple):
    label: str
    before: str
    after: str


NOTHING = gettext_lazy("nothing")
CONTRACT_CONDITION_WORDS = {
    **dict(Condition.choices),
    "bacterial_protein_allergy": gettext_lazy("Allergy to gram-positive bacterial proteins"),
}


def _yes_no(value: Any) -> str:
    if value is None:
        return "—"
    return _("Yes") if value else _("No")


def _text(value: Any) -> str:
    return str(value).strip() if value not in (None, "") else str(NOTHING)


def _listed(words: list[str]) -> str:
    return ", ".join(words) if words else str(NOTHING)


def _label_of(choices: Mapping[str, Any]) -> Callable[[str], str]:
    return lambda code: str(choices.get(code, code))


def _diff(label: str, before: str, after: str, into: list[Change]) -> None:
    if before != after:
        into.append(Change(str(label), before, after))


def input_changes(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    *,
    products: Mapping[str, str] | None = None,
    areas: Mapping[str, str] | None = None,
) -> list[Change]:
    """The differences between two screening inputs, in the intake's order.

    `products` and `areas` map codes to names (codes are shown when a name is missing).
    """
    product = _label_of(products or {})
    area = _label_of(areas or {})
    condition = _label_of(CONTRACT_CONDITION_WORDS)
    finding = _label_of(dict(SkinFinding.choices))
    changes: list[Change] = []

    def requests(data: Mapping[str, Any]) -> str:
        return _listed(
            sorted(f"{product(r['product'])} — {area(r['area'])}" for r in data.get("requests", []))
        )

    def skin(data: Mapping[str, Any]) -> str:
        found = data.get("skin_at_site") or {}
        return (
            _listed(
                [
                    f"{area(code)}: {', '.join(finding(f) for f in found[code])}"
                    for code in sorted(found)
                    if found[code]
                ]
            )
            if found
            else _("clear")
        )

    def sessions(data: Mapping[str, Any]) -> str:
        return _listed(
            sorted(
                f"{product(s['product'])} — {area(s['area'])} — {s['date']}"
                for s in data.get("previous_sessions", [])
            )
        )

    _diff(_("Treatments asked for"), requests(before), requests(after), changes)
    _diff(
        _("Date of birth"),
        _text(before.get("date_of_birth")),
        _text(after.get("date_of_birth")),
        changes,
    )
    _diff(_("Allergies"), _text(before.get("allergies")), _text(after.get("allergies")), changes)
    _diff(
        _("Anaphylaxis ever"),
        _yes_no(before.get("anaphylaxis_history")),
        _yes_no(after.get("anaphylaxis_history")),
        changes,
    )
    _diff(
        _("More than one severe allergy"),
        _yes_no(before.get("multiple_severe_allergies")),
        _yes_no(after.get("multiple_severe_allergies")),
        changes,
    )
    _diff(
        _("Medicines and supplements"),
        _text(before.get("medications")),
        _text(after.get("medications")),
        changes,
    )
    _diff(
        _("Isotretinoin last taken"),
        _text(before.get("isotretinoin_last_taken")),
        _text(after.get("isotretinoin_last_taken")),
        changes,
    )
    _diff(
        _("Illness, vaccination or dental work in the last 2 weeks"),
        _yes_no(before.get("recent_illness_or_vaccination")),
        _yes_no(after.get("recent_illness_or_vaccination")),
        changes,
    )
    _diff(
        _("Health conditions"),
        _listed(sorted(condition(c) for c in before.get("conditions", []))),
        _listed(sorted(condition(c) for c in after.get("conditions", []))),
        changes,
    )
    pregnancy = _label_of(dict(Pregnancy.choices))
    _diff(
        _("Pregnancy"),
        pregnancy(before.get("pregnancy") or "—"),
        pregnancy(after.get("pregnancy") or "—"),
        changes,
    )
    _diff(_("Skin at the treatment areas"), skin(before), skin(after), changes)
    _diff(_("Previous treatments"), sessions(before), sessions(after), changes)
    return changes


# Answers the screening contract does not carry, compared as the patient gave them.
EXTRA_ANSWERS: tuple[tuple[str, Any, Mapping[str, Any] | None], ...] = (
    ("sex_at_birth", gettext_lazy("Sex at birth"), dict(SexAtBirth.choices)),
    ("allergy_reaction", gettext_lazy("Worst allergic reaction"), dict(AllergyReaction.choices)),
    ("conditions_other", gettext_lazy("Other health conditions"), None),
    ("recent_illness_details", gettext_lazy("Recent illness, details"), None),
)


def answer_changes(before: Any, after: Any) -> list[Change]:
    """The differences in answers the screening input leaves out (two intake versions).

    Reads plain fields only, so it makes no database query.
    """
    changes: list[Change] = []
    for name, label, choices in EXTRA_ANSWERS:
        old, new = getattr(before, name, "") or "", getattr(after, name, "") or ""
        if choices is not None:
            old, new = str(choices.get(old, old)), str(choices.get(new, new))
        _diff(str(label), _text(old), _text(new), changes)
    old_conditions = set(getattr(before, "conditions", None) or [])
    new_conditions = set(getattr(after, "conditions", None) or [])
    # The contract carries only the conditions screening reads; the others (e.g. diabetes)
    # are answers the clinician still wants to see change.
    words = _label_of(dict(Condition.choices))
    _diff(
        _("Conditions screening does not read"),
        _listed(sorted(words(c) for c in old_conditions - CONTRACT_CONDITIONS)),
        _listed(sorted(words(c) for c in new_conditions - CONTRACT_CONDITIONS)),
        changes,
    )
    return changes
