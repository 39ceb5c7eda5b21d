"""Emails about appointments (confirmation, change, cancellation, reminder, aftercare) and to
the clinic. Plain words, the patient's language, no medical detail; the confirmation, change,
cancellation and reminder carry the appointment as an iCalendar attachment."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .calendar_files import appointment_ics, calendar_method
from .models import Appointment, BookingPolicy, ProblemReport

KINDS = ("booked", "changed", "cancelled", "reminder", "aftercare")
WITH_CALENDAR = frozenset({"booked", "changed", "cancelled", "reminder"})


def send_appointment_email(*, appointment_id: int, kind: str) -> None:
    """Tell the patient, in their language, what happened to their appointment."""
    if kind not in KINDS:
        raise ValueError(kind)
    appointment = Appointment.objects.select_related(
        "patient__user", "practitioner", "product", "area", "treatment", "room"
    ).get(pk=appointment_id)
    user = appointment.patient.user
    if user is None or not user.is_active:
        return
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        context = {
            "appointment": appointment,
            "kind": kind,
            "starts": timezone.localtime(appointment.starts_at),
            "link": settings.CLINIC_BASE_URL
            + reverse("booking:appointment", kwargs={"public_id": appointment.public_id}),
            "all_link": settings.CLINIC_BASE_URL + reverse("booking:mine"),
        }
        subject = render_to_string("booking/email/subject.txt", context).strip()
        body = render_to_string("booking/email/appointment.txt", context)
        html = render_to_string("booking/email/appointment.html", context)
        calendar = appointment_ics(appointment) if kind in WITH_CALENDAR else None
    message = EmailMultiAlternatives(subject, body, None, [user.email])
    message.attach_alternative(html, "text/html")
    if calendar is not None:
        message.attach(
            "appointment.ics",
            calendar,
            f"text/calendar; method={calendar_method(appointment)}",
        )
    message.send()


def notify_clinic_of_problem(*, report_id: int) -> None:
    """A problem after a treatment: the clinic hears at once (no medical detail by email)."""
    report = ProblemReport.objects.select_related("appointment__product", "appointment__area").get(
        pk=report_id
    )
    context = {
        "report": report,
        "link": settings.CLINIC_BASE_URL + reverse("review:queue") + "?severity=3",
    }
    subject = render_to_string("booking/email/problem_subject.txt", context).strip()
    body = render_to_string("booking/email/problem.txt", context)
    send_mail(subject, body, None, [BookingPolicy.current().clinic_email])
