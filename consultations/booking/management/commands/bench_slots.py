"""`python manage.py bench_slots`: the slot search over a month for ten practitioners.

Runs on PostgreSQL (the database named by DATABASE_URL, created and migrated if
missing). The set-up is idempotent: every run leaves the same clinic, with a
month booked afresh from tomorrow:

- opening hours Monday to Friday 08:30-19:30 and Saturday 09:00-17:00 (Sunday
  closed); four rooms ("Bench room 1-4"; other rooms are taken out of use);
- ten practitioners ("Bench practitioner 01-10"; other practitioners stop taking
  appointments) performing every treatment, each with two days off a week, half
  of them on a split shift (09:00-13:00 and 14:00-18:30), the others 10:00-19:30
  or 09:00-17:00 on Saturdays, and one or two spells of time off in the month;
- about 60 % of each practitioner's hours booked: a handful of synthetic patients
  (`demo_patients_create`, screened and queued by `demo_reviews_create`) are
  cleared through the real review services (`review_claim`, `review_decide`), and
  appointments under those clearances are bulk-inserted, laid out so that neither
  a practitioner nor a room holds two at once (the exclusion constraints and the
  clearance trigger of booking migration 0002 check every row).

Then it times `slots_available` for mesotherapy over the 31 days, for all ten
practitioners and for one: median and p95 of `--runs` runs after warm-up, and
the queries of each call.
"""

import datetime as dt
import math
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

import psycopg2
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone
from psycopg2 import sql

from consultations.booking.availability import merge, overlaps, subtract
from consultations.booking.models import (
    ACTIVE_STATUSES,
    Appointment,
    BookingPolicy,
    OpeningHours,
    Practitioner,
    Room,
    TimeOff,
    Weekday,
    WorkingHours,
)
from consultations.booking.selectors import slots_available
from consultations.catalog.models import Treatment
from consultations.intake.demo import demo_patients_create
from consultations.patients.demo import demo_users_ensure
from consultations.patients.models import Role, User
from consultations.patients.services import staff_member_create
from consultations.review.demo import demo_reviews_create
from consultations.review.models import Clearance, DecisionKind, ReviewCase
from consultations.review.selectors import case_requests
from consultations.review.services import DecisionInput, review_claim, review_decide

SEED = 2026
DAYS = 31
PRACTITIONERS = 10
ROOMS = 4
CLEARANCES = 8
BOOKED = 0.6  # the share of each practitioner's free time to book
WARM_UP = 3
CLINICIAN_EMAIL = "clinician@example.com"
T = dt.time
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


def _median_p95(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[math.ceil(0.95 * len(ordered)) - 1]


class Command(BaseCommand):
    help = "Time the slot search over a month for ten practitioners (PostgreSQL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--runs", type=int, default=20, metavar="R", help="Timed runs per measure."
        )

    def handle(self, *args: Any, runs: int, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("bench_slots runs on PostgreSQL: point DATABASE_URL at one.")
        if runs < 1:
            raise CommandError("--runs must be at least 1.")
        self._create_database()
        call_command("migrate", verbosity=0, interactive=False)
        self.rng = random.Random(SEED)  # noqa: S311 (synthetic data, not secrets)
        first = timezone.localdate() + dt.timedelta(days=1)
        last = first + dt.timedelta(days=DAYS - 1)
        started = time.monotonic()
        practitioners, rooms = self._clinic()
        # The synthetic patients are not emailed about their decisions.
        with override_settings(MAILERS={"default": {"BACKEND": LOCMEM}}):
            clearances = self._clearances(last)
        booked = self._book_the_month(practitioners, rooms, clearances, first, last)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self._line(
            f"setup: {PRACTITIONERS} practitioners, {ROOMS} rooms, {first} to {last}; "
            f"{booked} in {time.monotonic() - started:.1f} s"
        )
        meso = Treatment.objects.get(code="mesotherapy")
        # The one practitioner: whoever has the most free slots in the month.
        found = self._search(meso, first, last)
        ids = [s.practitioner_id for s in found] or [practitioners[0].pk]
        one = max(set(ids), key=ids.count)
        for name, run in (
            (f"all {PRACTITIONERS} practitioners", lambda: self._search(meso, first, last)),
            ("one practitioner", lambda: self._search(meso, first, last, one)),
            ("one practitioner, one day", lambda: self._search(meso, first, first, one)),
        ):
            self._measure(name, run, runs)

    def _search(self, treatment, first, last, practitioner_id=None):
        return slots_available(
            treatment=treatment, start=first, end=last, practitioner_id=practitioner_id
        )

    def _line(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def _create_database(self) -> None:
        db = connection.settings_dict
        admin = psycopg2.connect(
            dbname="postgres",
            user=db["USER"] or None,
            password=db["PASSWORD"] or None,
            host=db["HOST"] or None,
            port=db["PORT"] or None,
        )
        admin.autocommit = True
        try:
            with admin.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
                if cursor.fetchone() is None:
                    cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
                    self.stdout.write(f"Created the database {db['NAME']}.")
        finally:
            admin.close()

    # --- Setting up -------------------------------------------------------------------------

    @transaction.atomic
    def _clinic(self) -> tuple[list[Practitioner], list[Room]]:
        BookingPolicy.current()
        OpeningHours.objects.all().delete()
        OpeningHours.objects.bulk_create(
            [OpeningHours(weekday=d, opens=T(8, 30), closes=T(19, 30)) for d in range(5)]
            + [OpeningHours(weekday=Weekday.SATURDAY, opens=T(9), closes=T(17))]
        )
        names = [f"Bench room {n}" for n in range(1, ROOMS + 1)]
        for name in names:
            Room.objects.update_or_create(name=name, defaults={"is_active": True})
        Room.objects.exclude(name__in=names).update(is_active=False)
        rooms = list(Room.objects.filter(name__in=names).order_by("name"))

        practitioners = []
        treatments = list(Treatment.objects.all())
        for n in range(1, PRACTITIONERS + 1):
            email = f"bench.practitioner{n:02d}@example.com"
            user = User.objects.filter(email=email).first() or staff_member_create(
                email=email,
                password=settings.DEMO_PASSWORD_DEFAULT,
                full_name=f"Bench practitioner {n:02d}",
                role=Role.CLINICIAN,
                registration_number=f"NMC-BENCH{n:02d}",
            )
            practitioner, _ = Practitioner.objects.update_or_create(
                user=user,
                defaults={
                    "display_name": f"Bench practitioner {n:02d}",
                    "credentials": "RN (synthetic)",
                    "is_active": True,
                },
            )
            practitioner.treatments.set(treatments)
            practitioner.working_hours.all().delete()
            days_off = {n % 7, (n + 3) % 7}
            rows = []
            for day in range(7):
                if day in days_off or day == Weekday.SUNDAY:
                    continue
                if day == Weekday.SATURDAY:
                    shifts = [(T(9), T(17))]
                elif n % 2:
                    shifts = [(T(9), T(13)), (T(14), T(18, 30))]  # split shift
                else:
                    shifts = [(T(10), T(19, 30))]
                rows += [
                    WorkingHours(practitioner=practitioner, weekday=day, starts=a, ends=b)
                    for a, b in shifts
                ]
            WorkingHours.objects.bulk_create(rows)
            practitioners.append(practitioner)
        Practitioner.objects.exclude(pk__in=[p.pk for p in practitioners]).update(is_active=False)
        return practitioners, rooms

    def _clearances(self, last: dt.date) -> list[Clearance]:
        """A handful of cleared synthetic patients, through the review services."""
        valid = Clearance.objects.filter(
            revoked_at__isnull=True,
            expires_on__gte=last,
            patient__user__email__startswith="demo-patient-",
        ).select_related("product__treatment")
        have = list(valid.order_by("pk")[:CLEARANCES])
        if len(have) >= CLEARANCES:
            return have
        demo_users_ensure(password=settings.DEMO_PASSWORD_DEFAULT)
        clinician = User.objects.get(email=CLINICIAN_EMAIL)
        open_cases = ReviewCase.objects.open().filter(kind=ReviewCase.Kind.INTAKE)
        if open_cases.count() < CLEARANCES:
            demo_patients_create(count=4 * CLEARANCES, seed=SEED)
            demo_reviews_create(seed=SEED)
        for case in open_cases.order_by("pk")[: CLEARANCES - len(have)]:
            review_claim(case_id=case.pk, clinician=clinician)
            product, area = case_requests(case)[0]
            review_decide(
                case_id=case.pk,
                clinician=clinician,
                data=DecisionInput(
                    product=product,
                    area=area,
                    kind=DecisionKind.CLEAR,
                    justification="Synthetic patient, cleared only to seed the slot benchmark.",
                ),
            )
        return list(valid.order_by("pk")[:CLEARANCES])

    @transaction.atomic
    def _book_the_month(
        self,
        practitioners: list[Practitioner],
        rooms: list[Room],
        clearances: list[Clearance],
        first: dt.date,
        last: dt.date,
    ) -> str:
        ids = [p.pk for p in practitioners]
        # A fresh month on every run: the bench practitioners' appointments and time off go.
        Appointment.objects.filter(practitioner_id__in=ids).delete()
        TimeOff.objects.filter(practitioner_id__in=ids).delete()
        zone = timezone.get_current_timezone()

        def aware(day: dt.date, moment: dt.time) -> dt.datetime:
            return dt.datetime.combine(day, moment, tzinfo=zone).astimezone(dt.UTC)

        time_off = []
        for practitioner in practitioners:
            day = first + dt.timedelta(days=self.rng.randrange(DAYS - 3))
            time_off.append(  # a morning off
                TimeOff(
                    practitioner=practitioner,
                    starts_at=aware(day, T(0)),
                    ends_at=aware(day, T(13)),
                    reason="bench",
                )
            )
            if self.rng.random() < 0.5:  # and for some, two days' leave
                day = first + dt.timedelta(days=self.rng.randrange(DAYS - 3))
                time_off.append(
                    TimeOff(
                        practitioner=practitioner,
                        starts_at=aware(day, T(0)),
                        ends_at=aware(day + dt.timedelta(days=2), T(0)),
                        reason="bench",
                    )
                )
        TimeOff.objects.bulk_create(time_off)

        opening: dict[int, list] = {}
        for row in OpeningHours.objects.all():
            opening.setdefault(row.weekday, []).append((row.opens, row.closes))
        room_taken: dict[int, list] = {room.pk: [] for room in rooms}
        step = dt.timedelta(minutes=15)
        appointments, worked, held = [], dt.timedelta(), dt.timedelta()
        booked_by = User.objects.get(email=CLINICIAN_EMAIL)
        for practitioner in practitioners:
            away = merge(
                (t.starts_at, t.ends_at) for t in time_off if t.practitioner_id == practitioner.pk
            )
            hours = list(practitioner.working_hours.all())
            day = first
            while day <= last:
                windows = merge(
                    (
                        max(aware(day, w.starts), aware(day, a)),
                        min(aware(day, w.ends), aware(day, b)),
                    )
                    for w in hours
                    if w.weekday == day.weekday()
                    for a, b in opening.get(day.weekday(), [])
                )
                for start, end in subtract(windows, away):
                    worked += end - start
                    moment = start
                    while moment < end:
                        clearance = self.rng.choice(clearances)
                        treatment = clearance.product.treatment
                        ends_at = moment + dt.timedelta(minutes=treatment.duration_minutes)
                        free_at = ends_at + dt.timedelta(minutes=treatment.buffer_minutes)
                        room = next(
                            (
                                pk
                                for pk, taken in room_taken.items()
                                if not overlaps(taken, moment, free_at)
                            ),
                            None,
                        )
                        if free_at > end or room is None or self.rng.random() > BOOKED:
                            moment += step
                            continue
                        room_taken[room] = merge([*room_taken[room], (moment, free_at)])
                        appointments.append(
                            Appointment(
                                patient_id=clearance.patient_id,
                                clearance=clearance,
                                treatment=treatment,
                                product=clearance.product,
                                area_id=clearance.area_id,
                                practitioner=practitioner,
                                room_id=room,
                                starts_at=moment,
                                ends_at=ends_at,
                                free_at=free_at,
                                local_date=day,
                                booked_by=booked_by,
                            )
                        )
                        held += free_at - moment
                        moment = free_at
                day += dt.timedelta(days=1)
        Appointment.objects.bulk_create(appointments, batch_size=1000)
        active = Appointment.objects.filter(
            practitioner_id__in=ids, status__in=ACTIVE_STATUSES
        ).count()
        opened = sum(
            (
                aware(first + dt.timedelta(days=d), b) - aware(first + dt.timedelta(days=d), a)
                for d in range(DAYS)
                for a, b in opening.get((first + dt.timedelta(days=d)).weekday(), [])
            ),
            dt.timedelta(),
        )
        room_share = held / (opened * len(rooms))
        return (
            f"{active} appointments holding {held / worked:.0%} of "
            f"{worked.total_seconds() / 3600:,.0f} working hours ({room_share:.0%} of the rooms' "
            f"opening hours), {len(time_off)} spells off"
        )

    # --- Measuring --------------------------------------------------------------------------

    def _measure(self, name: str, run: Callable[[], list], runs: int) -> None:
        with CaptureQueriesContext(connection) as queries:
            slots = run()
        for _ in range(WARM_UP):
            run()
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            run()
            samples.append((time.perf_counter() - started) * 1000)
        median, p95 = _median_p95(samples)
        self._line(
            f"slots_available, {name}: median {median:.1f} ms, p95 {p95:.1f} ms "
            f"({runs} runs, {len(queries)} queries, {len(slots):,} slots)"
        )
