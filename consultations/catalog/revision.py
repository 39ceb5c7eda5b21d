"""What a process reads from the catalog, kept for as long as the catalog stays the same.

Every submission screens against the catalog: its products, their ingredients and areas,
the areas' tree. Reading that is eight queries and a few hundred model instances, the
largest part of a submission, for tables an administrator changes a few times a year. So
each process keeps what it built under the catalog's revision (`CatalogRevision`, set by a
trigger on every catalog table) and reads the one row of the revision instead: when the
number is the one it kept, nothing in the catalog has changed since, committed or not.

The revision is read before the catalog, so what is kept is never older than its number.
A read that comes first anyway (a submission's locked read of its intake) can carry the
number as a column (`revision_column`) and hand it to `one_revision`: one round trip less.
On SQLite (a quick local run) there are no triggers and nothing is kept.
"""

import contextvars
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.db.models import Subquery

from consultations.catalog.models import CatalogRevision

REVISION_COLUMN = "catalog_revision_read"

_kept: dict[tuple[str, int], Any] = {}
_lock = threading.Lock()
_held: contextvars.ContextVar[int | None] = contextvars.ContextVar("catalog_revision", default=None)


def catalog_revision() -> int | None:
    """The catalog's current number; None where there is none to trust (not PostgreSQL)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT number FROM catalog_catalogrevision WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else None


def revision_column() -> dict[str, Subquery]:
    """An annotation for a read made before the catalog's: the current number, as
    `catalog_revision()` would read it, in the query's own round trip (`REVISION_COLUMN`).
    Nothing where there is no number to trust (not PostgreSQL)."""
    if connection.vendor != "postgresql":
        return {}
    return {REVISION_COLUMN: Subquery(CatalogRevision.objects.filter(pk=1).values("number"))}


def kept[T](name: str, read: Callable[[], T]) -> T:
    """`read()`, or what it returned before at the catalog's current revision.

    What `read` returns is shared by every request of the process: it must be immutable."""
    revision = _held.get()
    if revision is None:
        revision = catalog_revision()
    if revision is None:
        return read()
    key = (name, revision)
    with _lock:
        if key in _kept:
            return _kept[key]
    value = read()
    with _lock:
        for old in [k for k in _kept if k[1] != revision]:
            del _kept[old]
        _kept[key] = value
    return value


@contextmanager
def one_revision(number: int | None = None) -> Iterator[None]:
    """Inside, every `kept` read is of the revision read on entering: the catalog as of one
    moment, and one query for a screening's several reads of it.

    `number`, where given, is the revision a read of this same transaction has just carried
    (`revision_column`), taken instead of reading it again: read before the catalog, as
    the rule above asks."""
    token = _held.set(number if number is not None else catalog_revision())
    try:
        yield
    finally:
        _held.reset(token)


def forget() -> None:
    """Drop everything kept (the tests start each from the database)."""
    with _lock:
        _kept.clear()
