"""Database helpers: for the rooms' migrations, their services and their reads."""

import hashlib
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.db import DatabaseError, connection, connections, migrations, models, router
from django.db.models import F, OuterRef, Prefetch, QuerySet, signals
from django.db.models.functions import Cast, JSONObject
from django.db.models.query import ModelIterable
from django.db.models.sql import InsertQuery, UpdateQuery
from django.db.transaction import TransactionManagementError


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


def foreign_key_indexes_dropped(
    state_operations: list[migrations.AlterField], *indexes: tuple[str, str, str]
) -> migrations.SeparateDatabaseAndState:
    """Foreign keys made `db_index=False` (`state_operations`), their indexes dropped by name:
    each of `indexes` is (index, table, column), and going back creates it again.

    Not Django's own AlterField in the database: it drops every index on the column alone
    that the model's `Meta.indexes` do not name, and so also a partial unique constraint on
    it (intake_one_draft_per_patient, one open draft per patient, went with the foreign
    key's index when this was first tried)."""
    return migrations.SeparateDatabaseAndState(
        state_operations=state_operations,
        database_operations=[
            migrations.RunSQL(
                f'DROP INDEX IF EXISTS "{index}"',
                f'CREATE INDEX "{index}" ON "{table}" ("{column}")',
            )
            for index, table, column in indexes
        ],
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


# --- A parent's rows with their children in one query ----------------------------------------


@dataclass(frozen=True)
class Children:
    """The rows of a reverse foreign key (`name`, as `prefetch_related` takes it) with the
    rows their forward foreign keys in `related` name (as `select_related` takes them)."""

    name: str
    related: tuple[str, ...] = ()
    # For some related rows, only these columns (by attribute name; the key is always read),
    # as `.only()` leaves them: the rest is read from the database if asked for. For a read
    # that needs a related row's few columns (a code) and not its texts. PostgreSQL only: a
    # prefetch (SQLite) reads every column.
    columns: tuple[tuple[str, tuple[str, ...]], ...] = ()


def with_children(queryset: QuerySet, *children: Children) -> QuerySet:
    """`queryset` with each parent's children already read, as `prefetch_related` leaves them.

    On PostgreSQL the children come in the parent's own query, as an array of JSON objects
    per parent (one round trip, one query to compile, instead of one more of each per
    relation); elsewhere (SQLite) from `prefetch_related`. Either way `parent.name.all()`
    then reads no more, each child knows its parent, and a further `.filter()` on it is a
    query of its own, as after a prefetch. Only for evaluating the rows (iterating, `get`,
    `first`): `values()` and the like leave the children out.
    """
    model = queryset.model
    if connection.vendor != "postgresql":
        return queryset.prefetch_related(
            *(
                Prefetch(c.name, queryset=_child_model(model, c).objects.select_related(*c.related))
                for c in children
            )
        )
    annotations = {}
    for child in children:
        rel = model._meta.get_field(child.name)
        rows = (
            rel.related_model._default_manager.filter(**{rel.field.attname: OuterRef("pk")})
            .order_by(*rel.related_model._meta.ordering, "pk")
            .values(row=_json_row(rel.related_model, child.related, columns=dict(child.columns)))
        )
        annotations[_ANNOTATION + child.name] = ArraySubquery(rows)
    queryset = queryset.annotate(**annotations)
    queryset._iterable_class = _children_iterable(children)
    return queryset


_ANNOTATION = "_children_"


def _child_model(model: type[models.Model], child: Children) -> type[models.Model]:
    return model._meta.get_field(child.name).related_model


def _columns(model: type[models.Model], only: tuple[str, ...] | None = None) -> list[models.Field]:
    fields = model._meta.concrete_fields
    if only is not None:
        fields = [f for f in fields if f.primary_key or f.attname in only]
    for f in fields:
        if hasattr(f, "from_db_value") and not isinstance(f, models.JSONField):
            raise TypeError(f"{model.__name__}.{f.name}: {type(f).__name__} is not read from JSON")
    return fields


def _json_row(
    model: type[models.Model],
    related: tuple[str, ...],
    prefix: str = "",
    *,
    columns: dict[str, tuple[str, ...]] | None = None,
    only: tuple[str, ...] | None = None,
) -> JSONObject:
    """One row as a JSON object: its columns by attribute name (or those in `only`), and
    each related row (a forward foreign key in `related`) as an object under its field's
    name, with the columns `columns` names for it."""
    values: dict[str, Any] = {}
    for f in _columns(model, only):
        column = F(prefix + f.attname)
        # A JSON number is a float: decimals go as text, so not a digit is lost.
        values[f.attname] = (
            Cast(column, models.TextField()) if isinstance(f, models.DecimalField) else column
        )
    for name in related:
        target = model._meta.get_field(name).related_model
        values[name] = _json_row(target, (), f"{prefix}{name}__", only=(columns or {}).get(name))
    return JSONObject(**values)


def _from_json(
    model: type[models.Model],
    data: dict[str, Any],
    related: tuple[str, ...],
    db: str,
    columns: dict[str, tuple[str, ...]] | None = None,
    only: tuple[str, ...] | None = None,
) -> models.Model | None:
    fields = _columns(model, only)
    pk = data.get(model._meta.pk.attname)
    if pk is None:
        return None  # a foreign key left empty: every column of the related row is null
    values = [
        raw
        if (raw := data[f.attname]) is None or isinstance(f, models.JSONField)
        else f.to_python(raw)
        for f in fields
    ]
    instance = model.from_db(db, [f.attname for f in fields], values)
    for name in related:
        field = model._meta.get_field(name)
        only_these = (columns or {}).get(name)
        field.set_cached_value(
            instance, _from_json(field.related_model, data[name], (), db, only=only_these)
        )
    return instance


@cache
def _children_iterable(children: tuple[Children, ...]) -> type[ModelIterable]:
    class ChildrenIterable(ModelIterable):
        def __iter__(self):
            db = self.queryset.db  # the database the rows came from (a replica, perhaps)
            for parent in super().__iter__():
                cache = parent.__dict__.setdefault("_prefetched_objects_cache", {})
                for child in children:
                    rel = parent._meta.get_field(child.name)
                    rows = parent.__dict__.pop(_ANNOTATION + child.name) or []
                    columns = dict(child.columns)
                    found = [
                        _from_json(rel.related_model, row, child.related, db, columns)
                        for row in rows
                    ]
                    for row in found:
                        rel.field.set_cached_value(row, parent)
                    manager = getattr(parent, child.name)
                    # As a prefetch leaves it: the relation's own query, its rows already read.
                    queryset = manager.get_queryset()
                    queryset._result_cache = found
                    queryset._prefetch_done = True
                    cache[child.name] = queryset
                yield parent

    return ChildrenIterable


# --- Querysets compiled once ---------------------------------------------------------------


class Param(models.Expression):
    """A value given to a `Prepared` query each time it runs, in place of a literal."""

    def __init__(self, name: str, output_field: models.Field) -> None:
        super().__init__(output_field=output_field)
        self.name = name

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        return "%s", [_Slot(self.name, self.output_field)]

    def get_group_by_cols(self) -> list:
        return []


@dataclass(frozen=True)
class _Slot:
    name: str
    field: models.Field


class _Placeholder:
    """Written into SQL as it is by psycopg2's quoting (a `$n` of a statement to PREPARE)."""

    def __init__(self, text: str) -> None:
        self.text = text.encode()

    def __conform__(self, protocol: Any) -> Any:
        return self

    def getquoted(self) -> bytes:
        return self.text


# The names of `Prepared` reads' statements begin with this; the SQL that PREPAREs and EXECUTEs
# them with these (lower case, as pghistory compares them: audit/apps.py).
STATEMENT_PREFIX = "clinic_"
READ_STATEMENT_STARTS = (f"prepare {STATEMENT_PREFIX}", f"execute {STATEMENT_PREFIX}")
# `PreparedSave` writes' statements: their EXECUTE is a write and carries the audit context
# like any other (so it must not begin as a read's does); their PREPARE writes nothing.
WRITE_STATEMENT_PREFIX = "write_"
WRITE_PREPARE_START = f"prepare {WRITE_STATEMENT_PREFIX}"

# The statements PREPAREd on each open connection (psycopg2's own connection object: a new
# one after a reconnection, which has none). A statement outlives a rolled-back transaction.
_SERVER_PREPARED: "weakref.WeakKeyDictionary[Any, set[str]]" = weakref.WeakKeyDictionary()
_SERVER_PREPARED_LOCK = threading.Lock()


@dataclass(frozen=True)
class _ServerStatement:
    """A compiled query PREPAREd in PostgreSQL: planned once per connection, then EXECUTEd.

    Its constants are written into the statement; each `Param` is a `$n`, typed as its field
    casts (a read's), or left for PostgreSQL to take from the column it is written to (a
    write's: an explicit cast would cut a too-long text to the column's length, where
    writing it is refused)."""

    name: str
    prepare_sql: str
    execute_sql: str

    @classmethod
    def of(
        cls,
        connection: Any,
        sql: str,
        params: tuple[Any, ...],
        *,
        prefix: str = STATEMENT_PREFIX,
        typed: bool = True,
    ) -> "_ServerStatement":
        placeholders, number = [], 0
        for param in params:
            if isinstance(param, _Slot):
                number += 1
                db_type = param.field.cast_db_type(connection) if typed else None
                placeholders.append(
                    _Placeholder(f"${number}::{db_type}" if db_type else f"${number}")
                )
            else:
                placeholders.append(param)
        with connection.cursor() as cursor:
            body = cursor.mogrify(sql, placeholders).decode()
        name = prefix + hashlib.sha256(body.encode()).hexdigest()[:20]
        arguments = "(" + ", ".join(["%s"] * number) + ")" if number else ""
        return cls(name, f"PREPARE {name} AS {body}", f"EXECUTE {name}{arguments}")

    def ready_on(self, connection: Any) -> None:
        """PREPAREd on the connection's current session, once."""
        connection.close_if_health_check_failed()  # as Django's cursor() would, first
        connection.ensure_connection()
        with _SERVER_PREPARED_LOCK:
            prepared = _SERVER_PREPARED.setdefault(connection.connection, set())
            if self.name in prepared:
                return
        with connection.cursor() as cursor:
            cursor.execute(self.prepare_sql)
        with _SERVER_PREPARED_LOCK:
            prepared.add(self.name)


def statement_text(sql: str, connection: Any) -> str:
    """The SQL PostgreSQL runs for a statement as Django logged it: for a `Prepared` read's
    EXECUTE, the query it PREPAREd on this connection (`PREPARE name AS SELECT ...`)."""
    if not sql.startswith(f"EXECUTE {STATEMENT_PREFIX}"):
        return sql
    name = sql.split()[1].split("(")[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE name = %s", [name])
        found = cursor.fetchone()
    return sql if found is None else found[0]


def server_prepared_statements(connection: Any) -> bool:
    """Whether `Prepared` reads PREPARE their SQL on this connection (PostgreSQL, and the
    DATABASE_PREPARED_STATEMENTS setting: on with persistent connections, off behind a
    transaction-mode PgBouncer, which does not keep a session's statements)."""
    return connection.vendor == "postgresql" and getattr(
        settings, "DATABASE_PREPARED_STATEMENTS", False
    )


@dataclass
class _Compiled:
    connection: Any
    queryset: QuerySet
    compiler: Any
    sql: str
    params: tuple[Any, ...]
    names: frozenset[str]  # the values each run must be given
    statement: _ServerStatement | None = None  # PREPAREd in PostgreSQL, where it is


def _kept_converters(get_converters: Callable[[list[Any]], dict]) -> Callable[[list[Any]], dict]:
    """A `Prepared` compiler's `get_converters`, found once for each list of its columns.

    Django asks for the converters of a query's columns (a value from the database to
    Python: dates, decimals, JSON) on every run; they depend only on the columns and the
    connection, and a `Prepared` read keeps both (its compiler is the connection's, its
    columns are those compiled the first time). Kept by the columns themselves, compared by
    identity: a list of other expressions is asked for afresh."""
    kept: dict[tuple[int, ...], tuple[tuple[Any, ...], dict]] = {}

    def converters(expressions: list[Any]) -> dict:
        key = tuple(map(id, expressions))
        found = kept.get(key)
        if found is not None and all(a is b for a, b in zip(found[0], expressions, strict=True)):
            return found[1]
        result = get_converters(expressions)
        kept[key] = (tuple(expressions), result)
        return result

    return converters


class Prepared:
    """A hot read whose queryset is built and compiled to SQL once per thread and database.

    Django builds and compiles a queryset afresh on every evaluation; for a read that a page
    makes on every request with only its values changing, that costs more than PostgreSQL
    takes to answer it (a query with subqueries: several milliseconds). `build()` returns the
    queryset with a `Param` wherever a value goes; `Prepared.rows(**values)` runs the SQL
    compiled the first time with these values and reads its rows exactly as the queryset
    would (model instances with their `select_related` rows, values, annotations, the
    children of `with_children`, prefetches). Nothing is kept but the SQL: every run reads
    the database afresh.

    `build` must take every changing value through a `Param`: a value computed inside it (the
    time now, the active language) would be the first run's for ever.

    On PostgreSQL (`server_prepared_statements`) the SQL is also PREPAREd on each connection
    the first time it runs there, and then EXECUTEd with the values: PostgreSQL plans it once
    per connection instead of on every run, which for a query with several subqueries is
    most of its time.
    """

    def __init__(self, build: Callable[[], QuerySet]) -> None:
        self.build = build
        self._local = threading.local()

    def _compiled(self) -> _Compiled:
        local = self._local.__dict__
        fresh = None
        if "template" not in local:
            fresh = local["template"] = self.build()
            local["by_alias"] = {}
        alias = local["template"].db  # where the router sends it now (a replica, perhaps)
        connection = connections[alias]
        found = local["by_alias"].get(alias)
        if found is None or found.connection is not connection:
            queryset = fresh if fresh is not None else self.build()
            compiler = queryset.query.get_compiler(using=alias)
            sql, params = compiler.as_sql()
            # Every run of this queryset goes through this compiler, with the run's values.
            queryset.query.get_compiler = lambda *args, **kwargs: compiler
            compiler.get_converters = _kept_converters(compiler.get_converters)
            names = frozenset(p.name for p in params if isinstance(p, _Slot))
            statement = (
                _ServerStatement.of(connection, sql, tuple(params))
                if server_prepared_statements(connection)
                else None
            )
            found = _Compiled(connection, queryset, compiler, sql, tuple(params), names, statement)
            local["by_alias"][alias] = found
        return found

    def rows(self, **values: Any) -> list[Any]:
        compiled = self._compiled()
        queryset, connection = compiled.queryset, compiled.connection
        if queryset.query.select_for_update and not connection.in_atomic_block:
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        if values.keys() != compiled.names:
            raise TypeError(f"values for {sorted(compiled.names)} expected, got {sorted(values)}")
        statement = compiled.statement
        if statement is None:
            sql = compiled.sql
            params = tuple(
                p.field.get_db_prep_value(values[p.name], connection) if isinstance(p, _Slot) else p
                for p in compiled.params
            )
        else:
            statement.ready_on(connection)
            sql = statement.execute_sql
            params = tuple(
                p.field.get_db_prep_value(values[p.name], connection)
                for p in compiled.params
                if isinstance(p, _Slot)
            )
        compiled.compiler.as_sql = lambda *args, **kwargs: (sql, params)
        found = list(queryset._iterable_class(queryset))
        if queryset._prefetch_related_lookups and found:
            models.prefetch_related_objects(found, *queryset._prefetch_related_lookups)
        return found

    def first(self, **values: Any) -> Any:
        """The first row, or None (`build` slices the queryset as it should: `[:1]`)."""
        found = self.rows(**values)
        return found[0] if found else None


# --- Writes compiled once ------------------------------------------------------------------


@dataclass
class _CompiledWrite:
    connection: Any
    sql: str
    slots: tuple[_Slot, ...]  # the values each save gives, in the order the SQL takes them
    statement: _ServerStatement | None


class PreparedSave:
    """`save()` of one model on a busy path, its SQL compiled once per thread and database.

    For every save Django builds a query and compiles it to SQL, and PostgreSQL parses,
    analyses and plans that SQL: for one row, more than writing it takes. Here the statement
    is compiled the first time (and, as `Prepared` reads are, PREPAREd on each connection),
    then run with each save's values. What is written is what `save()` writes: each field's
    `pre_save` (its default, `auto_now`) and conversion for the database (`get_db_prep_save`),
    one INSERT or UPDATE with those values, the `pre_save` and `post_save` signals, the new
    row's key read back. The database's constraints, triggers and history see the same
    statement, with the audit context pghistory adds to any write.

    `PreparedSave(Model)` INSERTs a new instance, as its first `save()` does;
    `PreparedSave(Model, update_fields=(...))` UPDATEs those fields of a saved one, as
    `save(update_fields=...)` does (a row that is not there is a `DatabaseError`, as there).

    Only for a model that saves plainly: no `save()` of its own, no parent model, an automatic
    key and nothing else the database computes (`db_default`, generated fields); others are
    refused when it is built. A value that is an expression (`F("n") + 1`) is refused as it
    is saved: it would change the SQL. Elsewhere than on PostgreSQL (`make run`'s SQLite) it
    calls `save()`.
    """

    def __init__(self, model: type[models.Model], *, update_fields: tuple[str, ...] | None = None):
        meta = model._meta
        if model.save is not models.Model.save or model.save_base is not models.Model.save_base:
            raise TypeError(f"{meta.label} saves in its own way: call its save()")
        if meta.parents or meta.pk is not meta.auto_field or meta.db_returning_fields != [meta.pk]:
            raise TypeError(
                f"{meta.label}: only a model with an automatic key, no parent model and no "
                "value computed by the database"
            )
        if update_fields is None:
            fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field]
        else:
            by_name = {n: f for f in meta.local_concrete_fields for n in (f.name, f.attname)}
            unknown = [n for n in update_fields if n not in by_name or by_name[n].primary_key]
            if unknown or not update_fields:
                raise ValueError(f"{meta.label}: no field to update named {unknown}")
            fields = list(dict.fromkeys(by_name[n] for n in update_fields))
        for field in fields:
            if hasattr(field, "get_placeholder"):
                raise TypeError(f"{meta.label}.{field.name} writes its value with its own SQL")
        self.model = model
        self.fields = tuple(fields)
        self.update_fields = None if update_fields is None else frozenset(update_fields)
        self._local = threading.local()

    def _compile(self, alias: str) -> tuple[str, list[Any]]:
        meta = self.model._meta
        if self.update_fields is None:
            # An instance whose every value is a `Param`, written as it is (raw).
            stand_in = self.model()
            for field in self.fields:
                setattr(stand_in, field.attname, Param(field.attname, field))
            query = InsertQuery(self.model)
            query.insert_values(self.fields, [stand_in], raw=True)
            compiler = query.get_compiler(using=alias)
            compiler.returning_fields = [meta.pk]
            [(sql, params)] = compiler.as_sql()
        else:
            query = UpdateQuery(self.model)
            query.add_update_fields([(f, None, Param(f.attname, f)) for f in self.fields])
            query.add_filter("pk", Param("pk", meta.pk))
            sql, params = query.get_compiler(using=alias).as_sql()
        if not all(isinstance(p, _Slot) for p in params):
            raise TypeError(f"{meta.label}: the SQL of its save has constants: {params}")
        return sql, list(params)

    def _compiled(self, alias: str) -> _CompiledWrite:
        connection = connections[alias]
        found = self._local.__dict__.get(alias)
        prepare = server_prepared_statements(connection)
        if found is None or found.connection is not connection or prepare != bool(found.statement):
            sql, slots = self._compile(alias)
            statement = (
                _ServerStatement.of(
                    connection, sql, tuple(slots), prefix=WRITE_STATEMENT_PREFIX, typed=False
                )
                if prepare
                else None
            )
            found = _CompiledWrite(connection, sql, tuple(slots), statement)
            self._local.__dict__[alias] = found
        return found

    def save(self, instance: models.Model) -> None:
        model, meta = self.model, self.model._meta
        if type(instance) is not model:
            raise TypeError(f"a {meta.label} is saved here, not a {type(instance).__name__}")
        adding = self.update_fields is None
        if adding != (instance.pk is None):
            raise ValueError(
                f"a {meta.label} that is " + ("saved already" if adding else "not saved yet")
            )
        alias = router.db_for_write(model, instance=instance)
        connection = connections[alias]
        if connection.vendor != "postgresql":
            instance.save(update_fields=self.update_fields)
            return
        instance._prepare_related_fields_for_save(operation_name="save")  # as save() does
        signals.pre_save.send(
            sender=model,
            instance=instance,
            raw=False,
            using=alias,
            update_fields=self.update_fields,
        )
        values = {}
        for field in self.fields:
            value = field.pre_save(instance, adding)
            if hasattr(value, "resolve_expression"):
                raise TypeError(f"{meta.label}.{field.name}: an expression is saved with save()")
            values[field.attname] = field.get_db_prep_save(value, connection)
        if not adding:
            values["pk"] = meta.pk.get_db_prep_value(instance.pk, connection)
        compiled = self._compiled(alias)
        if compiled.statement is None:
            sql = compiled.sql
        else:
            compiled.statement.ready_on(connection)
            sql = compiled.statement.execute_sql
        with connection.cursor() as cursor:
            cursor.execute(sql, [values[slot.name] for slot in compiled.slots])
            if adding:
                (key,) = cursor.fetchone()
            elif cursor.rowcount != 1:
                raise DatabaseError("Save with update_fields did not affect any rows.")
        if adding:
            setattr(instance, meta.pk.attname, key)
        instance._state.db = alias
        instance._state.adding = False
        signals.post_save.send(
            sender=model,
            instance=instance,
            created=adding,
            update_fields=self.update_fields,
            raw=False,
            using=alias,
        )
