"""The audit tables are evidence: PostgreSQL refuses to change or delete their rows."""

import pytest
from django.db import IntegrityError, transaction

from consultations.audit.models import CHANGE_HISTORY, AccessEvent, PatientHistory
from consultations.patients.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def access_event(patient_a: User, clinician: User) -> AccessEvent:
    return AccessEvent.objects.create(
        user=clinician, patient=patient_a.patient, what=AccessEvent.What.REVIEW_CASE, path="/r/"
    )


def test_an_access_event_cannot_be_changed(access_event: AccessEvent) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessEvent.objects.filter(pk=access_event.pk).update(path="/elsewhere/")


def test_an_access_event_cannot_be_deleted(access_event: AccessEvent) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessEvent.objects.filter(pk=access_event.pk).delete()
    assert AccessEvent.objects.filter(pk=access_event.pk).exists()


def test_a_change_history_row_cannot_be_changed_or_deleted(patient_a: User) -> None:
    event = PatientHistory.objects.filter(pgh_obj_id=patient_a.patient.pk).first()
    assert event is not None

    with pytest.raises(IntegrityError), transaction.atomic():
        PatientHistory.objects.filter(pk=event.pk).update(full_name="Someone Else")
    with pytest.raises(IntegrityError), transaction.atomic():
        PatientHistory.objects.filter(pk=event.pk).delete()


@pytest.mark.parametrize("model", CHANGE_HISTORY, ids=lambda m: m.__name__)
def test_every_change_history_table_refuses_updates_and_deletes(model: type) -> None:
    table = model._meta.db_table
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname = %s",
            [table, f"{table}_append_only"],
        )
        assert cursor.fetchone()[0] == 1
