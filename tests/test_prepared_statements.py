"""`Prepared` reads on PostgreSQL: PREPAREd once per connection, then EXECUTEd with the values,
reading exactly what the plain query reads (consultations/db.py, `_ServerStatement`)."""

import pghistory
import pytest
from django.db import connection, transaction
from django.db.models import BigIntegerField, CharField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat
from django.test.utils import CaptureQueriesContext

from consultations.db import Param, Prepared, statement_text
from consultations.patients.models import User
from tests.conftest import nothing_prepared

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("server_prepared_statements")]


def _by_email() -> Prepared:
    # A constant with a quote and a literal percent sign, and one value used twice.
    return Prepared(
        lambda: (
            User.objects.filter(email=Param("email", CharField()))
            .annotate(
                note=RawSQL("'50%%' || %s", ["it's"], output_field=CharField()),
                again=Concat(Param("email", CharField()), Value("!"), output_field=CharField()),
            )
            .order_by("pk")
        )
    )


def _prepared_here() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


def test_the_first_run_prepares_and_every_later_one_executes(patient_a, patient_b):
    read = _by_email()
    with CaptureQueriesContext(connection) as queries:
        first = read.rows(email=patient_a.email)
        second = read.rows(email=patient_b.email)
        missing = read.rows(email="nobody@example.com")
    kinds = [q["sql"].split()[0] for q in queries]
    assert kinds == ["PREPARE", "EXECUTE", "EXECUTE", "EXECUTE"], kinds
    assert [(u.pk, u.note, u.again) for u in first] == [
        (patient_a.pk, "50%it's", f"{patient_a.email}!")
    ]
    assert [u.pk for u in second] == [patient_b.pk]
    assert missing == []
    name = queries[1]["sql"].split()[1].split("(")[0]
    assert name in _prepared_here()
    assert statement_text(queries[1]["sql"], connection).startswith(f"PREPARE {name} AS SELECT")


def test_it_reads_what_the_plain_query_reads(patient_a, settings):
    prepared = _by_email().rows(email=patient_a.email)
    settings.DATABASE_PREPARED_STATEMENTS = False
    with CaptureQueriesContext(connection) as queries:
        plain = _by_email().rows(email=patient_a.email)
    assert queries[0]["sql"].startswith("SELECT")  # off: the query itself, no statement
    fields = ("pk", "email", "full_name", "note", "again", "password", "last_login")
    assert [tuple(getattr(u, f) for f in fields) for u in prepared] == [
        tuple(getattr(u, f) for f in fields) for u in plain
    ]


def test_a_new_connection_prepares_again(patient_a):
    read = _by_email()
    assert [u.pk for u in read.rows(email=patient_a.email)] == [patient_a.pk]
    # A session's statements end with it; the next run must not EXECUTE what the new one lacks.
    nothing_prepared()
    with CaptureQueriesContext(connection) as queries:
        assert [u.pk for u in read.rows(email=patient_a.email)] == [patient_a.pk]
    assert [q["sql"].split()[0] for q in queries] == ["PREPARE", "EXECUTE"]


def test_two_reads_of_the_same_query_share_one_statement(patient_a):
    one, other = _by_email(), _by_email()
    with CaptureQueriesContext(connection) as queries:
        one.rows(email=patient_a.email)
        other.rows(email=patient_a.email)
    assert [q["sql"].split()[0] for q in queries] == ["PREPARE", "EXECUTE", "EXECUTE"]


def test_a_rolled_back_transaction_keeps_the_statement(patient_a):
    read = Prepared(lambda: User.objects.filter(pk=Param("pk", BigIntegerField())).order_by())
    try:
        with transaction.atomic():
            assert read.rows(pk=patient_a.pk)[0].pk == patient_a.pk
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    with CaptureQueriesContext(connection) as queries:
        assert read.rows(pk=patient_a.pk)[0].pk == patient_a.pk
    assert [q["sql"].split()[0] for q in queries] == ["EXECUTE"]


def test_off_by_default_without_persistent_connections():
    """Behind PgBouncer in transaction mode connections do not persist (CONN_MAX_AGE=0), and
    a session's statements would reach other clients: the setting follows CONN_MAX_AGE."""
    import os
    import subprocess
    import sys

    code = "from django.conf import settings; print(settings.DATABASE_PREPARED_STATEMENTS)"
    for max_age, expected in (("0", "False"), ("60", "True")):
        environment = {
            **os.environ,
            "DJANGO_CONN_MAX_AGE": max_age,
            "DJANGO_SETTINGS_MODULE": "clinic.settings",
        }
        environment.pop("DJANGO_DB_PREPARED_STATEMENTS", None)
        found = subprocess.run(  # noqa: S603 - this interpreter, our settings
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        )
        assert found.stdout.strip() == expected, max_age


def test_no_audit_context_is_sent_before_a_read_but_a_write_still_carries_it(patient_a):
    """pghistory puts its context before a request's statements; a prepared read writes
    nothing, so it goes as it is, and a write in the same context still gets the context."""
    read = _by_email()
    with (
        pghistory.context(user=patient_a.pk, url="/somewhere/"),
        CaptureQueriesContext(connection) as queries,
    ):
        read.rows(email=patient_a.email)  # PREPARE, then EXECUTE
        read.rows(email=patient_a.email)  # EXECUTE
        User.objects.filter(pk=patient_a.pk).update(full_name="Renamed in the context")
    prepare, first, second, write = (q["sql"] for q in queries.captured_queries)
    assert prepare.startswith("PREPARE clinic_")
    assert first.startswith("EXECUTE clinic_")
    assert second.startswith("EXECUTE clinic_")
    assert "pghistory.context_id" in write
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        (statement,) = (s for (s,) in cursor.fetchall() if "clinic_" in s)
    assert statement.startswith("PREPARE clinic_")
