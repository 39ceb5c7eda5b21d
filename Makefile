# The two commands a newcomer runs:
#   make run    serve the app on http://127.0.0.1:8000 with demo accounts (SQLite, no server needed)
#   make test   ruff, migration check and the whole test suite on PostgreSQL
# Everything else (virtual environment, packages, migrations, demo data) is set up on the way.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# Python 3.13 (3.12 if that is all there is): PATH first, then pyenv's own installs.
PYTHON_CANDIDATES := python3.13 $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13) \
                     python3.12 $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12)
PYTHON ?= $(shell for p in $(PYTHON_CANDIDATES); do \
	if "$$p" -c 'import sys; sys.exit(sys.version_info[:2] < (3, 12))' >/dev/null 2>&1; then \
	command -v "$$p"; break; fi; done)

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

HOST ?= 127.0.0.1
PORT ?= 8000
RUN_DATABASE_URL ?= sqlite:///$(CURDIR)/db.sqlite3
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/clinic
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/clinic_bench
PYTEST_ARGS ?=

PO := locale/vi/LC_MESSAGES/django.po
MO := locale/vi/LC_MESSAGES/django.mo

# Debian packages the project needs beyond Python (GNU gettext; Chromium for the browser
# journeys): installed when missing if we may, else a one-line message says how.
define apt_install
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing $(1) from Debian's packages..."; \
		apt-get install -y -qq $(1) >/dev/null 2>&1 || \
		{ apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq $(1) >/dev/null; }; \
	else echo "Please install $(1) (Debian: sudo apt-get install $(1)) and run make again." >&2; exit 1; fi
endef

RUN_ENV := DJANGO_DEBUG=true DATABASE_URL="$(RUN_DATABASE_URL)"
TEST_ENV := DJANGO_DEBUG=false DJANGO_SECRET_KEY=test-only-secret-key-not-for-production DJANGO_STATIC_MANIFEST=false \
	DJANGO_FAST_PASSWORD_HASHER=true DATABASE_URL="$(TEST_DATABASE_URL)"

.PHONY: help run serve worker test test-hours lint format check-db migrate demo clean docs messages bench-screening bench-queue bench-slots mutants e2e chromium screenshots bench wrk

help:
	@echo "make run    serve the app with demo data on http://$(HOST):$(PORT)"
	@echo "make serve  serve as in production (gunicorn, WhiteNoise, JSON logs) from the environment"
	@echo "make worker run the background worker (appointment reminders) against DATABASE_URL"
	@echo "make test   lint and run the whole test suite on PostgreSQL"
	@echo "make format format the code with ruff"
	@echo "make docs   regenerate docs/screening.md from the rule declarations"
	@echo "make bench            the app under load: gunicorn and wrk, 1,000 and 100,000 intakes"
	@echo "make bench-screening  screenings per second on one core (median of 7 rounds)"
	@echo "make bench-queue      review queue queries, timings and plan at 100,000 intakes (PostgreSQL)"
	@echo "make bench-slots      slot search over a month for 10 practitioners (PostgreSQL)"
	@echo "make mutants          switch each security protection off and check its tests fail"
	@echo "make e2e              the browser journeys (Chromium, PostgreSQL); part of make test"
	@echo "make test-hours       the unit tests as if run at four other hours of the day (UTC)"
	@echo "make screenshots      run the journeys and copy the README's pictures into docs/"
	@echo "make messages         extract the text marked for translation into locale/vi"

$(PY):
	@if [ -z "$(PYTHON)" ]; then \
		echo "No Python 3.13 or 3.12 found. Install one (pyenv install 3.13) and run make again." >&2; exit 1; fi
	"$(PYTHON)" -m venv $(VENV)

$(STAMP): $(PY) requirements.txt requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

# The Vietnamese catalog, compiled from locale/vi/LC_MESSAGES/django.po (GNU gettext's msgfmt).
$(MO): $(PO) | $(STAMP)
	@command -v msgfmt >/dev/null 2>&1 || { $(call apt_install,gettext); }
	@$(RUN_ENV) $(PY) manage.py compilemessages -l vi --ignore=.venv >/dev/null

# After changing text marked for translation: extract it into the .po file, translate the new
# entries there (the tests fail while any is missing), and `make` compiles it.
messages: $(STAMP)
	@command -v xgettext >/dev/null 2>&1 || { $(call apt_install,gettext); }
	$(RUN_ENV) $(PY) manage.py makemessages -l vi --no-obsolete \
		--ignore=.venv --ignore=static --ignore=tests --ignore=staticfiles

migrate: $(STAMP) $(MO)
	$(RUN_ENV) $(PY) manage.py migrate --noinput

demo: migrate
	$(RUN_ENV) $(PY) manage.py seed_demo

run: demo
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	$(RUN_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

# As in production (docs/operations.md): gunicorn (clinic/gunicorn.py), static files collected
# and served by WhiteNoise, debug off, JSON logs; every setting from the environment, which must
# give at least DJANGO_SECRET_KEY, DATABASE_URL and DJANGO_ALLOWED_HOSTS. Migrations are a deploy
# step of their own (python manage.py migrate); /readyz says when the app may take traffic.
serve: $(STAMP) $(MO)
	@[ -n "$$DJANGO_SECRET_KEY" ] && [ -n "$$DATABASE_URL" ] || { echo "make serve runs as in \
	production: set DJANGO_SECRET_KEY, DATABASE_URL and DJANGO_ALLOWED_HOSTS (docs/operations.md)." >&2; \
	exit 2; }
	$(PY) manage.py collectstatic --noinput --verbosity 0
	exec $(PY) -m gunicorn --config python:clinic.gunicorn clinic.wsgi

# The background worker (appointment reminders, django-tasks-db): against DATABASE_URL with
# the environment's settings when DATABASE_URL is set, else against the SQLite file of
# `make run` in development mode (migrated first). Ctrl-C stops it after the running task.
worker: $(STAMP)
ifdef DATABASE_URL
	$(PY) manage.py db_worker
else
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py db_worker
endif

check-db: $(STAMP)
	@$(TEST_ENV) $(PY) -m clinic.dbcheck

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

test: lint check-db $(MO)
	$(TEST_ENV) DATABASE_URL=sqlite:// $(PY) manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(PY) -m pytest -n auto --ignore=tests/e2e $(PYTEST_ARGS)
	@$(MAKE) --no-print-directory e2e

# The unit tests as if run at other hours of the day (tests/clock_shift.py): just after
# midnight, early morning, the evening and late evening, UTC. About 7 minutes.
TEST_HOURS ?= 00:20 05:00 18:30 23:40
test-hours: lint check-db $(MO)
	for clock in $(TEST_HOURS); do \
		echo "== the suite at $$clock UTC"; \
		TEST_CLOCK=$$clock $(TEST_ENV) $(PY) -m pytest -n auto -q -p tests.clock_shift \
			--ignore=tests/e2e $(PYTEST_ARGS) || exit 1; \
	done

# The browser journeys (tests/e2e): the app served from PostgreSQL (database clinic_e2e) and
# driven by Debian's Chromium through Playwright, a phone for patients and a desktop for staff.
# Screenshots and the server's log go to e2e-artifacts/.
E2E_ARGS ?=
chromium:
	@command -v chromium >/dev/null 2>&1 || { $(call apt_install,chromium); }

e2e: $(STAMP) $(MO) check-db chromium
	$(TEST_ENV) $(PY) -m pytest tests/e2e $(E2E_ARGS)

# The README's pictures, taken by the journeys.
README_SHOTS := intake-treatments-phone intake-about-error-phone intake-submitted-phone \
	intake-allergies-phone-vi booking-slots-phone review-queue-desktop review-case-blocked-desktop \
	booking-calendar-desktop
screenshots: e2e
	for shot in $(README_SHOTS); do cp e2e-artifacts/screenshots/$$shot.png docs/screenshots/; done

# Each protection of docs/security.md switched off in a scratch copy: its tests must fail
# (tests/mutants.py; MUTANTS="csp axes" runs some). PostgreSQL, a database of its own.
MUTANTS ?=
mutants: $(STAMP) check-db
	$(PY) -m tests.mutants $(MUTANTS)

docs: $(STAMP)
	$(RUN_ENV) $(PY) manage.py screening_rules > docs/screening.md

# The engine alone (contract JSON in, result JSON out), on the catalog of a migrated SQLite
# database; nothing is timed against the database.
bench-screening: migrate
	$(RUN_ENV) $(PY) manage.py bench_screening --rounds 7

# The review queue at 100,000 intakes, on a PostgreSQL database of its own (created, migrated
# and seeded on the first run, about 5 minutes; later runs reuse it). Debug off, as served.
bench-queue: $(STAMP)
	DJANGO_DEBUG=false DJANGO_SECRET_KEY=bench-only-secret-key-not-for-production \
		DJANGO_FAST_PASSWORD_HASHER=true DATABASE_URL="$(BENCH_DATABASE_URL)" \
		$(PY) manage.py bench_queue --patients 100000 --runs 30

# The app under load (consultations/booking/management/commands/bench_http.py): gunicorn as
# `make serve` runs it, driven by wrk at 16 connections in interleaved rounds; a fresh database
# with 1,000 intakes and the reused one with 100,000 (seeded on the first run, about 5 minutes).
# Prints one `bench NAME rps=… p50_ms=… p95_ms=… ratio=…` line per endpoint.
BENCH_ARGS ?=
wrk:
	@command -v wrk >/dev/null 2>&1 || { $(call apt_install,wrk); }

bench: $(STAMP) $(MO) wrk
	DJANGO_DEBUG=false DJANGO_SECRET_KEY=bench-only-secret-key-not-for-production \
		DJANGO_FAST_PASSWORD_HASHER=true DATABASE_URL="$(BENCH_DATABASE_URL)" \
		$(PY) manage.py bench_http $(BENCH_ARGS)

# The slot search over a month for 10 practitioners with 4 rooms, about 60 % booked, on the
# same PostgreSQL database (created and migrated if missing; the clinic is set up again and
# the month booked afresh on every run, in seconds).
bench-slots: $(STAMP)
	DJANGO_DEBUG=false DJANGO_SECRET_KEY=bench-only-secret-key-not-for-production \
		DJANGO_FAST_PASSWORD_HASHER=true DATABASE_URL="$(BENCH_DATABASE_URL)" \
		$(PY) manage.py bench_slots --runs 20

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 $(MO)
