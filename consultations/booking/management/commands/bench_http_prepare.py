"""`python manage.py bench_http_prepare --out FILE`: a database ready for `make bench`'s load.

Part of the HTTP benchmark (`bench_http`, which runs this in each database it measures). In
the PostgreSQL database DATABASE_URL names:

- the demo clinic and `--patients` synthetic patients with submitted, screened and queued
  intakes (seed_demo; only the missing ones are added, so a seeded database is reused);
- nine more practitioners and eight more rooms, so that thousands of bookings fit in the
  booking horizon without two of them meeting;
- for the intake submit POST, `--submit` patients with a complete, signed draft each; for the
  booking POST, `--book` patients each cleared (a clinician's decision and clearance) for the
  vitamin mesotherapy cocktail on the face, each with a free time of their own;
- a logged-in session for each of them, for the demo patient and for the demo clinician (with
  the second factor, as after a real login).

It writes FILE: for each endpoint, the requests wrk sends (method, path, cookie, body), one a
line for the POSTs, whose every request must do new work.
"""

import datetime as dt
import json
import os
import time
from dataclasses import replace
from importlib import import_module
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.middleware.csrf import _get_new_csrf_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from consultations.booking.demo import DEMO_CLINICIAN, OPEN_DAYS
from consultations.booking.models import Practitioner, Room, WorkingHours
from consultations.booking.selectors import slots_available
from consultations.catalog.models import Area, Product, Treatment
from consultations.db import statement_text
from consultations.intake.demo import (
    REQUEST_TEMPLATES,
    SyntheticPatient,
    demo_patient_email,
    demo_patients_create,
)
from consultations.intake.models import Intake
from consultations.patients.backends import AUTH_BACKEND
from consultations.patients.models import Patient, Role, User
from consultations.patients.services import staff_member_create
from consultations.patients.sessions import SESSION_LAST_SEEN_KEY, SESSION_STARTED_KEY
from consultations.review.demo import demo_reviews_create
from consultations.review.models import Clearance, Decision, DecisionKind, ReviewCase
from consultations.review.selectors import review_queue

SEED = 2026
MORE_PRACTITIONERS = 9
MORE_ROOMS = 8
HOURS = range(9, 18)  # one appointment an hour per practitioner: 45 minutes and the buffer
BACKEND = AUTH_BACKEND
BOOKED = ("mesotherapy", "meso-vitamin", "face")


class Command(BaseCommand):
    help = "Prepare the database and the requests of the HTTP benchmark (make bench)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, required=True, help="where to write the requests")
        parser.add_argument("--patients", type=int, default=1_000, help="seeded intakes")
        parser.add_argument("--submit", type=int, default=0, help="drafts to submit")
        parser.add_argument("--book", type=int, default=0, help="cleared patients to book")
        parser.add_argument(
            "--explain",
            action="store_true",
            help="print the plans of the queue's and the slot search's queries (EXPLAIN ANALYZE)",
        )

    def handle(
        self, *args: Any, out: Path, patients: int, submit: int, book: int, explain: bool, **o: Any
    ):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark runs on PostgreSQL: point DATABASE_URL at one.")
        started = time.monotonic()
        call_command("migrate", verbosity=0, interactive=False)
        existing = Patient.objects.filter(user__email__startswith="demo-patient-").count()
        # A process a core: the database does half of a seed's work, so two halve its time.
        jobs = os.cpu_count() or 1
        call_command("seed_demo", patients=max(0, patients - existing), jobs=jobs, verbosity=0)
        self.csrf = _get_new_csrf_string()
        clinician = User.objects.get(email=DEMO_CLINICIAN)
        patient = User.objects.get(email="patient@example.com")
        requests: dict[str, Any] = {
            "baseline": [self._get(reverse("livez"), self._sessions([patient])[0])],
            "review_queue": [
                self._get(reverse("review:queue"), self._sessions([clinician], staff=True)[0])
            ],
        }
        if submit or book:
            self._clinic()
            drafts = self._drafts(submit + 1)
            requests["intake_get"] = [self._intake_get(drafts.pop())]
            requests["intake_submit"] = self._intake_submits(drafts)
            cleared = self._cleared(book + 1)
            requests["slot_search"] = [self._slot_search(cleared.pop())]
            requests["booking"] = self._bookings(cleared)
        with connection.cursor() as cursor:
            # As autovacuum keeps a database in use: statistics, and the pages of the rows just
            # written marked all-visible (an index-only count then reads no table page).
            cursor.execute("VACUUM ANALYZE")
        out.write_text(json.dumps(requests))
        if explain:
            self._explain(clinician)
        counts = ", ".join(f"{name} {len(lines)}" for name, lines in requests.items())
        self.stdout.write(f"prepared in {time.monotonic() - started:.0f} s: {counts}")

    # --- Plans ----------------------------------------------------------------------------

    def _explain(self, clinician: User) -> None:
        """The plan of every query the first queue page and a month's slot search run."""
        treatment = Treatment.objects.get(code=BOOKED[0])
        first = timezone.localdate() + dt.timedelta(days=1)
        for title, run in (
            ("review queue, first page", lambda: review_queue(user=clinician)),
            (
                "slot search, 31 days, every practitioner",
                lambda: slots_available(
                    treatment=treatment, start=first, end=first + dt.timedelta(days=30)
                ),
            ),
        ):
            with CaptureQueriesContext(connection) as captured:
                run()
            self.stdout.write(f"=== {title}: {len(captured)} queries")
            with connection.cursor() as cursor:
                for query in captured.captured_queries:
                    # A prepared read is explained as it runs (EXPLAIN EXECUTE), its PREPARE
                    # left out; so is every statement that is not a read.
                    sql = query["sql"]
                    if not sql.lstrip().upper().startswith(("SELECT", "EXECUTE")):
                        continue
                    cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) " + sql)
                    self.stdout.write("--- " + statement_text(sql, connection)[:160])
                    for (line,) in cursor.fetchall():
                        self.stdout.write("    " + line)

    # --- Requests -------------------------------------------------------------------------

    def _cookie(self, session_key: str) -> str:
        return (
            f"{settings.SESSION_COOKIE_NAME}={session_key}; {settings.CSRF_COOKIE_NAME}={self.csrf}"
        )

    def _get(self, path: str, cookie: str) -> list[str]:
        return ["GET", path, cookie, ""]

    def _post(self, path: str, cookie: str, body: str = "") -> list[str]:
        token = f"csrfmiddlewaretoken={self.csrf}"
        return ["POST", path, cookie, f"{token}&{body}" if body else token]

    def _sessions(self, users: list[User], *, staff: bool = False) -> list[str]:
        """A logged-in session for each user, as `login()` (and the second factor) leaves it."""
        store_class = import_module(settings.SESSION_ENGINE).SessionStore
        now = timezone.now()
        devices = {}
        if staff:
            for user in users:
                devices[user.pk], _ = TOTPDevice.objects.get_or_create(
                    user=user, name="bench", defaults={"confirmed": True}
                )
        rows, cookies = [], []
        for user in users:
            store = store_class()
            data = {
                SESSION_KEY: str(user.pk),
                BACKEND_SESSION_KEY: BACKEND,
                HASH_SESSION_KEY: user.get_session_auth_hash(),
                SESSION_STARTED_KEY: now.isoformat(),
                SESSION_LAST_SEEN_KEY: now.isoformat(),
            }
            if staff:
                data[DEVICE_ID_SESSION_KEY] = devices[user.pk].persistent_id
            key = store._get_new_session_key()
            rows.append(
                Session(
                    session_key=key,
                    session_data=store.encode(data),
                    expire_date=now + dt.timedelta(days=1),
                )
            )
            cookies.append(self._cookie(key))
        Session.objects.bulk_create(rows, batch_size=1_000)
        return cookies

    # --- The clinic -----------------------------------------------------------------------

    def _clinic(self) -> None:
        """The demo clinic, with ten practitioners and ten rooms in all."""
        treatments = list(Treatment.objects.filter(is_active=True))
        for number in range(1, MORE_PRACTITIONERS + 1):
            email = f"bench-practitioner-{number:02d}@example.com"
            user = User.objects.filter(email=email).first() or staff_member_create(
                email=email,
                password=None,
                full_name=f"Bench practitioner {number:02d}",
                role=Role.CLINICIAN,
                registration_number=f"BENCH-{number:04d}",
            )
            if hasattr(user, "practitioner"):
                continue
            practitioner = Practitioner.objects.create(
                user=user, display_name=user.full_name, credentials="Physician (benchmark)"
            )
            practitioner.treatments.set(treatments)
            WorkingHours.objects.bulk_create(
                WorkingHours(
                    practitioner=practitioner, weekday=day, starts=dt.time(9), ends=dt.time(18)
                )
                for day in OPEN_DAYS
            )
        for number in range(1, MORE_ROOMS + 1):
            Room.objects.get_or_create(name=f"Bench room {number}")

    # --- Intakes to submit ----------------------------------------------------------------

    def _drafts(self, count: int) -> list[Intake]:
        numbers = demo_patients_create(count=count, seed=SEED, submit=False)
        emails = [demo_patient_email(n) for n in numbers]
        return list(
            Intake.objects.filter(patient__user__email__in=emails, status=Intake.Status.DRAFT)
            .select_related("patient__user")
            .order_by("pk")
        )

    def _intake_get(self, draft: Intake) -> list[str]:
        (cookie,) = self._sessions([draft.patient.user])
        return self._get(
            reverse("intake:step", kwargs={"public_id": draft.public_id, "step": "treatments"}),
            cookie,
        )

    def _intake_submits(self, drafts: list[Intake]) -> list[list[str]]:
        cookies = self._sessions([d.patient.user for d in drafts])
        return [
            self._post(reverse("review:submit_intake", kwargs={"public_id": d.public_id}), c)
            for d, c in zip(drafts, cookies, strict=True)
        ]

    # --- Cleared patients and their times -------------------------------------------------

    def _cleared(self, count: int) -> list[Clearance]:
        template = next(t for t in REQUEST_TEMPLATES if (t.treatment, t.product, t.area) == BOOKED)

        def simple(patient: SyntheticPatient) -> SyntheticPatient:
            # A patient the screening clears: one request, nothing at the area, no earlier session.
            answers = {
                **patient.answers,
                "had_previous_treatments": False,
                "has_allergies": False,
                "common_allergies": [],
                "allergies_other": "",
                "allergy_reaction": "",
            }
            return replace(
                patient,
                requests=[(template, template.goals[0])],
                skin={template.area: []},
                previous=[],
                answers=answers,
            )

        numbers = demo_patients_create(count=count, seed=SEED + 1, adjust=simple)
        demo_reviews_create(seed=SEED)
        emails = [demo_patient_email(n) for n in numbers]
        cases = list(
            ReviewCase.objects.filter(patient__user__email__in=emails)
            .select_related("intake", "screening")
            .order_by("pk")
        )
        clinician = User.objects.get(email=DEMO_CLINICIAN)
        product = Product.objects.get(code=BOOKED[1])
        area = Area.objects.get(code=BOOKED[2])
        now = timezone.now()
        expires = timezone.localdate() + dt.timedelta(days=90)
        with transaction.atomic():
            decisions = Decision.objects.bulk_create(
                Decision(
                    case=case,
                    intake=case.intake,
                    ruleset=case.screening.ruleset,
                    product=product,
                    area=area,
                    kind=DecisionKind.CLEAR,
                    expires_on=expires,
                    clinician=clinician,
                    clinician_name=clinician.full_name,
                    clinician_registration=clinician.registration_number or "DEMO",
                    decided_at=now,
                )
                for case in cases
            )
            clearances = Clearance.objects.bulk_create(
                Clearance(
                    decision=decision,
                    patient_id=case.patient_id,
                    intake=case.intake,
                    product=product,
                    area=area,
                    granted_at=now,
                    expires_on=expires,
                )
                for case, decision in zip(cases, decisions, strict=True)
            )
            ReviewCase.objects.filter(pk__in=[c.pk for c in cases]).update(
                status=ReviewCase.Status.DECIDED, closed_at=now, claimed_by=None, claimed_until=None
            )
        return list(
            Clearance.objects.filter(pk__in=[c.pk for c in clearances])
            .select_related("patient__user")
            .order_by("pk")
        )

    def _slot_search(self, clearance: Clearance) -> list[str]:
        (cookie,) = self._sessions([clearance.patient.user])
        start = timezone.localdate() + dt.timedelta(days=1)
        path = reverse("booking:book", kwargs={"clearance_public_id": clearance.public_id})
        query = f"?start={start}&end={start + dt.timedelta(days=13)}&practitioner="
        return self._get(path + query, cookie)

    def _bookings(self, clearances: list[Clearance]) -> list[list[str]]:
        """One free time each: practitioner by practitioner, an hour apart, so that the requests
        running at once reach different practitioners and never contend for a room."""
        treatment = Treatment.objects.get(code=BOOKED[0])
        first = timezone.localdate() + dt.timedelta(days=1)
        free = slots_available(treatment=treatment, start=first, end=first + dt.timedelta(days=80))
        practitioners = {p.pk: str(p.public_id) for p in Practitioner.objects.all()}
        hourly = [
            s
            for s in free
            if timezone.localtime(s.starts_at).minute == 0
            and timezone.localtime(s.starts_at).hour in HOURS
        ]
        hourly.sort(key=lambda s: (s.practitioner_id, s.starts_at))
        if len(hourly) < len(clearances):
            raise CommandError(f"only {len(hourly)} free hours for {len(clearances)} bookings")
        cookies = self._sessions([c.patient.user for c in clearances])
        lines = []
        for clearance, cookie, slot in zip(clearances, cookies, hourly, strict=False):
            value = f"{slot.starts_at.isoformat()}~{practitioners[slot.practitioner_id]}"
            path = reverse("booking:book", kwargs={"clearance_public_id": clearance.public_id})
            lines.append(self._post(path, cookie, "slot=" + value.replace("+", "%2B")))
        return lines
