"""Reads of chosen read-only pages from a PostgreSQL streaming replica; everything else primary.

A replica lags its primary by a moment. A page that shows what someone has just changed (a
booking, a decision, an intake) must read the primary, or the change would seem lost; so the
replica is opt-in, per view, with `@read_replica`, for pages whose data changes rarely and
whose reader has not just written it: the public catalog. Writes, and every read outside
such a view, go to `default`. Without DATABASE_REPLICA_URL there is no `replica` alias and
the decorator changes nothing.
"""

import contextvars
import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings

REPLICA = "replica"
_use_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("use_replica", default=False)


def read_replica(view: Callable[..., Any]) -> Callable[..., Any]:
    """Let this view's reads go to the replica (when one is configured)."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        token = _use_replica.set(True)
        try:
            return view(*args, **kwargs)
        finally:
            _use_replica.reset(token)

    return wrapped


class ReadReplicaRouter:
    def db_for_read(self, model: type, **hints: Any) -> str | None:
        if _use_replica.get() and REPLICA in settings.DATABASES:
            return REPLICA
        return None  # default

    def db_for_write(self, model: type, **hints: Any) -> str | None:
        return None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # A replica holds the same rows: objects read from it relate to the primary's.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db == REPLICA else None
