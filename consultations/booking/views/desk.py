"""The front desk: find a patient, see what they are cleared for (never why), act on the day.

The patient page is the minimum necessary: who the patient is and how to reach
them, which treatments they are cleared for, under which conditions and until
when, whether a review is pending (one word), their appointments, and the notes
the review room leaves for the desk. The medical history, flags, clinical notes
and override justifications stay with the clinicians; nothing here loads them.

Check-in is shared: the front desk asks the questions with the patient, or the
patient answers on their own phone on the day (the service allows both).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from consultations.audit.services import record_access
from consultations.booking.models import Appointment, Status
from consultations.booking.services import (
    appointment_check_in,
    appointment_complete,
    appointment_no_show,
    appointment_release_hold,
)
from consultations.intake.models import Intake
from consultations.patients.models import Patient, Role, User
from consultations.review.models import Clearance, ClearanceCondition, FrontDeskNote, ReviewCase

DESK_ROLES = frozenset({Role.FRONT_DESK, Role.ADMIN})
SEARCH_RESULTS = 25
NOTES_SHOWN = 20
STATUS_STYLES = {
    Status.BOOKED: "primary",
    Status.ON_HOLD: "warning",
    Status.CHECKED_IN: "info",
    Status.COMPLETED: "success",
    Status.CANCELLED: "secondary",
    Status.NO_SHOW: "dark",
}


def is_desk(user: User) -> bool:
    return user.is_active and bool(user.roles & DESK_ROLES)


def require_desk(user: User) -> None:
    if not is_desk(user):
        raise PermissionDenied


def _latest_intake() -> Subquery:
    return Subquery(
        Intake.objects.filter(patient_id=OuterRef("patient_id"), status=Intake.Status.SUBMITTED)
        .order_by("-version")
        .values("pk")[:1]
    )


def with_clearance_state(appointments: QuerySet[Appointment]) -> QuerySet[Appointment]:
    """Load what `needs_clearance` reads in the same query (the patient's latest intake)."""
    return appointments.select_related("clearance").annotate(latest_intake_id=_latest_intake())


def needs_clearance(appointment: Appointment) -> bool:
    """An active appointment that may not go ahead as it stands: held, or its clearance is no
    longer valid on its day (the checks of services.clearance_problem, batched: the latest
    intake comes from `with_clearance_state`'s annotation, not one query per appointment)."""
    if appointment.status == Status.ON_HOLD:
        return True
    if appointment.status not in (Status.BOOKED, Status.CHECKED_IN):
        return False
    clearance = appointment.clearance
    return not clearance.is_valid_on(appointment.local_date) or (
        appointment.latest_intake_id != clearance.intake_id
    )


def _next_or(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        # Never redirect(target): a bare word would be looked up as a URL name (a 500).
        return HttpResponseRedirect(target)
    return redirect(fallback)


def _refusal_text(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- Finding a patient ----------------------------------------------------------------------


class PatientSearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Name or email"),
        min_length=2,
        max_length=150,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


@login_required
@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    require_desk(request.user)
    form = PatientSearchForm(request.GET or None)
    patients: list[Patient] = []
    if form.is_valid():
        words = form.cleaned_data["q"].strip()
        patients = list(
            Patient.objects.filter(Q(full_name__icontains=words) | Q(user__email__icontains=words))
            .select_related("user")
            .order_by("full_name", "pk")[:SEARCH_RESULTS]
        )
    today = timezone.localdate()
    day_list = list(
        with_clearance_state(
            Appointment.objects.filter(local_date=today).exclude(status=Status.CANCELLED)
        ).select_related("patient", "product", "area", "practitioner", "room")
    )
    return render(
        request,
        "booking/desk.html",
        {
            "form": form,
            "searched": form.is_bound,
            "patients": patients,
            "today": today,
            "today_rows": [_appointment_row(a) for a in day_list],
        },
    )


# --- A patient, as the front desk needs to see them -----------------------------------------


def _appointment_row(appointment: Appointment) -> dict:
    return {
        "appointment": appointment,
        "style": STATUS_STYLES.get(appointment.status, "secondary"),
        "needs_clearance": needs_clearance(appointment),
        "starts": timezone.localtime(appointment.starts_at),
        "is_today": appointment.local_date == timezone.localdate(),
        "has_started": appointment.starts_at <= timezone.now(),
    }


def _conditions(clearance: Clearance) -> list[str]:
    labels = dict(ClearanceCondition.choices)
    return [str(labels.get(code, code)) for code in clearance.conditions]


@login_required
@require_GET
def desk_patient(request: HttpRequest, public_id: str) -> HttpResponse:
    require_desk(request.user)
    # Only these fields of the patient and their login are read: nothing medical is loaded.
    patient = get_object_or_404(
        Patient.objects.select_related("user").only(
            "pk", "public_id", "full_name", "user__email", "user__preferred_language"
        ),
        public_id=public_id,
    )
    record_access(request, patient, "desk record")
    today = timezone.localdate()
    # The latest submitted version: its id (what a valid clearance is granted on) and the
    # mobile number the patient gave in it, nothing else.
    latest, phone = (
        Intake.objects.filter(patient=patient, status=Intake.Status.SUBMITTED)
        .order_by("-version")
        .values_list("pk", "phone")
        .first()
    ) or (None, "")
    # Valid today: not withdrawn, not expired, granted on the latest version (as the gate).
    clearances = list(
        Clearance.objects.filter(
            patient=patient, revoked_at__isnull=True, expires_on__gte=today, intake_id=latest
        )
        .select_related("product", "area")
        .only(
            "public_id",
            "conditions",
            "conditions_note",
            "expires_on",
            "intake_id",
            "product__name",
            "product__translations",
            "product__brand",
            "area__name",
            "area__translations",
            "product_id",
            "area_id",
        )
        .order_by("product__name", "area__name")
    )
    review_pending = ReviewCase.objects.open().filter(patient=patient).exists()
    appointments = list(
        with_clearance_state(Appointment.objects.filter(patient=patient))
        .select_related("product", "area", "practitioner", "room")
        .order_by("-starts_at")
    )
    rows = [_appointment_row(a) for a in appointments]
    for row in rows:
        appointment = row["appointment"]
        row["release_choices"] = (
            [
                c
                for c in clearances
                if (c.product_id, c.area_id) == (appointment.product_id, appointment.area_id)
                and c.expires_on >= appointment.local_date
            ]
            if appointment.status == Status.ON_HOLD
            else []
        )
    notes = list(FrontDeskNote.objects.filter(patient=patient)[:NOTES_SHOWN])
    return render(
        request,
        "booking/desk_patient.html",
        {
            "patient": patient,
            "email": patient.user.email if patient.user else "",
            "phone": phone,
            "clearances": [(c, _conditions(c)) for c in clearances],
            "review_word": _("Pending") if review_pending else _("None"),
            "rows": rows,
            "notes": notes,
            "back": request.get_full_path(),
        },
    )


# --- Check-in on the day --------------------------------------------------------------------

YES_NO = [("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]


def _yes_no(label: str) -> forms.TypedChoiceField:
    # Radio buttons with nothing chosen: no question is answered by accident.
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Answer yes or no.")},
    )


class CheckInForm(forms.Form):
    pregnancy_changed = _yes_no(
        gettext_lazy(
            "Since you answered the questions, have you become pregnant, started "
            "breastfeeding or started trying for a baby?"
        )
    )
    infection_at_area = _yes_no(
        gettext_lazy(
            "Today, is there any infection, inflammation, a cold sore or a wound where you "
            "are being treated?"
        )
    )
    new_medications = _yes_no(
        gettext_lazy(
            "Since you answered the questions, have you started any new medicines or supplements?"
        )
    )
    new_medications_detail = forms.CharField(
        label=gettext_lazy("If yes, which ones?"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("new_medications") and not (data.get("new_medications_detail") or "").strip():
            self.add_error("new_medications_detail", _("Tell us which medicines or supplements."))
        return data


def _appointment_for_check_in(user: User, public_id: str) -> Appointment:
    """The desk sees any appointment; a patient only their own (404 otherwise); others 403."""
    queryset = Appointment.objects.select_related(
        "patient", "product", "area", "practitioner", "room"
    )
    if is_desk(user):
        return get_object_or_404(queryset, public_id=public_id)
    patient = getattr(user, "patient", None)
    if user.is_active and user.has_role(Role.PATIENT) and patient is not None:
        appointment = queryset.filter(public_id=public_id, patient=patient).first()
        if appointment is None:
            raise Http404
        return appointment
    raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest, public_id: str) -> HttpResponse:
    appointment = _appointment_for_check_in(request.user, public_id)
    form = CheckInForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            appointment_check_in(
                appointment_id=appointment.pk, by=request.user, **form.cleaned_data
            )
        except ValidationError as refused:  # BookingRefused, or a model check behind it
            if hasattr(refused, "error_dict"):
                for field, errors in refused.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.error(request, _refusal_text(refused))
                return redirect("booking:check_in", public_id=appointment.public_id)
        else:
            return redirect("booking:check_in", public_id=appointment.public_id)
    return render(
        request,
        "booking/check_in.html",
        {
            "appointment": appointment,
            "starts": timezone.localtime(appointment.starts_at),
            "form": form,
            "opens_today": appointment.local_date == timezone.localdate(),
            "is_past_day": appointment.local_date < timezone.localdate(),
            "can_answer": appointment.status == Status.BOOKED,
            "is_desk": is_desk(request.user),
            "style": STATUS_STYLES.get(appointment.status, "secondary"),
        },
    )


# --- Desk actions on an appointment ---------------------------------------------------------


def _desk_appointment(user: User, public_id: str) -> Appointment:
    require_desk(user)
    return get_object_or_404(Appointment.objects.select_related("patient"), public_id=public_id)


def _patient_page(appointment: Appointment) -> str:
    return reverse("booking:desk_patient", kwargs={"public_id": appointment.patient.public_id})


@login_required
@require_POST
def no_show(request: HttpRequest, public_id: str) -> HttpResponse:
    appointment = _desk_appointment(request.user, public_id)
    try:
        appointment_no_show(appointment_id=appointment.pk, by=request.user)
    except ValidationError as refused:
        messages.error(request, _refusal_text(refused))
    else:
        messages.success(request, _("Recorded: the patient did not come."))
    return _next_or(request, _patient_page(appointment))


class ReleaseForm(forms.Form):
    clearance = forms.UUIDField(label=gettext_lazy("New clearance"))


@login_required
@require_POST
def release_hold(request: HttpRequest, public_id: str) -> HttpResponse:
    appointment = _desk_appointment(request.user, public_id)
    form = ReleaseForm(request.POST)
    clearance = None
    if form.is_valid():
        clearance = (
            Clearance.objects.filter(
                public_id=form.cleaned_data["clearance"], patient_id=appointment.patient_id
            )
            .only("pk")
            .first()
        )
    if clearance is None:
        messages.error(request, _("Choose the patient's new clearance for this treatment."))
        return _next_or(request, _patient_page(appointment))
    try:
        appointment_release_hold(
            appointment_id=appointment.pk, clearance_id=clearance.pk, by=request.user
        )
    except ValidationError as refused:
        messages.error(request, _refusal_text(refused))
    else:
        messages.success(request, _("Released: the appointment goes ahead as booked."))
    return _next_or(request, _patient_page(appointment))


@login_required
@require_POST
def complete(request: HttpRequest, public_id: str) -> HttpResponse:
    if not (request.user.is_active and request.user.has_role(Role.CLINICIAN)):
        raise PermissionDenied
    appointment = get_object_or_404(Appointment, public_id=public_id)
    try:
        appointment_complete(appointment_id=appointment.pk, by=request.user)
    except ValidationError as refused:
        messages.error(request, _refusal_text(refused))
    else:
        messages.success(request, _("Recorded: the treatment was given."))
    return _next_or(request, reverse("review:queue"))
