"""`{% page_header %}`: the page's header (partials/header.html), drawn once per kind of visitor.

Every page shows the same navigation for the same kind of visitor: the links a patient, a
clinician, the front desk or an administrator may follow, in the page's language. Drawing
it with the template language (a dozen URLs, the language list, two forms) costs more than
half a millisecond on every page; so it is drawn once per process for each (language,
signed in, roles, staff) and kept, with three markers where the request's own values go:
the CSRF token, the signed-in person's short name and the address to come back to after a
change of language. They are filled in, escaped, for each request, in one pass (a value
filled in is never read again for a marker). tests/test_page_header.py compares the result
with the template drawn directly, for every kind of visitor, in both languages.
"""

import re
import secrets
from functools import lru_cache
from typing import Any

from django import template
from django.template.loader import get_template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from consultations.patients.models import Role

register = template.Library()

TEMPLATE = "partials/header.html"
_CSRF = f"csrf{secrets.token_hex(16)}"
_NAME = f"name{secrets.token_hex(16)}"
_PATH = f"path{secrets.token_hex(16)}"
_MARKERS = re.compile(f"{_CSRF}|{_NAME}|{_PATH}")


class _Visitor:
    """What the header reads of the user, with the name left as a marker."""

    def __init__(self, authenticated: bool, staff: bool) -> None:
        self.is_authenticated = authenticated
        self.is_staff = staff

    def get_short_name(self) -> str:
        return _NAME


class _Request:
    def get_full_path(self) -> str:
        return _PATH


@lru_cache(maxsize=64)
def _drawn(language: str, authenticated: bool, roles: frozenset[str], staff: bool) -> str:
    # `language` is in the key only: the template is drawn in the thread's active language.
    return get_template(TEMPLATE).render(
        {
            "user": _Visitor(authenticated, staff),
            "user_roles": roles,
            "Role": Role,
            "request": _Request(),
            "csrf_token": _CSRF,
        }
    )


@register.simple_tag(takes_context=True)
def page_header(context: template.Context) -> SafeString:
    user: Any = context.get("user")
    request: Any = context.get("request")
    token = context.get("csrf_token")
    if token is None or str(token) == "NOTPROVIDED":
        # Drawn without a request (an error page): as the template draws it, uncached.
        return get_template(TEMPLATE).render(context.flatten())
    authenticated = bool(user is not None and user.is_authenticated)
    drawn = _drawn(
        get_language() or "",
        authenticated,
        frozenset(context.get("user_roles") or ()),
        bool(authenticated and user.is_staff),
    )
    values = {
        _CSRF: conditional_escape(str(token)),
        _NAME: conditional_escape(user.get_short_name()) if authenticated else "",
        _PATH: conditional_escape(request.get_full_path()) if request is not None else "",
    }
    return mark_safe(_MARKERS.sub(lambda found: values[found.group()], drawn))  # noqa: S308
