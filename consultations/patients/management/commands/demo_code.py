"""`manage.py demo_code EMAIL`: the current second-factor code of a demo staff account.

For trying the demo without an authenticator app. Only the demo accounts of seed_demo are
served, so it cannot be used to read a real member of staff's code.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from consultations.patients.demo import DEMO_ACCOUNTS


class Command(BaseCommand):
    help = "Print the current six-digit code of a demo staff login (see seed_demo)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="A demo staff login, e.g. clinician@example.com.")

    def handle(self, *args: Any, email: str, **options: Any) -> None:
        demo_emails = {account.email for account in DEMO_ACCOUNTS}
        if email.lower() not in demo_emails:
            raise CommandError(f"{email} is not a demo login ({', '.join(sorted(demo_emails))}).")
        device = TOTPDevice.objects.filter(user__email__iexact=email, confirmed=True).first()
        if device is None:
            raise CommandError(f"{email} has no authenticator key; run `manage.py seed_demo`.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
