"""One masked CSRF token for all the forms of a response.

Django's `get_token` masks the secret afresh at every call (32 draws from the system's random
source), and a page asks for it once for its templates and once more for each piece drawn in
Python (the queue's rows). Any masked form of the secret is valid, and one response showing
the same one in each of its forms is what Django's own templates do (`{% csrf_token %}` reads
one lazy value per render). So the token is masked once per request and kept on it, and masked
again if the secret changes meanwhile (login rotates it).
"""

from typing import Any

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html
from django.utils.safestring import SafeString

_KEPT = "_clinic_csrf_token"


def csrf_token(request: HttpRequest) -> str:
    """This request's masked CSRF token, as `get_token` gives it (which also has the cookie
    sent with the response)."""
    kept = getattr(request, _KEPT, None)
    secret = request.META.get("CSRF_COOKIE")
    if kept is not None and secret is not None and kept[0] == secret:
        request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True  # as get_token does at each call
        return kept[1]
    token = get_token(request)
    setattr(request, _KEPT, (request.META["CSRF_COOKIE"], token))
    return token


def csrf_input(request: HttpRequest) -> SafeString:
    """The hidden field of a form, as `{% csrf_token %}` writes it."""
    return format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', csrf_token(request)
    )


def csrf(request: HttpRequest) -> dict[str, Any]:
    """Context processor, after Django's built-in one, whose `csrf_token` it replaces."""
    return {"csrf_token": SimpleLazyObject(lambda: csrf_token(request))}
