"""Emails with an iCalendar invitation, and reminders run by the real background worker."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult
from icalendar import Calendar

from consultations.booking import tasks
from consultations.booking.models import Appointment
from consultations.booking.services import (
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
)
from consultations.booking.tasks import send_appointment_reminder, send_due_reminders
from tests.booking.conftest import at, cleared

REMINDER_TASK = "consultations.booking.tasks.send_appointment_reminder"


def book(clearance, clinic, by, days=3, hour=10) -> Appointment:
    return appointment_book(
        clearance_id=clearance.pk,
        starts_at=at(days, hour),
        practitioner_id=clinic["nurse"].pk,
        by=by,
    )


def invitation(message: mail.EmailMessage) -> tuple[str, Calendar]:
    (attachment,) = message.attachments
    assert attachment.filename == "appointment.ics"
    content = attachment.content
    return attachment.mimetype, Calendar.from_ical(
        content if isinstance(content, bytes) else content.encode()
    )


def event_of(calendar: Calendar):
    (event,) = calendar.walk("VEVENT")
    return event


def run_worker() -> None:
    """The worker process's own loop: every task that is due, then exit."""
    call_command(
        "db_worker", "--batch", "--no-startup-delay", "--interval", "0", "--no-reload", verbosity=0
    )


def reminders(outbox: list) -> list:
    return [m for m in outbox if m.subject.startswith("Reminder")]


# --- Confirmation, change and cancellation --------------------------------------------------


@pytest.mark.django_db
def test_the_confirmation_carries_a_valid_invitation(
    clinic, clearance, patient_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(clearance, clinic, patient_a)
    (message,) = mailoutbox
    assert message.to == ["anna@example.com"]
    assert message.subject == "Your appointment is booked"
    assert "Nurse Ha" in message.body
    assert message.alternatives[0].mimetype == "text/html"
    mimetype, calendar = invitation(message)
    assert mimetype == "text/calendar; method=REQUEST"
    assert str(calendar["PRODID"]) == "-//Skin Clinic//Booking//EN"
    assert str(calendar["VERSION"]) == "2.0"
    assert calendar["METHOD"] == "REQUEST"
    event = event_of(calendar)
    assert str(event["UID"]) == f"{appointment.public_id}@127.0.0.1"
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART") == appointment.starts_at
    assert event.decoded("DTSTART").utcoffset() == dt.timedelta(0)
    assert event.decoded("DTEND") == appointment.ends_at
    assert event.decoded("DTSTAMP").utcoffset() == dt.timedelta(0)
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["LOCATION"]) == "Room 1"
    assert "mailto:anna@example.com" in str(event["ATTENDEE"])
    assert str(event["ORGANIZER"]).startswith("mailto:")


@pytest.mark.django_db
def test_a_move_and_a_cancellation_update_the_same_calendar_event(
    clinic, clearance, patient_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(clearance, clinic, patient_a)
    with django_capture_on_commit_callbacks(execute=True):
        appointment_reschedule(appointment_id=appointment.pk, starts_at=at(5, 14), by=patient_a)
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(appointment_id=appointment.pk, by=patient_a, reason="away")
    assert [m.subject for m in mailoutbox] == [
        "Your appointment is booked",
        "Your appointment has moved",
        "Your appointment is cancelled",
    ]
    sent = [invitation(m) for m in mailoutbox]
    events = [event_of(calendar) for _mimetype, calendar in sent]
    assert {str(e["UID"]) for e in events} == {f"{appointment.public_id}@127.0.0.1"}
    assert [e["SEQUENCE"] for e in events] == [0, 1, 2]
    assert [c["METHOD"] for _m, c in sent] == ["REQUEST", "REQUEST", "CANCEL"]
    assert sent[2][0] == "text/calendar; method=CANCEL"
    assert events[1].decoded("DTSTART") == at(5, 14)
    assert [str(e["STATUS"]) for e in events] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]


@pytest.mark.django_db
def test_the_aftercare_email_has_no_invitation(
    clinic, clearance, front_desk, mailoutbox, django_capture_on_commit_callbacks
):
    from consultations.booking.notifications import send_appointment_email

    appointment = book(clearance, clinic, front_desk)
    send_appointment_email(appointment_id=appointment.pk, kind="aftercare")
    (message,) = mailoutbox
    assert message.subject == "After your treatment"
    assert message.attachments == []
    assert appointment.treatment.aftercare.splitlines()[0] in message.body


# --- Reminders: queued on booking and moving ------------------------------------------------


@pytest.mark.django_db
def test_the_reminder_is_queued_a_day_before_on_booking_and_on_moving(
    clinic, clearance, patient_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(clearance, clinic, patient_a)
    (queued,) = DBTaskResult.objects.filter(task_path=REMINDER_TASK)
    assert queued.run_after == at(2, 10)
    assert queued.task_result.args == [appointment.pk]
    with django_capture_on_commit_callbacks(execute=True):
        appointment_reschedule(appointment_id=appointment.pk, starts_at=at(6, 11), by=patient_a)
    runs = sorted(r.run_after for r in DBTaskResult.objects.filter(task_path=REMINDER_TASK))
    assert runs == [at(2, 10), at(5, 11)]


@pytest.mark.django_db
def test_a_booking_less_than_a_day_ahead_is_reminded_at_once(
    clinic, clearance, front_desk, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(at(0, 8), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        book(clearance, clinic, front_desk, days=0, hour=16)
    assert DBTaskResult.objects.get(task_path=REMINDER_TASK).run_after == at(0, 8)


# --- Reminders: the task itself -------------------------------------------------------------


@pytest.mark.django_db
def test_the_reminder_is_sent_once(clinic, clearance, patient_a, time_machine, mailoutbox):
    appointment = book(clearance, clinic, patient_a, days=3, hour=10)
    due = at(2, 10)
    time_machine.move_to(due, tick=False)
    assert send_appointment_reminder.call(appointment.pk) is True
    assert send_appointment_reminder.call(appointment.pk) is False
    assert send_due_reminders.call() == 0
    (message,) = mailoutbox
    assert message.subject.startswith("Reminder: your appointment on")
    _mimetype, calendar = invitation(message)
    assert calendar["METHOD"] == "REQUEST"
    appointment.refresh_from_db()
    assert appointment.reminder_sent_at == due


@pytest.mark.django_db
def test_no_reminder_too_early_or_after_the_start(
    clinic, clearance, patient_a, time_machine, mailoutbox
):
    appointment = book(clearance, clinic, patient_a, days=3, hour=10)
    too_early, too_late = at(1, 9), at(3, 11)  # 49 hours before; an hour after the start
    time_machine.move_to(too_early)
    assert send_appointment_reminder.call(appointment.pk) is False
    time_machine.move_to(too_late)
    assert send_appointment_reminder.call(appointment.pk) is False
    assert mailoutbox == []


@pytest.mark.django_db
def test_the_reminder_skips_cancelled_and_moved_appointments(
    clinic, clearance, patient_a, time_machine, mailoutbox
):
    appointment = book(clearance, clinic, patient_a, days=3, hour=10)
    was, new = appointment.starts_at.isoformat(), at(3, 15).isoformat()
    appointment_reschedule(appointment_id=appointment.pk, starts_at=at(3, 15), by=patient_a)
    time_machine.move_to(at(2, 10))
    # The task queued for the old time does nothing; the one for the new time reminds.
    assert send_appointment_reminder.call(appointment.pk, for_starts_at=was) is False
    assert send_appointment_reminder.call(appointment.pk, for_starts_at=new) is True
    appointment.refresh_from_db()
    appointment.reminder_sent_at = None  # as if never sent: a cancelled one is still skipped
    appointment.save(update_fields=["reminder_sent_at"])
    appointment_cancel(appointment_id=appointment.pk, by=patient_a, reason="")
    assert send_appointment_reminder.call(appointment.pk) is False
    assert send_due_reminders.call() == 0
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_a_failed_send_leaves_the_reminder_due(
    clinic, clearance, patient_a, time_machine, mailoutbox, monkeypatch
):
    appointment = book(clearance, clinic, patient_a, days=3, hour=10)
    time_machine.move_to(at(2, 11))  # 23 hours before

    def down(**kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(tasks, "send_appointment_email", down)
    assert send_due_reminders.call() == 0  # logged, and the others still go
    appointment.refresh_from_db()
    assert appointment.reminder_sent_at is None
    monkeypatch.undo()
    assert send_due_reminders.call() == 1
    assert len(reminders(mailoutbox)) == 1


@pytest.mark.django_db
def test_the_sweep_command_sends_what_is_due(
    clinic, clearance, patient_a, time_machine, mailoutbox
):
    book(clearance, clinic, patient_a, days=3, hour=10)
    book(clearance, clinic, patient_a, days=20, hour=10)  # spacing allows three weeks later
    time_machine.move_to(at(2, 12))  # 22 hours before the first
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    assert out.getvalue().strip() == "1 reminder(s) sent."
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    assert out.getvalue().strip() == "0 reminder(s) sent."
    assert len(reminders(mailoutbox)) == 1


# --- Reminders: the worker process's loop, against the committed queue ---------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_sends_the_reminder_a_day_before_and_once(
    clinic, clearance, patient_a, time_machine, mailoutbox
):
    time_machine.move_to(at(0, 8))
    due = at(2, 10, 1)
    appointment = book(clearance, clinic, patient_a, days=3, hour=10)
    assert mailoutbox[-1].subject == "Your appointment is booked"
    run_worker()  # not due yet
    assert reminders(mailoutbox) == []
    assert DBTaskResult.objects.get(task_path=REMINDER_TASK).status == "READY"

    time_machine.move_to(due)
    run_worker()
    (message,) = reminders(mailoutbox)
    assert message.to == ["anna@example.com"]
    done = DBTaskResult.objects.get(task_path=REMINDER_TASK)
    assert (done.status, done.return_value) == ("SUCCESSFUL", True)
    appointment.refresh_from_db()
    assert appointment.reminder_sent_at is not None

    run_worker()
    assert send_due_reminders.call() == 0
    assert len(reminders(mailoutbox)) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_skips_a_moved_and_a_cancelled_appointment(
    clinic, clearance, patient_a, patient_b, clinician, time_machine, mailoutbox
):
    time_machine.move_to(at(0, 8))
    new_time, first_due, second_due = at(6, 10), at(2, 15), at(5, 10, 1)
    moved = book(clearance, clinic, patient_a, days=3, hour=10)
    appointment_reschedule(appointment_id=moved.pk, starts_at=new_time, by=patient_a)
    cancelled = book(cleared(patient_b, clinician), clinic, patient_b, days=3, hour=14)
    appointment_cancel(appointment_id=cancelled.pk, by=patient_b)

    time_machine.move_to(first_due)  # both first reminders are due
    run_worker()
    assert reminders(mailoutbox) == []
    results = DBTaskResult.objects.filter(task_path=REMINDER_TASK, status="SUCCESSFUL")
    assert sorted(r.return_value for r in results) == [False, False]

    time_machine.move_to(second_due)  # the moved appointment's new reminder
    run_worker()
    (message,) = reminders(mailoutbox)
    assert message.to == ["anna@example.com"]
    assert event_of(invitation(message)[1]).decoded("DTSTART") == new_time


@pytest.mark.django_db
def test_a_vietnamese_patient_gets_the_confirmation_in_vietnamese(
    clinic, clearance, patient_a, mailoutbox, django_capture_on_commit_callbacks
):
    from django.utils import translation

    patient_a.preferred_language = "vi"
    patient_a.save(update_fields=["preferred_language"])
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(clearance, clinic, patient_a)
    (message,) = mailoutbox
    with translation.override("vi"):
        assert message.subject == translation.gettext("Your appointment is booked")
        assert translation.gettext("When:") in message.body
    assert message.subject != "Your appointment is booked"
    # The day as Vietnamese write it ("Thứ ..., ... tháng ..."), the product in Vietnamese.
    assert "tháng" in message.body
    assert appointment.product.translated("name", "vi") in message.body
    assert translation.get_language() == "en"  # the sender's own language is left alone
