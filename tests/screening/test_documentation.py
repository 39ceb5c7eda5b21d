from pathlib import Path

from consultations.screening.engine.documentation import rules_markdown
from consultations.screening.engine.rules import RULES

DOC = Path(__file__).resolve().parents[2] / "docs" / "screening.md"


def test_docs_screening_md_is_generated_from_the_current_rules():
    assert DOC.read_text() == rules_markdown(), (
        "docs/screening.md is out of date: python manage.py screening_rules > docs/screening.md"
    )


def test_every_rule_names_its_source_and_both_messages():
    for rule in RULES:
        assert rule.source.strip()
        assert rule.message.strip()
        assert rule.patient_message.strip()
