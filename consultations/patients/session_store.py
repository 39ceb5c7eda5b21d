"""Sessions in the database (`SESSION_ENGINE` without Redis): Django's, with the read made once.

Every request that carries a session cookie reads its row; Django builds that query with the
ORM each time. Here it is compiled once per process (`consultations.db.Prepared`) and run
with the key and the time: the same row, the same rules (an expired or unknown key reads
nothing and is dropped, so the response starts a new session rather than adopt the key
the browser sent). Writing, expiry and clearing are Django's own.
"""

from functools import lru_cache

from django.contrib.sessions.backends import db
from django.db import models
from django.utils import timezone

from consultations.db import Param, Prepared


@lru_cache(maxsize=4)
def _session_read(model: type[models.Model]) -> Prepared:
    return Prepared(
        lambda: model.objects.filter(
            session_key=Param("key", models.CharField()),
            expire_date__gt=Param("now", models.DateTimeField()),
        ).order_by()[:1]
    )


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> models.Model | None:
        found = _session_read(self.model).first(key=self.session_key, now=timezone.now())
        if found is None:
            self._session_key = None  # as Django's: never adopt a key the server did not make
        return found
