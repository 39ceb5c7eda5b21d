"""Submitted intakes in the review queue, made through the real services."""

from typing import Any

import pytest

from consultations.intake import services as intake_services
from consultations.intake.models import Intake
from consultations.patients.models import User
from consultations.review.models import ReviewCase
from consultations.review.services import DecisionInput, review_intake_submit
from tests.intake.conftest import (  # noqa: F401 (fixtures)
    complete_draft,
    draft,
    fill,
    request_answer,
    sign,
    submitted,
)

# Step overrides for a patient with nothing to declare.
CLEAN = {
    "allergies": {"has_allergies": False, "common_allergies": [], "allergies_other": ""},
    "medicines": {"takes_medications": False, "medications": ""},
    "conditions": {"conditions": [], "conditions_other": ""},
}


def submit_case(
    user: User,
    *,
    requests: list[tuple[str, str]] = (("skinvive", "cheeks"),),
    **answers: Any,
) -> ReviewCase:
    """A patient's intake, answered, signed and submitted: its case in the queue.

    `answers` are step overrides as `fill` takes them (e.g. allergies={...}); the
    default answers of tests/intake/conftest.py hold a lidocaine allergy.
    """
    new = intake_services.intake_open_draft(patient=user.patient)
    fill(new, requests=[request_answer(p, a) for p, a in requests], **answers)
    sign(new)
    return review_intake_submit(intake_id=new.pk)


def resubmit(case: ReviewCase, **answers: Any) -> ReviewCase:
    """The patient sends a new version of the case's intake."""
    new = intake_services.intake_open_draft(patient=case.patient)
    requests = [(r.product.code, r.area.code) for r in case.intake.requests.all()]
    fill(new, requests=[request_answer(p, a) for p, a in requests], **answers)
    sign(new)
    return review_intake_submit(intake_id=new.pk)


def decide(case: ReviewCase, clinician: User, product: str, area: str, kind: str, **fields: Any):
    from consultations.review.services import review_decide

    return review_decide(
        case_id=case.pk,
        clinician=clinician,
        data=DecisionInput(product=product, area=area, kind=kind, **fields),
    )


@pytest.fixture
def blocked_case(patient_a: User) -> ReviewCase:
    """Lidocaine allergy (the default answers) asking for SKINVIVE (contains lidocaine)."""
    return submit_case(patient_a)


@pytest.fixture
def clean_case(patient_b: User) -> ReviewCase:
    """No allergies, no medicines: a lidocaine-free mesotherapy on the face."""
    return submit_case(patient_b, requests=[("meso-vitamin", "face")], **CLEAN)


def intake_of(case: ReviewCase) -> Intake:
    return Intake.objects.get(pk=case.intake_id)
