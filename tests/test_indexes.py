"""Each index is one more entry PostgreSQL writes with every row it covers: the schema keeps
the indexes the reads use, and no index another one already serves.

A submission writes five rows (the intake's update and its history row, the screening, the
review case and its history row); without the indexes these tests keep out, it writes 23
index entries instead of 34 (docs/benchmarks.md, fourteenth session)."""

from dataclasses import dataclass

import pytest
from django.apps import apps
from django.db import connection, models

from consultations.audit.models import CHANGE_HISTORY

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Index:
    name: str
    columns: tuple[str, ...]
    partial: bool
    unique: bool


def _indexes(table: str) -> list[Index]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, i.indpred IS NOT NULL, i.indisunique,
                   -- each key column's name, or its expression (lower(email))
                   array(SELECT pg_get_indexdef(i.indexrelid, n, true)
                         FROM generate_series(1, i.indnkeyatts) n ORDER BY n)
            FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            WHERE i.indrelid = %s::regclass
            """,
            [table],
        )
        return [
            Index(name, tuple(columns), partial, unique)
            for name, partial, unique, columns in cursor.fetchall()
        ]


def _our_models() -> list[type[models.Model]]:
    """The project's own tables: not third-party apps', not the through tables Django makes
    for a many-to-many field (their indexes are Django's to choose)."""
    return [
        model
        for config in apps.get_app_configs()
        if config.name.startswith("consultations.")
        for model in config.get_models()
        if not model._meta.auto_created and model._meta.managed
    ]


def _covered(table: str) -> list[tuple[str, str]]:
    indexes = _indexes(table)
    return [
        (index.name, other.name)
        for index in indexes
        for other in indexes
        if index is not other
        and not index.unique  # a unique index is a rule, not only a way to read
        and not index.partial
        and not other.partial
        and other.columns[: len(index.columns)] == index.columns
        and len(other.columns) > len(index.columns)
    ]


def test_no_index_is_the_leading_columns_of_another() -> None:
    covered = [
        (m._meta.db_table, *pair) for m in _our_models() for pair in _covered(m._meta.db_table)
    ]
    assert covered == []


def test_the_check_finds_an_index_another_covers() -> None:
    """The check above, shown to fail: an index on a column that leads another index."""
    with connection.cursor() as cursor:
        cursor.execute('CREATE INDEX covered_probe ON "intake_intake" ("patient_id")')
    assert ("covered_probe", "intake_version_unique") in _covered("intake_intake")


@pytest.mark.parametrize(
    "model", [m for m in _our_models() if m not in CHANGE_HISTORY], ids=lambda m: m.__name__
)
def test_every_foreign_key_leads_an_index(model: type[models.Model]) -> None:
    """A read by a foreign key, and PostgreSQL's check of the rows that point at a row being
    deleted, find their rows through an index: none left without one by `db_index=False`.
    (A history table's copies of foreign keys are not indexed: nothing reads by them.)"""
    leading = {index.columns[0] for index in _indexes(model._meta.db_table) if not index.partial}
    columns = [f.column for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]
    assert [c for c in columns if c not in leading] == []


@pytest.mark.parametrize("model", CHANGE_HISTORY, ids=lambda m: m.__name__)
def test_a_history_table_keeps_its_key_and_the_objects_index(model: type[models.Model]) -> None:
    columns = sorted(index.columns for index in _indexes(model._meta.db_table))
    assert columns == [("pgh_id",), ("pgh_obj_id",)]


@pytest.mark.parametrize("model", _our_models(), ids=lambda m: m.__name__)
def test_every_declared_constraint_and_index_is_in_the_database(
    model: type[models.Model],
) -> None:
    """What the models declare holds in the database: Django's AlterField, making a foreign
    key `db_index=False`, would also have dropped a partial unique constraint on the same
    column (one open draft per patient); these migrations drop indexes by name instead."""
    declared = {c.name for c in model._meta.constraints} | {i.name for i in model._meta.indexes}
    with connection.cursor() as cursor:
        present = set(connection.introspection.get_constraints(cursor, model._meta.db_table))
    assert sorted(declared - present) == []
