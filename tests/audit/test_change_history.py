"""Every change to patient data is recorded by the database, with who made it."""

import pghistory
import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from consultations.audit.commands import command_context
from consultations.audit.models import (
    IntakeHistory,
    PatientHistory,
    ReviewCaseHistory,
    TreatmentRequestHistory,
    UserHistory,
)
from consultations.intake.models import Intake, TreatmentRequest
from consultations.patients.models import User
from consultations.review.models import ReviewCase
from tests.review.conftest import submit_case

pytestmark = pytest.mark.django_db


def test_a_bulk_update_of_a_draft_is_recorded_with_the_requests_user(
    draft: Intake, clinician: User
) -> None:
    with pghistory.context(user=clinician.pk, url="/somewhere/", ip="203.0.113.7"):
        Intake.objects.filter(pk=draft.pk).update(phone="0901 234 567")

    event = IntakeHistory.objects.filter(pgh_obj_id=draft.pk, pgh_label="update").get()
    assert event.phone == "0901 234 567"
    assert event.pgh_context == {"user": clinician.pk, "url": "/somewhere/", "ip": "203.0.113.7"}
    assert event.pgh_created_at is not None


def test_inserts_and_deletes_are_recorded_too(complete_draft: Intake) -> None:
    requests = list(
        TreatmentRequest.objects.filter(intake=complete_draft).values_list("pk", flat=True)
    )
    assert requests
    assert TreatmentRequestHistory.objects.filter(
        pgh_obj_id__in=requests, pgh_label="insert"
    ).count() == len(requests)

    TreatmentRequest.objects.filter(pk__in=requests).delete()

    assert TreatmentRequestHistory.objects.filter(
        pgh_obj_id__in=requests, pgh_label="delete"
    ).count() == len(requests)


def test_a_change_through_a_page_carries_the_signed_in_user_and_address(
    client: Client, patient_a: User, clinician: User
) -> None:
    case = submit_case(patient_a)
    client.force_login(clinician)

    response = client.post(
        reverse("review:claim", kwargs={"public_id": case.public_id}), REMOTE_ADDR="198.51.100.4"
    )

    assert response.status_code in (200, 302)
    case.refresh_from_db()
    assert case.claimed_by == clinician
    event = ReviewCaseHistory.objects.filter(pgh_obj_id=case.pk, pgh_label="update").latest(
        "pgh_created_at"
    )
    assert event.claimed_by_id == clinician.pk
    assert event.pgh_context["user"] == clinician.pk
    assert event.pgh_context["ip"] == "198.51.100.4"
    assert event.pgh_context["url"] == reverse("review:claim", kwargs={"public_id": case.public_id})


def test_a_patients_own_answers_are_recorded_with_the_patient_as_author(
    client: Client, patient_a: User
) -> None:
    client.force_login(patient_a)

    client.post(reverse("intake:start"))

    intake = Intake.objects.get(patient__user=patient_a)
    event = IntakeHistory.objects.get(pgh_obj_id=intake.pk, pgh_label="insert")
    assert event.pgh_context["user"] == patient_a.pk


# As in production, the request's transaction is the outermost: a test's own would take the
# audit context from the request's first statement (its SAVEPOINT) for all the others.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("prepared", [True, False])
def test_a_submissions_writes_are_recorded_with_the_patient_as_author(
    client: Client, patient_a: User, complete_draft: Intake, settings, prepared: bool
) -> None:
    # The submission's writes are compiled once (`PreparedSave`) and, with persistent
    # connections, PREPAREd: each carries the request's context to its history trigger.
    settings.DATABASE_PREPARED_STATEMENTS = prepared
    client.force_login(patient_a)
    url = reverse("review:submit_intake", kwargs={"public_id": complete_draft.public_id})

    response = client.post(url, REMOTE_ADDR="198.51.100.9")

    assert response.status_code == 302
    context = {"user": patient_a.pk, "url": url, "ip": "198.51.100.9"}
    submitted = IntakeHistory.objects.get(
        pgh_obj_id=complete_draft.pk, pgh_label="update", status=Intake.Status.SUBMITTED
    )
    assert submitted.pgh_context == context
    case = ReviewCase.objects.get(intake=complete_draft)
    opened = ReviewCaseHistory.objects.get(pgh_obj_id=case.pk, pgh_label="insert")
    assert opened.pgh_context == context
    assert opened.screening_id == case.screening_id


def test_a_management_command_is_recorded_by_name(draft: Intake) -> None:
    with command_context(["manage.py", "shell"]):
        Intake.objects.filter(pk=draft.pk).update(phone="0912 000 000")

    event = IntakeHistory.objects.filter(pgh_obj_id=draft.pk, pgh_label="update").get()
    assert event.pgh_context["command"] == "shell"
    assert "os_user" in event.pgh_context


def test_the_password_hash_is_never_copied_into_the_history(patient_a: User) -> None:
    assert "password" not in {f.name for f in UserHistory._meta.fields}
    assert UserHistory.objects.filter(pgh_obj_id=patient_a.pk, pgh_label="insert").exists()
    assert PatientHistory.objects.filter(pgh_obj_id=patient_a.patient.pk).exists()


def test_an_unchanged_save_writes_no_history(draft: Intake) -> None:
    before = IntakeHistory.objects.filter(pgh_obj_id=draft.pk).count()

    Intake.objects.filter(pk=draft.pk).update(phone=draft.phone)

    assert IntakeHistory.objects.filter(pgh_obj_id=draft.pk).count() == before


def test_a_submitted_intake_stays_immutable_and_a_refused_change_leaves_no_history(
    patient_a: User,
) -> None:
    case = submit_case(patient_a)
    before = IntakeHistory.objects.filter(pgh_obj_id=case.intake_id).count()

    with pytest.raises(IntegrityError), transaction.atomic():
        Intake.objects.filter(pk=case.intake_id).update(phone="0999 999 999")

    assert IntakeHistory.objects.filter(pgh_obj_id=case.intake_id).count() == before
    assert ReviewCase.objects.filter(pk=case.pk).exists()
