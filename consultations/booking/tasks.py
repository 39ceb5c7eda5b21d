"""Background tasks (Django's tasks framework, run by the `db_worker` process).

Each booked or moved appointment gets a reminder task due a day before it
(`reminder_schedule`, called by the services after commit). The task decides again when it
runs, so a task for an appointment that has since been cancelled or moved does nothing;
`send_due_reminders` sweeps for any reminder a lost task would have missed (cron runs it
through `manage.py send_reminders`).
"""

import datetime as dt
import logging

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from .models import Appointment, Status
from .notifications import send_appointment_email

logger = logging.getLogger(__name__)

# Sent a day before; a task that runs late still reminds up to 36 hours ahead, never earlier.
REMINDER_LEAD = dt.timedelta(hours=24)
REMINDER_WINDOW = dt.timedelta(hours=36)


def reminder_schedule(*, appointment_id: int, starts_at: dt.datetime) -> None:
    """Queue the reminder for a day before `starts_at` (now, when that has passed)."""
    run_after = max(starts_at - REMINDER_LEAD, timezone.now())
    send_appointment_reminder.using(run_after=run_after).enqueue(
        appointment_id, for_starts_at=starts_at.isoformat()
    )


def _remind(appointment_id: int, for_starts_at: str | None = None) -> bool:
    """Send the reminder if it is still due; True if it was sent. Idempotent: the row is locked
    and marked, so two workers (or a task and the sweep) never send it twice."""
    now = timezone.now()
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update(of=("self",)).filter(pk=appointment_id).first()
        )
        if appointment is None or appointment.status != Status.BOOKED:
            return False
        if appointment.reminder_sent_at is not None:
            return False
        if for_starts_at and dt.datetime.fromisoformat(for_starts_at) != appointment.starts_at:
            return False  # moved since: the task queued for the new time reminds
        if not now < appointment.starts_at <= now + REMINDER_WINDOW:
            return False
        # Sent inside the lock: if sending fails the mark rolls back and the sweep retries.
        send_appointment_email(appointment_id=appointment.pk, kind="reminder")
        appointment.reminder_sent_at = now
        appointment.save(update_fields=["reminder_sent_at"])
    return True


@task
def send_appointment_reminder(appointment_id: int, for_starts_at: str | None = None) -> bool:
    """The reminder of one appointment, a day before (see `_remind`)."""
    return _remind(appointment_id, for_starts_at)


@task
def send_due_reminders() -> int:
    """Every booked appointment in the next 24 hours whose reminder has not gone out."""
    now = timezone.now()
    # Index: appointment_reminder_idx (starts_at where booked and not reminded).
    due = Appointment.objects.filter(
        status=Status.BOOKED,
        reminder_sent_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + REMINDER_LEAD,
    ).values_list("pk", flat=True)
    sent = 0
    for appointment_id in list(due):
        try:
            sent += _remind(appointment_id)
        except Exception:
            # One bad address must not stop the others; the next sweep tries it again.
            logger.exception("Reminder for appointment %s failed", appointment_id)
    return sent
