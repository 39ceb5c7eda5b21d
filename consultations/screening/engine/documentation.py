"""docs/screening.md, generated from the rule declarations so that it cannot drift from them."""

from consultations.screening.engine.rules import RULES
from consultations.screening.engine.screen import ruleset_version

HEADER = """\
# Screening rules

Generated from `consultations/screening/engine/rules.py` by
`python manage.py screening_rules > docs/screening.md`; a test fails when this file
and the declarations disagree. The clinical policy itself is `../shared/docs/SCREENING.md`.

Ruleset version: `{version}` (the edition, then a hash of the engine's code and lexicon:
any change to a rule or a lexicon entry changes it, and every stored screening records it).

Severities: **block** — cannot be cleared without a clinician's written override;
**review** — a clinician must weigh it; **info** — the patient is told. A request's
outcome is its most severe flag; the screening's outcome is the worst request.

| code | topic | severity | products | for the clinician | for the patient | source |
|---|---|---|---|---|---|---|
"""


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def rules_markdown() -> str:
    rows = [
        "| "
        + " | ".join(
            [
                f"`{rule.code}`",
                f"`{rule.topic}`",
                rule.severity.label,
                _cell(rule.products.description),
                _cell(rule.message),
                _cell(rule.patient_message),
                _cell(rule.source),
            ]
        )
        + " |"
        for rule in RULES
    ]
    return HEADER.format(version=ruleset_version()) + "\n".join(rows) + "\n"
