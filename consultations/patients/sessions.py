"""Session bookkeeping at login: when the session began, for the staff time limits."""

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

SESSION_STARTED_KEY = "clinic_session_started_at"
SESSION_LAST_SEEN_KEY = "clinic_session_last_seen_at"


@receiver(user_logged_in, dispatch_uid="clinic_session_times_start")
def session_times_start(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Every login starts the clock again (Django has already given the session a new key).

    A signal because every login path sends it (the login page, registration, the admin's
    login, the test client), and nothing here is workflow: it only stamps the session.
    """
    if request is None or not hasattr(request, "session"):
        return
    now = timezone.now().isoformat()
    request.session[SESSION_STARTED_KEY] = now
    request.session[SESSION_LAST_SEEN_KEY] = now
