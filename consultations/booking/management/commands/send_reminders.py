"""Send every reminder that is due now (a safety sweep for cron, beside the worker's tasks)."""

from django.core.management.base import BaseCommand

from consultations.booking.tasks import send_due_reminders


class Command(BaseCommand):
    help = "Send the reminders of booked appointments in the next 24 hours not yet reminded."

    def handle(self, *args: object, **options: object) -> None:
        sent = send_due_reminders.call()
        self.stdout.write(f"{sent} reminder(s) sent.")
