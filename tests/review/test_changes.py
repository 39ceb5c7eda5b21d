"""What changed between two versions of the answers, in plain words (no database)."""

from types import SimpleNamespace

from consultations.review.changes import answer_changes, input_changes

BEFORE = {
    "date_of_birth": "1990-04-01",
    "treatment_date": "2026-12-01",
    "requests": [{"product": "skinvive", "area": "cheeks", "indication": "skin_quality"}],
    "pregnancy": "no",
    "allergies": "lidocaine",
    "anaphylaxis_history": False,
    "multiple_severe_allergies": False,
    "medications": "Eliquis 5mg, fish oil",
    "conditions": ["recurrent_cold_sores"],
    "skin_at_site": {},
    "previous_sessions": [],
    "isotretinoin_last_taken": None,
    "recent_illness_or_vaccination": False,
}


def test_identical_inputs_have_no_changes() -> None:
    assert input_changes(BEFORE, dict(BEFORE)) == []


def test_the_treatment_date_is_not_an_answer() -> None:
    assert input_changes(BEFORE, {**BEFORE, "treatment_date": "2026-12-09"}) == []


def test_changed_answers_read_in_plain_words() -> None:
    after = {
        **BEFORE,
        "medications": "",
        "anaphylaxis_history": True,
        "conditions": ["recurrent_cold_sores", "bleeding_disorder"],
        "pregnancy": "breastfeeding",
        "skin_at_site": {"cheeks": ["rash"]},
        "requests": [
            *BEFORE["requests"],
            {"product": "kybella", "area": "submental", "indication": "fat_reduction"},
        ],
    }
    changes = {
        label: (before, now)
        for label, before, now in input_changes(
            BEFORE,
            after,
            products={"skinvive": "SKINVIVE", "kybella": "Kybella"},
            areas={"cheeks": "Cheeks", "submental": "Under the chin"},
        )
    }
    assert changes["Medicines and supplements"] == ("Eliquis 5mg, fish oil", "nothing")
    assert changes["Anaphylaxis ever"] == ("No", "Yes")
    assert changes["Health conditions"] == (
        "Cold sores that come back",
        "A bleeding or clotting disorder, Cold sores that come back",
    )
    assert changes["Pregnancy"] == ("No", "I am breastfeeding")
    assert changes["Skin at the treatment areas"] == ("clear", "Cheeks: A rash")
    assert changes["Treatments asked for"] == (
        "SKINVIVE — Cheeks",
        "Kybella — Under the chin, SKINVIVE — Cheeks",
    )
    assert "Allergies" not in changes
    assert "Date of birth" not in changes


def test_codes_show_when_no_name_is_known() -> None:
    after = {
        **BEFORE,
        "previous_sessions": [{"product": "kybella", "area": "submental", "date": "2026-10-01"}],
    }
    [(label, before, now)] = input_changes(BEFORE, after)
    assert (label, before, now) == (
        "Previous treatments",
        "nothing",
        "kybella — submental — 2026-10-01",
    )


def test_answers_the_contract_leaves_out_are_compared_too() -> None:
    old = SimpleNamespace(
        sex_at_birth="female",
        allergy_reaction="mild",
        conditions_other="",
        recent_illness_details="",
        conditions=["recurrent_cold_sores"],
    )
    new = SimpleNamespace(
        sex_at_birth="female",
        allergy_reaction="severe",
        conditions_other="migraine",
        recent_illness_details="",
        conditions=["recurrent_cold_sores", "diabetes"],
    )
    changes = {label: (before, now) for label, before, now in answer_changes(old, new)}
    assert changes["Worst allergic reaction"][1].startswith("Severe")
    assert changes["Other health conditions"] == ("nothing", "migraine")
    assert changes["Conditions screening does not read"] == ("nothing", "Diabetes")
    assert "Sex at birth" not in changes
