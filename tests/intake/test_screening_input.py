"""Any submitted intake can be turned into the screening contract's input (SCREENING.md)."""

import datetime as dt

import pytest

from consultations.intake import services
from consultations.intake.screening_input import screening_input
from tests.intake.conftest import area, fill, product, request_answer, sign

pytestmark = pytest.mark.django_db

CONTRACT_KEYS = {
    "date_of_birth",
    "treatment_date",
    "requests",
    "pregnancy",
    "allergies",
    "anaphylaxis_history",
    "multiple_severe_allergies",
    "medications",
    "conditions",
    "skin_at_site",
    "previous_sessions",
    "isotretinoin_last_taken",
    "recent_illness_or_vaccination",
}


def test_a_submitted_intake_gives_exactly_the_contract_shape(submitted):
    data = screening_input(submitted, treatment_date=dt.date(2026, 12, 1))
    assert set(data) == CONTRACT_KEYS
    assert data == {
        "date_of_birth": "1990-04-01",
        "treatment_date": "2026-12-01",
        "requests": [{"product": "skinvive", "area": "cheeks", "indication": "skin_quality"}],
        "pregnancy": "no",
        "allergies": "lidocaine; xylocaine - throat swelling at the dentist",
        "anaphylaxis_history": False,
        "multiple_severe_allergies": False,
        "medications": "Eliquis 5mg, fish oil",
        "conditions": ["recurrent_cold_sores"],
        "skin_at_site": {},
        "previous_sessions": [],
        "isotretinoin_last_taken": None,
        "recent_illness_or_vaccination": False,
    }


def test_the_treatment_date_defaults_to_today(submitted):
    assert screening_input(submitted)["treatment_date"] == dt.date.today().isoformat()


def test_skin_findings_are_keyed_by_area_code_and_clear_areas_are_left_out(draft):
    draft = fill(
        draft,
        requests=[
            request_answer("skinvive", "cheeks"),
            request_answer("juvederm-volbella-xc", "lips"),
        ],
        skin={"lips": ["active_cold_sore"]},
    )
    assert screening_input(draft)["skin_at_site"] == {"lips": ["active_cold_sore"]}


def test_a_request_without_a_product_is_screened_for_every_product_that_fits_the_area(draft):
    fillers = product("juvederm-volbella-xc").treatment
    draft = fill(draft, requests=[services.RequestAnswer(fillers, None, area("lips"), "volume")])
    requests = screening_input(draft)["requests"]
    assert {(r["product"], r["area"]) for r in requests} == {
        ("juvederm-volbella-xc", "lips"),
        ("restylane-kysse", "lips"),
    }
    assert {r["indication"] for r in requests} == {"volume"}


def test_a_request_for_the_whole_face_includes_products_for_its_parts(draft):
    mesotherapy = product("meso-vitamin").treatment
    draft = fill(
        draft, requests=[services.RequestAnswer(mesotherapy, None, area("cheeks"), "texture")]
    )
    products = {r["product"] for r in screening_input(draft)["requests"]}
    assert products == {"meso-vitamin", "meso-procaine"}, "face products cover the cheeks"


def test_an_area_no_product_of_the_treatment_fits_is_screened_against_all_of_them(draft):
    boosters = product("skinvive").treatment
    draft = fill(
        draft, requests=[services.RequestAnswer(boosters, None, area("hands"), "hydration")]
    )
    assert [r["product"] for r in screening_input(draft)["requests"]] == ["skinvive"]


def test_an_unoffered_product_is_never_suggested(draft):
    fat = product("kybella").treatment
    draft = fill(
        draft, requests=[services.RequestAnswer(fat, None, area("abdomen"), "fat_reduction")]
    )
    assert [r["product"] for r in screening_input(draft)["requests"]] == ["kybella"]


def test_a_patient_born_male_is_not_applicable_for_pregnancy(draft):
    draft = fill(draft, about={"date_of_birth": dt.date(1980, 1, 1), "sex_at_birth": "male"})
    assert screening_input(draft)["pregnancy"] == "not_applicable"


def test_no_allergies_and_no_medicines_are_empty_text(draft):
    draft = fill(
        draft,
        allergies={"has_allergies": False, "common_allergies": [], "allergies_other": ""},
        medicines={"takes_medications": False, "medications": ""},
    )
    data = screening_input(draft)
    assert (data["allergies"], data["medications"]) == ("", "")


def test_a_ticked_bacterial_protein_allergy_becomes_the_contract_condition(draft):
    draft = fill(
        draft, allergies={"common_allergies": ["bacterial_proteins"], "allergies_other": ""}
    )
    data = screening_input(draft)
    assert "bacterial_protein_allergy" in data["conditions"]
    assert "bacterial" not in data["allergies"]


def test_conditions_outside_the_contract_are_kept_for_the_clinician_not_screened(draft):
    draft = fill(draft, conditions={"conditions": ["diabetes", "bleeding_disorder"]})
    assert screening_input(draft)["conditions"] == ["bleeding_disorder"]


def test_isotretinoin_taken_now_counts_as_taken_on_the_day_of_submission(draft):
    draft = fill(draft, medicines={"isotretinoin": "current"})
    sign(draft)
    submitted = services.intake_submit(intake_id=draft.pk)
    assert screening_input(submitted)["isotretinoin_last_taken"] == (
        submitted.submitted_at.date().isoformat()
    )


def test_isotretinoin_stopped_recently_gives_its_date(draft):
    draft = fill(
        draft,
        medicines={"isotretinoin": "recent", "isotretinoin_last_taken": dt.date(2026, 8, 1)},
    )
    assert screening_input(draft)["isotretinoin_last_taken"] == "2026-08-01"


def test_previous_sessions_of_catalog_products_are_passed_with_their_dates(draft):
    draft = fill(draft, requests=[request_answer("kybella", "submental", "fat_reduction")])
    services.intake_save_history(
        intake_id=draft.pk,
        had_previous_treatments=True,
        previous=[
            services.PreviousAnswer(
                product("kybella"), "", area("submental"), dt.date(2026, 11, 1)
            ),
            services.PreviousAnswer(None, "chemical peel", area("face"), dt.date(2026, 10, 1)),
        ],
        base_fingerprint=None,
    )
    assert screening_input(draft)["previous_sessions"] == [
        {"product": "kybella", "area": "submental", "date": "2026-11-01"}
    ]
