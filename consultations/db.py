"""Database helpers shared by the rooms' migrations."""

from django.db import connection, migrations, models


class PostgresOnlySQL(migrations.RunSQL):
    """RunSQL that applies only on PostgreSQL.

    The safety triggers are PostgreSQL's; a quick local run on SQLite relies on
    the service layer alone, which enforces the same rules first.
    """

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def append_only(table: str) -> PostgresOnlySQL:
    """A trigger that refuses UPDATE and DELETE on `table` (a byte-identical rewrite passes).

    For records that are evidence: what was decided, signed or screened, and when.
    """
    function = f"{table}_append_only"
    return PostgresOnlySQL(
        f"""
        CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' AND NEW IS NOT DISTINCT FROM OLD THEN RETURN NEW; END IF;
            RAISE EXCEPTION '{table} rows are never changed or deleted'
                USING ERRCODE = 'integrity_constraint_violation';
        END $$;
        CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION {function}();
        """,
        f"DROP TRIGGER {table}_append_only ON {table}; DROP FUNCTION {function}();",
    )


def validate_fields(instance: models.Model, *, exclude: tuple[str, ...] = ()) -> None:
    """`full_clean()` for a new row on a busy path, leaving to PostgreSQL what it checks anyway.

    Every field is validated (type, length, choices) and the model's `clean()` runs; the
    constraints, the uniqueness and the foreign keys are checked by the database as the row is
    written, in the same transaction and for every path. Checking them first as well costs a
    round trip each (Django asks the database `SELECT 1 WHERE <condition>` per constraint):
    dozens per intake submission. The services still refuse, in plain words, what a person
    can get wrong; what is left is a bug, and the database refuses it.
    """
    relations = tuple(
        f.name for f in instance._meta.concrete_fields if f.many_to_one or f.one_to_one
    )
    instance.full_clean(
        exclude=[*exclude, *relations], validate_unique=False, validate_constraints=False
    )


def require_transaction() -> None:
    """For a service's part that takes no savepoint of its own: its caller's transaction
    must be open, or its reads under lock and its writes would not be one unit."""
    if not connection.in_atomic_block:
        raise RuntimeError("this must run inside the caller's transaction.atomic()")
