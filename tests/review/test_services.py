"""The review's safety rules, below the views: cases, claims, decisions, clearances."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from consultations.review.models import (
    CLAIM_MINUTES,
    CLEARANCE_DAYS,
    Clearance,
    Decision,
    FrontDeskNote,
    Priority,
    ReviewCase,
)
from consultations.review.selectors import current_decisions, patient_outcome
from consultations.review.services import (
    ClaimHeld,
    review_claim,
    review_intake_submit,
    review_release,
)
from tests.review.conftest import CLEAN, decide, resubmit, submit_case

pytestmark = pytest.mark.django_db

JUSTIFICATION = (
    "Patch-tested lidocaine in clinic on 2026-11-02: no reaction; allergy was vasovagal."
)


# --- Cases --------------------------------------------------------------------------------


def test_submitting_opens_one_case_with_the_screenings_priority_and_flags(blocked_case):
    assert blocked_case.status == ReviewCase.Status.OPEN
    assert blocked_case.priority == Priority.BLOCK
    assert blocked_case.screening.intake_id == blocked_case.intake_id
    assert blocked_case.waiting_since == blocked_case.intake.submitted_at
    codes = [code for code, _ in blocked_case.flags]
    assert "LIDO-AMIDE-BLOCK" in codes
    severities = [severity for _, severity in blocked_case.flags]
    assert severities == sorted(severities, key=["block", "review", "info"].index)


def test_a_clean_intake_is_queued_as_clean(clean_case):
    assert clean_case.priority == Priority.CLEAN
    assert [s for _, s in clean_case.flags if s != "info"] == []


def test_submitting_twice_opens_one_case(blocked_case):
    again = review_intake_submit(intake_id=blocked_case.intake_id)
    assert again.pk == blocked_case.pk
    assert ReviewCase.objects.count() == 1


def test_the_database_refuses_a_second_case_for_one_intake(blocked_case):
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewCase.objects.create(
            patient_id=blocked_case.patient_id,
            intake_id=blocked_case.intake_id,
            screening_id=blocked_case.screening_id,
            priority=0,
            waiting_since=timezone.now(),
        )


# --- Claims -------------------------------------------------------------------------------


def test_a_clinician_claims_and_a_colleague_is_told_who_has_it(
    blocked_case, clinician, clinician_b
):
    review_claim(case_id=blocked_case.pk, clinician=clinician)
    with pytest.raises(ClaimHeld) as held:
        review_claim(case_id=blocked_case.pk, clinician=clinician_b)
    assert "Dr Minh Le" in held.value.messages[0]
    assert held.value.holder == clinician


def test_a_claim_expires_and_can_then_be_taken(blocked_case, clinician, clinician_b, time_machine):
    time_machine.move_to(timezone.now())
    review_claim(case_id=blocked_case.pk, clinician=clinician)
    time_machine.shift(dt.timedelta(minutes=CLAIM_MINUTES, seconds=1))
    case = review_claim(case_id=blocked_case.pk, clinician=clinician_b)
    assert case.claimed_by == clinician_b


def test_claiming_again_renews_ones_own_claim(blocked_case, clinician, time_machine):
    time_machine.move_to(timezone.now())
    first = review_claim(case_id=blocked_case.pk, clinician=clinician).claimed_until
    time_machine.shift(dt.timedelta(minutes=5))
    assert review_claim(case_id=blocked_case.pk, clinician=clinician).claimed_until > first


def test_releasing_lets_a_colleague_claim_at_once(blocked_case, clinician, clinician_b):
    review_claim(case_id=blocked_case.pk, clinician=clinician)
    review_release(case_id=blocked_case.pk, clinician=clinician)
    assert review_claim(case_id=blocked_case.pk, clinician=clinician_b).claimed_by == clinician_b


def test_a_colleague_cannot_release_someone_elses_claim(blocked_case, clinician, clinician_b):
    review_claim(case_id=blocked_case.pk, clinician=clinician)
    review_release(case_id=blocked_case.pk, clinician=clinician_b)
    blocked_case.refresh_from_db()
    assert blocked_case.claimed_by == clinician


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_clinicians_claiming_at_once_one_wins_the_other_is_told(
    blocked_case, clinician, clinician_b
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def attempt(user) -> None:
        barrier.wait()
        try:
            review_claim(case_id=blocked_case.pk, clinician=user)
            outcomes[user.email] = "claimed"
        except ClaimHeld:
            outcomes[user.email] = "held"
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(u,)) for u in (clinician, clinician_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes.values()) == ["claimed", "held"]


@pytest.mark.parametrize("who", ["patient_a", "front_desk", "admin_user"])
def test_only_clinicians_claim(request, blocked_case, who):
    with pytest.raises(PermissionDenied):
        review_claim(case_id=blocked_case.pk, clinician=request.getfixturevalue(who))


# --- Decisions ----------------------------------------------------------------------------


def test_clearing_grants_a_clearance_with_conditions_and_a_90_day_expiry(clean_case, clinician):
    decision = decide(
        clean_case,
        clinician,
        "meso-vitamin",
        "face",
        "clear",
        conditions=("no_topical_anaesthetic", "patch_test"),
        conditions_note="Avoid the left cheek scar.",
    )
    clearance = decision.clearance
    today = timezone.localdate()
    assert clearance.expires_on == today + dt.timedelta(days=CLEARANCE_DAYS)
    assert clearance.conditions == ["no_topical_anaesthetic", "patch_test"]
    assert clearance.conditions_note == "Avoid the left cheek scar."
    assert (clearance.patient_id, clearance.intake_id) == (
        clean_case.patient_id,
        clean_case.intake_id,
    )
    assert (clearance.product.code, clearance.area.code) == ("meso-vitamin", "face")
    assert decision.clinician_registration == "GMC-7012345"
    assert decision.intake_id == clean_case.intake_id
    assert decision.ruleset == clean_case.screening.ruleset
    assert not decision.is_override


def test_the_case_closes_when_every_request_is_decided(patient_a, clinician, mailoutbox):
    case = submit_case(
        patient_a,
        requests=[("meso-vitamin", "face"), ("meso-body", "abdomen")],
        **CLEAN,
    )
    decide(case, clinician, "meso-vitamin", "face", "clear")
    case.refresh_from_db()
    assert case.status == ReviewCase.Status.OPEN
    assert mailoutbox == []
    decide(case, clinician, "meso-body", "abdomen", "decline", message_to_patient="Not for you.")
    case.refresh_from_db()
    assert case.status == ReviewCase.Status.DECIDED
    assert case.closed_at is not None
    assert case.claimed_by is None


def test_the_patient_is_emailed_the_outcome_in_plain_words(
    clean_case, clinician, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        decide(clean_case, clinician, "meso-vitamin", "face", "clear", conditions=("patch_test",))
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["binh@example.com"]
    assert "cleared" in mail.body
    assert "Patch test first" in mail.body
    assert "book" in mail.body
    assert str(clean_case.intake.public_id) in mail.body


def test_the_outcome_email_holds_no_medical_history(
    blocked_case, clinician, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        decide(blocked_case, clinician, "skinvive", "cheeks", "decline", note="amide allergy")
    body = mailoutbox[0].body.lower() + mailoutbox[0].alternatives[0][0].lower()
    assert "not right for you" in body
    for private in ("xylocaine", "allerg", "eliquis", "throat", "cold sore", "amide"):
        assert private not in body


def test_consultation_defer_and_decline(patient_a, clinician):
    case = submit_case(
        patient_a,
        requests=[("meso-vitamin", "face"), ("meso-body", "abdomen"), ("meso-body", "thighs")],
        **CLEAN,
    )
    consult = decide(case, clinician, "meso-vitamin", "face", "consult")
    later = timezone.localdate() + dt.timedelta(days=30)
    defer = decide(case, clinician, "meso-body", "abdomen", "defer", defer_until=later)
    decline = decide(case, clinician, "meso-body", "thighs", "decline")
    assert (consult.kind, defer.defer_until, decline.kind) == ("consult", later, "decline")
    assert Clearance.objects.count() == 0
    outcome = patient_outcome(case.intake)
    assert outcome.status == "decided"
    assert {i.kind for i in outcome.items} == {"consult", "defer", "decline"}
    assert outcome.cleared == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "defer"}, "defer_until"),
        ({"kind": "defer", "defer_until": dt.date(2020, 1, 1)}, "defer_until"),
        ({"kind": "clear", "expires_on": dt.date(2020, 1, 1)}, "expires_on"),
        ({"kind": "clear", "expires_on": dt.date(2099, 1, 1)}, "expires_on"),
        ({"kind": "decline", "conditions": ("patch_test",)}, "conditions"),
        ({"kind": "clear", "conditions": ("made_up",)}, "conditions"),
        ({"kind": "decline", "expires_on": dt.date(2099, 1, 1)}, "expires_on"),
        ({"kind": "maybe"}, "kind"),
    ],
)
def test_impossible_decisions_are_refused_with_the_field_named(
    clean_case, clinician, fields, field
):
    kind = fields.pop("kind")
    with pytest.raises(ValidationError) as refused:
        decide(clean_case, clinician, "meso-vitamin", "face", kind, **fields)
    assert field in refused.value.message_dict
    assert Decision.objects.count() == 0


def test_a_request_that_is_not_in_the_intake_cannot_be_decided(clean_case, clinician):
    with pytest.raises(ValidationError):
        decide(clean_case, clinician, "kybella", "submental", "clear")


def test_clearing_a_block_flag_needs_a_written_justification(blocked_case, clinician):
    with pytest.raises(ValidationError) as refused:
        decide(blocked_case, clinician, "skinvive", "cheeks", "clear", justification="ok")
    assert "justification" in refused.value.message_dict
    decision = decide(
        blocked_case, clinician, "skinvive", "cheeks", "clear", justification=JUSTIFICATION
    )
    assert decision.is_override
    assert decision.clearance.is_override
    assert decision.justification == JUSTIFICATION
    assert ["LIDO-AMIDE-BLOCK", "block"] in decision.flags


def test_declining_a_block_flag_needs_no_justification(blocked_case, clinician):
    decision = decide(blocked_case, clinician, "skinvive", "cheeks", "decline")
    assert not decision.is_override
    assert decision.justification == ""


def test_the_database_refuses_an_unjustified_override(blocked_case, clinician):
    decision = decide(
        blocked_case, clinician, "skinvive", "cheeks", "clear", justification=JUSTIFICATION
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(
            case=blocked_case,
            intake_id=blocked_case.intake_id,
            ruleset="x",
            product=decision.product,
            area=decision.area,
            kind="clear",
            expires_on=decision.expires_on,
            is_override=True,
            justification="short",
            clinician=clinician,
            clinician_name="x",
            clinician_registration="x",
            corrects=decision,
        )


def test_the_clinician_holding_the_claim_decides_and_no_one_else(
    blocked_case, clinician, clinician_b
):
    review_claim(case_id=blocked_case.pk, clinician=clinician)
    with pytest.raises(ClaimHeld):
        decide(blocked_case, clinician_b, "skinvive", "cheeks", "decline")
    decide(blocked_case, clinician, "skinvive", "cheeks", "decline")


def test_deciding_an_unclaimed_case_claims_it(patient_a, clinician, clinician_b):
    case = submit_case(
        patient_a,
        requests=[("meso-vitamin", "face"), ("meso-body", "abdomen")],
        **CLEAN,
    )
    decide(case, clinician, "meso-vitamin", "face", "clear")
    with pytest.raises(ClaimHeld):
        decide(case, clinician_b, "meso-body", "abdomen", "clear")


def test_a_clinician_without_a_registration_number_cannot_decide(blocked_case, clinician):
    clinician.registration_number = ""
    clinician.save(update_fields=["registration_number"])
    with pytest.raises(PermissionDenied, match="registration number"):
        decide(blocked_case, clinician, "skinvive", "cheeks", "decline")


@pytest.mark.parametrize("who", ["patient_a", "front_desk", "admin_user"])
def test_only_clinicians_decide(request, blocked_case, who):
    with pytest.raises(PermissionDenied):
        decide(blocked_case, request.getfixturevalue(who), "skinvive", "cheeks", "decline")


def test_a_double_click_does_not_decide_twice(clean_case, clinician):
    decide(clean_case, clinician, "meso-vitamin", "face", "clear")
    with pytest.raises(ValidationError) as refused:
        decide(clean_case, clinician, "meso-vitamin", "face", "clear")
    assert refused.value.code == "stale"
    assert Decision.objects.count() == Clearance.objects.count() == 1


# --- Immutability and corrections ---------------------------------------------------------


def test_a_correction_is_a_new_decision_and_revokes_the_clearance_it_replaces(
    clean_case, clinician, clinician_b, mailoutbox, django_capture_on_commit_callbacks
):
    first = decide(clean_case, clinician, "meso-vitamin", "face", "clear")
    with django_capture_on_commit_callbacks(execute=True):
        second = decide(
            clean_case,
            clinician_b,
            "meso-vitamin",
            "face",
            "decline",
            replaces=str(first.public_id),
        )
    assert second.corrects == first
    first.clearance.refresh_from_db()
    assert first.clearance.revoked_because == Clearance.RevokedBecause.CORRECTED
    assert current_decisions(clean_case)[("meso-vitamin", "face")] == second
    assert FrontDeskNote.objects.get().reason == FrontDeskNote.Reason.CLEARANCE_REVOKED
    assert "updated" in mailoutbox[-1].subject.lower() or "update" in mailoutbox[-1].subject.lower()


def test_a_decision_cannot_be_edited_or_deleted(clean_case, clinician, is_postgresql):
    if not is_postgresql:
        pytest.skip("the trigger is PostgreSQL's")
    # A consultation: no clearance refers to it, so only the trigger can refuse the delete,
    # and a new note breaks no other constraint, so only the trigger can refuse the update.
    decision = decide(clean_case, clinician, "meso-vitamin", "face", "consult")
    with pytest.raises(IntegrityError, match="never changed"), transaction.atomic():
        Decision.objects.filter(pk=decision.pk).update(note="Changed afterwards")
    with pytest.raises(IntegrityError, match="never changed"), transaction.atomic():
        Decision.objects.filter(pk=decision.pk).delete()
    decision.refresh_from_db()
    assert decision.note == ""


def test_a_clearance_is_only_ever_revoked_or_first_used(clean_case, clinician, is_postgresql):
    if not is_postgresql:
        pytest.skip("the trigger is PostgreSQL's")
    clearance = decide(clean_case, clinician, "meso-vitamin", "face", "clear").clearance
    with pytest.raises(IntegrityError, match="never edited"), transaction.atomic():
        Clearance.objects.filter(pk=clearance.pk).update(expires_on=dt.date(2099, 1, 1))
    with pytest.raises(IntegrityError, match="never deleted"), transaction.atomic():
        Clearance.objects.filter(pk=clearance.pk).delete()
    now = timezone.now()
    Clearance.objects.filter(pk=clearance.pk).update(revoked_at=now, revoked_because="corrected")
    with pytest.raises(IntegrityError, match="stays revoked"), transaction.atomic():
        Clearance.objects.filter(pk=clearance.pk).update(revoked_at=None, revoked_because="")


# --- A new intake version -----------------------------------------------------------------


def test_a_new_version_supersedes_the_open_case(blocked_case, clinician):
    newer = resubmit(blocked_case)
    blocked_case.refresh_from_db()
    assert blocked_case.status == ReviewCase.Status.SUPERSEDED
    assert newer.status == ReviewCase.Status.OPEN
    with pytest.raises(ValidationError) as refused:
        decide(blocked_case, clinician, "skinvive", "cheeks", "decline")
    assert refused.value.code == "superseded"


def test_a_new_version_revokes_unused_clearances_with_a_note_to_the_front_desk(
    clean_case, clinician
):
    clearance = decide(clean_case, clinician, "meso-vitamin", "face", "clear").clearance
    resubmit(clean_case, **CLEAN)
    clearance.refresh_from_db()
    assert clearance.revoked_because == Clearance.RevokedBecause.NEW_INTAKE
    note = FrontDeskNote.objects.get(patient_id=clean_case.patient_id)
    assert "Vitamin mesotherapy" in note.text
    assert "allerg" not in note.text.lower()  # no medical detail for the front desk
    assert patient_outcome(clean_case.intake).cleared == []


def test_a_new_version_keeps_a_clearance_already_used(clean_case, clinician):
    clearance = decide(clean_case, clinician, "meso-vitamin", "face", "clear").clearance
    Clearance.objects.filter(pk=clearance.pk).update(first_used_at=timezone.now())
    resubmit(clean_case, **CLEAN)
    clearance.refresh_from_db()
    assert clearance.revoked_at is None
    assert not FrontDeskNote.objects.exists()


def test_another_patients_new_version_touches_nothing_of_mine(clean_case, clinician, patient_a):
    clearance = decide(clean_case, clinician, "meso-vitamin", "face", "clear").clearance
    submit_case(patient_a)
    clearance.refresh_from_db()
    assert clearance.revoked_at is None


# --- What the patient sees ----------------------------------------------------------------


def test_the_patient_sees_waiting_then_what_was_cleared(clean_case, clinician):
    assert patient_outcome(clean_case.intake).status == "waiting"
    assert patient_outcome(clean_case.intake).waiting_for == 1
    decide(clean_case, clinician, "meso-vitamin", "face", "clear", note="internal reasoning")
    outcome = patient_outcome(clean_case.intake)
    assert outcome.status == "decided"
    assert [(i.product, i.area, i.can_book) for i in outcome.cleared] == [
        ("Vitamin mesotherapy cocktail (lidocaine-free)", "Face (whole)", True)
    ]


def test_an_expired_clearance_is_not_offered_for_booking(clean_case, clinician, time_machine):
    time_machine.move_to(timezone.now())
    decide(clean_case, clinician, "meso-vitamin", "face", "clear")
    time_machine.shift(dt.timedelta(days=CLEARANCE_DAYS + 1))
    assert patient_outcome(clean_case.intake).cleared == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_clinicians_deciding_at_once_make_one_decision(clean_case, clinician, clinician_b):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def attempt(user, kind) -> None:
        barrier.wait()
        try:
            decide(clean_case, user, "meso-vitamin", "face", kind)
            outcomes[user.email] = "decided"
        except ValidationError as refused:
            outcomes[user.email] = refused.code or "refused"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=(clinician, "clear")),
        threading.Thread(target=attempt, args=(clinician_b, "decline")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # The loser either met the winner's claim or, if the winner had already finished, the
    # decision now standing.
    winner, loser = sorted(outcomes.values(), key=lambda o: o != "decided")
    assert winner == "decided"
    assert loser in {"claim_held", "stale"}
    assert Decision.objects.count() == 1
    assert Clearance.objects.count() == (1 if Decision.objects.get().kind == "clear" else 0)


# --- Concerns: problems after treatment, changes at check-in -----------------------------


def test_a_concern_goes_first_and_is_closed_with_what_was_done(blocked_case, clinician):
    from consultations.review.services import review_case_open_concern, review_concern_resolve

    concern = review_case_open_concern(
        kind=ReviewCase.Kind.PROBLEM, intake_id=blocked_case.intake_id, summary="pus, fever"
    )
    assert concern.priority == Priority.PROBLEM
    assert concern.screening_id == blocked_case.screening_id
    with pytest.raises(ValidationError) as refused:
        review_concern_resolve(case_id=concern.pk, clinician=clinician, resolution="")
    assert "resolution" in refused.value.message_dict
    closed = review_concern_resolve(
        case_id=concern.pk, clinician=clinician, resolution="Called; seen in clinic today."
    )
    assert closed.status == ReviewCase.Status.DECIDED
    assert closed.resolved_by == clinician
    with pytest.raises(ValidationError):
        review_concern_resolve(case_id=blocked_case.pk, clinician=clinician, resolution="done!")


def test_only_clinicians_close_a_concern(blocked_case, front_desk):
    from consultations.review.services import review_case_open_concern, review_concern_resolve

    concern = review_case_open_concern(
        kind=ReviewCase.Kind.CHECK_IN, intake_id=blocked_case.intake_id, summary="infection"
    )
    with pytest.raises(PermissionDenied):
        review_concern_resolve(case_id=concern.pk, clinician=front_desk, resolution="done ok")


def test_a_vietnamese_patient_is_emailed_the_outcome_in_vietnamese(
    clean_case, clinician, mailoutbox, django_capture_on_commit_callbacks
):
    from django.utils import translation

    patient = clean_case.patient.user
    patient.preferred_language = "vi"
    patient.save(update_fields=["preferred_language"])
    with django_capture_on_commit_callbacks(execute=True):
        decide(clean_case, clinician, "meso-vitamin", "face", "clear", conditions=("patch_test",))
    (mail,) = mailoutbox
    with translation.override("vi"):
        patch_test = translation.gettext("Patch test first")
    assert patch_test != "Patch test first"
    assert patch_test in mail.body
    assert "cleared" not in mail.body
