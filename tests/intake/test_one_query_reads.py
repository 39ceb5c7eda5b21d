"""An intake and its answers in one query (`with_children`), and reads compiled once
(`Prepared`): the same rows as the ORM's own prefetches, read afresh on every run."""

import datetime as dt
import threading
import uuid

import pytest
from django.db import connection, transaction
from django.db.models import BigIntegerField, Prefetch, UUIDField
from django.db.models.sql.compiler import SQLCompiler
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from consultations.db import Param, Prepared, _kept_converters
from consultations.intake import services
from consultations.intake.models import (
    Intake,
    PreviousTreatment,
    SkinCheck,
    TreatmentRequest,
)
from consultations.intake.selectors import get_own_draft_step, with_answers
from tests.intake.conftest import (
    area,
    fill,
    previous_answer,
    product,
    request_answer,
    save_history,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(draft: Intake) -> Intake:
    """A draft with two requests (one without a product), skin findings on one area and two
    previous treatments (one named in words only)."""
    requests = [
        request_answer("skinvive", "cheeks"),
        services.RequestAnswer(
            treatment=product("skinvive").treatment,
            product=None,
            area=area("face"),
            goal="hydration",
        ),
    ]
    fill(draft, requests=requests, skin={"cheeks": ["inflamed_acne", "rash"]}, skip=("history",))
    save_history(
        draft,
        previous_answer("skinvive", "cheeks", dt.date(2025, 3, 1)),
        previous_answer(None, "face", dt.date(2024, 7, 15), description="a filler abroad"),
    )
    return Intake.objects.get(pk=draft.pk)


def _prefetched(pk: int) -> Intake:
    """The same intake as the ORM's own prefetches read it (the reference)."""
    return (
        Intake.objects.select_related("patient", "consent_signature__consent_text")
        .prefetch_related(
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
        .get(pk=pk)
    )


def _fields(row) -> dict:
    return {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields}


def test_the_answers_are_the_prefetches_rows_in_their_order(answered: Intake) -> None:
    expected = _prefetched(answered.pk)
    with CaptureQueriesContext(connection) as queries:
        found = with_answers(Intake.objects.filter(pk=answered.pk)).get()
        for name in ("requests", "skin_checks", "previous_treatments"):
            rows, wanted = list(getattr(found, name).all()), list(getattr(expected, name).all())
            assert [_fields(r) for r in rows] == [_fields(r) for r in wanted], name
            assert all(r.intake is found for r in rows)  # each knows its parent, no query
            assert all(r._state.db == "default" and not r._state.adding for r in rows)
            for r, w in zip(rows, wanted, strict=True):
                for related in ("treatment", "product", "area"):
                    if hasattr(w, related + "_id"):
                        got, want = getattr(r, related), getattr(w, related)
                        assert (got and _fields(got)) == (want and _fields(want))
    assert len(queries) == 1
    assert [p.treated_on for p in found.previous_treatments.all()] == [
        dt.date(2025, 3, 1),
        dt.date(2024, 7, 15),
    ]  # dates as dates, newest first as the model orders them
    assert found.previous_treatments.all()[1].product is None
    assert [c.findings for c in found.skin_checks.all()] == [
        c.findings for c in expected.skin_checks.all()
    ]
    assert found.consent_signature == expected.consent_signature


def test_a_submissions_read_has_the_same_answers_with_only_the_catalog_codes(
    answered: Intake, is_postgresql
) -> None:
    """`with_screened_answers`: the same rows as `with_answers`; of the catalog rows and the
    consent text only the columns a submission reads are read (the texts are not), and one
    asked for all the same is read from the database, right."""
    from consultations.intake.selectors import with_screened_answers
    from tests.intake.conftest import sign

    sign(answered)
    full = with_answers(Intake.objects.filter(pk=answered.pk)).get()
    with CaptureQueriesContext(connection) as queries:
        found = with_screened_answers(Intake.objects.filter(pk=answered.pk)).get()
        for name in ("requests", "skin_checks", "previous_treatments"):
            rows, wanted = list(getattr(found, name).all()), list(getattr(full, name).all())
            assert [_fields(r) for r in rows] == [_fields(r) for r in wanted], name
            for r, w in zip(rows, wanted, strict=True):
                for related in ("treatment", "product", "area"):
                    got, want = getattr(r, related, None), getattr(w, related, None)
                    assert (got and got.pk, got and got.code) == (
                        want and want.pk,
                        want and want.code,
                    )
        area_parents = [r.area.parent_id for r in found.requests.all()]
        product_treatments = [r.product.treatment_id for r in found.requests.all() if r.product]
        assert (
            found.consent_signature.consent_text.sha256
            == full.consent_signature.consent_text.sha256
        )
    assert len(queries) == 1
    assert area_parents == [r.area.parent_id for r in full.requests.all()]
    assert product_treatments == [r.product.treatment_id for r in full.requests.all() if r.product]
    sql = queries[0]["sql"]
    if is_postgresql:
        assert "evidence_summary" not in sql
        assert '"aftercare"' not in sql
    assert '"intake_consenttext"."body"' not in sql
    # Not read, yet there when asked for: from the database.
    first = found.requests.all()[0]
    with CaptureQueriesContext(connection) as later:
        assert first.product.evidence_summary == full.requests.all()[0].product.evidence_summary
        assert found.consent_signature.consent_text.body == full.consent_signature.consent_text.body
    assert len(later) == (2 if is_postgresql else 1)


def test_a_filter_on_the_relation_is_a_query_of_its_own(answered: Intake) -> None:
    found = with_answers(Intake.objects.filter(pk=answered.pk)).get()
    cheeks = area("cheeks")
    with CaptureQueriesContext(connection) as queries:
        assert [r.area_id for r in found.requests.filter(area=cheeks)] == [cheeks.pk]
    assert len(queries) == 1


def test_many_intakes_are_still_one_query(answered: Intake, patient_b) -> None:
    other = services.intake_open_draft(patient=patient_b.patient)
    fill(other, requests=[request_answer("skinvive", "face")])
    with CaptureQueriesContext(connection) as queries:
        found = {
            i.pk: i for i in with_answers(Intake.objects.filter(pk__in=[answered.pk, other.pk]))
        }
        counts = {pk: len(i.requests.all()) for pk, i in found.items()}
    assert len(queries) == 1
    assert counts == {answered.pk: 2, other.pk: 1}


def test_children_of_a_parent_without_any_are_empty(draft: Intake) -> None:
    found = with_answers(Intake.objects.filter(pk=draft.pk)).get()
    assert list(found.requests.all()) == list(found.previous_treatments.all()) == []


def test_a_column_json_cannot_carry_is_refused() -> None:
    """A field with a conversion of its own from the database (say, encrypted text) would be
    skipped by the JSON: it is refused, not read wrong."""
    from consultations import db

    class Odd(BigIntegerField):
        def from_db_value(self, value, expression, connection):
            return value

    odd = Odd()
    odd.set_attributes_from_name("odd")

    class Model:
        class _meta:
            concrete_fields = [*TreatmentRequest._meta.concrete_fields, odd]

    with pytest.raises(TypeError, match="not read from JSON"):
        db._columns(Model)  # type: ignore[arg-type]


# --- Prepared ------------------------------------------------------------------------------


def _by_public_id() -> Prepared:
    return Prepared(
        lambda: with_answers(
            Intake.objects.filter(public_id=Param("public_id", UUIDField())).order_by()[:1]
        )
    )


def test_a_prepared_read_reads_the_rows_of_its_values(answered: Intake, patient_b) -> None:
    other = services.intake_open_draft(patient=patient_b.patient)
    read = _by_public_id()
    assert read.first(public_id=answered.public_id).pk == answered.pk
    assert read.first(public_id=other.public_id).pk == other.pk
    assert read.first(public_id=uuid.uuid4()) is None
    found = read.first(public_id=answered.public_id)
    assert [_fields(r) for r in found.requests.all()] == [
        _fields(r) for r in _prefetched(answered.pk).requests.all()
    ]


def test_a_prepared_read_is_built_and_compiled_once_and_reads_afresh(
    answered: Intake, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = []

    def build():
        built.append(1)
        return Intake.objects.filter(pk=Param("pk", BigIntegerField())).only("pk", "phone")

    read = Prepared(build)
    assert read.first(pk=answered.pk).phone == answered.phone
    Intake.objects.filter(pk=answered.pk).update(phone="+84901234567")

    def compile_again(*args, **kwargs):
        raise AssertionError("compiled again")

    monkeypatch.setattr(SQLCompiler, "as_sql", compile_again)
    with CaptureQueriesContext(connection) as queries:
        assert read.first(pk=answered.pk).phone == "+84901234567"  # the database, not a copy
        assert read.first(pk=answered.pk + 10_000) is None
    assert len(built) == 1
    assert len(queries) == 2


def test_a_prepared_read_finds_its_columns_converters_once(
    answered: Intake, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = []
    original = SQLCompiler.get_converters

    def counting(self, expressions):
        asked.append(len(expressions))
        return original(self, expressions)

    monkeypatch.setattr(SQLCompiler, "get_converters", counting)
    read = Prepared(
        lambda: Intake.objects.filter(pk=Param("pk", BigIntegerField())).only(
            "pk", "date_of_birth", "pending_input", "updated_at"
        )
    )
    runs = [read.first(pk=answered.pk) for _ in range(3)]
    assert len(asked) == 1
    # Every run's values are still converted: a date, a datetime, JSON.
    for found in runs:
        assert found.date_of_birth == answered.date_of_birth
        assert isinstance(found.date_of_birth, dt.date)
        assert found.updated_at == answered.updated_at
        assert found.pending_input == answered.pending_input


def test_kept_converters_are_asked_afresh_for_other_columns() -> None:
    asked = []

    def get_converters(expressions):
        asked.append(list(expressions))
        return {len(asked): expressions}

    converters = _kept_converters(get_converters)
    one, two = object(), object()
    assert converters([one, two]) == converters([one, two]) == {1: [one, two]}
    assert converters([two]) == {2: [two]}
    assert asked == [[one, two], [two]]


def test_a_prepared_read_wants_exactly_its_values(answered: Intake) -> None:
    read = _by_public_id()
    with pytest.raises(TypeError):
        read.first()
    with pytest.raises(TypeError):
        read.first(public_id=answered.public_id, pk=1)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_prepared_read_under_lock_needs_a_transaction(patient_a) -> None:
    answered = services.intake_open_draft(patient=patient_a.patient)
    read = Prepared(
        lambda: Intake.objects.select_for_update().filter(pk=Param("pk", BigIntegerField()))
    )
    with pytest.raises(TransactionManagementError):
        read.rows(pk=answered.pk)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        assert [i.pk for i in read.rows(pk=answered.pk)] == [answered.pk]
    assert "FOR UPDATE" in queries[0]["sql"]


def test_each_thread_compiles_for_its_own_connection(answered: Intake) -> None:
    read = Prepared(lambda: Intake.objects.filter(pk=Param("pk", BigIntegerField())))
    assert read.first(pk=answered.pk).pk == answered.pk
    seen = []

    def other_thread():
        try:
            # The test's data is not committed: another connection does not see it.
            seen.append(read.first(pk=answered.pk))
        finally:
            connection.close()

    worker = threading.Thread(target=other_thread)
    worker.start()
    worker.join()
    assert seen == [None]


def test_the_step_page_read_is_the_patients_own_draft_only(answered: Intake, patient_b) -> None:
    owner = answered.patient.user
    found = get_own_draft_step(owner, str(answered.public_id))
    assert found.pk == answered.pk
    assert [r.area_id for r in found.requests.all()] == [
        r.area_id for r in _prefetched(answered.pk).requests.all()
    ]
    from django.http import Http404

    with pytest.raises(Http404):
        get_own_draft_step(patient_b, str(answered.public_id))
    with pytest.raises(Http404):
        get_own_draft_step(owner, "not-a-uuid")
