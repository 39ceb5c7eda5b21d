"""A case for the clinician: the answers with their flags, what changed, and the decisions."""

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from consultations.audit.services import record_access
from consultations.catalog.models import Area, Product
from consultations.intake.models import Intake
from consultations.intake.selectors import with_answers
from consultations.intake.steps import applicable_steps
from consultations.review.changes import Change, answer_changes, input_changes
from consultations.review.flags import ShownFlag, flags_by_section
from consultations.review.forms import DecisionForm, request_prefix
from consultations.review.models import Clearance, ClearanceCondition, Decision, ReviewCase
from consultations.review.selectors import (
    age_on,
    case_requests,
    current_decisions,
    get_case_for,
)
from consultations.review.services import DecisionInput, review_concern_resolve, review_decide
from consultations.screening.models import Screening


@dataclass(frozen=True)
class AnswerSection:
    """One intake step as `intake/_answers.html` shows it, with the flags its answers raised."""

    code: str
    title: Any
    flags: list[ShownFlag]
    notes_template: str = "review/_section_flags.html"


@dataclass
class RequestBlock:
    """One requested (product, area): its flags, its standing decision and its form."""

    product: str
    area: str
    name: str
    prefix: str
    outcome: str
    flags: list[dict]
    has_block: bool
    form: DecisionForm
    standing: Decision | None = None
    clearance: Clearance | None = None
    earlier: list[Decision] = field(default_factory=list)


def _names() -> tuple[dict[str, str], dict[str, str]]:
    return (
        dict(Product.objects.values_list("code", "name")),
        dict(Area.objects.values_list("code", "name")),
    )


def _changes(intake: Intake, screening: Screening | None, products, areas) -> list[Change] | None:
    """What changed since the previous version; None when this is the first."""
    if intake.previous_id is None:
        return None
    previous = Intake.objects.get(pk=intake.previous_id)
    before = Screening.objects.filter(intake=previous).order_by("-created_at").first()
    changes: list[Change] = []
    if before is not None and screening is not None:
        changes += input_changes(before.input, screening.input, products=products, areas=areas)
    return changes + answer_changes(previous, intake)


def _page(
    request: HttpRequest,
    case: ReviewCase,
    *,
    submitted: DecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    record_access(request, case.patient, "review case")
    now = timezone.now()
    today = timezone.localdate(now)
    intake = with_answers(Intake.objects.filter(pk=case.intake_id)).get()
    products, areas = _names()
    result = case.screening.result if case.screening else {"requests": []}
    by_section = flags_by_section(result, products=products, areas=areas)
    sections = [
        AnswerSection(s.code, s.title, by_section.get(s.code, []))
        for s in applicable_steps(intake)
        if s.code not in {"consent", "review"}
    ]
    shown = {s.code for s in sections}
    unplaced = [f for code, flags in by_section.items() if code not in shown for f in flags]

    standing = current_decisions(case)
    decisions = list(
        Decision.objects.filter(case=case).select_related("product", "area").order_by("decided_at")
    )
    clearances = {c.decision_id: c for c in Clearance.objects.filter(decision__case=case)}
    outcomes = {(r["product"], r["area"]): r for r in result["requests"]}
    blocks = []
    for product, area in case_requests(case):
        request_result = outcomes[(product, area)]
        has_block = any(f["severity"] == "block" for f in request_result["flags"])
        prefix = request_prefix(product, area)
        current = standing.get((product, area))
        if submitted is not None and submitted.prefix == prefix:
            form = submitted
        else:
            form = DecisionForm(
                prefix=prefix,
                has_block=has_block,
                today=today,
                initial={"replaces": current.public_id if current else None},
            )
        blocks.append(
            RequestBlock(
                product=product,
                area=area,
                name=f"{products.get(product, product)} — {areas.get(area, area)}",
                prefix=prefix,
                outcome=request_result["outcome"],
                flags=request_result["flags"],
                has_block=has_block,
                form=form,
                standing=current,
                clearance=clearances.get(current.pk) if current else None,
                earlier=[
                    d
                    for d in decisions
                    if (d.product.code, d.area.code) == (product, area) and d != current
                ],
            )
        )

    holder = case.claimed_by if case.claim_holder(now) else None
    newest = None
    if case.status == ReviewCase.Status.SUPERSEDED:
        newest = (
            ReviewCase.objects.filter(patient=case.patient, kind=ReviewCase.Kind.INTAKE)
            .order_by("-intake__version")
            .first()
        )
    context = {
        "case": case,
        "intake": intake,
        "age": age_on(intake.date_of_birth, today),
        "sections": sections,
        "unplaced_flags": unplaced,
        "changes": _changes(intake, case.screening, products, areas),
        "blocks": blocks,
        "holder": holder,
        "held_by_other": holder is not None and holder.pk != request.user.pk,
        "can_decide": case.status != ReviewCase.Status.SUPERSEDED,
        "newest": newest if newest and newest.pk != case.pk else None,
        "condition_choices": ClearanceCondition.choices,
        "missing": frozenset(),
        "missing_registration": not request.user.registration_number.strip(),
    }
    return render(request, "review/case.html", context, status=status)


@login_required
@require_GET
def case_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """The case page: answers with their flags, what changed, one decision per request."""
    case = get_case_for(request.user, public_id)
    return _page(request, case)


def _add_service_errors(form: DecisionForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@login_required
@require_POST
def case_decide(request: HttpRequest, public_id: str) -> HttpResponse:
    """Record one decision; on a refusal the page comes back with everything typed kept."""
    case = get_case_for(request.user, public_id)
    requests = {request_prefix(p, a): (p, a) for p, a in case_requests(case)}
    prefix = request.POST.get("request", "")
    if prefix not in requests:
        messages.error(request, _("This treatment and area are not part of this intake."))
        return _page(request, case, status=400)
    product, area = requests[prefix]
    has_block = any(
        f["severity"] == "block"
        for r in case.screening.result["requests"]
        if (r["product"], r["area"]) == (product, area)
        for f in r["flags"]
    )
    data: QueryDict = request.POST.copy()
    form = DecisionForm(data, prefix=prefix, has_block=has_block)
    if not form.is_valid():
        return _page(request, case, submitted=form, status=400)
    cleaned = form.cleaned_data
    replaces = cleaned.get("replaces")
    try:
        review_decide(
            case_id=case.pk,
            clinician=request.user,
            data=DecisionInput(
                product=product,
                area=area,
                kind=cleaned["kind"],
                conditions=tuple(cleaned["conditions"]),
                conditions_note=cleaned["conditions_note"],
                expires_on=cleaned["expires_on"],
                defer_until=cleaned["defer_until"],
                justification=cleaned.get("justification", ""),
                message_to_patient=cleaned["message_to_patient"],
                note=cleaned["note"],
                replaces=str(replaces) if replaces else None,
            ),
        )
    except PermissionDenied as error:
        form.add_error(None, str(error) or _("You cannot decide on this case."))
        return _page(request, case, submitted=form, status=403)
    except ValidationError as error:
        _add_service_errors(form, error)
        if getattr(error, "code", None) == "stale":
            # The clinician now sees the decision that stands; sending again corrects it.
            now_standing = current_decisions(case).get((product, area))
            data[f"{prefix}-replaces"] = str(now_standing.public_id) if now_standing else ""
        case.refresh_from_db()
        return _page(request, case, submitted=form, status=400)
    messages.success(request, _("Decision recorded for %(what)s.") % {"what": _what(product, area)})
    return redirect(reverse("review:case", kwargs={"public_id": case.public_id}) + f"#{prefix}")


def _what(product: str, area: str) -> str:
    names = Product.objects.filter(code=product).values_list("name", flat=True).first()
    place = Area.objects.filter(code=area).values_list("name", flat=True).first()
    return f"{names or product} — {place or area}"


@login_required
@require_POST
def case_resolve(request: HttpRequest, public_id: str) -> HttpResponse:
    """Close a concern (a problem after treatment, a change at check-in) with what was done."""
    case = get_case_for(request.user, public_id)
    resolution = request.POST.get("resolution", "")
    try:
        review_concern_resolve(case_id=case.pk, clinician=request.user, resolution=resolution)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        response = _page(request, case, status=400)
        return response
    messages.success(request, _("The concern is closed."))
    return redirect("review:case", public_id=case.public_id)
