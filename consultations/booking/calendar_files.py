"""An appointment as an iCalendar file (RFC 5545), for email attachments and downloads.

Calendar programs match the event by its UID (stable: the appointment's public id at the
clinic's host) and keep the copy with the highest SEQUENCE, so every move or cancellation
raises it: a moved appointment updates the patient's calendar instead of adding a second
event, and a cancellation (METHOD:CANCEL, STATUS:CANCELLED) removes it.
"""

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from .models import Appointment, AppointmentEvent, Status

PRODID = "-//Skin Clinic//Booking//EN"
CHANGES = (AppointmentEvent.Kind.RESCHEDULED, AppointmentEvent.Kind.CANCELLED)


def clinic_host() -> str:
    return urlsplit(settings.CLINIC_BASE_URL).hostname or "clinic.invalid"


def event_uid(appointment: Appointment) -> str:
    return f"{appointment.public_id}@{clinic_host()}"


def event_sequence(appointment: Appointment) -> int:
    """0 when booked, then one more for each move and for the cancellation."""
    return appointment.events.filter(kind__in=CHANGES).count()


def calendar_method(appointment: Appointment) -> str:
    return "CANCEL" if appointment.status == Status.CANCELLED else "REQUEST"


def appointment_ics(appointment: Appointment, *, now: dt.datetime | None = None) -> bytes:
    """The appointment as a one-event calendar; pass it with select_related room, product,
    area and patient__user to avoid extra queries."""
    cancelled = appointment.status == Status.CANCELLED
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", calendar_method(appointment))

    event = Event()
    event.add("uid", event_uid(appointment))
    event.add("sequence", event_sequence(appointment))
    event.add("dtstamp", (now or timezone.now()).astimezone(dt.UTC))
    event.add("dtstart", appointment.starts_at.astimezone(dt.UTC))
    event.add("dtend", appointment.ends_at.astimezone(dt.UTC))
    event.add(
        "summary",
        f"{appointment.product.translated('name')} — {appointment.area.translated('name')}",
    )
    event.add("location", appointment.room.name)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    link = settings.CLINIC_BASE_URL + reverse(
        "booking:appointment", kwargs={"public_id": appointment.public_id}
    )
    event.add("url", link)
    event.add(
        "description",
        _("With %(name)s. Your appointment: %(link)s")
        % {"name": appointment.practitioner.display_name, "link": link},
    )
    # iTIP (RFC 5546) requires an organizer and the attendee for REQUEST and CANCEL.
    organizer = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL}")
    organizer.params["cn"] = vText(_("Skin Clinic"))
    event.add("organizer", organizer)
    user = appointment.patient.user
    if user is not None:
        attendee = vCalAddress(f"mailto:{user.email}")
        attendee.params["cn"] = vText(appointment.patient.full_name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee)
    calendar.add_component(event)
    return calendar.to_ical()
