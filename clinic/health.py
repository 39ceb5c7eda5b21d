"""What a load balancer, a deploy script and a monitor ask the app.

    /livez    the process answers (no database): a load balancer's liveness probe, and the
              benchmark's baseline (the whole middleware stack, nothing else)
    /readyz   ready for traffic: the database answers, every migration is applied and the
              static files' manifest is there; a deploy waits for it before switching over
    /healthz  the service works: the database answers and the task worker is running, shown by
              a heartbeat task the worker ran within the last few minutes

Each answers 200 or 503 with a small JSON body naming what failed, and nothing else about the
clinic. The heartbeat: /healthz queues `worker_heartbeat` when none is waiting and the last
one is more than a minute old, so with a monitor polling every few seconds the worker proves
itself about once a minute (the rows are pruned with the other task results).
"""

import datetime as dt
import logging

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.db import DatabaseError, connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.tasks import task
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

HEARTBEAT_PATH = "clinic.health.worker_heartbeat"
# A heartbeat is queued at most this often...
HEARTBEAT_EVERY = dt.timedelta(minutes=1)
# ...and the worker is unhealthy when the last one it ran is older than this, or when one has
# waited longer than this without being run.
HEARTBEAT_MAX_AGE = dt.timedelta(minutes=5)


@task
def worker_heartbeat() -> str:
    """Nothing to do: that the worker ran it is the news."""
    return "ok"


def _answer(checks: dict[str, str]) -> JsonResponse:
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "fail", "checks": checks}, status=200 if healthy else 503
    )


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("health check: the database does not answer")
        return "fail"
    return "ok"


def _migrations() -> str:
    try:
        executor = MigrationExecutor(connections["default"])
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return "fail"
    return "ok" if not pending else "pending"


def _static_files() -> str:
    manifest = getattr(staticfiles_storage, "manifest_name", None)
    if manifest is None:
        return "ok"  # plain storage in development: nothing to collect
    return "ok" if staticfiles_storage.exists(manifest) else "not collected"


def worker_state(now: dt.datetime | None = None) -> str:
    """'ok' when the worker ran a heartbeat lately; queues the next one when it is time."""
    now = now or timezone.now()
    beats = DBTaskResult.objects.filter(task_path=HEARTBEAT_PATH)
    last = beats.successful().order_by("-finished_at").values_list("finished_at", flat=True)
    last_done = last.first()
    waiting = beats.ready().order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    if waiting is None and (last_done is None or now - last_done >= HEARTBEAT_EVERY):
        worker_heartbeat.enqueue()
        waiting = now
    if last_done is not None and now - last_done <= HEARTBEAT_MAX_AGE:
        return "ok"
    if waiting is not None and now - waiting <= HEARTBEAT_MAX_AGE:
        return "ok"  # queued (after a quiet spell, or at the first start) and not yet overdue
    return "not running"


@never_cache
@require_safe
def livez(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    database = _database()
    checks = {"database": database, "static_files": _static_files()}
    checks["migrations"] = _migrations() if database == "ok" else "unknown"
    return _answer(checks)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    database = _database()
    checks = {"database": database}
    if settings.HEALTH_CHECKS_WORKER:
        checks["worker"] = worker_state() if database == "ok" else "unknown"
    return _answer(checks)
