"""Who is asking: the client's address and the account a login attempt names.

Shared by the login throttle (django-axes), the rate limits on registration and password
reset, and anything else that needs the address a request came from.
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from, taking only as many proxy hops as are trusted."""
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(forwarded) >= hops and forwarded[-hops]:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR")


def client_ip_key(group: str, request: HttpRequest) -> str:
    """django-ratelimit's key: the client address (see `client_ip`)."""
    return client_ip(request) or "unknown"


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The email address a login attempt names, as the login compares it: case does not matter.

    Without this, `Anna@example.com` and `anna@example.com` would be counted apart and an
    attacker would get five tries per spelling.
    """
    username = (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD)
    if username is None:
        username = request.POST.get(settings.AXES_USERNAME_FORM_FIELD, "")
    return str(username).strip().lower()
