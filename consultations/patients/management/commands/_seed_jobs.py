"""The work `seed_demo --jobs` hands to each of its processes.

The processes are spawned, not forked (a fork of a process that runs threads, as a test
runner's, can deadlock), so each starts a fresh interpreter: this module imports nothing
of Django's at its top, `start` sets Django up and points the process at the database its
parent writes (a test run's own database is named at run time, not in the settings).
"""

from typing import Any


def start(settings_module: str, database_name: str) -> None:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    import django

    django.setup()
    from django.db import connections

    connections["default"].settings_dict["NAME"] = database_name


def patients(task: tuple[int, int, int, int]) -> int:
    """Write `count` synthetic patients numbered from `first`."""
    from django.db import connections

    from consultations.intake.demo import demo_patients_create

    first, count, seed, batch_size = task
    try:
        demo_patients_create(count=count, seed=seed, batch_size=batch_size, first=first)
    finally:
        connections.close_all()
    return count


def reviews(task: tuple[int, int, int, int]) -> Any:
    """Screen and queue this process's share of the waiting synthetic intakes."""
    from django.db import connections

    from consultations.review.demo import demo_reviews_create

    index, parts, seed, batch_size = task
    try:
        return demo_reviews_create(seed=seed, batch_size=batch_size, part=(index, parts))
    finally:
        connections.close_all()
