"""Every rule of SCREENING.md, in both directions: it fires, and it does not.

Each row: the rule's code, the (product, area) asked for, the answers that
differ from a healthy adult, and whether the rule must fire. Treatment day
2026-12-01 throughout.
"""

import datetime as dt

import pytest

from consultations.screening.engine.rules import RULES
from consultations.screening.engine.screen import screen
from tests.screening.conftest import FACTS, patient

D = dt.date
FIRES, QUIET = True, False

CASES = [
    # age: on the treatment date, against the product's minimum age
    (
        "AGE-MIN",
        "skinvive",
        "cheeks",
        {"date_of_birth": D(2004, 12, 2)},
        FIRES,
    ),  # 21 until tomorrow
    ("AGE-MIN", "skinvive", "cheeks", {"date_of_birth": D(2004, 12, 1)}, QUIET),  # 22 today
    ("AGE-MIN", "kybella", "submental", {"date_of_birth": D(2008, 12, 2)}, FIRES),
    ("AGE-MIN", "kybella", "submental", {"date_of_birth": D(2008, 12, 1)}, QUIET),
    ("AGE-MIN", "meso-vitamin", "face", {"date_of_birth": D(2004, 12, 2)}, QUIET),  # 18+ only
    # pregnancy
    ("PREG-DEFER", "meso-vitamin", "face", {"pregnancy": "pregnant"}, FIRES),
    ("PREG-DEFER", "meso-vitamin", "face", {"pregnancy": "breastfeeding"}, QUIET),
    ("PREG-REVIEW", "skinvive", "cheeks", {"pregnancy": "breastfeeding"}, FIRES),
    ("PREG-REVIEW", "skinvive", "cheeks", {"pregnancy": "trying"}, FIRES),
    ("PREG-REVIEW", "skinvive", "cheeks", {"pregnancy": "unsure"}, FIRES),
    ("PREG-REVIEW", "skinvive", "cheeks", {"pregnancy": "pregnant"}, QUIET),
    ("PREG-REVIEW", "skinvive", "cheeks", {"pregnancy": "not_applicable"}, QUIET),
    # lidocaine and other amide anaesthetics
    ("LIDO-AMIDE-BLOCK", "skinvive", "cheeks", {"allergies": "lidocaine"}, FIRES),
    ("LIDO-AMIDE-BLOCK", "restylane-kysse", "lips", {"allergies": "Xylocaine"}, FIRES),
    ("LIDO-AMIDE-BLOCK", "juvederm-voluma-xc", "chin", {"allergies": "lignocaine"}, FIRES),
    ("LIDO-AMIDE-BLOCK", "skinvive", "cheeks", {"allergies": "lidocane"}, FIRES),
    ("LIDO-AMIDE-BLOCK", "skinvive", "cheeks", {"allergies": "EMLA cream"}, FIRES),
    ("LIDO-AMIDE-BLOCK", "skinvive", "cheeks", {"allergies": "amide anaesthetics"}, FIRES),
    ("LIDO-AMIDE-BLOCK", "skinvive", "cheeks", {"allergies": "penicillin"}, QUIET),
    ("LIDO-AMIDE-BLOCK", "meso-vitamin", "face", {"allergies": "lidocaine"}, QUIET),
    ("LIDO-AMIDE-REVIEW", "meso-vitamin", "face", {"allergies": "Xylocaine"}, FIRES),
    ("LIDO-AMIDE-REVIEW", "kybella", "submental", {"allergies": "articaine"}, FIRES),
    ("LIDO-AMIDE-REVIEW", "skinvive", "cheeks", {"allergies": "lidocaine"}, QUIET),
    # ester anaesthetics
    ("ANES-ESTER-BLOCK", "meso-procaine", "face", {"allergies": "Novocaine"}, FIRES),
    ("ANES-ESTER-BLOCK", "meso-body", "thighs", {"allergies": "benzocaine"}, FIRES),
    ("ANES-ESTER-BLOCK", "meso-vitamin", "face", {"allergies": "Novocaine"}, QUIET),
    ("ANES-ESTER-REVIEW", "skinvive", "cheeks", {"allergies": "tetracaine"}, FIRES),
    ("ANES-ESTER-REVIEW", "meso-vitamin", "face", {"allergies": "procaine"}, QUIET),
    ("ANES-ESTER-REVIEW", "meso-procaine", "face", {"allergies": "procaine"}, QUIET),
    # severe allergies
    ("ALLERGY-SEVERE-BLOCK", "skinvive", "cheeks", {"anaphylaxis_history": True}, FIRES),
    (
        "ALLERGY-SEVERE-BLOCK",
        "juvederm-volbella-xc",
        "lips",
        {"multiple_severe_allergies": True},
        FIRES,
    ),
    ("ALLERGY-SEVERE-BLOCK", "kybella", "submental", {"anaphylaxis_history": True}, QUIET),
    ("ALLERGY-SEVERE-REVIEW", "kybella", "submental", {"anaphylaxis_history": True}, FIRES),
    ("ALLERGY-SEVERE-REVIEW", "meso-vitamin", "face", {"multiple_severe_allergies": True}, FIRES),
    ("ALLERGY-SEVERE-REVIEW", "meso-vitamin", "face", {}, QUIET),
    # bacterial proteins
    (
        "BACT-PROTEIN-BLOCK",
        "skinvive",
        "cheeks",
        {"conditions": ["bacterial_protein_allergy"]},
        FIRES,
    ),
    (
        "BACT-PROTEIN-BLOCK",
        "restylane-kysse",
        "lips",
        {"conditions": ["bacterial_protein_allergy"]},
        FIRES,
    ),
    (
        "BACT-PROTEIN-BLOCK",
        "meso-vitamin",
        "face",
        {"conditions": ["bacterial_protein_allergy"]},
        QUIET,
    ),
    # ingredients
    ("INGREDIENT-ALLERGY", "kybella", "submental", {"allergies": "benzyl alcohol"}, FIRES),
    ("INGREDIENT-ALLERGY", "skinvive", "cheeks", {"allergies": "hyaluronic acid"}, FIRES),
    ("INGREDIENT-ALLERGY", "meso-body", "thighs", {"allergies": "caffeine"}, FIRES),
    ("INGREDIENT-ALLERGY", "skinvive", "cheeks", {"allergies": "benzyl alcohol"}, QUIET),
    ("INGREDIENT-ALLERGY", "skinvive", "cheeks", {"allergies": "lidocaine"}, QUIET),  # its own rule
    # skin at the site, with face containing its parts both ways
    (
        "SITE-INFECTION",
        "skinvive",
        "cheeks",
        {"skin_at_site": {"cheeks": ["active_infection"]}},
        FIRES,
    ),
    ("SITE-INFECTION", "skinvive", "cheeks", {"skin_at_site": {"face": ["rash"]}}, FIRES),
    (
        "SITE-INFECTION",
        "meso-vitamin",
        "face",
        {"skin_at_site": {"lips": ["active_cold_sore"]}},
        FIRES,
    ),
    (
        "SITE-INFECTION",
        "skinvive",
        "cheeks",
        {"skin_at_site": {"lips": ["active_cold_sore"]}},
        QUIET,
    ),
    ("SITE-INFECTION", "skinvive", "cheeks", {"skin_at_site": {"cheeks": []}}, QUIET),
    (
        "SITE-INFECTION",
        "kybella",
        "submental",
        {"skin_at_site": {"face": ["inflamed_acne"]}},
        QUIET,
    ),
    # cold sores near the mouth
    (
        "HERPES-HISTORY",
        "juvederm-volbella-xc",
        "lips",
        {"conditions": ["recurrent_cold_sores"]},
        FIRES,
    ),
    ("HERPES-HISTORY", "meso-vitamin", "face", {"conditions": ["recurrent_cold_sores"]}, FIRES),
    ("HERPES-HISTORY", "skinvive", "cheeks", {"conditions": ["recurrent_cold_sores"]}, QUIET),
    # bleeding disorders
    (
        "BLEED-DISORDER-BLOCK",
        "restylane-kysse",
        "lips",
        {"conditions": ["bleeding_disorder"]},
        FIRES,
    ),
    (
        "BLEED-DISORDER-BLOCK",
        "juvederm-volbella-xc",
        "lips",
        {"conditions": ["bleeding_disorder"]},
        QUIET,
    ),
    (
        "BLEED-DISORDER-REVIEW",
        "juvederm-volbella-xc",
        "lips",
        {"conditions": ["bleeding_disorder"]},
        FIRES,
    ),
    ("BLEED-DISORDER-REVIEW", "kybella", "submental", {"conditions": ["bleeding_disorder"]}, FIRES),
    (
        "BLEED-DISORDER-REVIEW",
        "restylane-kysse",
        "lips",
        {"conditions": ["bleeding_disorder"]},
        QUIET,
    ),
    # blood thinners and supplements
    ("ANTICOAGULANT", "skinvive", "cheeks", {"medications": "Eliquis 5mg"}, FIRES),
    ("ANTICOAGULANT", "skinvive", "cheeks", {"medications": "Coumadin"}, FIRES),
    ("ANTICOAGULANT", "skinvive", "cheeks", {"medications": "Xarelto 20 mg daily"}, FIRES),
    ("ANTICOAGULANT", "skinvive", "cheeks", {"medications": "Plavix"}, FIRES),
    ("ANTICOAGULANT", "skinvive", "cheeks", {"medications": "aspirin 81mg"}, FIRES),
    ("ANTICOAGULANT", "skinvive", "cheeks", {"medications": "blood thinners"}, FIRES),
    ("ANTICOAGULANT", "skinvive", "cheeks", {"medications": "fish oil"}, QUIET),
    ("BLEED-SUPPLEMENT", "skinvive", "cheeks", {"medications": "fish oil"}, FIRES),
    ("BLEED-SUPPLEMENT", "skinvive", "cheeks", {"medications": "ibuprofen"}, FIRES),
    ("BLEED-SUPPLEMENT", "skinvive", "cheeks", {"medications": "ginkgo biloba"}, FIRES),
    ("BLEED-SUPPLEMENT", "skinvive", "cheeks", {"medications": "warfarin"}, QUIET),
    ("BLEED-SUPPLEMENT", "skinvive", "cheeks", {"medications": "paracetamol"}, QUIET),
    # scarring and immunity
    ("SCARRING", "meso-vitamin", "face", {"conditions": ["keloid_scarring"]}, FIRES),
    ("SCARRING", "meso-vitamin", "face", {"conditions": ["autoimmune"]}, QUIET),
    ("IMMUNOSUPPRESSION", "meso-vitamin", "face", {"conditions": ["autoimmune"]}, FIRES),
    ("IMMUNOSUPPRESSION", "meso-vitamin", "face", {"conditions": ["immunosuppressed"]}, FIRES),
    ("IMMUNOSUPPRESSION", "meso-vitamin", "face", {"medications": "methotrexate"}, FIRES),
    ("IMMUNOSUPPRESSION", "meso-vitamin", "face", {"conditions": ["keloid_scarring"]}, QUIET),
    # isotretinoin: now or within 6 months, mesotherapy and fillers only
    ("ISOTRETINOIN", "meso-vitamin", "face", {"isotretinoin_last_taken": D(2026, 9, 1)}, FIRES),
    ("ISOTRETINOIN", "skinvive", "cheeks", {"medications": "Roaccutane 20mg"}, FIRES),
    ("ISOTRETINOIN", "meso-vitamin", "face", {"isotretinoin_last_taken": D(2026, 4, 1)}, QUIET),
    ("ISOTRETINOIN", "kybella", "submental", {"isotretinoin_last_taken": D(2026, 9, 1)}, QUIET),
    # Kybella's own screening
    ("DYSPHAGIA", "kybella", "submental", {"conditions": ["dysphagia"]}, FIRES),
    ("DYSPHAGIA", "skinvive", "cheeks", {"conditions": ["dysphagia"]}, QUIET),
    ("SUBMENTAL-HISTORY", "kybella", "submental", {"conditions": ["thyroid_or_neck_mass"]}, FIRES),
    (
        "SUBMENTAL-HISTORY",
        "kybella",
        "submental",
        {"conditions": ["prior_submental_treatment"]},
        FIRES,
    ),
    ("SUBMENTAL-HISTORY", "meso-vitamin", "neck", {"conditions": ["thyroid_or_neck_mass"]}, QUIET),
    # areas
    ("OFF-LABEL-BLOCK", "kybella", "abdomen", {}, FIRES),
    ("OFF-LABEL-BLOCK", "kybella", "submental", {}, QUIET),
    ("OFF-LABEL-REVIEW", "skinvive", "lips", {}, FIRES),
    ("OFF-LABEL-REVIEW", "juvederm-voluma-xc", "face", {}, FIRES),
    ("OFF-LABEL-REVIEW", "skinvive", "cheeks", {}, QUIET),
    ("OFF-LABEL-REVIEW", "meso-vitamin", "cheeks", {}, QUIET),  # face contains cheeks
    ("OFF-LABEL-REVIEW", "kybella", "abdomen", {}, QUIET),  # its block rule instead
    ("UNAPPROVED-PRODUCT", "lipo-dissolve", "abdomen", {}, FIRES),
    ("UNAPPROVED-PRODUCT", "kybella", "submental", {}, QUIET),
    ("MESO-CELLULITE", "meso-body", "thighs", {"indication": "cellulite"}, FIRES),
    ("MESO-CELLULITE", "meso-body", "thighs", {"indication": "fat_reduction"}, QUIET),
    ("MESO-CELLULITE", "kybella", "submental", {"indication": "cellulite"}, QUIET),
    # spacing and limits: the boundary day is allowed
    (
        "INTERVAL",
        "kybella",
        "submental",
        {"previous_sessions": [("kybella", "submental", D(2026, 11, 2))]},
        FIRES,
    ),
    (
        "INTERVAL",
        "kybella",
        "submental",
        {"previous_sessions": [("kybella", "submental", D(2026, 11, 1))]},
        QUIET,
    ),
    (
        "INTERVAL",
        "skinvive",
        "cheeks",
        {"previous_sessions": [("skinvive", "cheeks", D(2026, 11, 4))]},
        FIRES,
    ),
    (
        "INTERVAL",
        "skinvive",
        "cheeks",
        {"previous_sessions": [("skinvive", "cheeks", D(2026, 11, 3))]},
        QUIET,
    ),
    (
        "INTERVAL",
        "meso-vitamin",
        "face",
        {"previous_sessions": [("meso-vitamin", "cheeks", D(2026, 11, 20))]},
        FIRES,
    ),
    (
        "INTERVAL",
        "meso-vitamin",
        "face",
        {"previous_sessions": [("meso-vitamin", "face", D(2026, 11, 17))]},
        QUIET,
    ),
    (
        "INTERVAL",
        "skinvive",
        "cheeks",
        {"previous_sessions": [("kybella", "submental", D(2026, 11, 30))]},
        QUIET,
    ),
    (
        "SESSION-LIMIT",
        "kybella",
        "submental",
        {"previous_sessions": [("kybella", "submental", D(2026, m, 1)) for m in range(1, 7)]},
        FIRES,
    ),
    (
        "SESSION-LIMIT",
        "kybella",
        "submental",
        {"previous_sessions": [("kybella", "submental", D(2026, m, 1)) for m in range(1, 6)]},
        QUIET,
    ),
    # recent illness
    ("RECENT-ILLNESS", "skinvive", "cheeks", {"recent_illness_or_vaccination": True}, FIRES),
    ("RECENT-ILLNESS", "kybella", "submental", {"recent_illness_or_vaccination": True}, QUIET),
    # text that cannot be placed is never ignored
    ("ALLERGY-TEXT-UNPLACED", "skinvive", "cheeks", {"allergies": "zorblaxine"}, FIRES),
    ("ALLERGY-TEXT-UNPLACED", "skinvive", "cheeks", {"allergies": "penicillin - rash"}, QUIET),
    ("ALLERGY-TEXT-UNPLACED", "skinvive", "cheeks", {"allergies": "No known allergies"}, QUIET),
    (
        "ALLERGY-TEXT-NEGATED",
        "skinvive",
        "cheeks",
        {"allergies": "not allergic to lidocaine"},
        FIRES,
    ),
    ("ALLERGY-TEXT-NEGATED", "skinvive", "cheeks", {"allergies": "not allergic to latex"}, QUIET),
    ("MEDS-TEXT-UNPLACED", "skinvive", "cheeks", {"medications": "blorptab 20mg"}, FIRES),
    (
        "MEDS-TEXT-UNPLACED",
        "skinvive",
        "cheeks",
        {"medications": "metformin 500mg twice a day"},
        QUIET,
    ),
    (
        "MEDS-TEXT-NEGATED",
        "skinvive",
        "cheeks",
        {"medications": "stopped warfarin last year"},
        FIRES,
    ),
    ("MEDS-TEXT-NEGATED", "skinvive", "cheeks", {"medications": "none"}, QUIET),
]


@pytest.mark.parametrize(
    ("code", "product", "area", "answers", "fires"),
    CASES,
    ids=[f"{c[0]}-{c[1]}-{c[2]}-{'fires' if c[4] else 'quiet'}-{n}" for n, c in enumerate(CASES)],
)
def test_rule(reader, code, product, area, answers, fires):
    result = screen(patient(product, area, **answers), FACTS, reader)
    codes = [f.code for f in result.requests[0].flags]
    assert (code in codes) is fires, f"{code} {'did not fire' if fires else 'fired'}: {codes}"


def test_every_rule_is_tested_both_ways():
    both = {code for code, *_, fires in CASES if fires} & {code for code, *_, f in CASES if not f}
    assert {rule.code for rule in RULES} == both


def test_a_healthy_adult_asking_for_an_approved_use_is_clear(reader):
    result = screen(patient("skinvive", "cheeks"), FACTS, reader)
    assert result.outcome == "clear"
    assert result.requests[0].flags == ()


def test_the_example_of_screening_md_gives_the_flags_it_should(reader):
    example = patient(
        "skinvive",
        "cheeks",
        indication="skin_quality",
        allergies="xylocaine - throat swelling at the dentist",
        medications="Eliquis 5mg, fish oil",
        conditions=["recurrent_cold_sores"],
        skin_at_site={"lips": ["active_cold_sore"]},
        previous_sessions=[("kybella", "submental", D(2026, 11, 1))],
    )
    result = screen(example, FACTS, reader)
    flags = {f.code: f for f in result.requests[0].flags}
    assert result.outcome == "blocked"
    assert set(flags) == {"LIDO-AMIDE-BLOCK", "ANTICOAGULANT", "BLEED-SUPPLEMENT"}
    assert flags["LIDO-AMIDE-BLOCK"].evidence.lower() == "xylocaine"
    assert flags["LIDO-AMIDE-BLOCK"].topic == "lidocaine_allergy"
    assert flags["ANTICOAGULANT"].evidence == "Eliquis"


def test_info_flags_do_not_hold_a_request_back(reader):
    result = screen(patient("skinvive", "cheeks", medications="fish oil"), FACTS, reader)
    assert [f.severity.label for f in result.requests[0].flags] == ["info"]
    assert result.outcome == "clear"


def test_the_screening_outcome_is_the_worst_request(reader):
    from dataclasses import replace

    from consultations.screening.engine.types import Request

    data = replace(
        patient(allergies="lidocaine"),
        requests=(Request("meso-vitamin", "face"), Request("skinvive", "cheeks")),
    )
    result = screen(data, FACTS, reader)
    assert [r.outcome for r in result.requests] == ["review", "blocked"]
    assert result.outcome == "blocked"


def test_evidence_quotes_the_patients_own_words(reader):
    result = screen(patient("skinvive", "cheeks", allergies="LIDOCANE!!"), FACTS, reader)
    (flag,) = [f for f in result.requests[0].flags if f.code == "LIDO-AMIDE-BLOCK"]
    assert flag.evidence == "LIDOCANE"


def test_patient_messages_never_tell_anyone_to_stop_a_prescribed_medicine():
    for rule in RULES:
        text = rule.patient_message.lower()
        assert "stop taking" not in text
        assert "stop your" not in text
