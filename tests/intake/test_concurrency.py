"""Double clicks and two devices at once, with real threads against PostgreSQL."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from consultations.intake import services
from consultations.intake.models import ConsentSignature, Intake
from tests.intake.conftest import ANSWERS, fill, sign

# Transactional tests flush the database afterwards; serialized_rollback restores the
# seeded catalog, consent text and role groups for the tests that follow.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def at_once(
    action: Callable[[], object], times: int = 6
) -> tuple[list[object], list[BaseException]]:
    """Run `action` in `times` threads released together; collect results and errors."""
    barrier = threading.Barrier(times)
    results: list[object] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait()
            outcome = action()
            with lock:
                results.append(outcome)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            # This thread's own connection, closed now: left open, it would outlive the test
            # (until a garbage collection) and keep the test database from being dropped.
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


def test_many_simultaneous_submits_make_exactly_one_submission(patient_a):
    draft = services.intake_open_draft(patient=patient_a.patient)
    fill(draft)
    sign(draft)

    results, errors = at_once(lambda: services.intake_submit(intake_id=draft.pk))

    assert errors == []
    assert {r.pk for r in results} == {draft.pk}
    assert len({r.submitted_at for r in results}) == 1, "the first submission time is kept"
    assert Intake.objects.filter(patient=patient_a.patient).count() == 1
    assert Intake.objects.get(pk=draft.pk).is_submitted


def test_many_simultaneous_starts_open_one_draft(patient_a):
    results, errors = at_once(lambda: services.intake_open_draft(patient=patient_a.patient))

    assert errors == []
    assert len({r.pk for r in results}) == 1
    assert Intake.objects.filter(patient=patient_a.patient).count() == 1


def test_simultaneous_updates_after_submission_open_one_new_version(patient_a):
    draft = services.intake_open_draft(patient=patient_a.patient)
    fill(draft)
    sign(draft)
    services.intake_submit(intake_id=draft.pk)

    results, errors = at_once(lambda: services.intake_open_draft(patient=patient_a.patient))

    assert errors == []
    assert {r.version for r in results} == {2}
    assert Intake.objects.filter(patient=patient_a.patient).count() == 2


def test_two_devices_saving_the_same_step_from_the_same_page_keep_one_and_tell_the_other(
    patient_a,
):
    from consultations.intake.steps import fingerprint, step_snapshot

    draft = services.intake_open_draft(patient=patient_a.patient)
    base = fingerprint(step_snapshot(draft, "medicines"))
    medications = iter(["warfarin", "aspirin", "clopidogrel", "Eliquis"])
    lock = threading.Lock()

    def save() -> str:
        with lock:
            mine = next(medications)
        services.intake_save_answers(
            intake_id=draft.pk,
            step="medicines",
            answers={**ANSWERS["medicines"], "medications": mine},
            base_fingerprint=base,
        )
        return mine

    results, errors = at_once(save, times=4)

    assert len(results) == 1, "exactly one device saves over the page both opened"
    assert len(errors) == 3
    assert all(isinstance(e, services.StaleAnswers) for e in errors)
    draft.refresh_from_db()
    assert draft.medications == results[0]


def test_a_double_clicked_signature_makes_one_signature(patient_a):
    draft = services.intake_open_draft(patient=patient_a.patient)
    fill(draft)

    _, errors = at_once(lambda: sign(draft), times=4)

    assert errors == []
    assert ConsentSignature.objects.count() == 1
    assert Intake.objects.get(pk=draft.pk).consent_signature_id is not None
