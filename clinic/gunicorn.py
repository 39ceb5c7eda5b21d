"""Gunicorn's settings for the clinic (`gunicorn -c python:clinic.gunicorn clinic.wsgi`).

Everything can be changed from the environment (GUNICORN_*); the defaults are the ones the
benchmark chose on a 2-core machine (docs/benchmarks.md, "Worker setup"): sync workers, four a
core and one more. Pages are short and mostly CPU (templates, Python), so a process a request
gave the most requests a second and by far the shortest tail; threads in a process wait on one
another for the GIL. But a request also waits on PostgreSQL: its round trips, and a
submission's or a booking's commit, which waits for the disk (1 to 5 ms here); a sync worker
that waits leaves its core idle, so there are more workers than two a core, enough to keep
the cores busy while some wait. Slow clients are nginx's to buffer, not a worker's.
"""

import multiprocessing
import os

_cores = multiprocessing.cpu_count()

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
workers = int(os.environ.get("GUNICORN_WORKERS", str(4 * _cores + 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# A request that takes longer than this is a bug or a stuck database: the worker is replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Gunicorn 27's runtime control socket is one path per user: two servers on one host (the web
# and a benchmark, two sites) would take it from each other. Managed by systemd signals instead.
control_socket_disable = True
# Replace each worker after a few thousand requests, at staggered moments, so that slow leaks
# (in a library, a cache) never accumulate.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
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
