"""Reads of intakes, always through a permission check."""

import uuid

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from consultations.intake.models import (
    ConsentText,
    Intake,
    PreviousTreatment,
    SkinCheck,
    TreatmentRequest,
)
from consultations.patients.models import Patient, User


def with_answers(queryset: QuerySet[Intake]) -> QuerySet[Intake]:
    """Intakes with every answer row they show: five queries for any number of intakes."""
    return queryset.select_related("patient", "consent_signature__consent_text").prefetch_related(
        Prefetch(
            "requests",
            queryset=TreatmentRequest.objects.select_related("treatment", "product", "area"),
        ),
        Prefetch("skin_checks", queryset=SkinCheck.objects.select_related("area")),
        Prefetch(
            "previous_treatments",
            queryset=PreviousTreatment.objects.select_related("product", "area"),
        ),
    )


def _parse(public_id: object) -> uuid.UUID:
    try:
        return public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError as exc:
        raise Http404 from exc


def with_step_answers(queryset: QuerySet[Intake]) -> QuerySet[Intake]:
    """Intakes with their answer rows as the intake's steps need them: every step's progress
    and the answers' catalog ids (whose names come from `catalog_names`), no catalog rows."""
    return queryset.select_related("patient", "consent_signature").prefetch_related(
        "requests", "skin_checks", "previous_treatments"
    )


def _own(user: User, public_id: object) -> QuerySet[Intake]:
    """The user's own intake with this public id, if any (every own-intake read goes here)."""
    return Intake.objects.filter(public_id=_parse(public_id), patient__user=user)


def get_own_intake(user: User, public_id: object) -> Intake:
    """The intake only if it is the user's own (for the patient's own pages and changes)."""
    intake = with_answers(_own(user, public_id)).first()
    if intake is None or not user.is_authenticated:
        raise Http404
    return intake


def get_own_draft_step(user: User, public_id: object) -> Intake:
    """As `get_own_intake`, with the answers as a step page shows them (`with_step_answers`)."""
    intake = with_step_answers(_own(user, public_id)).first()
    if intake is None or not user.is_authenticated:
        raise Http404
    return intake


def own_intake_id(user: User, public_id: object) -> int:
    """The id of the user's own intake, else 404: for a view whose service reads it itself."""
    found = (
        _own(user, public_id).values_list("pk", flat=True).first()
        if user.is_authenticated
        else None
    )
    if found is None:
        raise Http404
    return found


def patient_for(user: User) -> Patient:
    try:
        return user.patient
    except Patient.DoesNotExist as exc:
        raise Http404 from exc


def intakes_for_patient(patient: Patient) -> QuerySet[Intake]:
    """A patient's versions, newest first (index: intake_version_unique)."""
    return patient.intakes.order_by("-version")


def current_consent_text(language: str | None) -> ConsentText:
    """The latest published consent in the patient's language, else in English."""
    texts = ConsentText.objects.order_by("-published_at", "-id")
    return texts.filter(language=language).first() or texts.filter(language="en").first()
