"""The WSGI application, warmed before it takes its first request.

Django reads the URLconf (and with it every view module) and builds each language's reverse
lookups only when the first request needs them: about 0.2 s of CPU in a new process, paid by
whoever's request a new worker takes first, and again each time gunicorn replaces a worker
(`max_requests`). A gunicorn worker loads this module before it accepts a connection, so
doing that work here keeps it out of every request.
"""

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


warm_up()
