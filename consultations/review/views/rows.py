"""The queue's rows as HTML: drawn from facts alone, and each drawing kept for reuse.

A queue page is 25 rows, and a clinician's queue is asked for again and again while the same
cases wait; drawing a row with the template language costs half a millisecond, most of the
page. So a row is drawn from a `QueueItem`, a frozen value that holds everything the row
shows, already worked out (names, the waiting time as words, the flags' texts, the claim, the
URLs), and the drawing is kept per process, keyed by that value, the page's language and its
time zone. A kept drawing is reused only for an equal item: when anything the row shows
changes (a claim, the waiting time's words, a catalog name, the language), the key changes
and the row is drawn afresh. Nothing is ever invalidated by hand, so nothing can go stale.

The two things of a row that belong to the request, not to the case, never enter the kept
drawing: the CSRF field of its forms and the queue address to come back to. They are drawn
as markers, random per process so no text of a patient's can carry one, and filled in for
each request.
"""

import datetime as dt
import secrets
from functools import lru_cache
from typing import NamedTuple

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince
from django.utils.translation import get_language, gettext, gettext_lazy

from clinic.csrf import csrf_input
from consultations.patients.formats import local_time
from consultations.review.selectors import QueueRow, RequestLine, case_kind_label
from consultations.screening.engine.rules import RULES_BY_CODE

ROW_TEMPLATE = "review/_queue_row.html"
# Drawings kept per process: a few pages of every clinician's filters (a row is about 2 KB).
KEPT_ROWS = 2048
FLAG_STYLES = {"block": "danger", "review": "warning", "info": "info"}
SEVERITY_WORDS = {
    "block": gettext_lazy("block"),
    "review": gettext_lazy("review"),
    "info": gettext_lazy("information"),
}
_CSRF_MARK = f"csrf-{secrets.token_hex(16)}"
_HERE_MARK = f"here-{secrets.token_hex(16)}"


class FlagBadge(NamedTuple):
    code: str
    severity: str
    style: str
    severity_words: str
    description: str


class QueueItem(NamedTuple):
    """Everything one queue row shows, in the active language: the row is drawn from this
    alone, so two equal items draw the same row. A named tuple, not a frozen dataclass: 25 of
    them are built, hashed and compared per page (as the kept drawings' keys), and a tuple
    does all three in C."""

    public_id: str
    initials: str
    age: int | None
    kind: str
    kind_label: str
    waiting_since: str  # ISO 8601, for <time datetime>
    waited: str  # "3 hours, 5 minutes"
    requests: tuple[RequestLine, ...]
    summary: str
    badges: tuple[FlagBadge, ...]
    mine: bool
    held_by: str  # the colleague holding a live claim, "" when none (or when it is mine)
    claimed_until: str  # the claim's end as a local time, "" when no live claim
    message: str
    case_url: str
    claim_url: str
    release_url: str


def _badges(flags: list[list[str]], language: str | None = None) -> tuple[FlagBadge, ...]:
    if language is None:
        language = get_language() or ""
    return _badges_of(tuple((code, severity) for code, severity in flags), language)


@lru_cache(maxsize=512)
def _badges_of(flags: tuple[tuple[str, str], ...], language: str) -> tuple[FlagBadge, ...]:
    # `language` is in the key only: the texts are translated into the thread's language.
    badges = []
    for code, severity in flags:
        rule = RULES_BY_CODE.get(code)
        badges.append(
            FlagBadge(
                code=code,
                severity=severity,
                style=FLAG_STYLES.get(severity, "secondary"),
                severity_words=str(SEVERITY_WORDS.get(severity, severity)),
                description=gettext(rule.message) if rule else "",
            )
        )
    return tuple(badges)


# Under four weeks, `timesince` depends on the whole minutes elapsed alone (no month or year
# is counted yet): those words are written once per number of minutes and language.
_WORDS_BY_MINUTES_UNDER = dt.timedelta(days=28)
_REFERENCE = dt.datetime(2001, 1, 1, tzinfo=dt.UTC)


def waited(since: dt.datetime, now: dt.datetime, language: str | None = None) -> str:
    """`timesince(since, now)`: "3 hours, 5 minutes". From four weeks on, where the words are
    months and weeks or weeks and days, as of the minute `now` is in: the words of a case that
    has waited that long are written once a minute, however many pages show it. `language`:
    the active one (the caller's, read once for many rows)."""
    elapsed = now - since
    language = language if language is not None else get_language() or ""
    if dt.timedelta(0) <= elapsed < _WORDS_BY_MINUTES_UNDER:
        return _waited_minutes(int(elapsed.total_seconds()) // 60, language)
    return _waited_long(since, now.replace(second=0, microsecond=0), language)


@lru_cache(maxsize=4096)
def _waited_long(since: dt.datetime, minute: dt.datetime, language: str) -> str:
    # `language` is in the key only: the words are translated into the thread's language.
    return timesince(since, minute)


@lru_cache(maxsize=4096)
def _waited_minutes(minutes: int, language: str) -> str:
    # `language` is in the key only: the words are translated into the thread's language.
    return timesince(_REFERENCE - dt.timedelta(minutes=minutes), _REFERENCE)


class CaseUrls:
    """The case's, claim's and release's URLs of many rows: reversed once, then filled in."""

    PLACEHOLDER = "00000000-0000-0000-0000-000000000000"

    def __init__(self) -> None:
        self.patterns = {
            name: reverse(f"review:{name}", kwargs={"public_id": self.PLACEHOLDER})
            for name in ("case", "claim", "release")
        }

    def of(self, name: str, public_id: object) -> str:
        return self.patterns[name].replace(self.PLACEHOLDER, str(public_id))


def queue_item(
    row: QueueRow,
    user_id: int,
    *,
    message: str = "",
    urls: CaseUrls | None = None,
    now: dt.datetime | None = None,
    language: str | None = None,
) -> QueueItem:
    """The facts of one row, for this clinician, now (`now`, `language`: the active one, and
    `urls`, for a page of rows: read once)."""
    urls = urls or CaseUrls()
    now = now or timezone.now()
    language = language if language is not None else get_language() or ""
    public_id = str(row.public_id)
    mine = row.held_by_id is not None and row.held_by_id == user_id
    return QueueItem(
        public_id=public_id,
        initials=row.initials,
        age=row.age,
        kind=row.kind,
        kind_label=case_kind_label(row.kind, language),
        waiting_since=row.waiting_since.isoformat(),
        waited=waited(row.waiting_since, now, language),
        requests=tuple(row.requests),
        summary=row.summary,
        badges=_badges(row.flags, language),
        mine=mine,
        held_by=row.held_by_name if row.held_by_id is not None and not mine else "",
        claimed_until=local_time(row.claimed_until) if row.held_by_id is not None else "",
        message=str(message),
        case_url=urls.of("case", public_id),
        claim_url=urls.of("claim", public_id),
        release_url=urls.of("release", public_id),
    )


@lru_cache(maxsize=KEPT_ROWS)
def _drawn(item: QueueItem, language: str, zone: str) -> str:
    # `language` and `zone` are in the key only: the template reads them from the thread,
    # where the caller has them active.
    return render_to_string(
        ROW_TEMPLATE, {"item": item, "here": _HERE_MARK, "csrf_input": _CSRF_MARK}
    )


def queue_rows_html(items: list[QueueItem], request: HttpRequest, here: str) -> list[SafeString]:
    """The rows, each with this request's CSRF field and return address."""
    csrf, back = str(csrf_input(request)), escape(here)
    language, zone = get_language() or "", timezone.get_current_timezone_name()
    return [
        mark_safe(  # noqa: S308 (a template's autoescaped output; the fill-ins escaped)
            _drawn(item, language, zone).replace(_CSRF_MARK, csrf).replace(_HERE_MARK, back)
        )
        for item in items
    ]


def queue_row_html(item: QueueItem, request: HttpRequest, here: str) -> SafeString:
    return queue_rows_html([item], request, here)[0]
