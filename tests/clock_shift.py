"""A pytest plugin: the whole run at another hour of the day (`make test-hours`).

Tests that book "today at 15:00" or wait "until tomorrow" can pass in the morning and fail
in the evening (one did: the calendar's held-appointment test, whenever the suite ran after
15:00). With `-p tests.clock_shift` and TEST_CLOCK=HH:MM, the run starts at that time of
today (UTC) and the clock runs on from there; tests that travel in time still do.
"""

import datetime as dt
import os
from collections.abc import Iterator

import pytest
import time_machine


@pytest.fixture(autouse=True, scope="session")
def _clock_at_another_hour() -> Iterator[None]:
    hours, minutes = (int(part) for part in os.environ["TEST_CLOCK"].split(":"))
    today = dt.datetime.now(dt.UTC).date()
    with time_machine.travel(
        dt.datetime.combine(today, dt.time(hours, minutes), tzinfo=dt.UTC), tick=True
    ):
        yield
