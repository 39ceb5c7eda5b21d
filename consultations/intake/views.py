"""The patient's intake: a dashboard, the step-by-step wizard, the check page and submission.

Views stay thin: each fetches the intake through an ownership check (404 when it
is not the patient's), validates a form, calls one service and redirects. What a
patient typed is never lost: a failed validation re-renders their input and also
keeps it on the draft, so a closed tab can come back to it.
"""

import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from consultations.catalog.models import Area
from consultations.intake import forms as f
from consultations.intake import services
from consultations.intake.models import Intake
from consultations.intake.selectors import (
    current_consent_text,
    get_own_draft_step,
    get_own_intake,
    intakes_for_patient,
    patient_for,
    with_answers,
)
from consultations.intake.steps import (
    STEPS_BY_CODE,
    applicable_steps,
    fingerprint,
    first_unfinished,
    missing_steps,
    next_step,
    previous_step,
    step_snapshot,
)
from consultations.patients.formats import phone_display
from consultations.patients.security import client_ip

NOT_INPUT = {"csrfmiddlewaretoken", "fingerprint", "action"}


@dataclass
class StepPage:
    """The form (and formset) of one step, bound or not."""

    form: f.StepForm
    formset: Any = None

    def is_valid(self) -> bool:
        valid = self.form.is_valid()
        if self.formset is not None:
            valid = self.formset.is_valid() and valid
        return valid


def _initial(intake: Intake, step: str) -> dict[str, Any]:
    yn = f.as_yes_no
    if step == "about":
        return {
            "date_of_birth": intake.date_of_birth,
            "sex_at_birth": intake.sex_at_birth,
            "phone": phone_display(intake.phone),
        }
    if step == "allergies":
        return {
            "has_allergies": yn(intake.has_allergies),
            "common_allergies": intake.common_allergies,
            "allergies_other": intake.allergies_other,
            "allergy_reaction": intake.allergy_reaction,
            "multiple_severe_allergies": yn(intake.multiple_severe_allergies)
            if intake.has_allergies
            else None,
            "anaphylaxis_history": yn(intake.anaphylaxis_history),
        }
    if step == "medicines":
        return {
            "takes_medications": yn(intake.takes_medications),
            "medications": intake.medications,
            "isotretinoin": intake.isotretinoin,
            "isotretinoin_last_taken": intake.isotretinoin_last_taken,
            "recent_illness_or_vaccination": yn(intake.recent_illness_or_vaccination),
            "recent_illness_details": intake.recent_illness_details,
        }
    if step == "conditions":
        # Not answered yet: nothing ticked; answered "none": the "None of these" box.
        conditions = [] if intake.conditions is None else intake.conditions or [f.NONE_OF_THESE]
        return {"conditions": conditions, "conditions_other": intake.conditions_other}
    if step == "pregnancy":
        return {"pregnancy": intake.pregnancy}
    if step == "skin":
        return {f"area_{c.area_id}": c.findings or [f.CLEAR] for c in intake.skin_checks.all()}
    if step == "history":
        return {"had_previous_treatments": yn(intake.had_previous_treatments)}
    return {}


def _requested_areas(intake: Intake) -> list[Area]:
    """The areas the treatments ask for, each once, in the order asked."""
    ids = list(dict.fromkeys(r.area_id for r in intake.requests.all()))
    areas = Area.objects.in_bulk(ids)
    return [areas[pk] for pk in ids if pk in areas]


def _build(intake: Intake, step: str, data: QueryDict | None, add_row: bool) -> StepPage:
    initial = _initial(intake, step)
    if step == "treatments":
        rows = [
            {
                "treatment": r.treatment_id,
                "product": r.product_id,
                "area": r.area_id,
                "goal": r.goal,
            }
            for r in intake.requests.all()
        ]
        # A posted formset is read as the page showed it, never re-based on rows saved
        # since (a double click's second post would otherwise lose its rows).
        formset = f.RequestFormSet(data, initial=None if data is not None else rows, prefix="req")
        if data is None and (add_row or not rows):
            formset.extra = 1
        return StepPage(form=f.StepForm(data), formset=formset)
    if step == "history":
        rows = [
            {
                "product": p.product_id,
                "description": p.description,
                "area": p.area_id,
                "treated_on": p.treated_on,
            }
            for p in intake.previous_treatments.all()
        ]
        formset = f.PreviousFormSet(data, initial=None if data is not None else rows, prefix="prev")
        if data is None and (add_row or not rows):
            formset.extra = 1
        return StepPage(form=f.HistoryForm(data, initial=initial), formset=formset)
    if step == "skin":
        return StepPage(form=f.SkinForm(data, initial=initial, areas=_requested_areas(intake)))
    if step == "pregnancy":
        return StepPage(form=f.PregnancyForm(data, initial=initial, intake=intake))
    if step == "consent":
        return StepPage(form=f.ConsentForm(data))
    form_class = {
        "about": f.AboutForm,
        "allergies": f.AllergiesForm,
        "medicines": f.MedicinesForm,
        "conditions": f.ConditionsForm,
    }[step]
    return StepPage(form=form_class(data, initial=initial))


def _save(request: HttpRequest, intake: Intake, step: str, page: StepPage, base: str) -> None:
    if step == "treatments":
        services.intake_save_requests(
            intake_id=intake.pk, requests=page.formset.answers(), base_fingerprint=base
        )
    elif step == "skin":
        services.intake_save_skin(
            intake_id=intake.pk, findings=page.form.findings(), base_fingerprint=base
        )
    elif step == "history":
        services.intake_save_history(
            intake_id=intake.pk,
            had_previous_treatments=page.form.cleaned_data["had_previous_treatments"],
            previous=page.formset.answers(),
            base_fingerprint=base,
        )
    elif step == "consent":
        services.intake_sign_consent(
            intake_id=intake.pk,
            consent_text=current_consent_text(get_language()),
            full_name=page.form.cleaned_data["full_name"],
            ip_address=client_ip(request),
            user_agent=request.headers.get("user-agent", ""),
        )
    else:
        services.intake_save_answers(
            intake_id=intake.pk, step=step, answers=page.form.answers(), base_fingerprint=base
        )


def _add_error(page: StepPage, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in page.form.fields else None
            for e in errors:
                page.form.add_error(target, e)
    else:
        page.form.add_error(None, error)


def _typed_something(raw: dict[str, list[str]]) -> bool:
    """Whether the patient entered anything (formset bookkeeping fields are not answers)."""
    return any(
        value.strip()
        for key, values in raw.items()
        if not key.endswith(("_FORMS", "-DELETE"))
        for value in values
    )


_STEP_MARK = "step-code"
# Stands for the intake's own id in a step list drawn for any intake (`step_nav_html`).
_ANY_INTAKE = uuid.UUID(int=0)


def _nav(intake: Intake, steps: list[Any]) -> list[tuple[Any, str]]:
    return _nav_for(intake.public_id, steps)


def _nav_for(public_id: uuid.UUID, steps: list[Any]) -> list[tuple[Any, str]]:
    """The steps with their addresses, for the step list: the step address reversed once and
    each step's code put in it (the list is drawn on every step page)."""
    pattern = reverse("intake:step", kwargs={"public_id": public_id, "step": _STEP_MARK})
    review = reverse("intake:review", kwargs={"public_id": public_id})
    return [
        (s, review if s.code == "review" else pattern.replace(_STEP_MARK, s.code)) for s in steps
    ]


@lru_cache(maxsize=512)
def _step_nav_drawn(
    language: str, codes: tuple[str, ...], current: str, missing: frozenset[str]
) -> str:
    steps = [STEPS_BY_CODE[code] for code in codes]
    context = {
        "nav": _nav_for(_ANY_INTAKE, steps),
        "step": STEPS_BY_CODE[current],
        "missing": missing,
    }
    return render_to_string("intake/_step_nav.html", context)


def step_nav_html(intake: Intake, steps: list[Any], current: str, missing: set[str]) -> SafeString:
    """The step list (`intake/_step_nav.html`), drawn once per language, list of steps, step
    shown and steps still to answer, and kept; the intake's own id put in its addresses. What
    the template draws depends on nothing else (tests/intake/test_step_nav.py compares)."""
    codes = tuple(s.code for s in steps)
    drawn = _step_nav_drawn(
        get_language() or "", codes, current, frozenset(missing.intersection(codes))
    )
    return mark_safe(drawn.replace(str(_ANY_INTAKE), str(intake.public_id)))  # noqa: S308 (a template's autoescaped output; a UUID put in)


def _pending_data(intake: Intake, step: str) -> QueryDict | None:
    stored = intake.pending_input.get(step)
    if not stored:
        return None
    data = QueryDict(mutable=True)
    for key, values in stored.items():
        data.setlist(key, values if isinstance(values, list) else [values])
    return data


@login_required
@require_GET
def intake_home(request: HttpRequest) -> HttpResponse:
    """The patient's intake page: continue a draft, see submissions, update answers."""
    patient = patient_for(request.user)
    versions = list(with_answers(intakes_for_patient(patient)))
    draft = next((i for i in versions if i.is_draft), None)
    submitted = [i for i in versions if i.is_submitted]
    context: dict[str, Any] = {"draft": draft, "submitted": submitted}
    if draft is not None:
        steps = applicable_steps(draft)
        missing = {s.code for s in missing_steps(draft)}
        context["resume_step"] = first_unfinished(draft)
        context["progress"] = (len([s for s in steps if s.code not in missing]) - 1, len(steps) - 1)
    return render(request, "intake/home.html", context)


@login_required
@require_POST
def intake_start(request: HttpRequest) -> HttpResponse:
    """Open the draft (new, or a new version prefilled from the last submission)."""
    draft = services.intake_open_draft(patient=patient_for(request.user))
    return redirect("intake:step", public_id=draft.public_id, step=first_unfinished(draft).code)


@login_required
@require_http_methods(["GET", "POST"])
def intake_step(request: HttpRequest, public_id: str, step: str) -> HttpResponse:
    intake = get_own_draft_step(request.user, public_id)
    if intake.is_submitted:
        messages.info(
            request,
            _(
                "This version was submitted and cannot be changed. To change an answer, "
                "choose “Update my answers”."
            ),
        )
        return redirect("intake:detail", public_id=intake.public_id)
    step_def = STEPS_BY_CODE.get(step)
    if step_def is None:
        raise Http404
    if step == "review":
        return redirect("intake:review", public_id=intake.public_id)
    if not step_def.applies(intake):
        return redirect(
            "intake:step", public_id=intake.public_id, step=next_step(intake, step).code
        )
    if step == "skin" and not intake.requests.all():
        messages.info(request, _("First tell us which treatments and areas you are interested in."))
        return redirect("intake:step", public_id=intake.public_id, step="treatments")

    base = fingerprint(step_snapshot(intake, step))
    restored = False
    if request.method == "POST":
        action = request.POST.get("action", "next")
        page = _build(intake, step, request.POST, add_row=False)
        base = request.POST.get("fingerprint") or None
        if page.is_valid():
            try:
                _save(request, intake, step, page, base)
            except services.StaleAnswers as stale:
                base = stale.current_fingerprint
                messages.warning(
                    request,
                    _(
                        "These answers were changed in another tab or on another device after you "
                        "opened this page. Your answers are below: check them and save again to "
                        "keep them, or reload the page to see the other version."
                    ),
                )
            except services.IntakeNotEditable:
                messages.info(request, _("This version was already submitted."))
                return redirect("intake:detail", public_id=intake.public_id)
            except ValidationError as error:
                _add_error(page, error)
            else:
                return _after_save(intake, step, action)
        if not page.is_valid() or page.form.errors:
            raw = {k: request.POST.getlist(k) for k in request.POST if k not in NOT_INPUT}
            if _typed_something(raw):
                services.intake_keep_pending_input(intake_id=intake.pk, step=step, data=raw)
            if action == "exit":
                # Leaving is always allowed: what was typed waits on the draft.
                messages.info(
                    request,
                    _(
                        "Saved. Some answers on the “%(step)s” page still need fixing; we kept "
                        "what you typed for when you come back."
                    )
                    % {"step": step_def.title},
                )
                return redirect("intake:home")
    else:
        pending = _pending_data(intake, step)
        restored = pending is not None
        page = _build(intake, step, pending, add_row=request.GET.get("add") == "1")
        if restored:
            page.is_valid()  # show what still needs fixing

    steps = applicable_steps(intake)
    missing = {s.code for s in missing_steps(intake)}
    context = {
        "intake": intake,
        "step": step_def,
        "steps": steps,
        "step_number": next((n for n, s in enumerate(steps, 1) if s.code == step_def.code), None),
        "missing": missing,
        "page": page,
        "form": page.form,
        "formset": page.formset,
        "fingerprint": base or "",
        "restored": restored,
        "previous": previous_step(intake, step),
    }
    if step == "consent":
        context["consent_text"] = current_consent_text(get_language())
        context["unanswered"] = [s for s in steps if s.code in missing - {"consent", "review"}]
    # The page shows the steps twice (beside the form on a wide screen, under it on a phone):
    # drawn once, and kept for every intake in the same state (the list needs nothing else).
    context["step_nav"] = step_nav_html(intake, steps, step_def.code, missing)
    return render(request, "intake/step.html", context)


def _after_save(intake: Intake, step: str, action: str) -> HttpResponse:
    if action == "exit":
        return redirect("intake:home")
    if action == "add":
        url = reverse("intake:step", kwargs={"public_id": intake.public_id, "step": step})
        return redirect(f"{url}?add=1")
    intake.refresh_from_db()
    target = next_step(intake, step)
    if target.code == "review":
        return redirect("intake:review", public_id=intake.public_id)
    return redirect("intake:step", public_id=intake.public_id, step=target.code)


@login_required
@require_GET
def intake_review(request: HttpRequest, public_id: str) -> HttpResponse:
    """Everything the patient answered, with a link to change each part, and the submit button.

    Submission itself is the review room's (`review:submit_intake`): submitting
    screens and queues for review, and the intake room does not reach to its right.
    """
    intake = get_own_intake(request.user, public_id)
    if intake.is_submitted:
        return redirect("intake:detail", public_id=intake.public_id)
    steps = applicable_steps(intake)
    context = {
        "intake": intake,
        "steps": steps,
        "nav": _nav(intake, steps),
        "step": STEPS_BY_CODE["review"],
        "missing": {s.code for s in missing_steps(intake)},
        "missing_steps": missing_steps(intake),
    }
    return render(request, "intake/review.html", context)


@login_required
@require_GET
def intake_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """A submitted version, read-only, with what happens next."""
    intake = get_own_intake(request.user, public_id)
    if intake.is_draft:
        return redirect("intake:review", public_id=intake.public_id)
    latest = intakes_for_patient(intake.patient).submitted().first()
    has_draft = intakes_for_patient(intake.patient).drafts().exists()
    return render(
        request,
        "intake/detail.html",
        {
            "intake": intake,
            "intake_steps": applicable_steps(intake),
            "missing": set(),
            "is_latest": latest == intake,
            "has_draft": has_draft,
        },
    )
