"""Every change to an appointment: book, move, cancel, check in, hold, complete, report a problem.

The gate is here, in one transaction per action, and again in PostgreSQL (the
clearance trigger and the exclusion constraints of migration 0002), so no screen,
no admin action and no race gets around it:

1. the clearance is locked and must be valid on the appointment's day (not
   revoked, not expired, for this patient, product and area, granted on the
   patient's latest submitted intake version);
2. the product's series spacing and session limit hold, judged by the screening
   engine's own INTERVAL and SESSION-LIMIT rules over the patient's declared
   sessions and appointments, before and after the new date;
3. the practitioner performs the treatment and works then, inside opening hours
   and outside time off, and neither they nor the room are taken. Two requests
   for the same time both pass this check; the exclusion constraint lets one
   insert and the other gets "that time was just taken".
"""

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import replace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.db import validate_fields
from consultations.intake.models import Intake
from consultations.patients.models import Role, User
from consultations.review.models import Clearance, ReviewCase
from consultations.review.services import (
    clearance_mark_used,
    clearance_revoke,
    review_case_open_concern,
)
from consultations.screening.engine import contract
from consultations.screening.engine.reading import TextReading
from consultations.screening.engine.rules import RULES_BY_CODE, Context
from consultations.screening.engine.types import PreviousSession, Request
from consultations.screening.facts import catalog_facts

from .availability import merge
from .models import (
    ACTIVE_STATUSES,
    TRANSITIONS,
    Appointment,
    AppointmentEvent,
    BookingPolicy,
    CheckIn,
    OpeningHours,
    Practitioner,
    ProblemReport,
    Room,
    Status,
    Symptom,
    TimeOff,
    WorkingHours,
)
from .notifications import notify_clinic_of_problem, send_appointment_email
from .tasks import reminder_schedule

logger = logging.getLogger(__name__)

DESK_ROLES = frozenset({Role.FRONT_DESK, Role.ADMIN})
TREATING_ROLES = frozenset({Role.CLINICIAN})


class BookingRefused(ValidationError):
    """A booking the rules do not allow, with the reason in plain words."""


class SlotTaken(BookingRefused):
    def __init__(self) -> None:
        super().__init__(
            _("That time was just taken. Please choose another time."), code="slot_taken"
        )


def _what(appointment: Appointment) -> str:
    """'SKINVIVE by JUVÉDERM — Cheeks', in the active language."""
    return f"{appointment.product.translated('name')} — {appointment.area.translated('name')}"


# --- Who may act --------------------------------------------------------------------------


def _is_desk(user: User) -> bool:
    return user.is_active and bool(user.roles & DESK_ROLES)


def _require_booker(user: User, patient_id: int) -> bool:
    """The front desk (or an admin) for anyone; a patient for themselves. True for the desk."""
    if _is_desk(user):
        return True
    patient = getattr(user, "patient", None)
    if user.is_active and user.has_role(Role.PATIENT) and patient and patient.pk == patient_id:
        return False
    raise PermissionDenied(_("You cannot book for this patient."))


# --- The clearance ------------------------------------------------------------------------


def latest_intake_id(patient_id: int) -> int | None:
    return (
        Intake.objects.filter(patient_id=patient_id, status=Intake.Status.SUBMITTED)
        .order_by("-version")
        .values_list("pk", flat=True)
        .first()
    )


def clearance_problem(clearance: Clearance, day: dt.date) -> str | None:
    """Why this clearance does not allow a treatment on `day`, in plain words; None if it does."""
    if clearance.revoked_at is not None:
        return _("This clearance was withdrawn. A clinician needs to review again first.")
    if clearance.expires_on < day:
        return _("This clearance ends on %(date)s, before that day.") % {
            "date": clearance.expires_on.isoformat()
        }
    if latest_intake_id(clearance.patient_id) != clearance.intake_id:
        return _(
            "The patient has sent newer answers since this clearance. A clinician needs to "
            "review them first."
        )
    return None


def _locked_clearance(clearance_id: int) -> Clearance:
    try:
        return (
            Clearance.objects.select_for_update(of=("self",))
            .select_related("product__treatment", "area", "intake")
            .get(pk=clearance_id)
        )
    except Clearance.DoesNotExist:
        raise BookingRefused(_("There is no such clearance.")) from None


# --- Spacing and session limits: the screening rules, reused --------------------------------


def _sessions(clearance: Clearance, *, leaving_out: int | None) -> list[PreviousSession]:
    """The patient's sessions of this product: declared in the intake, and appointments."""
    declared = [
        PreviousSession(s["product"], s["area"], dt.date.fromisoformat(s["date"]))
        for s in _screening_input(clearance)["previous_sessions"]
    ]
    booked = (
        Appointment.objects.filter(
            patient_id=clearance.patient_id,
            product_id=clearance.product_id,
            status__in=[*ACTIVE_STATUSES, Status.COMPLETED],
        )
        .exclude(pk=leaving_out)
        .select_related("product", "area")
    )
    return declared + [PreviousSession(a.product.code, a.area.code, a.local_date) for a in booked]


def _screening_input(clearance: Clearance) -> dict:
    screening = clearance.decision.case.screening
    return screening.input


def _spacing_context(clearance: Clearance, *, leaving_out: int | None) -> tuple:
    """What the spacing rules read, loaded once: the facts, the stored input, the sessions."""
    facts = catalog_facts()
    base = contract.parse(
        _screening_input(clearance),
        known_products=frozenset(facts.products),
        known_areas=frozenset(facts.area_parents),
        today=timezone.localdate(),  # the stored input carries its own treatment date
    )
    return facts, base, _sessions(clearance, leaving_out=leaving_out)


def spacing_refused_days(
    clearance: Clearance, days: list[dt.date], *, leaving_out: int | None = None
) -> set[dt.date]:
    """The days of `days` on which the product's spacing or session limit refuses a session
    (so that a page offers no time the booking would then refuse)."""
    loaded = _spacing_context(clearance, leaving_out=leaving_out)
    return {
        day
        for day in days
        if _spacing_problem(clearance, day, leaving_out=leaving_out, loaded=loaded)
    }


def _spacing_problem(
    clearance: Clearance, day: dt.date, *, leaving_out: int | None, loaded: tuple | None = None
) -> str | None:
    """Run INTERVAL and SESSION-LIMIT as if screening the day, and each later session too."""
    facts, base, sessions = loaded or _spacing_context(clearance, leaving_out=leaving_out)
    product = facts.products[clearance.product.code]
    request = Request(clearance.product.code, clearance.area.code)
    new = PreviousSession(request.product, request.area, day)
    empty = TextReading()  # the two rules read no free text
    # The new day against the sessions before it, then each later session against the ones
    # before it (the new day included): a series must be spaced on both sides.
    checks = [(day, [s for s in sessions if s.date <= day])]
    checks += [
        (later.date, [s for s in sessions if s.date <= later.date and s != later] + [new])
        for later in sessions
        if later.date > day
    ]
    for treatment_date, before in checks:
        data = replace(
            base,
            requests=(request,),
            treatment_date=treatment_date,
            previous_sessions=tuple(sorted(before, key=lambda s: s.date)),
        )
        context = Context(data, request, product, facts, empty, empty)
        for code in ("INTERVAL", "SESSION-LIMIT"):
            rule = RULES_BY_CODE[code]
            if rule.products(product) and rule.when(context):
                if code == "SESSION-LIMIT":
                    return _("%(product)s allows at most %(n)d sessions in a series.") % {
                        "product": clearance.product.translated("name"),
                        "n": product.max_sessions,
                    }
                return _(
                    "Sessions of %(product)s must be at least %(interval)s apart; that day is "
                    "too close to another session."
                ) % {
                    "product": clearance.product.translated("name"),
                    "interval": product.interval_text(),
                }
    return None


# --- Time -----------------------------------------------------------------------------------


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment)


def _within(starts: dt.time, ends: dt.time, windows: list[tuple[dt.time, dt.time]]) -> bool:
    # Rows that touch or overlap (09-12 and 12-18) are one stretch of time, as the slot
    # search (selectors.py) sees them.
    return any(a <= starts and ends <= b for a, b in merge(windows))


def _time_problem(
    practitioner: Practitioner, starts_at: dt.datetime, free_at: dt.datetime
) -> str | None:
    start, end = _local(starts_at), _local(free_at)
    if start.date() != end.date():
        return _("An appointment must start and end on the same day.")
    weekday = start.weekday()
    opening = list(OpeningHours.objects.filter(weekday=weekday).values_list("opens", "closes"))
    if not _within(start.time(), end.time(), opening):
        return _("The clinic is closed at that time.")
    working = list(
        WorkingHours.objects.filter(practitioner=practitioner, weekday=weekday).values_list(
            "starts", "ends"
        )
    )
    if not _within(start.time(), end.time(), working):
        return _("%(name)s does not work at that time.") % {"name": practitioner.display_name}
    if TimeOff.objects.filter(
        practitioner=practitioner, starts_at__lt=free_at, ends_at__gt=starts_at
    ).exists():
        return _("%(name)s is away at that time.") % {"name": practitioner.display_name}
    return None


def _overlapping(starts_at: dt.datetime, free_at: dt.datetime, leaving_out: int | None):
    return Appointment.objects.filter(
        status__in=ACTIVE_STATUSES, starts_at__lt=free_at, free_at__gt=starts_at
    ).exclude(pk=leaving_out)


def _choose_room(
    room_id: int | None, starts_at: dt.datetime, free_at: dt.datetime, leaving_out: int | None
) -> Room:
    busy = set(_overlapping(starts_at, free_at, leaving_out).values_list("room_id", flat=True))
    rooms = Room.objects.filter(is_active=True).order_by("name")
    if room_id is not None:
        rooms = rooms.filter(pk=room_id)
    for room in rooms:
        if room.pk not in busy:
            return room
    raise SlotTaken()


def _checked_slot(
    *,
    clearance: Clearance,
    starts_at: dt.datetime,
    practitioner_id: int,
    room_id: int | None,
    leaving_out: int | None,
    for_desk: bool,
) -> tuple[Practitioner, Room, dt.datetime, dt.datetime, dt.date]:
    now = timezone.now()
    if timezone.is_naive(starts_at):
        raise BookingRefused(_("Choose a time from the list."))
    if starts_at <= now:
        raise BookingRefused(_("That time has passed. Please choose a later time."))
    policy = BookingPolicy.current()
    if not for_desk and starts_at > now + dt.timedelta(days=policy.horizon_days):
        raise BookingRefused(
            _("Appointments can be booked up to %(n)d days ahead.") % {"n": policy.horizon_days}
        )
    treatment = clearance.product.treatment
    ends_at = starts_at + dt.timedelta(minutes=treatment.duration_minutes)
    free_at = ends_at + dt.timedelta(minutes=treatment.buffer_minutes)
    day = _local(starts_at).date()
    problem = clearance_problem(clearance, day)
    if problem:
        raise BookingRefused(problem, code="no_clearance")
    problem = _spacing_problem(clearance, day, leaving_out=leaving_out)
    if problem:
        raise BookingRefused(problem, code="spacing")
    practitioner = Practitioner.objects.filter(pk=practitioner_id, is_active=True).first()
    if practitioner is None or not practitioner.treatments.filter(pk=treatment.pk).exists():
        raise BookingRefused(_("This practitioner does not perform this treatment."))
    problem = _time_problem(practitioner, starts_at, free_at)
    if problem:
        raise BookingRefused(problem, code="outside_hours")
    if _overlapping(starts_at, free_at, leaving_out).filter(practitioner=practitioner).exists():
        raise SlotTaken()
    room = _choose_room(room_id, starts_at, free_at, leaving_out)
    return practitioner, room, ends_at, free_at, day


def _save_guarded(appointment: Appointment, **save: object) -> None:
    """Save; the database's exclusion constraint or clearance trigger may still refuse."""
    try:
        with transaction.atomic():
            appointment.save(**save)
    except IntegrityError as error:
        cause = getattr(error.__cause__, "pgcode", None)
        if cause == "23P01":  # exclusion_violation: someone took the time meanwhile
            raise SlotTaken() from None
        if cause == "23514":  # check_violation: the clearance trigger
            raise BookingRefused(
                _("There is no valid clearance for this treatment any more."),
                code="no_clearance",
            ) from None
        raise


def _after_commit(send: Callable[..., None], **kwargs: object) -> None:
    """Send once the change is saved. A mail server that is down must not turn a booking
    that was made into an error page: the failure is logged for the clinic to follow up."""

    def run() -> None:
        try:
            send(**kwargs)
        except Exception:
            logger.exception("could not send %s %s", send.__name__, kwargs)

    transaction.on_commit(run)


def _event(appointment: Appointment, kind: str, by: User, detail: str = "") -> None:
    AppointmentEvent.objects.create(
        appointment=appointment, kind=kind, status=appointment.status, by=by, detail=detail
    )


def _move_to(appointment: Appointment, status: str) -> None:
    if status not in TRANSITIONS[appointment.status]:
        raise BookingRefused(
            _("This appointment is %(status)s and cannot be changed that way.")
            % {"status": appointment.get_status_display().lower()},
            code="transition",
        )
    appointment.status = status


# --- Booking --------------------------------------------------------------------------------


@transaction.atomic
def appointment_book(
    *,
    clearance_id: int,
    starts_at: dt.datetime,
    practitioner_id: int,
    by: User,
    room_id: int | None = None,
) -> Appointment:
    """Book one cleared treatment (see the module's docstring for every check)."""
    clearance = _locked_clearance(clearance_id)
    for_desk = _require_booker(by, clearance.patient_id)
    practitioner, room, ends_at, free_at, day = _checked_slot(
        clearance=clearance,
        starts_at=starts_at,
        practitioner_id=practitioner_id,
        room_id=room_id,
        leaving_out=None,
        for_desk=for_desk,
    )
    appointment = Appointment(
        patient_id=clearance.patient_id,
        clearance=clearance,
        treatment=clearance.product.treatment,
        product=clearance.product,
        area=clearance.area,
        practitioner=practitioner,
        room=room,
        starts_at=starts_at,
        ends_at=ends_at,
        free_at=free_at,
        local_date=day,
        booked_by=by,
    )
    validate_fields(appointment)
    _save_guarded(appointment)
    _event(appointment, AppointmentEvent.Kind.BOOKED, by)
    _after_commit(send_appointment_email, appointment_id=appointment.pk, kind="booked")
    _after_commit(reminder_schedule, appointment_id=appointment.pk, starts_at=appointment.starts_at)
    return appointment


def _locked_appointment(appointment_id: int) -> Appointment:
    try:
        return (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("practitioner", "product", "area", "treatment")
            .get(pk=appointment_id)
        )
    except Appointment.DoesNotExist:
        raise BookingRefused(_("There is no such appointment.")) from None


def patient_change_problem(appointment: Appointment) -> str | None:
    """Why the patient may no longer move or cancel this appointment online (the window)."""
    hours = BookingPolicy.current().cancellation_hours
    if timezone.now() > appointment.starts_at - dt.timedelta(hours=hours):
        return _(
            "Appointments can be moved or cancelled online up to %(n)d hours before. "
            "Please call the clinic."
        ) % {"n": hours}
    return None


@transaction.atomic
def appointment_reschedule(
    *,
    appointment_id: int,
    starts_at: dt.datetime,
    by: User,
    practitioner_id: int | None = None,
    room_id: int | None = None,
) -> Appointment:
    appointment = _locked_appointment(appointment_id)
    for_desk = _require_booker(by, appointment.patient_id)
    if appointment.status != Status.BOOKED:
        raise BookingRefused(_("Only a booked appointment can be moved."), code="transition")
    if not for_desk and (problem := patient_change_problem(appointment)):
        raise BookingRefused(problem, code="window")
    clearance = _locked_clearance(appointment.clearance_id)
    was = _local(appointment.starts_at)
    practitioner, room, ends_at, free_at, day = _checked_slot(
        clearance=clearance,
        starts_at=starts_at,
        practitioner_id=practitioner_id or appointment.practitioner_id,
        room_id=room_id,
        leaving_out=appointment.pk,
        for_desk=for_desk,
    )
    appointment.practitioner = practitioner
    appointment.room = room
    appointment.starts_at, appointment.ends_at, appointment.free_at = starts_at, ends_at, free_at
    appointment.local_date = day
    appointment.reminder_sent_at = None
    appointment.full_clean()
    _save_guarded(
        appointment,
        update_fields=[
            "practitioner",
            "room",
            "starts_at",
            "ends_at",
            "free_at",
            "local_date",
            "reminder_sent_at",
        ],
    )
    _event(appointment, AppointmentEvent.Kind.RESCHEDULED, by, detail=f"was {was:%Y-%m-%d %H:%M}")
    _after_commit(send_appointment_email, appointment_id=appointment.pk, kind="changed")
    _after_commit(reminder_schedule, appointment_id=appointment.pk, starts_at=appointment.starts_at)
    return appointment


@transaction.atomic
def appointment_cancel(*, appointment_id: int, by: User, reason: str = "") -> Appointment:
    appointment = _locked_appointment(appointment_id)
    for_desk = _require_booker(by, appointment.patient_id)
    if not for_desk and (problem := patient_change_problem(appointment)):
        raise BookingRefused(problem, code="window")
    _move_to(appointment, Status.CANCELLED)
    appointment.save(update_fields=["status"])
    _event(appointment, AppointmentEvent.Kind.CANCELLED, by, detail=reason.strip()[:300])
    _after_commit(send_appointment_email, appointment_id=appointment.pk, kind="cancelled")
    return appointment


@transaction.atomic
def appointment_no_show(*, appointment_id: int, by: User) -> Appointment:
    appointment = _locked_appointment(appointment_id)
    if not _is_desk(by):
        raise PermissionDenied(_("Only the front desk records a missed appointment."))
    if timezone.now() < appointment.starts_at:
        raise BookingRefused(_("The appointment has not started yet."))
    _move_to(appointment, Status.NO_SHOW)
    appointment.save(update_fields=["status"])
    _event(appointment, AppointmentEvent.Kind.NO_SHOW, by)
    return appointment


# --- The day of the treatment ---------------------------------------------------------------


@transaction.atomic
def appointment_check_in(
    *,
    appointment_id: int,
    by: User,
    pregnancy_changed: bool,
    infection_at_area: bool,
    new_medications: bool,
    new_medications_detail: str = "",
) -> Appointment:
    """Re-confirm what changes quickly. Any change holds the appointment and sends the
    patient back to a clinician (a check-in case at the top of the queue), and the
    clearance it was booked under is withdrawn: nothing goes to the treatment room."""
    appointment = _locked_appointment(appointment_id)
    _require_booker(by, appointment.patient_id)
    if appointment.status != Status.BOOKED:
        raise BookingRefused(
            _("This appointment is %(status)s; there is nothing to check in.")
            % {"status": appointment.get_status_display().lower()},
            code="transition",
        )
    if appointment.local_date != timezone.localdate():
        raise BookingRefused(_("Check-in opens on the day of the appointment."))
    if new_medications and not new_medications_detail.strip():
        raise BookingRefused(
            {"new_medications_detail": [_("Tell us which medicines or supplements.")]}
        )
    check_in = CheckIn(
        appointment=appointment,
        pregnancy_changed=pregnancy_changed,
        infection_at_area=infection_at_area,
        new_medications=new_medications,
        new_medications_detail=new_medications_detail.strip(),
        confirmed_by=by,
        with_patient=True,  # the patient answers, alone or at the desk
    )
    clearance = Clearance.objects.select_for_update(of=("self",)).get(pk=appointment.clearance_id)
    problem = clearance_problem(clearance, appointment.local_date)
    if check_in.anything_changed or problem:
        _move_to(appointment, Status.ON_HOLD)
        check_in.full_clean()
        check_in.save()
        appointment.save(update_fields=["status"])
        said = [
            str(label)
            for changed, label in (
                (pregnancy_changed, _("pregnancy")),
                (infection_at_area, _("infection or inflammation at the area")),
                (new_medications, _("new medicines: %s") % new_medications_detail.strip()),
            )
            if changed
        ]
        summary = (
            _("Check-in for %(what)s on %(day)s: changed — %(changes)s.")
            % {
                "what": _what(appointment),
                "day": appointment.local_date.isoformat(),
                "changes": "; ".join(said),
            }
            if said
            else _("Check-in for %(what)s: %(problem)s")
            % {
                "what": _what(appointment),
                "problem": problem,
            }
        )
        if clearance.revoked_at is None:
            clearance_revoke(
                clearance_id=clearance.pk, because=Clearance.RevokedBecause.CHECK_IN_CHANGE
            )
        review_case_open_concern(
            kind=ReviewCase.Kind.CHECK_IN, intake_id=clearance.intake_id, summary=summary[:300]
        )
        _event(appointment, AppointmentEvent.Kind.HELD, by, detail=summary[:300])
        return appointment
    _move_to(appointment, Status.CHECKED_IN)
    check_in.full_clean()
    check_in.save()
    appointment.save(update_fields=["status"])
    _event(appointment, AppointmentEvent.Kind.CHECKED_IN, by)
    return appointment


@transaction.atomic
def appointment_release_hold(*, appointment_id: int, clearance_id: int, by: User) -> Appointment:
    """After a clinician has cleared the patient again, the held appointment goes ahead
    under the new clearance (which the database checks like any booking)."""
    appointment = _locked_appointment(appointment_id)
    if not _is_desk(by):
        raise PermissionDenied(_("Only the front desk releases a held appointment."))
    if appointment.status != Status.ON_HOLD:
        raise BookingRefused(_("This appointment is not on hold."), code="transition")
    clearance = _locked_clearance(clearance_id)
    if (clearance.patient_id, clearance.product_id, clearance.area_id) != (
        appointment.patient_id,
        appointment.product_id,
        appointment.area_id,
    ):
        raise BookingRefused(_("That clearance is for another treatment."))
    problem = clearance_problem(clearance, appointment.local_date)
    if problem:
        raise BookingRefused(problem, code="no_clearance")
    _move_to(appointment, Status.BOOKED)
    appointment.clearance = clearance
    _save_guarded(appointment, update_fields=["status", "clearance"])
    _event(appointment, AppointmentEvent.Kind.RELEASED, by)
    return appointment


@transaction.atomic
def appointment_complete(*, appointment_id: int, by: User) -> Appointment:
    """The treatment was given: the clearance counts as used from now on."""
    appointment = _locked_appointment(appointment_id)
    if not (by.is_active and by.roles & TREATING_ROLES):
        raise PermissionDenied(_("Only a clinician records a treatment as given."))
    _move_to(appointment, Status.COMPLETED)
    appointment.save(update_fields=["status"])
    clearance_mark_used(clearance_id=appointment.clearance_id)
    _event(appointment, AppointmentEvent.Kind.COMPLETED, by)
    _after_commit(send_appointment_email, appointment_id=appointment.pk, kind="aftercare")
    return appointment


# --- After the treatment --------------------------------------------------------------------


@transaction.atomic
def problem_report(
    *, appointment_id: int, by: User, symptoms: list[str], details: str = ""
) -> ProblemReport:
    """A patient reports a problem after a treatment: it goes to the top of the review queue
    and the clinic is told at once."""
    appointment = _locked_appointment(appointment_id)
    patient = getattr(by, "patient", None)
    if not (by.is_active and patient and patient.pk == appointment.patient_id):
        raise PermissionDenied
    if appointment.status != Status.COMPLETED:
        raise BookingRefused(_("Problems are reported after a treatment."))
    chosen = sorted(set(symptoms))
    if not chosen:
        raise BookingRefused({"symptoms": [_("Tick what you notice.")]})
    if set(chosen) - set(Symptom.values):
        raise BookingRefused({"symptoms": [_("Choose from the list.")]})
    if Symptom.OTHER in chosen and not details.strip():
        raise BookingRefused({"details": [_("Tell us what you notice.")]})
    report = ProblemReport(
        appointment=appointment, symptoms=chosen, details=details.strip(), reported_by=by
    )
    report.full_clean()
    report.save()
    labels = dict(Symptom.choices)
    summary = _("After %(what)s on %(day)s: %(symptoms)s") % {
        "what": _what(appointment),
        "day": appointment.local_date.isoformat(),
        "symptoms": ", ".join(str(labels[s]) for s in chosen),
    }
    review_case_open_concern(
        kind=ReviewCase.Kind.PROBLEM,
        intake_id=appointment.clearance.intake_id,
        summary=summary[:300],
    )
    _after_commit(notify_clinic_of_problem, report_id=report.pk)
    return report
