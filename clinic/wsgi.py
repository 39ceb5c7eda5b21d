"""The WSGI application, warmed before it takes its first request.

Django reads the URLconf (and with it every view module) and builds each language's reverse
lookups only when the first request needs them: about 0.2 s of CPU in a new process, paid by
whoever's request a new worker takes first, and again each time gunicorn replaces a worker
(`max_requests`). A gunicorn worker loads this module before it accepts a connection, so
doing that work here keeps it out of every request.

Then the objects that live as long as the process (the modules, the settings, the URLconf,
the models' metadata: about 100,000 of them) are moved out of the garbage collector's way
(`freeze_long_lived_objects`).
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
application = get_wsgi_application()


def warm_up() -> None:
    """Load the URLconf and each language's reverse lookups (no database is touched)."""
    from django.conf import settings
    from django.urls import get_resolver
    from django.utils import translation

    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 - imports the URLconf and the views it names
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            resolver.reverse_dict  # noqa: B018 - built per language on first use


def freeze_long_lived_objects() -> None:
    """Collect what loading left as garbage, then freeze the rest (`gc.freeze()`).

    A full collection walks every object the collector tracks, and the objects requests leave
    for the oldest generation bring one every 1,000-3,000 requests: each walked the ~100,000
    objects that loading made and that live until the process ends, 30-60 ms of one request's
    time on the benchmark's host, 2 ms once they are frozen (docs/benchmarks.md, "Results,
    fifteenth session").

    Frozen, they are left out of every collection; what requests leave behind is still
    collected as before. The collection comes first so that loading's own garbage is freed,
    not kept for the life of the process."""
    gc.collect()
    gc.freeze()


warm_up()
freeze_long_lived_objects()
