"""Gunicorn's settings for the clinic (`gunicorn -c python:clinic.gunicorn clinic.wsgi`).

Everything can be changed from the environment (GUNICORN_*); the defaults are the ones the
benchmark chose on a 2-core machine (docs/benchmarks.md, "Worker setup"): sync workers, as
many as `default_workers` gives. Pages are short and mostly CPU (templates, Python), so a
process a request gave the most requests a second and by far the shortest tail; threads in a
process wait on one another for the GIL. A request also waits on PostgreSQL, and a sync
worker that waits leaves its core idle unless another worker is ready to run. Slow clients
are nginx's to buffer, not a worker's.
"""

import multiprocessing
import os
from urllib.parse import unquote, urlsplit

_cores = multiprocessing.cpu_count()
LOCAL_HOSTS = frozenset({"", "localhost", "127.0.0.1", "::1"})


def database_is_local(database_url: str) -> bool:
    """Whether the database runs on this host: SQLite, or PostgreSQL over a Unix socket or the
    loopback address."""
    parts = urlsplit(database_url)
    if not parts.scheme.startswith("postgres"):
        return True
    host = unquote(parts.hostname or "")
    return host in LOCAL_HOSTS or host.startswith("/")


def default_workers(cores: int, database_url: str) -> int:
    """Two sync workers a core when PostgreSQL runs on this host, four a core and one when
    it is another machine.

    With the database here, a worker waiting on it leaves its core to PostgreSQL, which does
    that request's work meanwhile: the cores are busy with two workers a core, and each more
    worker only adds switches between processes and their caches (at 9 workers on 2 cores
    every endpoint served 10 to 16 % fewer requests a second than at 4 and had a longer tail;
    docs/benchmarks.md, "Worker setup"). With the database elsewhere, each of a request's
    round trips and its commit leave the core idle for the network's time: more workers keep
    it busy meanwhile."""
    return 2 * cores if database_is_local(database_url) else 4 * cores + 1


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
workers = int(
    os.environ.get("GUNICORN_WORKERS")
    or default_workers(_cores, os.environ.get("DATABASE_URL", "sqlite://"))
)
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# A request that takes longer than this is a bug or a stuck database: the worker is replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Gunicorn 27's runtime control socket is one path per user: two servers on one host (the web
# and a benchmark, two sites) would take it from each other. Managed by systemd signals instead.
control_socket_disable = True
# Replace each worker after a few thousand requests, so that slow leaks (in a library, a cache)
# never accumulate, at moments spread wide apart: the workers share the load evenly, so with a
# narrow jitter (it was 500) they reached their limits together, and under a steady load all
# of them restarted within a second, halving the host's throughput for that second (measured:
# a 5 s round at 399 requests a second against 800, its p95 858 ms against 24). A worker that
# starts loads Django (0.5 s of CPU) and warms the URLconf (clinic/wsgi.py) before it accepts.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 2
# The proxy in front (nginx) that may set X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# The application logs each request itself (clinic/logs.py: JSON, without query strings).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "clinic.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": loglevel.upper(), "propagate": False}
    },
}
