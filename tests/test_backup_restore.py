"""A backup is only as good as its restore: docs/operations.md's commands, run for real.

The test database (migrated, with the seeded catalog, the consent texts and every trigger) is
dumped with `pg_dump --format=custom` and restored into a new database with `pg_restore`, as
the operations guide does; the copy must hold the same rows and the same safety triggers, and
those triggers must still refuse what they refuse.
"""

import shutil
import subprocess
import uuid

import psycopg2
import pytest
from django.db import connection

pytestmark = pytest.mark.skipif(
    shutil.which("pg_dump") is None or shutil.which("pg_restore") is None,
    reason="PostgreSQL's client tools are not installed",
)

TABLES = ("catalog_product", "catalog_area", "intake_consenttext", "django_migrations")


def _dsn(name: str) -> str:
    settings = connection.settings_dict
    return (
        f"host={settings['HOST'] or '127.0.0.1'} port={settings['PORT'] or 5432} "
        f"user={settings['USER'] or 'postgres'} dbname={name}"
    )


def _facts(dsn: str) -> dict[str, object]:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cursor:
        counts = {}
        for table in TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed names
            counts[table] = cursor.fetchone()[0]
        cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgname")
        triggers = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT conname FROM pg_constraint WHERE contype = 'x' ORDER BY conname")
        exclusions = [row[0] for row in cursor.fetchall()]
    return {"counts": counts, "triggers": triggers, "exclusions": exclusions}


@pytest.mark.django_db
def test_a_dump_restores_into_a_working_copy_with_every_trigger(tmp_path) -> None:
    source = connection.settings_dict["NAME"]
    copy = f"restore_check_{uuid.uuid4().hex[:8]}"
    dump = tmp_path / "clinic.dump"
    settings = connection.settings_dict
    base = ["--host", settings["HOST"] or "127.0.0.1", "--port", str(settings["PORT"] or 5432)]
    base += ["--username", settings["USER"] or "postgres"]
    subprocess.run(  # noqa: S603
        ["pg_dump", *base, "--format=custom", "--file", str(dump), source],  # noqa: S607
        check=True,
    )
    admin = psycopg2.connect(_dsn("postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{copy}"')
    try:
        subprocess.run(  # noqa: S603
            ["pg_restore", *base, "--exit-on-error", "--no-owner", "--dbname", copy, str(dump)],  # noqa: S607
            check=True,
        )
        original, restored = _facts(_dsn(source)), _facts(_dsn(copy))
        assert restored == original
        assert "intake_immutable_once_submitted" in restored["triggers"]
        assert "booking_clearance_gate" in restored["triggers"]
        assert "appointment_practitioner_no_overlap" in restored["exclusions"]
        # The consent texts are evidence: the restored copy still refuses to change one.
        with (
            psycopg2.connect(_dsn(copy)) as conn,
            conn.cursor() as cursor,
            pytest.raises(psycopg2.Error, match=r"cannot be changed|never"),
        ):
            cursor.execute("UPDATE intake_consenttext SET title = 'edited'")
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
        admin.close()
