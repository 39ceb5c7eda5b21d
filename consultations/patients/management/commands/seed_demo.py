"""`manage.py seed_demo`: the demo logins, and on request many synthetic patients."""

import multiprocessing
import os
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from consultations.intake.demo import demo_patients_create, next_demo_patient_number
from consultations.patients.demo import DemoLogin, demo_users_ensure
from consultations.patients.management.commands import _seed_jobs


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
            "--jobs",
            type=int,
            default=1,
            metavar="J",
            help=(
                "Processes writing at once (default 1). The database does half of the work, so "
                "one a CPU core about halves the time of a large seed."
            ),
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=2_000,
            metavar="B",
            help="Patients written per transaction (default 2000).",
        )

    def handle(
        self, *args: Any, patients: int, seed: int, batch_size: int, jobs: int, **options: Any
    ) -> None:
        if patients < 0:
            raise CommandError("--patients must be 0 or more.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if jobs < 1:
            raise CommandError("--jobs must be at least 1.")
        from_environment = os.environ.get("DEMO_PASSWORD", "")
        password = from_environment or settings.DEMO_PASSWORD_DEFAULT

        logins = demo_users_ensure(password=password, reset_password=bool(from_environment))
        if patients:
            try:
                if jobs == 1:
                    numbers = demo_patients_create(
                        count=patients, seed=seed, batch_size=batch_size, progress=self._progress
                    )
                else:
                    numbers = self._patients_in_parallel(patients, seed, batch_size, jobs)
            except ImproperlyConfigured as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created {patients:,} synthetic patients "
                    f"(demo-patient-{numbers[0]:06d} to {numbers[-1]:06d}), seed {seed}."
                )
            )
        self._queue_for_review(seed=seed, batch_size=batch_size, jobs=jobs)
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

    def _patients_in_parallel(self, patients: int, seed: int, batch_size: int, jobs: int) -> range:
        """`jobs` processes, each writing its own consecutive range of patient numbers."""
        first = next_demo_patient_number()
        sizes = [patients // jobs + (1 if i < patients % jobs else 0) for i in range(jobs)]
        starts = [first + sum(sizes[:i]) for i in range(jobs)]
        started = time.monotonic()
        _in_processes(
            _seed_jobs.patients,
            [(start, size, seed, batch_size) for start, size in zip(starts, sizes, strict=True)],
        )
        self._progress(patients, patients, time.monotonic() - started)
        return range(first, first + patients)

    def _queue_for_review(self, *, seed: int, batch_size: int, jobs: int = 1) -> None:
        # The demo spans rooms: the patients room owns this command (the logins), and the
        # screening and the review queue sit to the right of intake. A command is an entry
        # point that nothing imports, so it may reach right; the import stays here, at call
        # time, so that importing anything in the patients room never loads the review room.
        from consultations.review.demo import DemoReviews, demo_reviews_create

        if jobs == 1:
            queued = demo_reviews_create(
                seed=seed, batch_size=batch_size, progress=self._review_progress
            )
        else:
            parts = _in_processes(
                _seed_jobs.reviews, [(i, jobs, seed, batch_size) for i in range(jobs)]
            )
            queued = DemoReviews(sum(p.cases for p in parts), sum(p.decided for p in parts))
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


def _in_processes(work: Callable[[Any], Any], tasks: list[Any]) -> list[Any]:
    """Run each task in a process of its own, writing to this process's database, and return
    their results in order (see _seed_jobs for why they are spawned)."""
    database = connections["default"].settings_dict["NAME"]
    connections.close_all()
    context = multiprocessing.get_context("spawn")
    with context.Pool(
        len(tasks), initializer=_seed_jobs.start, initargs=(settings.SETTINGS_MODULE, database)
    ) as pool:
        return pool.map(work, tasks)
