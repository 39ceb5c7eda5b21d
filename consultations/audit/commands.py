"""Who is changing patient data from the command line (`seed_demo`, `shell`, the task worker)."""

import contextlib
import getpass
from collections.abc import Iterator, Sequence

# Commands that change no patient data themselves, or that serve requests (whose own
# context the middleware sets).
UNTRACKED = frozenset({"migrate", "makemigrations", "runserver", "test", "check", "help"})


@contextlib.contextmanager
def command_context(argv: Sequence[str]) -> Iterator[None]:
    """Run a management command with its name and the operating-system user as the context."""
    command = argv[1] if len(argv) > 1 else "help"
    if command in UNTRACKED or command.startswith("-"):
        yield
        return
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    import pghistory

    try:
        os_user = getpass.getuser()
    except OSError:  # no name for this process's user id (some containers)
        os_user = ""
    with pghistory.context(command=command, os_user=os_user):
        yield
