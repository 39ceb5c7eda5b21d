"""The app as the browser journeys meet it: PostgreSQL, debug off, on a clock of its own.

    python -m tests.e2e.serve prepare            # migrate and seed the demo clinic
    python -m tests.e2e.serve run --port 8765    # serve until stopped

Both run on a clock that starts at START (a Monday, 08:30 in the clinic's time zone) and then
ticks with real time, so that whatever hour CI runs at, the clinic opens that morning: a
treatment cleared and booked in the journeys can be checked in on the same day. `run` writes
where its clock stands (`--clock FILE`), so the journeys can compute the staff's second-factor
codes for the server's time.

The settings are production's, from the environment (tests/e2e/conftest.py sets it): debug
off, the CSP, secure headers. Only HTTPS is left out (the journeys browse http://127.0.0.1),
and the mail goes to the server's standard output.
"""

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine

ZONE = ZoneInfo(os.environ.get("DJANGO_TIME_ZONE", "Asia/Ho_Chi_Minh"))
START = dt.datetime(2026, 12, 7, 8, 30, tzinfo=ZONE)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("what", choices=("prepare", "run"))
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--clock", type=Path, help="where to write the clock (run)")
    parser.add_argument("--patients", type=int, default=24, help="synthetic patients (prepare)")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    real_start = time.time()
    with time_machine.travel(START, tick=True):
        import django
        from django.core.management import call_command

        django.setup()
        if args.what == "prepare":
            call_command("migrate", interactive=False, verbosity=0)
            call_command("seed_demo", patients=args.patients)
            return
        if args.clock:
            args.clock.write_text(json.dumps({"start": START.timestamp(), "real": real_start}))
        call_command(
            "runserver", f"127.0.0.1:{args.port}", use_reloader=False, insecure_serving=True
        )


if __name__ == "__main__":
    main(sys.argv[1:])
