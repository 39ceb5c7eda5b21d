"""A page drawn with its template once per state and kept, the request's own values filled in.

A busy page asked for again and again in the same state (the review queue: the same filters,
the same counts, the same clinician) costs more to draw with the template language than to
read from the database. `KeptPages` draws it once per key with markers where the values
that change from request to request go (the CSRF token, the rows, which are kept drawings
of their own), keeps the drawing split at the markers, and for each request puts the values
in their places, in one join.

The key is what the template reads: the caller gives the page's own state (everything in
its context but the fill-ins, as plain values), and the request's part is added here: the
language, the time zone, the address (with its query) and who is signed in (id, short name,
roles, staff). A page with a message to show is drawn afresh (the template takes the
message). Nothing is ever invalidated by hand: a change of anything the page shows changes
the key. Markers are random per process, so no text of a patient's can carry one.
"""

import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Hashable, Mapping
from typing import Any

from django.contrib.messages import get_messages
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from clinic.csrf import csrf_token


class KeptPages:
    """One template's drawings, each for a key: at most `size` kept, least recently used
    dropped first. `csrf_token` is always a fill-in; the caller names the others."""

    def __init__(self, template_name: str, *, fill_ins: tuple[str, ...], size: int) -> None:
        self.template_name = template_name
        self.size = size
        self.markers = {name: f"kept{secrets.token_hex(12)}" for name in ("csrf_token", *fill_ins)}
        self._names = {marker: name for name, marker in self.markers.items()}
        self._split = re.compile("(" + "|".join(self.markers.values()) + ")")
        self._kept: OrderedDict[Hashable, tuple[str, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def key(self, request: HttpRequest, state: Hashable) -> Hashable:
        user: Any = request.user
        signed_in = bool(user.is_authenticated)
        return (
            state,
            get_language() or "",
            timezone.get_current_timezone_name(),
            request.get_full_path(),
            user.pk if signed_in else None,
            user.get_short_name() if signed_in else "",
            frozenset(getattr(user, "roles", ())) if signed_in else frozenset(),
            bool(user.is_staff),
        )

    def render(
        self,
        request: HttpRequest,
        *,
        state: Hashable,
        context: Mapping[str, Any],
        fill_ins: Mapping[str, str],
        marked: Mapping[str, Any],
        keep: bool = True,
    ) -> SafeString:
        """The page for this request. `context` is the template's whole context, fill-ins
        included; `fill_ins` gives each fill-in's HTML as the template would write it
        (escaped); `marked` gives, for a fill-in the template reads through a structure, that
        structure with the fill-in's marker in it (a list of rows: `[marker]`); any other is
        given to the template as its marker. Drawn afresh, not kept, when `keep` is false
        (a state not worth keeping: filters with errors), when there is a message to show
        (the template takes it, once) or when nothing is kept (`size` 0)."""
        if not keep or not self.size or get_messages(request):
            return render_to_string(self.template_name, context, request)
        key = self.key(request, state)
        with self._lock:
            pieces = self._kept.get(key)
            if pieces is not None:
                self._kept.move_to_end(key)
        if pieces is None:
            pieces = self._draw(request, context, marked)
            with self._lock:
                self._kept[key] = pieces
                while len(self._kept) > self.size:
                    self._kept.popitem(last=False)
        values = {"csrf_token": csrf_token(request), **fill_ins}
        # Even pieces are the template's text, odd ones the fill-ins' names.
        page = list(pieces)
        page[1::2] = [values[name] for name in pieces[1::2]]
        return mark_safe("".join(page))  # noqa: S308 (a template's autoescaped output; fill-ins escaped)

    def _draw(
        self, request: HttpRequest, context: Mapping[str, Any], marked: Mapping[str, Any]
    ) -> tuple[str, ...]:
        with_markers = {
            **context,
            **{name: mark_safe(marker) for name, marker in self.markers.items()},  # noqa: S308
            **marked,
        }
        html = render_to_string(self.template_name, with_markers, request)
        parts = self._split.split(html)
        return tuple(self._names[p] if i % 2 else p for i, p in enumerate(parts))
