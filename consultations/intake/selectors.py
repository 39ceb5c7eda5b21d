"""Reads of intakes, always through a permission check."""

import uuid
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import BigIntegerField, CharField, QuerySet, UUIDField
from django.http import Http404

from consultations.db import Children, Param, Prepared, with_children
from consultations.intake.models import (
    ConsentText,
    Intake,
)
from consultations.patients.models import Patient, User

# An intake's answer rows, each with the catalog rows it names.
_ANSWERS = (
    Children("requests", related=("treatment", "product", "area")),
    Children("skin_checks", related=("area",)),
    Children("previous_treatments", related=("product", "area")),
)


def with_answers(queryset: QuerySet[Intake]) -> QuerySet[Intake]:
    """Intakes with every answer row they show and the catalog rows the answers name: one
    query on PostgreSQL for any number of intakes (`with_children`), four elsewhere."""
    return with_children(
        queryset.select_related("patient", "consent_signature__consent_text"), *_ANSWERS
    )


# What a submission and its screening read of the catalog rows the answers name: codes, and
# what ties them together (a product's treatment, an area's parent). Not their texts.
_SCREENED_COLUMNS = (
    ("treatment", ("code",)),
    ("product", ("code", "treatment_id")),
    ("area", ("code", "parent_id")),
)


def with_screened_answers(queryset: QuerySet[Intake]) -> QuerySet[Intake]:
    """`with_answers` for a submission: the same rows, the catalog rows and the consent text
    with only the columns the checks and the screening read (a product's or treatment's
    texts, the consent's body, are left in the database: read there if anything asks)."""
    return with_children(
        queryset.select_related("patient", "consent_signature__consent_text").defer(
            "consent_signature__consent_text__body", "consent_signature__consent_text__title"
        ),
        *(replace(c, columns=_SCREENED_COLUMNS) for c in _ANSWERS),
    )


def _parse(public_id: object) -> uuid.UUID:
    try:
        return public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError as exc:
        raise Http404 from exc


def with_step_answers(queryset: QuerySet[Intake]) -> QuerySet[Intake]:
    """Intakes with their answer rows as the intake's steps need them: every step's progress
    and the answers' catalog ids (whose names come from `catalog_names`), no catalog rows."""
    return with_children(
        queryset.select_related("patient", "consent_signature"),
        Children("requests"),
        Children("skin_checks"),
        Children("previous_treatments"),
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


@dataclass(frozen=True)
class OwnIntake:
    """An intake as a patient's request names it: its public id, and the signed-in user
    whose own it must be. A service given one instead of an id reads the intake only if
    it is that user's, in the same query (`own_intake_prepared`)."""

    user_id: int
    public_id: uuid.UUID

    @classmethod
    def of(cls, user: User, public_id: object) -> "OwnIntake":
        """The user's intake with this public id (404 for an id that is not one)."""
        if not user.is_authenticated:
            raise Http404
        return cls(user.pk, _parse(public_id))

    def values(self) -> dict[str, Any]:
        """The values of an `own_intake_prepared` read."""
        return {"public_id": self.public_id, "user_id": self.user_id}


def own_intake_prepared() -> QuerySet[Intake]:
    """`_own` for a `Prepared` read: the public id and the user's id are its values
    (`OwnIntake.values`)."""
    return Intake.objects.filter(
        public_id=Param("public_id", UUIDField()),
        patient__user_id=Param("user_id", BigIntegerField()),
    ).order_by()


# Every step page of every patient reads these: built and compiled once (`Prepared`).
_OWN_DRAFT_STEP = Prepared(lambda: with_step_answers(own_intake_prepared()[:1]))


def _own_first(read: Prepared, user: User, public_id: object) -> Any:
    """The first row of an own-intake `Prepared` read, else 404."""
    public_id = _parse(public_id)
    found = read.first(public_id=public_id, user_id=user.pk) if user.is_authenticated else None
    if found is None:
        raise Http404
    return found


def get_own_draft_step(user: User, public_id: object) -> Intake:
    """As `get_own_intake`, with the answers as a step page shows them (`with_step_answers`)."""
    return _own_first(_OWN_DRAFT_STEP, user, public_id)


def patient_for(user: User) -> Patient:
    try:
        return user.patient
    except Patient.DoesNotExist as exc:
        raise Http404 from exc


def intakes_for_patient(patient: Patient) -> QuerySet[Intake]:
    """A patient's versions, newest first (index: intake_version_unique)."""
    return patient.intakes.order_by("-version")


def latest_consent_texts() -> QuerySet[ConsentText]:
    """Consent texts, the latest published first (filter by language for the current one)."""
    return ConsentText.objects.order_by("-published_at", "-id")


_LATEST_CONSENT_TEXT = Prepared(
    lambda: latest_consent_texts().filter(language=Param("language", CharField()))[:1]
)


def current_consent_text(language: str | None) -> ConsentText:
    """The latest published consent in the patient's language, else in English."""
    return _LATEST_CONSENT_TEXT.first(language=language or "en") or _LATEST_CONSENT_TEXT.first(
        language="en"
    )
