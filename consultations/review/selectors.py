"""The read side of the review: the queue, a case, the standing decisions, what patients see."""

import base64
import datetime as dt
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import BigIntegerField, Exists, F, Func, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone

from consultations.catalog.selectors import CatalogNames, catalog_names
from consultations.db import Prepared
from consultations.intake.models import Intake, TreatmentRequest
from consultations.patients.models import Role, User
from consultations.review.models import (
    Clearance,
    ClearanceCondition,
    Decision,
    DecisionKind,
    Priority,
    ReviewCase,
)

QUEUE_PAGE_SIZE = 25


def require_reviewer(user: User) -> None:
    """Only clinicians reach the queue and the decisions (not patients, not the front desk)."""
    if not (user.is_authenticated and user.is_active and user.has_role(Role.CLINICIAN)):
        raise PermissionDenied


# --- The queue ----------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    priority: int | None = None
    treatment: str | None = None  # a treatment code
    waited_hours: int | None = None  # waiting at least this long
    mine: bool = False


@dataclass(frozen=True)
class QueueCursor:
    """Where a page ends, in the queue's order: (priority desc, waiting_since, id)."""

    priority: int
    waiting_since: dt.datetime
    id: int

    def encode(self) -> str:
        raw = f"{self.priority}|{self.waiting_since.isoformat()}|{self.id}"
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> "QueueCursor | None":
        """None for anything that is not a cursor this code made (a tampered or stale link)."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            priority, since, pk = raw.split("|")
            waiting_since = dt.datetime.fromisoformat(since)
            if waiting_since.tzinfo is None:
                return None
            return cls(int(priority), waiting_since, int(pk))
        except (ValueError, UnicodeDecodeError):
            return None


class QueueRow(NamedTuple):
    """A case as the queue lists it: plain values, read without building any model (a named
    tuple: 25 are built per page)."""

    pk: int
    public_id: uuid.UUID
    kind: str
    priority: int
    waiting_since: dt.datetime
    summary: str
    initials: str
    age: int | None
    requests: list["RequestLine"]
    flags: list[list[str]]
    claimed_until: dt.datetime | None
    held_by_id: int | None  # the clinician holding a live claim
    held_by_name: str  # their name (or email), "" when nobody holds one


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    next_cursor: str | None
    counts: dict[int, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def cap(self) -> str:
        return f"{COUNT_CAP:,}"

    def count_label(self, priority: int) -> str:
        n = self.counts.get(priority, 0)
        return f"{COUNT_CAP:,}+" if n > COUNT_CAP else str(n)

    @property
    def capped(self) -> bool:
        """Some count stopped at COUNT_CAP: show "1,000+" rather than a number."""
        return any(n > COUNT_CAP for n in self.counts.values())


@lru_cache(maxsize=64)
def case_kind_label(kind: str, language: str) -> str:
    """The kind's label in `language`, which must be the active one (a row of the queue asks
    for it: written once per kind and language)."""
    # `language` is in the key only: the label is translated into the thread's language.
    return str(ReviewCase.Kind(kind).label)


def _initials(name: str) -> str:
    parts = [p for p in name.replace("-", " ").split() if p[:1].isalpha()]
    return "".join(p[0].upper() for p in parts[:3]) or "?"


def age_on(born: dt.date | None, day: dt.date) -> int | None:
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _filtered(user: User, filters: QueueFilters, now: dt.datetime) -> QuerySet[ReviewCase]:
    cases = ReviewCase.objects.open()
    if filters.priority is not None:
        cases = cases.filter(priority=filters.priority)
    if filters.treatment:
        cases = cases.filter(
            Exists(
                TreatmentRequest.objects.filter(
                    intake=OuterRef("intake"), treatment__code=filters.treatment
                )
            )
        )
    if filters.waited_hours:
        cases = cases.filter(waiting_since__lte=now - dt.timedelta(hours=filters.waited_hours))
    if filters.mine:
        cases = cases.filter(claimed_by=user, claimed_until__gt=now)
    return cases


# What a queue row shows, and nothing more, as plain values: building 25 cases with their
# patients, intakes and claimants as models cost more than the rest of the page.
ROW_FIELDS = (
    *("pk", "public_id", "kind", "priority", "waiting_since", "summary", "flags"),
    *("claimed_by_id", "claimed_until", "claimed_by__full_name", "claimed_by__email"),
    *("patient__full_name", "intake__date_of_birth", "intake_id"),
)
_INTAKE_ID = ROW_FIELDS.index("intake_id")


class RequestLine(NamedTuple):
    """A requested treatment as a list shows it: product (or treatment) and area, named."""

    product: str
    area: str
    product_chosen: bool


def _row_values(cases: QuerySet[ReviewCase], *extra: str) -> QuerySet:
    """The cases as ROW_FIELDS values, followed on PostgreSQL by their requests, each an
    array (position, id, treatment, product, area) gathered in the same query; elsewhere
    (SQLite) `_queue_rows` reads them with a query of their own. Then `extra` annotations."""
    if connection.vendor != "postgresql":
        return cases.values_list(*ROW_FIELDS, *extra)
    request = Func(
        *(F(name) for name in ("position", "id", "treatment_id", "product_id", "area_id")),
        function="ARRAY",
        template="%(function)s[%(expressions)s]",
        output_field=ArrayField(BigIntegerField()),
    )
    requests = ArraySubquery(
        # Unordered (no sort in the plan): the rows carry their position, sorted in Python.
        TreatmentRequest.objects.filter(intake_id=OuterRef("intake_id"))
        .order_by()
        .values(row=request)
    )
    return cases.annotate(request_rows=requests).values_list(*ROW_FIELDS, "request_rows", *extra)


def _queue_rows(found: list[tuple], now: dt.datetime) -> list[QueueRow]:
    """The rows of these cases (values from `_row_values`), in their order, with their
    requests named from `catalog_names`."""
    requests: dict[int, list[tuple[int, int | None, int | None]]] = {}
    if found and len(found[0]) > len(ROW_FIELDS):
        for row in found:
            requests[row[_INTAKE_ID]] = [(t, p, a) for _, _, t, p, a in sorted(row[-1])]
    else:
        for intake_id, treatment_id, product_id, area_id in (
            TreatmentRequest.objects.filter(intake_id__in=[r[_INTAKE_ID] for r in found])
            .order_by("intake_id", "position", "id")
            .values_list("intake_id", "treatment_id", "product_id", "area_id")
        ):
            requests.setdefault(intake_id, []).append((treatment_id, product_id, area_id))
    names = catalog_names()
    today = timezone.localdate(now)
    rows = []
    for (
        pk, public_id, kind, priority, waiting_since, summary, flags,
        claimed_by_id, claimed_until, claimant_name, claimant_email,
        full_name, born, intake_id, *_,
    ) in found:  # fmt: skip
        held = claimed_by_id is not None and claimed_until is not None and claimed_until > now
        row = QueueRow(
            pk=pk,
            public_id=public_id,
            kind=kind,
            priority=priority,
            waiting_since=waiting_since,
            summary=summary,
            initials=_initials(full_name),
            age=age_on(born, today),
            requests=_request_lines(requests.get(intake_id, []), names),
            flags=flags,
            claimed_until=claimed_until,
            held_by_id=claimed_by_id if held else None,
            held_by_name=(claimant_name or claimant_email) if held else "",
        )
        rows.append(row)
    return rows


def _request_lines(
    requests: list[tuple[int, int | None, int | None]], names: CatalogNames
) -> list[RequestLine]:
    return [
        RequestLine(
            product=names.products.get(product_id, "")
            if product_id
            else names.treatments.get(treatment_id, ""),
            area=names.areas.get(area_id, ""),
            product_chosen=product_id is not None,
        )
        for treatment_id, product_id, area_id in requests
    ]


# The counts per severity stop at this many ("1,000+"): counting further would read every
# open case, and the time to draw the queue would grow with the queue.
COUNT_CAP = 1000
QUEUE_ORDER = ("-priority", "waiting_since", "id")


def _counts_sql() -> tuple[str, list]:
    """Open cases per priority, each counted up to COUNT_CAP + 1, as rows (priority, n): one
    query, four short range scans of `review_queue_idx`, the same time at 100 or 100,000 open
    cases.

    The ORDER BY is the index's own: without it PostgreSQL may read the table from its start
    until it has found enough open cases of a priority, which is quick while open and closed
    cases are mixed and slow once years of closed cases fill the table's first pages. The
    priorities come as a list of rows, so the count is one subquery, planned once."""
    table = connection.ops.quote_name(ReviewCase._meta.db_table)
    priorities = " UNION ALL ".join(["SELECT %s AS p"] * len(Priority))
    query = (
        f"SELECT v.p, (SELECT COUNT(*) FROM (SELECT 1 FROM {table} "  # noqa: S608 (the model's own table)
        "WHERE status = %s AND priority = v.p ORDER BY priority DESC, waiting_since, id "
        f"LIMIT %s) AS capped) AS n FROM ({priorities}) AS v"
    )
    return query, [ReviewCase.Status.OPEN, COUNT_CAP + 1, *(p.value for p in Priority)]


def _counts() -> dict[int, int]:
    """The counts (`_counts_sql`) by priority, leaving out the empty ones."""
    query, params = _counts_sql()
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return {priority: n for priority, n in cursor.fetchall() if n}


def _with_counts(cases: QuerySet) -> QuerySet:
    """On PostgreSQL, the counts ride along a page of open cases as one more column, an
    array of (priority, n) computed once for the statement (an uncorrelated subquery): one
    query for the landing page instead of two. A page with no row means no open case, so
    every count is 0 then."""
    query, params = _counts_sql()
    counts = RawSQL(  # noqa: S611 (our own query's text; the values are parameters)
        f"ARRAY(SELECT ARRAY[c.p, c.n] FROM ({query}) AS c)",  # noqa: S608 (our own query)
        params,
        output_field=ArrayField(ArrayField(BigIntegerField())),
    )
    return cases.annotate(queue_counts=counts)


@lru_cache(maxsize=4)
def _first_page_of_all(limit: int) -> Prepared:
    """The query of the queue's landing page (every open case, the first page): built and
    compiled once per thread (`Prepared`), as building it costs more than PostgreSQL takes to
    answer it. Each run reads the table afresh."""
    if connection.vendor == "postgresql":
        return Prepared(
            lambda: _row_values(
                _with_counts(ReviewCase.objects.open()).order_by(*QUEUE_ORDER), "queue_counts"
            )[: limit + 1]
        )
    return Prepared(
        lambda: _row_values(ReviewCase.objects.open().order_by(*QUEUE_ORDER))[: limit + 1]
    )


def _page(cases: QuerySet[ReviewCase], after: QueueCursor | None, limit: int) -> list[tuple]:
    """One page in the queue's order (ROW_FIELDS values, one more than `limit` when more
    follow), continuing after `after` (keyset, no OFFSET).

    The first page, the one asked for most, is one query: `review_queue_idx` walked in its
    order, each case joined to its patient, intake and claimant. After a cursor the page is
    "the rest of this priority" followed by "the lower priorities": each is one range of
    the index, so a page deep in the queue costs what the first page costs (a single OR of
    the two conditions would make PostgreSQL walk the index from its start); their ids come
    first, then their rows.
    """
    if after is None:
        return list(_row_values(cases.order_by(*QUEUE_ORDER))[: limit + 1])
    columns = ("priority", "waiting_since", "id")
    rest = cases.filter(
        Q(waiting_since__gt=after.waiting_since) | Q(id__gt=after.id),
        priority=after.priority,
        waiting_since__gte=after.waiting_since,
    )
    lower = cases.filter(priority__lt=after.priority)
    if not connection.features.supports_slicing_ordering_in_compound:
        # SQLite (a quick local run) cannot limit the parts of a UNION; its queues are small.
        either = cases.filter(Q(pk__in=rest.values("pk")) | Q(pk__in=lower.values("pk")))
        ids = [row[2] for row in either.order_by(*QUEUE_ORDER).values_list(*columns)[: limit + 1]]
    else:
        first = rest.order_by(*QUEUE_ORDER).values_list(*columns)[: limit + 1]
        then = lower.order_by(*QUEUE_ORDER).values_list(*columns)[: limit + 1]
        rows = first.union(then, all=True).order_by(*QUEUE_ORDER)[: limit + 1]
        ids = [row[2] for row in rows]
    found = {row[0]: row for row in _row_values(ReviewCase.objects.filter(pk__in=ids))}
    return [found[pk] for pk in ids if pk in found]


def review_queue(
    *,
    user: User,
    filters: QueueFilters = QueueFilters(),
    after: QueueCursor | None = None,
    limit: int = QUEUE_PAGE_SIZE,
) -> QueuePage:
    """One page of the queue, most urgent first, oldest first within a priority.

    The landing page (no filter, no cursor) is one query on PostgreSQL: its rows with their
    requests and the counts. Any other page is two whatever the queue's size (three after a
    cursor): the counts, and the page's rows with their requests (served by
    `review_queue_idx`, a partial index on open cases in exactly this order). On SQLite the
    requests and the counts take one more each.
    """
    require_reviewer(user)
    now = timezone.now()
    landing = after is None and filters == QueueFilters()
    if landing and connection.vendor == "postgresql":
        found = _first_page_of_all(limit).rows()
        counts = {p: n for p, n in found[0][-1] if n} if found else {}
        found = [row[:-1] for row in found]
    else:
        counts = _counts()
        found = (
            _first_page_of_all(limit).rows()
            if landing
            else _page(_filtered(user, filters, now), after, limit)
        )
    more = len(found) > limit
    rows = _queue_rows(found[:limit], now)
    next_cursor = None
    if more and rows:
        last = rows[-1]
        next_cursor = QueueCursor(last.priority, last.waiting_since, last.pk).encode()
    return QueuePage(rows=rows, next_cursor=next_cursor, counts=counts)


def queue_row_for(user: User, public_id: str) -> QueueRow:
    """One case as the queue shows it (after a claim or a release); 404 as `get_case_for`."""
    require_reviewer(user)
    try:
        found = list(_row_values(ReviewCase.objects.filter(public_id=public_id)))
    except (ValueError, TypeError, ValidationError):
        raise Http404 from None
    if not found:
        raise Http404
    return _queue_rows(found, timezone.now())[0]


def get_case_for(user: User, public_id: str) -> ReviewCase:
    """A case for a clinician; 404 for anything else that is not one."""
    require_reviewer(user)
    try:
        return ReviewCase.objects.select_related(
            "patient", "intake", "screening", "claimed_by"
        ).get(public_id=public_id)
    except (ReviewCase.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- Decisions ----------------------------------------------------------------------------


def case_requests(case: ReviewCase) -> list[tuple[str, str]]:
    """The (product code, area code) pairs a case asks a decision for, in the screening's order."""
    if case.screening is None:
        return []
    return [(r["product"], r["area"]) for r in case.screening.result["requests"]]


def request_flags(case: ReviewCase, product: str, area: str) -> list[list[str]]:
    """The flags of one request as [[code, severity], ...]."""
    for request in case.screening.result["requests"] if case.screening else []:
        if (request["product"], request["area"]) == (product, area):
            return [[f["code"], f["severity"]] for f in request["flags"]]
    return []


def current_decisions(case: ReviewCase) -> dict[tuple[str, str], Decision]:
    """The standing decision per (product code, area code): the last of each chain."""
    decisions = (
        Decision.objects.filter(case=case, corrected_by__isnull=True)
        .select_related("product", "area")
        .order_by("decided_at", "id")
    )
    return {(d.product.code, d.area.code): d for d in decisions}


# --- What the patient sees ----------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeItem:
    product: str
    area: str
    kind: str
    decision: Decision
    conditions: list[str]
    can_book: bool


@dataclass(frozen=True)
class PatientOutcome:
    status: str  # "waiting", "decided", "superseded" or "none" (not submitted)
    items: list[OutcomeItem]
    waiting_for: int  # requests still waiting for a decision

    @property
    def cleared(self) -> list[OutcomeItem]:
        return [i for i in self.items if i.can_book]


def patient_outcome(intake: Intake) -> PatientOutcome:
    """What has been decided on this intake version, as the patient sees it (no clinical note)."""
    case = (
        ReviewCase.objects.filter(intake=intake, kind=ReviewCase.Kind.INTAKE)
        .select_related("screening")
        .first()
    )
    if case is None:
        return PatientOutcome("none", [], 0)
    standing = current_decisions(case)
    valid = set(
        Clearance.objects.filter(
            decision__in=[d for d in standing.values() if d.kind == DecisionKind.CLEAR],
            revoked_at__isnull=True,
            expires_on__gte=timezone.localdate(),
        ).values_list("decision_id", flat=True)
    )
    labels = dict(ClearanceCondition.choices)
    items = [
        OutcomeItem(
            product=d.product.translated("name"),
            area=d.area.translated("name"),
            kind=d.kind,
            decision=d,
            conditions=[str(labels.get(c, c)) for c in d.conditions],
            can_book=d.pk in valid and case.status != ReviewCase.Status.SUPERSEDED,
        )
        for pair, d in standing.items()
    ]
    waiting = len([p for p in case_requests(case) if p not in standing])
    status = {
        ReviewCase.Status.OPEN: "waiting",
        ReviewCase.Status.DECIDED: "decided",
        ReviewCase.Status.SUPERSEDED: "superseded",
    }[case.status]
    return PatientOutcome(status, items, waiting)


def priority_label(priority: int) -> str:
    return str(Priority(priority).label)
