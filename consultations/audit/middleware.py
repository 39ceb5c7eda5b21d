"""Who is changing patient data: the signed-in user and their address, for the change history."""

from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse
from pghistory.middleware import HistoryMiddleware

from consultations.patients.security import client_ip


class AuditContextMiddleware(HistoryMiddleware):
    """Every change made while serving a request is recorded with its user, address and page.

    pghistory passes this context to the history triggers with each write statement. The
    triggers are PostgreSQL's; on SQLite (`make run`) there is nothing to pass it to.
    """

    def get_context(self, request: HttpRequest) -> dict[str, Any]:
        return {**super().get_context(request), "ip": client_ip(request)}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if connection.vendor != "postgresql":
            return self.get_response(request)
        return super().__call__(request)
