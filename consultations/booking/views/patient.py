"""Patients (and the front desk for them): book a cleared treatment, see, move and cancel an
appointment, add it to a calendar, read the aftercare and report a problem.

Views stay thin. Every object is fetched through an ownership check: a patient reaches only
their own clearances and appointments, the front desk any (to book for a patient), and
anything else is a 404 so that ids do not reveal existence. Whether a booking, a move or a
cancellation is allowed is the services' decision (the clearance gate, spacing, the window);
the pages show what the services say, in their words.
"""

import datetime as dt
import uuid
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from consultations.booking.calendar_files import appointment_ics as ics_bytes
from consultations.booking.calendar_files import calendar_method
from consultations.booking.models import (
    ACTIVE_STATUSES,
    Appointment,
    BookingPolicy,
    Practitioner,
    Status,
    Symptom,
)
from consultations.booking.selectors import Slot, practitioners_for, slots_available
from consultations.booking.services import (
    DESK_ROLES,
    BookingRefused,
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
    clearance_problem,
    patient_change_problem,
    problem_report,
    spacing_refused_days,
)
from consultations.patients.formats import local_date, local_time
from consultations.patients.models import Patient, User
from consultations.review.models import Clearance, ClearanceCondition

DEFAULT_DAYS = 14
LONGEST_SEARCH_DAYS = 31
PAST_SHOWN = 20
# Signs of a blocked blood vessel after an injection: minutes matter.
URGENT_SYMPTOMS = frozenset({Symptom.VISION, Symptom.SKIN_COLOUR})


# --- Who may see what -----------------------------------------------------------------------


def _is_desk(user: User) -> bool:
    return user.is_active and bool(user.roles & DESK_ROLES)


def _own_patient(user: User) -> Patient | None:
    return getattr(user, "patient", None) if user.is_active else None


def _scoped(user: User, queryset: Any, *, desk_allowed: bool = True) -> Any:
    """The patient's own rows; every row for the front desk (when allowed); else none."""
    if desk_allowed and _is_desk(user):
        return queryset
    patient = _own_patient(user)
    if patient is None:
        return queryset.none()
    return queryset.filter(patient=patient)


def _clearance_for(user: User, public_id: object) -> Clearance:
    clearance = (
        _scoped(user, Clearance.objects.all())
        .select_related("product__treatment", "area", "patient")
        .filter(public_id=public_id)
        .first()
    )
    if clearance is None:
        raise Http404
    return clearance


def _appointment_for(user: User, public_id: object, *, desk_allowed: bool = True) -> Appointment:
    appointment = (
        _scoped(user, Appointment.objects.all(), desk_allowed=desk_allowed)
        .select_related(
            "patient__user",
            "clearance__product__treatment",
            "clearance__area",
            "product",
            "area",
            "treatment",
            "practitioner",
            "room",
        )
        .filter(public_id=public_id)
        .first()
    )
    if appointment is None:
        raise Http404
    return appointment


def _refusal(error: BookingRefused) -> list[str]:
    return list(error.messages)


# --- Forms ------------------------------------------------------------------------------------


class SlotSearchForm(forms.Form):
    """Which days, and with whom (anyone by default)."""

    start = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}))
    practitioner = forms.ModelChoiceField(
        label=gettext_lazy("With"),
        queryset=Practitioner.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label=gettext_lazy("Anyone"),
    )

    def __init__(self, *args: Any, practitioners: list[Practitioner], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["practitioner"]
        field.queryset = Practitioner.objects.filter(pk__in=[p.pk for p in practitioners])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("Choose a day on or after the first day."))
            elif (end - start).days >= LONGEST_SEARCH_DAYS:
                self.add_error(
                    "end",
                    _("Search up to %(n)d days at a time.") % {"n": LONGEST_SEARCH_DAYS},
                )
        return data


class SlotChoiceForm(forms.Form):
    """One of the listed times, as "<start ISO>~<practitioner public id>"."""

    slot = forms.CharField(
        error_messages={"required": gettext_lazy("Choose a time from the list.")}
    )

    def clean_slot(self) -> tuple[dt.datetime, Practitioner]:
        value = self.cleaned_data["slot"]
        starts, _sep, who = value.partition("~")
        try:
            starts_at = dt.datetime.fromisoformat(starts)
            practitioner = Practitioner.objects.filter(public_id=uuid.UUID(who)).first()
        except ValueError:
            practitioner = None
        if practitioner is None or timezone.is_naive(starts_at):
            raise forms.ValidationError(_("Choose a time from the list."))
        return starts_at, practitioner


class CancelForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("Yes, cancel this appointment"),
        error_messages={"required": gettext_lazy("Tick the box to confirm the cancellation.")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Anything you want to tell us (optional)"),
        max_length=300,
        required=False,
        widget=forms.TextInput(),
    )


class ProblemForm(forms.Form):
    symptoms = forms.MultipleChoiceField(
        label=gettext_lazy("What do you notice?"),
        choices=Symptom.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Tick what you notice.")},
    )
    details = forms.CharField(
        label=gettext_lazy("Tell us more (where, since when, is it getting worse?)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


# --- Free times, grouped for the page ----------------------------------------------------------


@dataclass(frozen=True)
class SlotOption:
    value: str
    id: str  # the radio button's id, unique on the page
    label: str  # the time, as the page's language writes it


@dataclass(frozen=True)
class SlotGroup:
    name: str  # the practitioner, or "" when the earliest free one is offered at each time
    options: list[SlotOption]


@dataclass(frozen=True)
class SlotDay:
    day: dt.date
    label: str
    groups: list[SlotGroup]

    @property
    def count(self) -> int:
        return sum(len(group.options) for group in self.groups)


def _slot_days(
    slots: list[tuple[Slot, dt.datetime]],
    practitioners: list[Practitioner],
    *,
    by_practitioner: bool,
) -> list[SlotDay]:
    """The free times of each day (each slot with its local start), ready to draw.

    With one practitioner chosen, their times. Without, each time once, with the first
    practitioner free then (by name): a patient chooses a time, not among ten copies of it;
    the front desk chooses a practitioner to see theirs.
    """
    public = {p.pk: p.public_id for p in practitioners}
    labels: dict[dt.time, str] = {}  # a few dozen times of day, whatever the days
    days = []
    number = 0
    for day, in_day in groupby(
        (sw for sw in slots if sw[0].practitioner_id in public), key=lambda sw: sw[1].date()
    ):
        chosen: dict[tuple[str, dt.datetime], tuple[Slot, dt.datetime]] = {}
        for slot, when in in_day:  # sorted by time, then by practitioner's name
            chosen.setdefault(
                (slot.practitioner_name if by_practitioner else "", when), (slot, when)
            )
        groups = []
        for name, group in groupby(
            sorted(chosen.items(), key=lambda kv: kv[0]), lambda kv: kv[0][0]
        ):
            options = []
            for _key, (slot, when) in group:
                number += 1
                label = labels.get(when.time())
                if label is None:
                    label = labels[when.time()] = local_time(when)
                options.append(
                    SlotOption(
                        value=f"{slot.starts_at.isoformat()}~{public[slot.practitioner_id]}",
                        id=f"slot-{number}",
                        label=label,
                    )
                )
            groups.append(SlotGroup(name, options))
        days.append(SlotDay(day, local_date(day, "weekday"), groups))
    return days


def _search(
    request: HttpRequest,
    clearance: Clearance,
    source: QueryDict,
    *,
    for_desk: bool,
    moving: int | None = None,
) -> dict[str, Any]:
    """The search form (bound to `source`, or the next 14 days) and the free times it finds."""
    treatment = clearance.product.treatment
    practitioners = practitioners_for(treatment)
    today = timezone.localdate()
    last = clearance.expires_on
    if not for_desk:
        last = min(last, today + dt.timedelta(days=BookingPolicy.current().horizon_days))
    initial = {"start": today, "end": min(today + dt.timedelta(days=DEFAULT_DAYS - 1), last)}
    bound = any(source.get(name) for name in ("start", "end", "practitioner"))
    form = SlotSearchForm(
        {**initial, **source.dict()} if bound else None,
        initial=initial,
        practitioners=practitioners,
    )
    days: list[SlotDay] = []
    spacing_hidden = False
    if not bound or form.is_valid():
        data = form.cleaned_data if bound else {**initial, "practitioner": None}
        start = max(data["start"], today)
        end = min(data["end"], last)
        chosen = data["practitioner"]
        slots = slots_available(
            treatment=treatment,
            start=start,
            end=end,
            practitioner_id=chosen.pk if chosen else None,
        )
        local = [(s, timezone.localtime(s.starts_at)) for s in slots]
        # Days the product's spacing or session limit refuses are not offered at all.
        refused = spacing_refused_days(
            clearance, sorted({when.date() for _s, when in local}), leaving_out=moving
        )
        spacing_hidden = bool(refused)
        local = [(s, when) for s, when in local if when.date() not in refused]
        days = _slot_days(local, practitioners, by_practitioner=chosen is not None)
    return {
        "search": form,
        "days": days,
        "last_day": last,
        "spacing_hidden": spacing_hidden,
    }


def _search_source(request: HttpRequest) -> QueryDict:
    return request.POST if request.method == "POST" else request.GET


# --- Pages --------------------------------------------------------------------------------------


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The patient's appointments, upcoming and past, and what they may book now."""
    patient = _own_patient(request.user)
    if patient is None:
        raise Http404
    now, today = timezone.now(), timezone.localdate()
    appointments = Appointment.objects.filter(patient=patient).select_related(
        "product", "area", "practitioner", "room"
    )
    # Index: appointment_patient_idx (patient, starts_at).
    upcoming = list(appointments.filter(status__in=ACTIVE_STATUSES, ends_at__gte=now))
    past = list(
        appointments.exclude(pk__in=[a.pk for a in upcoming]).order_by("-starts_at")[:PAST_SHOWN]
    )
    candidates = Clearance.objects.filter(
        patient=patient, revoked_at__isnull=True, expires_on__gte=today
    ).select_related("product", "area")
    clearances = [c for c in candidates if clearance_problem(c, today) is None]
    return render(
        request,
        "booking/mine.html",
        {"upcoming": upcoming, "past": past, "clearances": clearances},
    )


@login_required
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, clearance_public_id: object) -> HttpResponse:
    """Choose a day range and a practitioner, then one of the free times; the service books."""
    clearance = _clearance_for(request.user, clearance_public_id)
    for_desk = _is_desk(request.user)
    errors: list[str] = []
    chosen = ""
    if request.method == "POST":
        choice = SlotChoiceForm(request.POST)
        chosen = request.POST.get("slot", "")
        if choice.is_valid():
            starts_at, practitioner = choice.cleaned_data["slot"]
            try:
                appointment = appointment_book(
                    clearance_id=clearance.pk,
                    starts_at=starts_at,
                    practitioner_id=practitioner.pk,
                    by=request.user,
                )
            except BookingRefused as error:
                errors = _refusal(error)
            except PermissionDenied:
                raise Http404 from None
            else:
                messages.success(
                    request,
                    _("Booked. We have emailed you the details.")
                    if not for_desk
                    else _("Booked. The patient has been emailed the details."),
                )
                return redirect("booking:appointment", public_id=appointment.public_id)
        else:
            errors = choice.errors["slot"]
    problem = clearance_problem(clearance, timezone.localdate())
    context: dict[str, Any] = {
        "clearance": clearance,
        "conditions": _conditions(clearance),
        "problem": problem,
        "errors": errors,
        "chosen": chosen,
        "for_desk": for_desk,
        "action": request.path,
        "post_action": request.path,
        "submit_label": _("Book this time"),
    }
    if problem is None:
        context |= _search(request, clearance, _search_source(request), for_desk=for_desk)
    template = "booking/_slots.html" if request.htmx and request.method == "GET" else None
    return render(request, template or "booking/book.html", context)


def _conditions(clearance: Clearance) -> list[str]:
    labels = dict(ClearanceCondition.choices)
    return [str(labels.get(code, code)) for code in clearance.conditions]


def _change_problem(request: HttpRequest, appointment: Appointment) -> str | None:
    """Why this user cannot move or cancel it online (None when they can)."""
    if appointment.status != Status.BOOKED:
        return None
    if _is_desk(request.user):
        return None
    return patient_change_problem(appointment)


def _appointment_page(
    request: HttpRequest,
    appointment: Appointment,
    *,
    move_errors: list[str] | None = None,
    cancel_form: CancelForm | None = None,
    chosen: str = "",
    status: int = 200,
) -> HttpResponse:
    change_problem = _change_problem(request, appointment)
    can_change = appointment.status == Status.BOOKED and change_problem is None
    moving = can_change and (request.GET.get("move") or move_errors is not None)
    context: dict[str, Any] = {
        "appointment": appointment,
        "starts": timezone.localtime(appointment.starts_at),
        "conditions": _conditions(appointment.clearance),
        "can_change": can_change,
        "change_problem": change_problem,
        "moving": moving,
        "move_errors": move_errors or [],
        "chosen": chosen,
        "cancel_form": cancel_form or CancelForm(),
        "is_own": appointment.patient_id == getattr(_own_patient(request.user), "pk", None),
        "completed": appointment.status == Status.COMPLETED,
        "for_desk": _is_desk(request.user),
        "action": reverse("booking:appointment", kwargs={"public_id": appointment.public_id}),
        "post_action": reverse("booking:reschedule", kwargs={"public_id": appointment.public_id}),
        "submit_label": _("Move to this time"),
        "problem_form": ProblemForm(),
    }
    if moving:
        clearance = appointment.clearance
        context["move_problem"] = clearance_problem(clearance, timezone.localdate())
        if context["move_problem"] is None:
            context |= _search(
                request,
                clearance,
                _search_source(request),
                for_desk=context["for_desk"],
                moving=appointment.pk,
            )
    if request.htmx and request.method == "GET" and moving:
        return render(request, "booking/_slots.html", context)
    return render(request, "booking/appointment.html", context, status=status)


@login_required
@require_GET
def appointment_detail(request: HttpRequest, public_id: object) -> HttpResponse:
    appointment = _appointment_for(request.user, public_id)
    return _appointment_page(request, appointment)


@login_required
@require_POST
def reschedule(request: HttpRequest, public_id: object) -> HttpResponse:
    appointment = _appointment_for(request.user, public_id)
    choice = SlotChoiceForm(request.POST)
    if not choice.is_valid():
        return _appointment_page(
            request, appointment, move_errors=choice.errors["slot"], status=400
        )
    starts_at, practitioner = choice.cleaned_data["slot"]
    try:
        appointment_reschedule(
            appointment_id=appointment.pk,
            starts_at=starts_at,
            practitioner_id=practitioner.pk,
            by=request.user,
        )
    except BookingRefused as error:
        appointment.refresh_from_db()
        return _appointment_page(
            request,
            appointment,
            move_errors=_refusal(error),
            chosen=request.POST.get("slot", ""),
        )
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("Moved. We have emailed the new time."))
    return redirect("booking:appointment", public_id=appointment.public_id)


@login_required
@require_POST
def cancel(request: HttpRequest, public_id: object) -> HttpResponse:
    appointment = _appointment_for(request.user, public_id)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _appointment_page(request, appointment, cancel_form=form, status=400)
    try:
        appointment_cancel(
            appointment_id=appointment.pk,
            by=request.user,
            reason=form.cleaned_data["reason"],
        )
    except BookingRefused as error:
        for message in _refusal(error):
            form.add_error(None, message)
        return _appointment_page(request, appointment, cancel_form=form)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("Cancelled. We have emailed you a confirmation."))
    return redirect("booking:appointment", public_id=appointment.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def report_problem(request: HttpRequest, public_id: object) -> HttpResponse:
    """After a treatment: what the patient notices goes to a clinician at once."""
    appointment = _appointment_for(request.user, public_id, desk_allowed=False)
    form = ProblemForm(request.POST or None)
    refused: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            report = problem_report(
                appointment_id=appointment.pk,
                by=request.user,
                symptoms=form.cleaned_data["symptoms"],
                details=form.cleaned_data["details"],
            )
        except BookingRefused as error:
            if hasattr(error, "error_dict"):
                for field, field_errors in error.error_dict.items():
                    for message in field_errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                refused = _refusal(error)
        except PermissionDenied:
            raise Http404 from None
        else:
            url = request.path + f"?sent={report.public_id}"
            return redirect(url)
    sent = None
    if request.method == "GET" and request.GET.get("sent"):
        try:
            sent_id = uuid.UUID(request.GET["sent"])
        except ValueError:
            sent_id = None
        sent = appointment.problem_reports.filter(public_id=sent_id).first() if sent_id else None
    context = {
        "appointment": appointment,
        "starts": timezone.localtime(appointment.starts_at),
        "form": form,
        "refused": refused,
        "sent": sent,
        "urgent": bool(sent and URGENT_SYMPTOMS & set(sent.symptoms)),
        "completed": appointment.status == Status.COMPLETED,
        "policy": BookingPolicy.current(),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "booking/problem.html", context, status=status)


@login_required
@require_GET
def appointment_ics(request: HttpRequest, public_id: object) -> HttpResponse:
    appointment = _appointment_for(request.user, public_id)
    response = HttpResponse(
        ics_bytes(appointment),
        content_type=f"text/calendar; charset=utf-8; method={calendar_method(appointment)}",
    )
    response["Content-Disposition"] = 'attachment; filename="appointment.ics"'
    return response
