"""`python manage.py bench_queue`: the review queue's queries and timings at clinic scale.

Runs on PostgreSQL only (the plan is the point). It creates the database named
by DATABASE_URL if it does not exist, migrates it, and seeds synthetic patients
(`seed_demo --patients`, which screens and queues each intake) until there are
`--patients` intake cases, open or decided; a second run reuses them. Then it
measures, with the demo clinician:

- the queries of `review_queue()` for the first page and for a page deep in the
  queue (a keyset cursor nine tenths of the way down), which must be the same;
- the selector's time, median and p95 of `--runs` runs, for the first page, the
  deep page and each filter (severity, treatment, waiting time, mine);
- the whole page, GET /review/ through Django's test client, if the view exists;
- EXPLAIN (ANALYZE, BUFFERS) of the page's own SQL, as the selector sent it, and
  whether PostgreSQL walks `review_queue_idx` for it.
"""

import math
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import psycopg2
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import NoReverseMatch, reverse
from psycopg2 import sql

from consultations.patients.models import User
from consultations.review.demo import demo_reviews_create
from consultations.review.models import Priority, ReviewCase
from consultations.review.selectors import QueueCursor, QueueFilters, review_queue
from consultations.review.services import review_claim, review_release

CLINICIAN_EMAIL = "clinician@example.com"
INDEX = "review_queue_idx"
CLAIMED = 10  # cases the bench clinician holds, for the "mine" filter
WARM_UP = 3
DEEP = 0.9  # the deep page starts this far down the open queue
SEED = 2026


def _median_p95(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[math.ceil(0.95 * len(ordered)) - 1]


class Command(BaseCommand):
    help = "Query counts, timings and the plan of the review queue at clinic scale (PostgreSQL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--patients",
            type=int,
            default=100_000,
            metavar="N",
            help="Intake cases (open or decided) the database must hold (default 100000).",
        )
        parser.add_argument(
            "--runs", type=int, default=30, metavar="R", help="Timed runs per measure."
        )

    def handle(self, *args: Any, patients: int, runs: int, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                "bench_queue measures PostgreSQL's plans: point DATABASE_URL at one."
            )
        if patients < 1 or runs < 1:
            raise CommandError("--patients and --runs must be at least 1.")
        self.summary: list[str] = []
        self._create_database()
        call_command("migrate", verbosity=0, interactive=False)
        self._seed(patients)
        clinician = User.objects.get(email=CLINICIAN_EMAIL)
        self._claim_some(clinician)

        open_cases = ReviewCase.objects.open().count()
        total = ReviewCase.objects.filter(kind=ReviewCase.Kind.INTAKE).count()
        self._line(
            f"database: {total:,} intake cases, {open_cases:,} open; "
            f"{connection.settings_dict['NAME']}, PostgreSQL {connection.pg_version // 10000}"
        )
        deep = self._deep_cursor(open_cases)
        self._query_counts(clinician, deep)
        self._selector_timings(clinician, deep, runs)
        self._page_timings(clinician, deep, runs)
        self._plans(clinician, deep)

        self.stdout.write("\nSummary")
        for line in self.summary:
            self.stdout.write(f"  {line}")

    # --- Setting up -------------------------------------------------------------------------

    def _line(self, text: str) -> None:
        self.summary.append(text)
        self.stdout.write(text)
        self.stdout.flush()

    def _create_database(self) -> None:
        # Django cannot connect to a database that does not exist: ask the server's
        # maintenance database, as `createdb` would.
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

    def _seed(self, patients: int) -> None:
        # Synthetic intakes seeded before their cases existed are queued first, so they count.
        demo_reviews_create(seed=SEED)
        have = ReviewCase.objects.filter(
            kind=ReviewCase.Kind.INTAKE,
            status__in=[ReviewCase.Status.OPEN, ReviewCase.Status.DECIDED],
        ).count()
        missing = max(0, patients - have)
        started = time.monotonic()
        jobs = os.cpu_count() or 1  # as bench_http_prepare: a process a core
        call_command("seed_demo", patients=missing, seed=SEED, jobs=jobs, stdout=self.stdout)
        if missing:
            seconds = time.monotonic() - started
            self._line(f"seeding: {missing:,} patients, screened and queued, in {seconds:,.0f} s")
        started = time.monotonic()
        with connection.cursor() as cursor:
            # Fresh statistics and visibility map, as autovacuum would leave them.
            cursor.execute("VACUUM (ANALYZE)")
        self.stdout.write(f"VACUUM (ANALYZE) in {time.monotonic() - started:,.1f} s")

    def _claim_some(self, clinician: User) -> None:
        """Claims spread over the queue, so "mine" has something to find (the same number
        on every run: those of an earlier run are released first)."""
        for case_id in ReviewCase.objects.filter(claimed_by=clinician).values_list("pk", flat=True):
            review_release(case_id=case_id, clinician=clinician)
        ids = list(ReviewCase.objects.open().order_by("pk").values_list("pk", flat=True))
        step = max(1, len(ids) // CLAIMED)
        for case_id in ids[::step][:CLAIMED]:
            review_claim(case_id=case_id, clinician=clinician)

    def _deep_cursor(self, open_cases: int) -> QueueCursor:
        # OFFSET here, once, only to find where a deep page starts; the queue never uses it.
        priority, since, pk = (
            ReviewCase.objects.open()
            .order_by("-priority", "waiting_since", "id")
            .values_list("priority", "waiting_since", "id")[int(open_cases * DEEP)]
        )
        return QueueCursor(priority, since, pk)

    # --- Measuring --------------------------------------------------------------------------

    def _scenarios(
        self, clinician: User, deep: QueueCursor
    ) -> list[tuple[str, Callable[[], object]]]:
        def page(filters: QueueFilters | None = None, after: QueueCursor | None = None):
            chosen = filters or QueueFilters()
            return lambda: review_queue(user=clinician, filters=chosen, after=after)

        return [
            ("first page", page()),
            ("deep page (keyset)", page(after=deep)),
            ("severity = review", page(QueueFilters(priority=Priority.REVIEW))),
            ("treatment = fat_dissolving", page(QueueFilters(treatment="fat_dissolving"))),
            ("waited >= 7 days", page(QueueFilters(waited_hours=7 * 24))),
            ("mine", page(QueueFilters(mine=True))),
        ]

    def _query_counts(self, clinician: User, deep: QueueCursor) -> None:
        counts = []
        for name, run in self._scenarios(clinician, deep)[:2]:
            with CaptureQueriesContext(connection) as queries:
                run()
            counts.append(len(queries))
            self.stdout.write(f"queries, {name}: {len(queries)}")
        same = "the same" if len(set(counts)) == 1 else "NOT the same"
        self._line(
            f"queries per review_queue() call: first page {counts[0]}, deep page {counts[1]} "
            f"({same})"
        )

    def _timed(self, run: Callable[[], object], runs: int) -> tuple[float, float]:
        for _ in range(WARM_UP):
            run()
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            run()
            samples.append((time.perf_counter() - started) * 1000)
        return _median_p95(samples)

    def _selector_timings(self, clinician: User, deep: QueueCursor, runs: int) -> None:
        for name, run in self._scenarios(clinician, deep):
            with CaptureQueriesContext(connection) as queries:
                page = run()
            count = len(queries)
            median, p95 = self._timed(run, runs)
            self._line(
                f"review_queue(), {name}: median {median:.1f} ms, p95 {p95:.1f} ms "
                f"({runs} runs, {count} queries, {len(page.rows)} rows)"
            )

    def _page_timings(self, clinician: User, deep: QueueCursor, runs: int) -> None:
        try:
            url = reverse("review:queue")
        except NoReverseMatch:
            self._line("GET /review/: skipped, the URL review:queue does not exist yet")
            return
        client = Client()
        client.force_login(clinician)
        pages = [("first page", url), ("deep page", f"{url}?after={deep.encode()}")]
        with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
            for name, address in pages:

                def get(address: str = address) -> None:
                    response = client.get(address, secure=True)
                    if response.status_code != 200:
                        raise CommandError(f"GET {address} answered {response.status_code}")

                with CaptureQueriesContext(connection) as queries:
                    get()
                # Counted now: every request the timing makes empties the connection's log.
                count = len(queries)
                median, p95 = self._timed(get, runs)
                self._line(
                    f"GET {url}, {name}: median {median:.1f} ms, p95 {p95:.1f} ms "
                    f"({runs} runs, {count} queries)"
                )

    def _explain(self, query: str) -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query}")
            return [row[0] for row in cursor.fetchall()]

    def _plans(self, clinician: User, deep: QueueCursor) -> None:
        table = ReviewCase._meta.db_table
        for name, run in self._scenarios(clinician, deep):
            with CaptureQueriesContext(connection) as queries:
                run()
            ours = [q["sql"] for q in queries if f'FROM "{table}"' in q["sql"]]
            # The page's ids: the query in the queue's order (the counts have none).
            [page_sql] = [q for q in ours if "LIMIT" in q and "ORDER BY" in q and "COUNT(" not in q]
            plan = self._explain(page_sql)
            uses = any("Index" in line and INDEX in line for line in plan)
            took = next((line for line in plan if line.startswith("Execution Time")), "")
            # Rows the scan read and threw away: a keyset condition the index cannot use as a
            # range shows here, growing with the page's depth.
            removed = sum(
                int(line.split(":")[1]) for line in plan if "Rows Removed by Filter" in line
            )
            if name in ("first page", "deep page (keyset)"):
                self.stdout.write(f"\nEXPLAIN (ANALYZE, BUFFERS), {name}:\n  {page_sql}\n")
                self.stdout.write("\n".join(f"  {line}" for line in plan) + "\n")
            self._line(
                f"plan, {name}: {'uses' if uses else 'does NOT use'} {INDEX}, "
                f"{removed:,} rows removed by filter; {took.lower()}"
            )
            if name == "first page":
                [counts_sql] = [q for q in ours if "COUNT(" in q]
                plan = self._explain(counts_sql)
                self.stdout.write(f"\nEXPLAIN (ANALYZE, BUFFERS), counts:\n  {counts_sql}\n")
                self.stdout.write("\n".join(f"  {line}" for line in plan) + "\n")
                took = next((line for line in plan if line.startswith("Execution Time")), "")
                scan = next((line for line in plan if "Scan" in line), "")
                scan = scan.strip().removeprefix("->").strip().split("  (")[0]
                self._line(f"plan, counts per severity: {scan}; {took.lower()}")
