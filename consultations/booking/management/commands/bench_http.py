"""`python manage.py bench_http`: the app under load, served as in production (`make bench`).

1. Two PostgreSQL databases: a small one made afresh (1,000 seeded intakes, plus the patients
   the POSTs need) and a large one with 100,000 intakes (seeded on the first run, then reused).
   `bench_http_prepare` readies each and writes the requests to send.
2. For each, the app runs under gunicorn (`clinic/gunicorn.py`, or the setup given with
   --workers-class/--workers/--threads), with WhiteNoise, debug off and JSON logs, exactly as
   `make serve` starts it.
3. wrk, a separate process, drives it at a fixed concurrency (16 connections) in interleaved
   rounds: every endpoint once per round, in turn, each between two short runs of the
   baseline, so that the machine's speed at that moment is measured with it. A round's POSTs
   are all new work: each submits another intake or books another time.
4. Each endpoint's medians over the rounds (requests per second, p50 and p95 latency) are
   printed, with its throughput as a share of the baseline measured against the same server:
   the median of its rounds' ratios to the baselines around them (`bracketed_ratio`).

The baseline is /livez for a logged-in patient: the whole middleware stack (sessions, the
user, the second-factor and session-expiry checks, CSP, the request log) and no page.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg2
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from psycopg2 import sql

from clinic.gunicorn import default_workers

LUA = Path(__file__).resolve().parents[2] / "bench" / "requests.lua"
SMALL, LARGE = 1_000, 100_000
# Name, expected status, sent once per line (new work each time).
ENDPOINTS = (
    ("baseline", 200, False),
    ("intake_get", 200, False),
    ("intake_submit", 302, True),
    ("review_queue", 200, False),
    ("slot_search", 200, False),
    ("booking", 302, True),
)
LARGE_ENDPOINTS = (("baseline", 200, False), ("review_queue", 200, False))


@dataclass
class Measure:
    rps: float
    p50_ms: float
    p95_ms: float
    unexpected: int
    requests: int


def _database_url(base: str, name: str) -> str:
    return base.rsplit("/", 1)[0] + "/" + name


def bracketed_ratio(rounds: list[float], before: list[float], after: list[float]) -> float:
    """An endpoint's throughput as a share of the baseline's: the median over the rounds of
    the endpoint's rate against the mean of the baseline's just before and just after it.

    This shared host's speed changes by half within seconds (two runs of the baseline 4 s
    apart served 901 and 518 requests a second): a baseline measured once a round, up to
    half a minute before the endpoint, could take it from another moment of the host. Each
    endpoint is measured between two baselines instead, and the median takes no round's
    odd moment."""
    if not rounds or not len(rounds) == len(before) == len(after):
        raise ValueError("each round of the endpoint needs a baseline before and after it")
    return statistics.median(
        r / ((b + a) / 2) for r, b, a in zip(rounds, before, after, strict=True)
    )


class Command(BaseCommand):
    help = "Load-test the app served by gunicorn with wrk (make bench)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rounds", type=int, default=6)
        parser.add_argument("--seconds", type=int, default=2, help="per endpoint per round")
        parser.add_argument(
            "--baseline-seconds", type=int, default=1, help="per baseline run (one each side)"
        )
        parser.add_argument("--connections", type=int, default=16)
        parser.add_argument("--wrk-threads", type=int, default=2)
        parser.add_argument("--port", type=int, default=8790)
        parser.add_argument("--small", default="clinic_bench_1k", help="database, made afresh")
        parser.add_argument("--large", default="clinic_bench", help="database, reused")
        parser.add_argument("--skip-large", action="store_true")
        parser.add_argument("--per-round", type=int, default=1_000, help="POSTs per round")
        parser.add_argument("--workers-class", default="")
        parser.add_argument("--workers", default="")
        parser.add_argument("--threads", default="")
        parser.add_argument("--json", type=Path, help="also write the results here")
        parser.add_argument(
            "--only", default="", help="comma-separated endpoints (e.g. to compare worker setups)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if shutil.which("wrk") is None:
            raise CommandError("wrk is not installed (Debian: apt-get install wrk).")
        self.options = options
        self._said_vacuum = False
        base = os.environ.get("DATABASE_URL", "")
        if not base.startswith("postgres"):
            raise CommandError("Point DATABASE_URL at the PostgreSQL server to use.")
        self.scratch = Path(tempfile.mkdtemp(prefix="clinic-bench-"))
        try:
            self._collect_static()
            results = self._run_small(_database_url(base, options["small"]))
            if not options["skip_large"]:
                large = self._run_large(_database_url(base, options["large"]))
                results["review_queue_100k"] = large["review_queue"]
                results["baseline_100k"] = large["baseline"]
        finally:
            shutil.rmtree(self.scratch, ignore_errors=True)
        self._report(results)

    # --- Databases ------------------------------------------------------------------------

    def _admin(self) -> Any:
        admin = psycopg2.connect(_database_url(os.environ["DATABASE_URL"], "postgres"))
        admin.autocommit = True
        return admin

    def _fresh(self, name: str) -> None:
        admin = self._admin()
        with admin.cursor() as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        admin.close()

    def _ensure(self, name: str) -> None:
        admin = self._admin()
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        admin.close()

    def _prepare(self, url: str, out: Path, *arguments: str) -> dict[str, list[list[str]]]:
        self._say(f"preparing {url.rsplit('/', 1)[1]} ...")
        subprocess.run(  # noqa: S603 - this interpreter, our own command
            [sys.executable, "manage.py", "bench_http_prepare", "--out", str(out), *arguments],
            cwd=settings.BASE_DIR,
            env=self._environment(url),
            check=True,
        )
        return json.loads(out.read_text())

    # --- The server ---------------------------------------------------------------------

    def _environment(self, url: str) -> dict[str, str]:
        environment = {
            **os.environ,
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "bench-only-secret-key-not-for-production",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SECURE_COOKIES": "false",
            "DJANGO_STATIC_MANIFEST": "true",
            "DJANGO_STATIC_ROOT": str(self.scratch / "static"),
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "HEALTH_CHECKS_WORKER": "false",
            "DATABASE_URL": url,
            "GUNICORN_BIND": f"127.0.0.1:{self.options['port']}",
        }
        for option, variable in (
            ("workers_class", "GUNICORN_WORKER_CLASS"),
            ("workers", "GUNICORN_WORKERS"),
            ("threads", "GUNICORN_THREADS"),
        ):
            if self.options[option]:
                environment[variable] = str(self.options[option])
        return environment

    def _collect_static(self) -> None:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=settings.BASE_DIR,
            env=self._environment(os.environ["DATABASE_URL"]),
            check=True,
        )

    def _serve(self, url: str) -> subprocess.Popen:
        log = (self.scratch / "server.log").open("a")
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "python:clinic.gunicorn", "clinic.wsgi"],
            cwd=settings.BASE_DIR,
            env=self._environment(url),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(self._url("/livez"), timeout=2):  # noqa: S310
                    return server
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise CommandError("gunicorn did not start; see its log") from None
                time.sleep(0.3)

    @staticmethod
    def _drain(measure: Measure) -> None:
        """wrk has stopped, but the server still answers the requests in flight (up to one a
        connection, each taking about a p95 now that nothing waits behind it): the next run
        starts when they are done, so that a slow endpoint's tail is not the next one's."""
        time.sleep(min(5.0, 1.5 * measure.p95_ms / 1000 + 0.05))

    def _url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.options['port']}{path}"

    @staticmethod
    def _stop(server: subprocess.Popen) -> None:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()

    # --- Load -----------------------------------------------------------------------------

    def _wrk(
        self, name: str, lines: list[list[str]], expected: int, once: bool, seconds: int
    ) -> Measure:
        requests = self.scratch / f"{name}.tsv"
        requests.write_text("".join("\t".join(line) + "\n" for line in lines))
        threads = self.options["wrk_threads"]
        result = subprocess.run(  # noqa: S603
            [  # noqa: S607
                "wrk",
                "--threads",
                str(threads),
                "--connections",
                str(self.options["connections"]),
                "--duration",
                f"{seconds}s",
                "--timeout",
                "10s",
                "--script",
                str(LUA),
                self._url("/"),
                "--",
                str(requests),
                str(expected),
                "1" if once else "0",
                str(threads),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        found = dict(
            field.split("=")
            for field in next(
                line for line in result.stdout.splitlines() if line.startswith("RESULT")
            ).split()[1:]
        )
        done = int(found["requests"])
        return Measure(
            rps=done / (int(found["duration_us"]) / 1e6),
            p50_ms=int(found["p50_us"]) / 1000,
            p95_ms=int(found["p95_us"]) / 1000,
            unexpected=int(found["unexpected"]) + int(found["socket_errors"]),
            requests=done,
        )

    def _vacuum_if_autovacuum_is_off(self, url: str) -> None:
        """What autovacuum does on a production server, done between rounds where it is off.

        A round's POSTs add 1,500 intakes, cases and appointments, more than autovacuum's
        threshold (1,000 rows and a fifth of the table) for the small database: with it on,
        PostgreSQL vacuums those tables within its minute's nap, about a round. Some servers
        run with it off (this benchmark's machines do); the rounds after the first would then
        measure a table that production never keeps."""
        connection = psycopg2.connect(url)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute("SHOW autovacuum")
                if cursor.fetchone()[0] == "on":
                    return
                if not self._said_vacuum:
                    self._say("  (autovacuum is off on this server: vacuuming between rounds)")
                    self._said_vacuum = True
                cursor.execute("VACUUM (ANALYZE)")
        finally:
            connection.close()

    def _rounds(
        self, requests: dict[str, list[list[str]]], endpoints, url: str
    ) -> dict[str, dict[str, Any]]:
        """Each round: the baseline, then each endpoint followed by the baseline again, so that
        every endpoint is measured between two baselines (`bracketed_ratio`)."""
        (baseline, *others) = endpoints
        if baseline[0] != "baseline":
            raise CommandError("the baseline is measured first")
        for name, expected, once in endpoints:  # warm-up: caches, connections, the JIT of wrk
            if not once:
                self._drain(self._wrk(name, requests[name], expected, once, 1))
        measures: dict[str, list[Measure]] = {name: [] for name, _expected, _once in endpoints}
        before: dict[str, list[float]] = {name: [] for name, _expected, _once in others}
        after: dict[str, list[float]] = {name: [] for name, _expected, _once in others}
        for number in range(self.options["rounds"]):
            last = self._slice(requests, baseline, number, measures)
            for endpoint in others:
                name = endpoint[0]
                self._slice(requests, endpoint, number, measures)
                before[name].append(last.rps)
                last = self._slice(requests, baseline, number, measures)
                after[name].append(last.rps)
            self._vacuum_if_autovacuum_is_off(url)
        results = self._medians(measures)
        for name in before:
            results[name]["baseline_before_rps"] = [round(r, 1) for r in before[name]]
            results[name]["baseline_after_rps"] = [round(r, 1) for r in after[name]]
        return results

    def _slice(
        self,
        requests: dict[str, list[list[str]]],
        endpoint: tuple[str, int, bool],
        number: int,
        measures: dict[str, list[Measure]],
    ) -> Measure:
        """One wrk run of an endpoint in round `number` (a POST's own share of new lines)."""
        name, expected, once = endpoint
        lines = requests[name]
        if once:
            per_round = self.options["per_round"]
            lines = lines[number * per_round : (number + 1) * per_round]
        seconds = self.options["baseline_seconds" if name == "baseline" else "seconds"]
        measure = self._wrk(name, lines, expected, once, seconds)
        measures[name].append(measure)
        self._drain(measure)
        self._say(
            f"  round {number + 1} {name:14} {measure.rps:8.1f} req/s  "
            f"p50 {measure.p50_ms:6.1f} ms  p95 {measure.p95_ms:6.1f} ms"
            + (f"  ({measure.unexpected} unexpected)" if measure.unexpected else "")
        )
        return measure

    def _run_small(self, url: str) -> dict[str, dict[str, Any]]:
        self._fresh(self.options["small"])
        rounds = self.options["rounds"]
        per_round = self.options["per_round"]
        requests = self._prepare(
            url,
            self.scratch / "small.json",
            "--patients",
            str(SMALL),
            "--submit",
            str(per_round * rounds),
            "--book",
            str(per_round * rounds),
        )
        only = {name for name in self.options["only"].split(",") if name}
        endpoints = tuple(e for e in ENDPOINTS if not only or e[0] in only or e[0] == "baseline")
        server = self._serve(url)
        try:
            return self._rounds(requests, endpoints, url)
        finally:
            self._stop(server)

    def _run_large(self, url: str) -> dict[str, dict[str, Any]]:
        self._ensure(self.options["large"])
        requests = self._prepare(
            url, self.scratch / "large.json", "--patients", str(LARGE), "--explain"
        )
        server = self._serve(url)
        try:
            return self._rounds(requests, LARGE_ENDPOINTS, url)
        finally:
            self._stop(server)

    @staticmethod
    def _medians(measures: dict[str, list[Measure]]) -> dict[str, dict[str, Any]]:
        return {
            name: {
                "rps": statistics.median(m.rps for m in runs),
                "p50_ms": statistics.median(m.p50_ms for m in runs),
                "p95_ms": statistics.median(m.p95_ms for m in runs),
                "unexpected": sum(m.unexpected for m in runs),
                "requests": sum(m.requests for m in runs),
                "rounds_rps": [round(m.rps, 1) for m in runs],
            }
            for name, runs in measures.items()
        }

    # --- Report ---------------------------------------------------------------------------

    def _report(self, results: dict[str, dict[str, Any]]) -> None:
        for name, result in results.items():
            base = results["baseline_100k" if name.endswith("_100k") else "baseline"]
            if name.startswith("baseline"):
                result["ratio"] = 1.0
                continue
            result["ratio"] = bracketed_ratio(
                result["rounds_rps"], result["baseline_before_rps"], result["baseline_after_rps"]
            )
            result["ratio_of_medians"] = result["rps"] / base["rps"]
        for name, result in results.items():
            if not name.startswith("baseline"):
                self._say(
                    f"  {name}: ratio {result['ratio']:.3f} (the median of the rounds' ratios to"
                    f" the baselines around them), {result['ratio_of_medians']:.3f} (the"
                    " medians' ratio)"
                )
        self._say(f"gunicorn: {self._setup()}")
        if self.options["json"]:
            self.options["json"].write_text(
                json.dumps({"setup": self._setup(), **results}, indent=2)
            )
        for name in (*(n for n, _e, _o in ENDPOINTS), "review_queue_100k"):
            if name not in results:
                continue
            r = results[name]
            self.stdout.write(
                f"bench {name} rps={r['rps']:.1f} p50_ms={r['p50_ms']:.1f} "
                # Three places: a ratio at a target's edge (0.30) shows on which side it is.
                f"p95_ms={r['p95_ms']:.1f} ratio={r['ratio']:.3f}"
                + (f" unexpected={r['unexpected']}" if r["unexpected"] else "")
            )

    def _setup(self) -> str:
        """The gunicorn worker setup measured, as clinic/gunicorn.py resolves it."""
        environment = self._environment(os.environ.get("DATABASE_URL", ""))
        workers = environment.get("GUNICORN_WORKERS") or default_workers(
            os.cpu_count() or 1, environment["DATABASE_URL"]
        )
        return "{} x{} threads {}".format(
            environment.get("GUNICORN_WORKER_CLASS", "sync"),
            workers,
            environment.get("GUNICORN_THREADS", "1"),
        )

    def _say(self, text: str) -> None:
        self.stderr.write(text)
