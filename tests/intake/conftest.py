"""Intakes built through the services, the way the wizard builds them."""

import datetime as dt
from typing import Any

import pytest

from consultations.catalog.models import Area, Product
from consultations.intake import services
from consultations.intake.models import ConsentText, Intake
from consultations.intake.selectors import current_consent_text
from consultations.patients.models import User

ANSWERS: dict[str, dict[str, Any]] = {
    "about": {"date_of_birth": dt.date(1990, 4, 1), "sex_at_birth": "female", "phone": ""},
    "allergies": {
        "has_allergies": True,
        "common_allergies": ["lidocaine"],
        "allergies_other": "xylocaine - throat swelling at the dentist",
        "allergy_reaction": "severe",
        "multiple_severe_allergies": False,
        "anaphylaxis_history": False,
    },
    "medicines": {
        "takes_medications": True,
        "medications": "Eliquis 5mg, fish oil",
        "isotretinoin": "never",
        "isotretinoin_last_taken": None,
        "recent_illness_or_vaccination": False,
        "recent_illness_details": "",
    },
    "conditions": {"conditions": ["recurrent_cold_sores"], "conditions_other": ""},
    "pregnancy": {"pregnancy": "no"},
}


def product(code: str) -> Product:
    return Product.objects.select_related("treatment").get(code=code)


def area(code: str) -> Area:
    return Area.objects.get(code=code)


def request_answer(product_code: str, area_code: str, goal: str = "hydration"):
    p = product(product_code)
    return services.RequestAnswer(treatment=p.treatment, product=p, area=area(area_code), goal=goal)


def previous_answer(
    product_code: str | None, area_code: str, treated_on: dt.date, description: str = ""
) -> services.PreviousAnswer:
    return services.PreviousAnswer(
        product=product(product_code) if product_code else None,
        description=description,
        area=area(area_code),
        treated_on=treated_on,
    )


def save_history(intake: Intake, *previous: services.PreviousAnswer) -> None:
    """The history step answered "yes", with these previous treatments."""
    services.intake_save_history(
        intake_id=intake.pk,
        had_previous_treatments=True,
        previous=list(previous),
        base_fingerprint=None,
    )


def fill(
    intake: Intake,
    *,
    requests: list | None = None,
    skin: dict[str, list[str]] | None = None,
    skip: tuple[str, ...] = (),
    **step_overrides: dict[str, Any],
) -> Intake:
    """Answer every step of a draft through the services (not consent)."""
    requests = requests or [request_answer("skinvive", "cheeks")]
    if "treatments" not in skip:
        services.intake_save_requests(intake_id=intake.pk, requests=requests, base_fingerprint=None)
    for step, answers in ANSWERS.items():
        if step in skip:
            continue
        answers = {**answers, **step_overrides.get(step, {})}
        if step == "pregnancy" and step_overrides.get("about", {}).get("sex_at_birth") == "male":
            continue
        services.intake_save_answers(
            intake_id=intake.pk, step=step, answers=answers, base_fingerprint=None
        )
    if "skin" not in skip:
        by_code = skin or {}
        findings = {r.area.pk: by_code.get(r.area.code, []) for r in requests}
        services.intake_save_skin(intake_id=intake.pk, findings=findings, base_fingerprint=None)
    if "history" not in skip:
        services.intake_save_history(
            intake_id=intake.pk, had_previous_treatments=False, previous=[], base_fingerprint=None
        )
    return Intake.objects.get(pk=intake.pk)


def sign(intake: Intake, name: str = "Anna Nguyen", text: ConsentText | None = None) -> Intake:
    return services.intake_sign_consent(
        intake_id=intake.pk,
        consent_text=text or current_consent_text("en"),
        full_name=name,
        ip_address="203.0.113.7",
        user_agent="Mozilla/5.0 (iPhone)",
    )


@pytest.fixture
def draft(patient_a: User) -> Intake:
    return services.intake_open_draft(patient=patient_a.patient)


@pytest.fixture
def complete_draft(draft: Intake) -> Intake:
    fill(draft)
    sign(draft)
    return Intake.objects.get(pk=draft.pk)


@pytest.fixture
def submitted(complete_draft: Intake) -> Intake:
    return services.intake_submit(intake_id=complete_draft.pk)
