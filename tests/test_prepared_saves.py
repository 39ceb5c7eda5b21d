"""`PreparedSave`: a busy path's INSERT or UPDATE compiled once, writing what `save()` writes
(consultations/db.py). The submission's three writes use it; the history rows they leave
carry the request's audit context (tests/audit/test_change_history.py)."""

import datetime as dt

import pghistory
import pytest
from django.db import DatabaseError, DataError, IntegrityError, connection, transaction
from django.db.models import F, signals
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consultations import db
from consultations.audit.models import FrontDeskNoteHistory
from consultations.db import PreparedSave
from consultations.intake.models import ConsentText
from consultations.patients.models import Patient, User
from consultations.review.models import FrontDeskNote
from tests.conftest import nothing_prepared

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("server_prepared_statements")]

REASON = FrontDeskNote.Reason.CLEARANCE_REVOKED


def _note(patient: Patient, text: str = "Withdrawn: do not book") -> FrontDeskNote:
    return FrontDeskNote(patient=patient, reason=REASON, text=text)


def _row(note: FrontDeskNote) -> dict:
    return FrontDeskNote.objects.filter(pk=note.pk).values().get()


def _kinds(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"].split()[0] for q in queries.captured_queries]


def test_an_insert_writes_the_row_that_save_writes(patient_a: User) -> None:
    saved, prepared = _note(patient_a.patient), _note(patient_a.patient)
    saved.save()
    PreparedSave(FrontDeskNote).save(prepared)

    assert prepared.pk is not None
    assert prepared.pk != saved.pk
    assert not prepared._state.adding
    assert prepared._state.db == "default"
    by_save, by_prepared = _row(saved), _row(prepared)
    # The defaults (a new public id, the time) are the instance's own, stored as they are.
    assert by_prepared["public_id"] == prepared.public_id != saved.public_id
    assert by_prepared["created_at"] == prepared.created_at
    different = {"id", "public_id", "created_at"}
    assert {k: v for k, v in by_prepared.items() if k not in different} == {
        k: v for k, v in by_save.items() if k not in different
    }
    assert by_prepared["acknowledged_by_id"] is None  # a NULL written as one


def test_the_first_save_prepares_and_every_later_one_executes(patient_a: User) -> None:
    write = PreparedSave(FrontDeskNote)
    with CaptureQueriesContext(connection) as queries:
        for text in ("one", "two", "three"):
            write.save(_note(patient_a.patient, text))
    assert _kinds(queries) == ["PREPARE", "EXECUTE", "EXECUTE", "EXECUTE"]
    assert queries[0]["sql"].startswith(f"PREPARE {db.WRITE_STATEMENT_PREFIX}")
    assert "INSERT INTO" in queries[0]["sql"]
    assert sorted(FrontDeskNote.objects.values_list("text", flat=True)) == ["one", "three", "two"]


def test_a_new_connection_prepares_again(patient_a: User) -> None:
    write = PreparedSave(FrontDeskNote)
    write.save(_note(patient_a.patient))
    nothing_prepared()  # as after a reconnection: the session's statements are gone
    with CaptureQueriesContext(connection) as queries:
        write.save(_note(patient_a.patient))
    assert _kinds(queries) == ["PREPARE", "EXECUTE"]


def test_a_rolled_back_transaction_keeps_the_statement_and_loses_the_row(patient_a) -> None:
    write = PreparedSave(FrontDeskNote)
    try:
        with transaction.atomic():
            write.save(_note(patient_a.patient, "rolled back"))
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    assert not FrontDeskNote.objects.exists()
    with CaptureQueriesContext(connection) as queries:
        write.save(_note(patient_a.patient))
    assert _kinds(queries) == ["EXECUTE"]


def test_an_update_writes_only_its_fields(patient_a: User, front_desk: User) -> None:
    note = _note(patient_a.patient)
    note.save()
    seen = timezone.now() - dt.timedelta(minutes=3)
    note.acknowledged_at, note.acknowledged_by = seen, front_desk
    note.text = "changed in memory, not saved"
    with CaptureQueriesContext(connection) as queries:
        PreparedSave(FrontDeskNote, update_fields=("acknowledged_at", "acknowledged_by")).save(note)
    assert _kinds(queries) == ["PREPARE", "EXECUTE"]
    assert "UPDATE" in queries[0]["sql"]
    row = _row(note)
    assert (row["acknowledged_at"], row["acknowledged_by_id"]) == (seen, front_desk.pk)
    assert row["text"] == "Withdrawn: do not book"


def test_an_update_of_a_row_that_is_not_there_is_refused(patient_a: User) -> None:
    note = _note(patient_a.patient)
    note.save()
    FrontDeskNote.objects.filter(pk=note.pk).delete()
    with pytest.raises(DatabaseError, match="did not affect any rows"):
        PreparedSave(FrontDeskNote, update_fields=("text",)).save(note)


@pytest.mark.parametrize("update", [False, True])
def test_a_value_too_long_for_its_column_is_refused_not_cut(patient_a: User, update) -> None:
    # The statement's values take their types from the columns they are written to; a cast
    # to varchar(500) would quietly cut the text instead.
    note = _note(patient_a.patient)
    if update:
        note.save()
    note.text = "x" * 501
    write = PreparedSave(FrontDeskNote, update_fields=("text",) if update else None)
    with pytest.raises(DataError, match="too long"), transaction.atomic():
        write.save(note)


def test_the_databases_constraints_still_hold(patient_a: User, front_desk: User) -> None:
    note = _note(patient_a.patient)
    note.acknowledged_by = front_desk  # seen by someone, but not when: desk_note_seen_by_someone
    with pytest.raises(IntegrityError), transaction.atomic():
        PreparedSave(FrontDeskNote).save(note)


def test_the_write_carries_the_audit_context_and_its_prepare_does_not(patient_a: User) -> None:
    write = PreparedSave(FrontDeskNote)
    with (
        pghistory.context(user=patient_a.pk, url="/somewhere/"),
        CaptureQueriesContext(connection) as queries,
    ):
        note = _note(patient_a.patient)
        write.save(note)
    prepare, execute = (q["sql"] for q in queries.captured_queries)
    assert prepare.startswith("PREPARE write_")
    assert execute.startswith("SELECT set_config('pghistory.context_id'")
    event = FrontDeskNoteHistory.objects.get(pgh_obj_id=note.pk, pgh_label="insert")
    assert event.pgh_context == {"user": patient_a.pk, "url": "/somewhere/"}
    assert event.text == note.text


def test_the_signals_of_a_save_are_sent(patient_a: User) -> None:
    heard = []

    def before(sender, instance, raw, using, update_fields, **kwargs):
        heard.append(("pre", instance.pk, raw, using, update_fields))

    def after(sender, instance, created, raw, using, update_fields, **kwargs):
        heard.append(("post", instance.pk, created, raw, using, update_fields))

    signals.pre_save.connect(before, sender=FrontDeskNote)
    signals.post_save.connect(after, sender=FrontDeskNote)
    try:
        note = _note(patient_a.patient)
        PreparedSave(FrontDeskNote).save(note)
        PreparedSave(FrontDeskNote, update_fields=("text",)).save(note)
    finally:
        signals.pre_save.disconnect(before, sender=FrontDeskNote)
        signals.post_save.disconnect(after, sender=FrontDeskNote)
    assert heard == [
        ("pre", None, False, "default", None),
        ("post", note.pk, True, False, "default", None),
        ("pre", note.pk, False, "default", frozenset({"text"})),
        ("post", note.pk, False, False, "default", frozenset({"text"})),
    ]


def test_an_unsaved_related_row_is_refused_as_save_refuses_it(patient_a: User) -> None:
    note = FrontDeskNote(patient=Patient(user=patient_a), reason=REASON, text="no patient yet")
    with pytest.raises(ValueError, match="unsaved related object"):
        PreparedSave(FrontDeskNote).save(note)


def test_what_it_cannot_write_as_save_does_is_refused(patient_a: User) -> None:
    with pytest.raises(TypeError, match="saves in its own way"):
        PreparedSave(ConsentText)  # its save() keeps the text's hash
    with pytest.raises(ValueError, match="no field to update"):
        PreparedSave(FrontDeskNote, update_fields=("nothing_like_it",))
    with pytest.raises(ValueError, match="no field to update"):
        PreparedSave(FrontDeskNote, update_fields=("id",))
    write = PreparedSave(FrontDeskNote)
    with pytest.raises(TypeError, match="not a User"):
        write.save(patient_a)
    saved = _note(patient_a.patient)
    saved.save()
    with pytest.raises(ValueError, match="saved already"):
        write.save(saved)
    with pytest.raises(ValueError, match="not saved yet"):
        PreparedSave(FrontDeskNote, update_fields=("text",)).save(_note(patient_a.patient))
    saved.text = F("text")
    with pytest.raises(TypeError, match="an expression"):
        PreparedSave(FrontDeskNote, update_fields=("text",)).save(saved)


def test_without_server_prepared_statements_it_runs_the_compiled_sql(patient_a, settings):
    settings.DATABASE_PREPARED_STATEMENTS = False  # behind PgBouncer in transaction mode
    write = PreparedSave(FrontDeskNote)
    with CaptureQueriesContext(connection) as queries:
        first, second = _note(patient_a.patient, "first"), _note(patient_a.patient, "second")
        write.save(first)
        write.save(second)
    assert _kinds(queries) == ["INSERT", "INSERT"]
    assert [_row(first)["text"], _row(second)["text"]] == ["first", "second"]
    settings.DATABASE_PREPARED_STATEMENTS = True  # the setting followed as it changes
    with CaptureQueriesContext(connection) as queries:
        write.save(_note(patient_a.patient, "third"))
    assert _kinds(queries) == ["PREPARE", "EXECUTE"]


def test_elsewhere_than_postgresql_it_is_save(patient_a: User, monkeypatch) -> None:
    write = PreparedSave(FrontDeskNote, update_fields=("text",))  # built before save() is patched
    calls = []
    monkeypatch.setattr(connection, "vendor", "sqlite")
    monkeypatch.setattr(FrontDeskNote, "save", lambda self, **kwargs: calls.append((self, kwargs)))
    note = _note(patient_a.patient)
    note.pk = 1
    write.save(note)
    assert calls == [(note, {"update_fields": frozenset({"text"})})]
