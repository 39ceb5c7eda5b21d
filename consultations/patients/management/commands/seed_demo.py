"""`manage.py seed_demo`: the demo logins, and on request many synthetic patients."""

import os
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from consultations.intake.demo import demo_patients_create
from consultations.patients.demo import DemoLogin, demo_users_ensure


class Command(BaseCommand):
    help = (
        "Create the demo logins (patient@, clinician@, frontdesk@, admin@example.com) and print "
        "them. Their password is $DEMO_PASSWORD, else settings.DEMO_PASSWORD_DEFAULT. A demo "
        "login that exists already is left alone, unless DEMO_PASSWORD is set and differs from "
        "its password: then the password is set to DEMO_PASSWORD. Safe to run again. With "
        "--patients N, also create N synthetic patients (demo-patient-NNNNNN@example.com, no "
        "usable password), each with one submitted intake; a later run continues the numbering. "
        "Every synthetic submitted intake is screened and queued for review (about one case in "
        "five already decided); intakes that have their case already are left alone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--patients",
            type=int,
            default=0,
            metavar="N",
            help="Also create N synthetic patients with a submitted intake each (default 0).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=2026,
            metavar="S",
            help="Seed of the synthetic answers: the same seed gives the same patients.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=2_000,
            metavar="B",
            help="Patients written per transaction (default 2000).",
        )

    def handle(self, *args: Any, patients: int, seed: int, batch_size: int, **options: Any) -> None:
        if patients < 0:
            raise CommandError("--patients must be 0 or more.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        from_environment = os.environ.get("DEMO_PASSWORD", "")
        password = from_environment or settings.DEMO_PASSWORD_DEFAULT

        logins = demo_users_ensure(password=password, reset_password=bool(from_environment))
        if patients:
            try:
                numbers = demo_patients_create(
                    count=patients, seed=seed, batch_size=batch_size, progress=self._progress
                )
            except ImproperlyConfigured as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created {patients:,} synthetic patients "
                    f"(demo-patient-{numbers[0]:06d} to {numbers[-1]:06d}), seed {seed}."
                )
            )
        self._queue_for_review(seed=seed, batch_size=batch_size)
        self._open_the_clinic()
        self._print_logins(logins)

    def _open_the_clinic(self) -> None:
        # Imported here for the reason _queue_for_review gives.
        from consultations.booking.demo import demo_clinic_ensure

        if demo_clinic_ensure():
            self.stdout.write(
                self.style.SUCCESS(
                    "Opened the demo clinic: hours Monday to Saturday 9:00-18:00, two rooms, "
                    "the demo clinician taking appointments."
                )
            )

    def _queue_for_review(self, *, seed: int, batch_size: int) -> None:
        # The demo spans rooms: the patients room owns this command (the logins), and the
        # screening and the review queue sit to the right of intake. A command is an entry
        # point that nothing imports, so it may reach right; the import stays here, at call
        # time, so that importing anything in the patients room never loads the review room.
        from consultations.review.demo import demo_reviews_create

        queued = demo_reviews_create(
            seed=seed, batch_size=batch_size, progress=self._review_progress
        )
        if queued.cases:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Screened and queued {queued.cases:,} synthetic intakes for review "
                    f"({queued.decided:,} marked decided)."
                )
            )

    def _review_progress(self, done: int, total: int, seconds: float) -> None:
        rate = done / seconds if seconds else 0.0
        self.stdout.write(f"  {done:>9,} / {total:,} intakes screened  {rate:,.0f} intakes/s")
        self.stdout.flush()

    def _progress(self, done: int, total: int, seconds: float) -> None:
        rate = done / seconds if seconds else 0.0
        self.stdout.write(f"  {done:>9,} / {total:,} patients  {rate:,.0f} patients/s")
        self.stdout.flush()

    def _print_logins(self, logins: list[DemoLogin]) -> None:
        rows = [("email", "role", "password", "authenticator key (TOTP)", "")] + [
            (login.email, ", ".join(login.roles), login.password, login.totp_secret, login.status)
            for login in logins
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        self.stdout.write("Demo logins:")
        for email, role, password, secret, status in rows:
            line = (
                f"  {email:<{widths[0]}}  {role:<{widths[1]}}  {password:<{widths[2]}}  "
                f"{secret:<{widths[3]}}  {status}"
            )
            self.stdout.write(line.rstrip())
        self.stdout.write(
            "Staff log in with a second factor: add the key to an authenticator app, or print "
            "the current code with `python manage.py demo_code clinician@example.com`."
        )
