"""The clinicians' review queue: filter it, page through it, claim and release a case.

Every control works without JavaScript (a GET form, POST forms, redirects);
with htmx the same URLs answer with only the part of the page that changed.
"""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from clinic.forms_renderer import FixedTypedChoiceField, KeptOptionsSelect
from clinic.kept import KeptPages
from consultations.catalog.forms import CatalogChoiceField, CatalogSelect
from consultations.catalog.models import Treatment
from consultations.catalog.selectors import catalog_names
from consultations.review.models import CLAIM_MINUTES, Priority
from consultations.review.selectors import (
    QueueCursor,
    QueueFilters,
    QueuePage,
    get_case_for,
    queue_row_for,
    require_reviewer,
    review_queue,
)
from consultations.review.services import review_claim, review_release
from consultations.review.views.rows import CaseUrls, queue_item, queue_row_html, queue_rows_html

WAITED_CHOICES = [
    ("", gettext_lazy("Any time")),
    (24, gettext_lazy("More than a day")),
    (72, gettext_lazy("More than 3 days")),
    (168, gettext_lazy("More than a week")),
]
# The page and its list (what htmx asks for), each kept per state (clinic/kept.py): a few
# filters' and pages' worth for each clinician; the rows are filled in (kept of their own).
QUEUE_PAGES = KeptPages("review/queue.html", fill_ins=("rows",), size=256)
QUEUE_LISTS = KeptPages("review/_queue_list.html", fill_ins=("rows",), size=256)


class QueueFilterForm(forms.Form):
    severity = FixedTypedChoiceField(
        label=gettext_lazy("Severity"),
        choices=[("", gettext_lazy("All")), *Priority.choices[::-1]],
        coerce=int,
        empty_value=None,
        required=False,
        widget=KeptOptionsSelect(attrs={"class": "form-select"}),
    )
    treatment = CatalogChoiceField(
        options="treatment_code_options",
        label=gettext_lazy("Treatment"),
        queryset=Treatment.objects.filter(is_active=True),
        to_field_name="code",
        empty_label=gettext_lazy("All"),
        required=False,
        widget=CatalogSelect(attrs={"class": "form-select"}),
    )
    waited = FixedTypedChoiceField(
        label=gettext_lazy("Waiting"),
        choices=WAITED_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=KeptOptionsSelect(attrs={"class": "form-select"}),
    )
    mine = forms.BooleanField(
        label=gettext_lazy("Claimed by me"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def filters(self) -> QueueFilters:
        """The valid filters (an invalid one is shown as an error and left out)."""
        data = getattr(self, "cleaned_data", {})
        treatment = data.get("treatment")
        return QueueFilters(
            priority=data.get("severity"),
            treatment=treatment.code if treatment else None,
            waited_hours=data.get("waited"),
            mine=bool(data.get("mine")),
        )

    def query(self) -> str:
        """The valid filters as a query string, for links that keep them."""
        data = getattr(self, "cleaned_data", {})
        pairs = {
            "severity": data.get("severity"),
            "treatment": data["treatment"].code if data.get("treatment") else None,
            "waited": data.get("waited"),
            "mine": "on" if data.get("mine") else None,
        }
        return urlencode({k: v for k, v in pairs.items() if v is not None})


def _queue_url(query: str = "") -> str:
    url = reverse("review:queue")
    return f"{url}?{query}" if query else url


def _back_to_queue(request: HttpRequest) -> str:
    """Where the queue was (with its filters and page), if the form says so and it is ours."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return _queue_url()


def _case_url(public_id: object) -> str | None:
    try:
        return reverse("review:case", kwargs={"public_id": public_id})
    except NoReverseMatch:
        return None


@login_required
@require_GET
def queue_page(request: HttpRequest) -> HttpResponse:
    """The open cases, most urgent first; filters and pages by GET, a page at a time."""
    require_reviewer(request.user)
    form = QueueFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    token = request.GET.get("after", "")
    cursor = QueueCursor.decode(token) if token else None
    page = review_queue(user=request.user, filters=form.filters(), after=cursor)
    query = form.query()
    urls, here = CaseUrls(), request.get_full_path()
    me, now, language = request.user.pk, timezone.now(), get_language() or ""
    items = [queue_item(row, me, urls=urls, now=now, language=language) for row in page.rows]
    rows = queue_rows_html(items, request, here)
    context = {
        "form": form,
        "page": page,
        "counts": [(p, page.count_label(p.value)) for p in reversed(Priority)],
        "query": query,
        "first_url": _queue_url(query) if cursor else None,
        "next_url": (
            _queue_url("&".join(filter(None, [query, urlencode({"after": page.next_cursor})])))
            if page.next_cursor
            else None
        ),
        "bad_cursor": bool(token) and cursor is None,
        "claim_minutes": CLAIM_MINUTES,
    }
    partial = request.htmx and not request.htmx.history_restore_request
    pages = QUEUE_LISTS if partial else QUEUE_PAGES
    html = pages.render(
        request,
        state=_page_state(context, page),
        context={**context, "rows": rows},
        fill_ins={"rows": "".join(rows)},
        marked={"rows": [pages.markers["rows"]] if rows else []},
        # Filters not understood: the page says so, drawn afresh (not a state worth keeping).
        keep=not form.errors,
    )
    response = HttpResponse(html)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _page_state(context: dict, page: QueuePage) -> tuple:
    """What the queue's templates show beyond the request's own part (KeptPages.key) and the
    rows: the counts, the page links and the catalog's treatment names in the filter."""
    return (
        tuple((priority.value, label) for priority, label in context["counts"]),
        page.total,
        page.capped,
        bool(page.rows),
        context["query"],
        context["first_url"],
        context["next_url"],
        context["bad_cursor"],
        catalog_names().treatment_code_options,
    )


def _row_response(request: HttpRequest, public_id: str, message: str = "") -> HttpResponse:
    row = queue_row_for(request.user, public_id)
    item = queue_item(row, request.user.pk, message=message)
    return HttpResponse(queue_row_html(item, request, _back_to_queue(request)))


@require_POST
@login_required
def case_claim(request: HttpRequest, public_id: str) -> HttpResponse:
    """Take the case; a colleague who holds it already is named, and keeps it."""
    case = get_case_for(request.user, public_id)
    try:
        review_claim(case_id=case.pk, clinician=request.user)
    except ValidationError as error:
        # ClaimHeld names who holds the case; a closed case says it no longer waits.
        message = " ".join(error.messages)
        if request.htmx:
            return _row_response(request, public_id, message)
        messages.error(request, message)
        return redirect(_back_to_queue(request))
    if request.htmx:
        return _row_response(request, public_id)
    messages.success(
        request,
        gettext("You are reviewing this case for the next %(minutes)s minutes.")
        % {"minutes": CLAIM_MINUTES},
    )
    return redirect(_case_url(case.public_id) or _back_to_queue(request))


@require_POST
@login_required
def case_release(request: HttpRequest, public_id: str) -> HttpResponse:
    """Give the case back to the queue so a colleague can take it now."""
    case = get_case_for(request.user, public_id)
    review_release(case_id=case.pk, clinician=request.user)
    if request.htmx:
        return _row_response(request, public_id)
    messages.success(request, gettext("You released the case: a colleague can take it now."))
    return redirect(_back_to_queue(request))
