"""The front desk's notes page, and what the patient sees of the review in their account."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultations.review.models import FrontDeskNote
from tests.review.conftest import CLEAN, decide, resubmit

pytestmark = pytest.mark.django_db

NOTES = reverse("review:desk_notes")
SEEN = reverse("review:desk_notes_seen")


@pytest.fixture
def revoked(clean_case, clinician):
    decide(clean_case, clinician, "meso-vitamin", "face", "clear")
    resubmit(clean_case, **CLEAN)
    return FrontDeskNote.objects.get()


def test_the_front_desk_reads_the_note_and_marks_it_seen(client, front_desk, revoked):
    client.force_login(front_desk)
    page = client.get(NOTES).content.decode()
    assert "Binh Tran" in page
    assert "Clearance withdrawn for" in page
    response = client.post(SEEN, {"note": [str(revoked.public_id)]}, follow=True)
    assert "1 note marked as seen." in response.content.decode()
    revoked.refresh_from_db()
    assert revoked.acknowledged_by == front_desk
    assert revoked.acknowledged_at is not None
    assert "Seen by" in client.get(NOTES).content.decode()


def test_marking_nothing_or_junk_changes_nothing(client, front_desk, revoked):
    client.force_login(front_desk)
    response = client.post(SEEN, {"note": ["not-a-uuid", ""]}, follow=True)
    assert response.status_code == 200
    revoked.refresh_from_db()
    assert revoked.acknowledged_at is None


@pytest.mark.parametrize("who", ["patient_a", "clinician"])
def test_only_the_front_desk_and_admins_reach_the_notes(client, request, who, revoked):
    client.force_login(request.getfixturevalue(who))
    assert client.get(NOTES).status_code == 403
    assert client.post(SEEN, {"note": [str(revoked.public_id)]}).status_code == 403


def test_an_admin_reaches_the_notes(client, admin_user, revoked):
    client.force_login(admin_user)
    assert client.get(NOTES).status_code == 200


def test_anonymous_is_sent_to_log_in(client):
    assert client.get(NOTES).status_code == 302


def test_the_notes_page_runs_a_constant_number_of_queries(client, front_desk, revoked):
    client.force_login(front_desk)
    client.get(NOTES)
    with CaptureQueriesContext(connection) as one:
        client.get(NOTES)
    note = FrontDeskNote.objects.get()
    FrontDeskNote.objects.bulk_create(
        FrontDeskNote(patient_id=note.patient_id, reason=note.reason, text=f"note {n}")
        for n in range(30)
    )
    with CaptureQueriesContext(connection) as many:
        client.get(NOTES)
    assert len(many) == len(one)


def test_the_patient_sees_the_decision_in_their_account(client, patient_b, clean_case, clinician):
    client.force_login(patient_b)
    url = reverse("intake:detail", kwargs={"public_id": clean_case.intake.public_id})
    assert "A clinician will review your answers" in client.get(url).content.decode()
    decide(
        clean_case,
        clinician,
        "meso-vitamin",
        "face",
        "clear",
        conditions=("patch_test",),
        message_to_patient="See you soon.",
        note="private clinical reasoning",
    )
    page = client.get(url).content.decode()
    assert "What the clinician decided" in page
    assert "Cleared" in page
    assert "Patch test first" in page
    assert "See you soon." in page
    assert "You can now book what was cleared" in page
    assert "private clinical reasoning" not in page


def test_another_patient_cannot_see_the_decision(client, patient_a, clean_case, clinician):
    decide(clean_case, clinician, "meso-vitamin", "face", "clear")
    client.force_login(patient_a)
    url = reverse("intake:detail", kwargs={"public_id": clean_case.intake.public_id})
    assert client.get(url).status_code == 404
