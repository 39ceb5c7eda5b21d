"""Serving as in production: probes, the worker's heartbeat, JSON logs, gunicorn and WhiteNoise."""

import datetime as dt
import json
import logging
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.template import engines
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from clinic import health
from clinic.logs import JsonFormatter, request_id

ROOT = Path(settings.BASE_DIR)


def run_worker() -> None:
    call_command(
        "db_worker", "--batch", "--no-startup-delay", "--interval", "0", "--no-reload", verbosity=0
    )


def get(client: Client, name: str):
    response = client.get(reverse(name), secure=True)
    return response.status_code, json.loads(response.content)


# --- The probes ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_livez_answers_without_the_database() -> None:
    with mock.patch.object(connection, "cursor", side_effect=DatabaseError("down")):
        status, body = get(Client(), "livez")
    assert (status, body) == (200, {"status": "ok"})


@pytest.mark.django_db
def test_readyz_checks_the_database_migrations_and_static_files() -> None:
    status, body = get(Client(), "readyz")
    assert status == 200
    assert body["checks"] == {"database": "ok", "migrations": "ok", "static_files": "ok"}

    with mock.patch.object(health.MigrationExecutor, "migration_plan", return_value=[("x", 0)]):
        status, body = get(Client(), "readyz")
    assert (status, body["checks"]["migrations"]) == (503, "pending")

    with mock.patch.object(connection, "cursor", side_effect=DatabaseError("down")):
        status, body = get(Client(), "readyz")
    assert status == 503
    assert body["checks"]["database"] == "fail"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_healthz_follows_the_workers_heartbeat(time_machine) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    client = Client()
    status, body = get(client, "healthz")
    # First look: a heartbeat is queued, and the worker has a grace period to run it.
    assert (status, body["checks"]) == (200, {"database": "ok", "worker": "ok"})
    assert DBTaskResult.objects.filter(task_path=health.HEARTBEAT_PATH).count() == 1

    time_machine.shift(dt.timedelta(minutes=6))
    status, body = get(client, "healthz")
    assert (status, body["checks"]["worker"]) == (503, "not running")

    run_worker()  # the worker comes back and runs the waiting heartbeat
    status, body = get(client, "healthz")
    assert (status, body["status"]) == (200, "ok")
    # A monitor polling often does not flood the queue: one heartbeat a minute at most.
    for _ in range(5):
        get(client, "healthz")
    assert DBTaskResult.objects.filter(task_path=health.HEARTBEAT_PATH).count() == 1
    time_machine.shift(dt.timedelta(minutes=2))
    get(client, "healthz")
    assert DBTaskResult.objects.filter(task_path=health.HEARTBEAT_PATH).count() == 2


@pytest.mark.django_db
def test_healthz_fails_when_the_database_does_not_answer() -> None:
    with mock.patch.object(connection, "cursor", side_effect=DatabaseError("down")):
        status, body = get(Client(), "healthz")
    assert status == 503
    assert body == {"status": "fail", "checks": {"database": "fail", "worker": "unknown"}}


@pytest.mark.django_db
def test_the_probes_answer_over_plain_http_and_say_nothing_else(settings) -> None:
    settings.SECURE_SSL_REDIRECT = True
    for name in ("livez", "readyz", "healthz"):
        response = Client().get(reverse(name))  # not secure: from inside the network
        assert response.status_code == 200, name
        assert set(json.loads(response.content)) <= {"status", "checks"}
    assert Client().get(reverse("home")).status_code == 301


# --- Logs ---------------------------------------------------------------------------------


def test_a_log_line_is_one_json_object_with_the_request_id() -> None:
    record = logging.makeLogRecord(
        {"name": "clinic.test", "levelname": "WARNING", "msg": "slot %s taken", "args": ("09:00",)}
    )
    record.request_id = "abc12345"
    record.status = 409
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["message"] == "slot 09:00 taken"
    assert (entry["level"], entry["logger"], entry["request_id"]) == (
        "WARNING",
        "clinic.test",
        "abc12345",
    )
    assert entry["status"] == 409
    assert "\n" not in line


@pytest.mark.django_db
def test_each_request_is_logged_once_with_its_id_and_never_its_query_string(
    caplog, client, front_desk
) -> None:
    client.force_login(front_desk)
    with caplog.at_level(logging.INFO, logger="clinic.requests"):
        response = client.get(
            reverse("booking:desk"),
            {"q": "Anna Nguyen"},
            secure=True,
            HTTP_X_REQUEST_ID="lb-req-0001",
        )
    assert response["X-Request-ID"] == "lb-req-0001"
    (record,) = [r for r in caplog.records if r.name == "clinic.requests"]
    assert (record.method, record.path, record.status) == ("GET", "/desk/", 200)
    assert record.duration_ms >= 0
    assert record.user == str(front_desk.public_id)
    assert "Anna" not in JsonFormatter().format(record)


@pytest.mark.django_db
def test_a_request_id_that_is_not_sensible_is_replaced() -> None:
    response = Client().get(reverse("livez"), secure=True, HTTP_X_REQUEST_ID="<script>")
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert request_id.get() == "-"  # nothing leaks into the next request


# --- Settings production relies on --------------------------------------------------------


def test_templates_are_cached_and_connections_persist_in_production() -> None:
    loaders = engines["django"].engine.template_loaders
    assert [type(loader).__name__ for loader in loaders] == ["Loader"]
    assert type(loaders[0]).__module__ == "django.template.loaders.cached"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; import django; django.setup();"
            "print(settings.DATABASES['default']['CONN_MAX_AGE'], settings.LOG_FORMAT,"
            " settings.STORAGES['staticfiles']['BACKEND'])",
        ],
        env={
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "clinic.settings",
            "DJANGO_SECRET_KEY": "a-production-like-key-for-this-test-only",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/clinic",
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == [
        "60",
        "json",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
    ]


# --- gunicorn and WhiteNoise, for real ----------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db
def test_gunicorn_serves_the_app_and_whitenoise_the_compressed_hashed_static_files(
    tmp_path: Path,
) -> None:
    port = _free_port()
    environment = {
        "PATH": os.environ["PATH"],
        "DJANGO_SECRET_KEY": "a-production-like-key-for-this-test-only",
        "DATABASE_URL": os.environ.get("DATABASE_URL", ""),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "2",
        "HEALTH_CHECKS_WORKER": "false",
    }
    # The test database, which pytest-django named.
    environment["DATABASE_URL"] = (
        environment["DATABASE_URL"].rsplit("/", 1)[0] + "/" + (connection.settings_dict["NAME"])
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=environment,
        check=True,
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "python:clinic.gunicorn", "clinic.wsgi"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/livez", timeout=2) as response:  # noqa: S310
                    assert response.status == 200
                    break
            except OSError:
                assert server.poll() is None, server.stderr.read()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        with urllib.request.urlopen(base + "/readyz", timeout=5) as response:  # noqa: S310
            assert json.loads(response.read())["checks"]["static_files"] == "ok"
        with urllib.request.urlopen(base + "/", timeout=5) as response:  # noqa: S310
            page = response.read().decode()
        stylesheet = re.search(r'href="(/static/css/clinic\.[0-9a-f]{12}\.css)"', page)
        assert stylesheet, "pages name the hashed static files"
        request = urllib.request.Request(  # noqa: S310
            base + stylesheet.group(1), headers={"Accept-Encoding": "gzip"}
        )
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            assert response.headers["Content-Encoding"] == "gzip"
            assert "immutable" in response.headers["Cache-Control"]
            assert "max-age=315360000" in response.headers["Cache-Control"]
    finally:
        server.terminate()
        server.wait(timeout=15)


# --- gunicorn's worker count --------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///db.sqlite3",
        "postgres://postgres@127.0.0.1:5432/clinic",
        "postgres://clinic@localhost/clinic",
        "postgresql://clinic@[::1]:5432/clinic",
        "postgres:///clinic",  # the default Unix socket
        "postgres://%2Fvar%2Frun%2Fpostgresql/clinic",  # a socket directory
    ],
)
def test_a_database_on_this_host_gets_two_workers_a_core(url: str) -> None:
    from clinic.gunicorn import database_is_local, default_workers

    assert database_is_local(url)
    assert default_workers(2, url) == 4
    assert default_workers(8, url) == 16


@pytest.mark.parametrize(
    "url", ["postgres://clinic@db.internal:5432/clinic", "postgres://clinic@10.0.0.5/clinic"]
)
def test_a_database_on_another_machine_gets_four_workers_a_core_and_one(url: str) -> None:
    from clinic.gunicorn import database_is_local, default_workers

    assert not database_is_local(url)
    assert default_workers(2, url) == 9


def _python(script: str, environment: dict[str, str]) -> str:
    """What `script` prints, run by this interpreter in a fresh process with `environment`."""
    result = subprocess.run(  # noqa: S603 - this interpreter, our own modules
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **environment},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def _gunicorn_workers(environment: dict[str, str]) -> int:
    """The worker count gunicorn reads from clinic/gunicorn.py in this environment."""
    return int(_python("import clinic.gunicorn as g; print(g.workers)", environment))


def test_gunicorns_worker_count_follows_the_database_and_the_environment() -> None:
    import multiprocessing

    cores = multiprocessing.cpu_count()
    assert _gunicorn_workers({"DATABASE_URL": "postgres://c@127.0.0.1/c"}) == 2 * cores
    assert _gunicorn_workers({"DATABASE_URL": "postgres://c@db.internal/c"}) == 4 * cores + 1
    assert _gunicorn_workers({}) == 2 * cores  # no DATABASE_URL: the local SQLite file
    assert _gunicorn_workers({"DATABASE_URL": "postgres://c@db/c", "GUNICORN_WORKERS": "3"}) == 3


def test_a_worker_loads_the_urlconf_and_each_languages_lookups_before_its_first_request() -> None:
    """clinic/wsgi.py warms what Django would otherwise build on the first request."""
    script = (
        "import sys, clinic.wsgi\n"
        "from django.conf import settings\n"
        "from django.urls import get_resolver\n"
        "resolver = get_resolver()\n"
        "print('clinic.urls' in sys.modules, 'consultations.review.views.queue' in sys.modules)\n"
        "print(sorted(resolver._reverse_dict) == sorted(c for c, _ in settings.LANGUAGES))\n"
    )
    printed = _python(script, {"DJANGO_SECRET_KEY": "a-key-for-this-test-only"})
    assert printed.split() == ["True", "True", "True"]


def test_workers_reach_their_request_limits_far_apart() -> None:
    """Workers share the load evenly, so their limits must differ widely: with a narrow
    jitter every worker of a busy host restarted within the same second."""
    from clinic import gunicorn

    assert gunicorn.max_requests_jitter >= gunicorn.max_requests // 2


def test_a_worker_freezes_what_loading_left_and_collects_its_garbage_first() -> None:
    """clinic/wsgi.py moves the objects that live as long as the process out of the garbage
    collector's way, after collecting the garbage loading made (else it would be kept)."""
    script = (
        "import gc, weakref\n"
        "gc.disable()  # only clinic.wsgi's own collection may free the cycle below\n"
        "class Node: pass\n"
        "node = Node(); node.me = node; probe = weakref.ref(node); del node\n"
        "import clinic.wsgi\n"
        "print(probe() is None, gc.get_freeze_count() > 10_000, gc.isenabled())\n"
    )
    printed = _python(script, {"DJANGO_SECRET_KEY": "a-key-for-this-test-only"})
    assert printed.split() == ["True", "True", "False"]
