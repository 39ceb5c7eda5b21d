"""Each protection of docs/security.md, switched off, must make its tests fail.

A *mutant* is the project with one protection removed: a middleware taken out of the stack, a
trigger left out of a migration, an ownership filter dropped, a setting weakened. For every
mutant this runner copies the project into a scratch folder, applies that one change, runs the
tests that claim to hold the protection, and expects them to fail. A mutant whose tests still
pass *survives*: the protection is not really tested, and the run fails.

    make mutants                       # every mutant (about ten minutes)
    make mutants MUTANTS="csp axes"    # some of them, by name
    python -m tests.mutants --list     # what each mutant removes

The mutants run against their own PostgreSQL database (`clinic_mutants`, as the test runner
names it) so they can run beside `make test`. The first step runs every selected test on the
unchanged copy: a test that fails before any change would prove nothing.

`tests/security/test_mutants.py` (part of `make test`) checks that each mutant still applies:
its text occurs exactly once in its file and its tests exist, so this list cannot rot unseen.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# Files whose code ends up in the database schema: the migrations' helpers and the history
# trackers (pgtrigger installs their triggers at migrate).
SCHEMA_FILES = frozenset({"consultations/db.py", "consultations/audit/models.py"})


@dataclass(frozen=True)
class Mutant:
    name: str
    removes: str  # the protection, in the words of docs/security.md
    path: str  # the file changed, relative to the project
    old: str  # text that occurs exactly once in that file
    new: str  # what it becomes
    tests: tuple[str, ...]  # pytest node ids that must fail

    @property
    def changes_the_schema(self) -> bool:
        """Whether the test database must be built afresh: a migration or a history trigger."""
        return "/migrations/" in self.path or self.path in SCHEMA_FILES


def _settings(name: str, removes: str, old: str, new: str, *tests: str) -> Mutant:
    return Mutant(name, removes, "clinic/settings.py", old, new, tests)


AUTH = "tests/security/test_authentication.py"
MATRIX = "tests/security/test_access_matrix.py"
DEPLOY = "tests/security/test_deploy_check.py"
FUZZ = "tests/security/test_fuzz_forms.py"

MUTANTS: tuple[Mutant, ...] = (
    # --- Access control (ASVS V8; HIPAA 164.312(a)(1)) -------------------------------------
    Mutant(
        "own-intake",
        "a patient's own pages fetch only their own intake",
        "consultations/intake/selectors.py",
        "Intake.objects.filter(public_id=_parse(public_id), patient__user=user)",
        "Intake.objects.filter(public_id=_parse(public_id))",
        (f"{MATRIX}::test_every_url_answers_every_role_as_the_matrix_says",),
    ),
    Mutant(
        "booking-scope",
        "a patient sees only their own clearances and appointments",
        "consultations/booking/views/patient.py",
        "    return queryset.filter(patient=patient)\n",
        "    return queryset\n",
        (f"{MATRIX}::test_every_url_answers_every_role_as_the_matrix_says",),
    ),
    Mutant(
        "reviewer-only",
        "only clinicians reach the queue and the cases",
        "consultations/review/selectors.py",
        "if not (user.is_authenticated and user.is_active and user.has_role(Role.CLINICIAN)):",
        "if not user.is_authenticated:",
        (f"{MATRIX}::test_every_url_answers_every_role_as_the_matrix_says",),
    ),
    Mutant(
        "desk-medical-history",
        "the front desk cannot open a case and its medical history",
        "consultations/review/selectors.py",
        "user.has_role(Role.CLINICIAN)):",
        "(user.has_role(Role.CLINICIAN) or user.has_role(Role.FRONT_DESK))):",
        (f"{MATRIX}::test_front_desk_cannot_open_medical_history",),
    ),
    # --- Authentication (ASVS V6; HIPAA 164.312(d)) -----------------------------------------
    _settings(
        "second-factor",
        "staff reach nothing before the second factor",
        '    "consultations.patients.middleware.SecondFactorRequiredMiddleware",\n',
        "",
        f"{AUTH}::test_a_staff_session_without_the_second_factor_reaches_no_page_but_the_code_pages",
    ),
    Mutant(
        "second-factor-new-session",
        "the session gets a new key once the second factor is given",
        "consultations/patients/views_second_factor.py",
        "            request.session.cycle_key()\n            otp_login(request, check.device)",
        "            otp_login(request, check.device)",
        (f"{AUTH}::test_a_staff_login_is_password_then_code_and_each_step_has_a_new_session_key",),
    ),
    _settings(
        "axes",
        "failed logins are throttled per account and address",
        '    "axes.backends.AxesStandaloneBackend",\n',
        "",
        f"{AUTH}::test_the_axes_backend_watches_every_login_first",
        f"{AUTH}::test_five_wrong_passwords_pause_that_account_from_that_address_for_15_minutes",
    ),
    Mutant(
        "axes-case",
        "the login throttle counts Anna@ and anna@ as one account",
        "consultations/patients/security.py",
        "return str(username).strip().lower()",
        "return str(username)",
        (f"{AUTH}::test_five_wrong_passwords_pause_that_account_from_that_address_for_15_minutes",),
    ),
    Mutant(
        "login-rate",
        "one address trying many accounts is held back",
        "consultations/patients/views.py",
        '        if _over_rate(request, "patients:login", settings.LOGIN_RATE_PER_ADDRESS):\n'
        "            return too_many_requests(request)\n",
        "",
        (f"{AUTH}::test_one_address_trying_many_accounts_is_held_back",),
    ),
    Mutant(
        "registration-rate",
        "registration is rate limited",
        "consultations/patients/views.py",
        '    if _over_rate(request, "patients:register", settings.REGISTRATION_RATE):\n'
        "        return too_many_requests(request)\n",
        "",
        (f"{AUTH}::test_registration_is_rate_limited_per_address",),
    ),
    Mutant(
        "password-reset-rate",
        "password reset requests are rate limited per address",
        "consultations/patients/views.py",
        'if _over_rate(request, "patients:password_reset", settings.PASSWORD_RESET_RATE) or (',
        "if (",
        (f"{AUTH}::test_password_reset_is_rate_limited_per_address_and_per_email",),
    ),
    Mutant(
        "api-rate",
        "the public screening API is rate limited",
        "consultations/screening/views.py",
        'if getattr(request, "limited", False):',
        "if False:",
        ("tests/screening/test_api_and_command.py::TestApi::test_it_is_rate_limited_per_address",),
    ),
    _settings(
        "password-min-length",
        "passwords have at least 8 characters",
        '"OPTIONS": {"min_length": 8}',
        '"OPTIONS": {"min_length": 6}',
        f"{AUTH}::test_a_patient_password_needs_8_characters_and_no_composition",
    ),
    _settings(
        "staff-password-length",
        "staff passwords have at least 12 characters",
        '    {\n        "NAME": "consultations.patients.passwords.StaffMinimumLengthValidator",\n'
        '        "OPTIONS": {"min_length": 12},\n    },\n',
        "",
        f"{AUTH}::test_a_staff_password_needs_12_characters_when_the_account_is_created",
        f"{AUTH}::test_an_existing_member_of_staff_cannot_change_to_a_short_password",
    ),
    Mutant(
        "staff-password-before-role",
        "a staff account's password meets the staff minimum before its role exists",
        "consultations/patients/passwords.py",
        '        return user.role_being_created != "patient"\n',
        "        return False\n",
        (f"{AUTH}::test_a_staff_password_needs_12_characters_when_the_account_is_created",),
    ),
    _settings(
        "password-max-length",
        "passwords have at most 128 characters",
        '"OPTIONS": {"max_length": 128}',
        '"OPTIONS": {"max_length": 4096}',
        f"{AUTH}::test_passwords_up_to_128_characters_are_accepted_and_common_ones_refused",
    ),
    _settings(
        "common-passwords",
        "common passwords are refused",
        '    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},\n',
        "",
        f"{AUTH}::test_passwords_up_to_128_characters_are_accepted_and_common_ones_refused",
    ),
    _settings(
        "staff-session-expiry",
        "staff sessions end after 15 minutes idle and 12 hours in all",
        '    "consultations.patients.middleware.StaffSessionExpiryMiddleware",\n',
        "",
        f"{AUTH}::test_a_staff_session_ends_after_15_minutes_idle",
        f"{AUTH}::test_a_staff_session_ends_12_hours_after_login_however_busy",
    ),
    _settings(
        "staff-idle-timeout",
        "the idle limit is 15 minutes",
        "STAFF_SESSION_IDLE_TIMEOUT = timedelta(minutes=15)",
        "STAFF_SESSION_IDLE_TIMEOUT = timedelta(minutes=60)",
        f"{AUTH}::test_a_staff_session_ends_after_15_minutes_idle",
    ),
    Mutant(
        "end-sessions",
        "an admin ends a person's sessions everywhere",
        "consultations/patients/models.py",
        "        if self.sessions_ended_at is None:\n",
        "        if True:\n",
        (
            f"{AUTH}::test_an_admin_ends_a_persons_sessions_everywhere",
            f"{AUTH}::test_ending_sessions_works_with_cached_sessions_too",
        ),
    ),
    Mutant(
        "deactivation-ends-sessions",
        "deactivating an account ends its sessions at once",
        "consultations/patients/backends.py",
        "        if user is None or not self.user_can_authenticate(user):\n",
        "        if user is None:\n",
        (f"{AUTH}::test_deactivating_an_account_ends_its_sessions_at_once",),
    ),
    _settings(
        "reset-link-lifetime",
        "a password-reset link works for one hour",
        "PASSWORD_RESET_TIMEOUT = 60 * 60",
        "PASSWORD_RESET_TIMEOUT = 3 * 24 * 60 * 60",
        f"{AUTH}::test_a_password_reset_is_announced_by_email_and_its_link_lasts_one_hour",
    ),
    Mutant(
        "password-change-announced",
        "a changed password is announced to the account's email address",
        "consultations/patients/services.py",
        "    transaction.on_commit(send)\n",
        "",
        (
            f"{AUTH}::test_changing_a_password_logs_out_other_devices_keeps_this_one_and_emails_the_person",
            f"{AUTH}::test_a_password_reset_is_announced_by_email_and_its_link_lasts_one_hour",
        ),
    ),
    _settings(
        "failed-logins-logged",
        "failed login attempts are logged",
        "AXES_ENABLE_ACCESS_FAILURE_LOG = True",
        "AXES_ENABLE_ACCESS_FAILURE_LOG = False",
        f"{AUTH}::test_logins_and_failed_attempts_are_logged_with_time_and_address",
    ),
    # --- Audit (ASVS V16; HIPAA 164.312(b)) -------------------------------------------------
    Mutant(
        "history-of-updates",
        "every update of patient data is recorded by a trigger, bulk updates too",
        "consultations/audit/models.py",
        "        pghistory.UpdateEvent(),\n",
        "",
        (
            "tests/audit/test_change_history.py::test_a_bulk_update_of_a_draft_is_recorded_with_the_requests_user",
        ),
    ),
    Mutant(
        "history-context",
        "each change is recorded with the signed-in user and address",
        "clinic/settings.py",
        '    "consultations.audit.middleware.AuditContextMiddleware",\n',
        "",
        (
            "tests/audit/test_change_history.py::test_a_change_through_a_page_carries_the_signed_in_user_and_address",
        ),
    ),
    Mutant(
        "access-event-case",
        "a clinician opening a case is an access event",
        "consultations/review/views/decision.py",
        '    record_access(request, case.patient, "review case")\n',
        "",
        ("tests/audit/test_record_access.py::test_a_clinician_opening_a_case_is_recorded",),
    ),
    Mutant(
        "access-event-desk",
        "the front desk opening a patient's page is an access event",
        "consultations/booking/views/desk.py",
        '    record_access(request, patient, "desk record")\n',
        "",
        (
            "tests/audit/test_record_access.py::test_the_front_desk_opening_a_patient_page_is_recorded_as_the_desk_record",
        ),
    ),
    Mutant(
        "access-event-admin",
        "an admin opening a patient in the admin is an access event",
        "consultations/patients/admin.py",
        '            record_access(request, patient, "admin patient record")\n',
        "            pass\n",
        (
            "tests/audit/test_record_access.py::test_an_admin_opening_a_patient_in_the_admin_is_recorded",
        ),
    ),
    Mutant(
        "audit-append-only",
        "the audit tables refuse UPDATE and DELETE",
        "consultations/audit/migrations/0002_audit_is_append_only.py",
        "operations = [append_only(table) for table in AUDIT_TABLES]",
        "operations = []",
        (
            "tests/audit/test_append_only.py::test_an_access_event_cannot_be_changed",
            "tests/audit/test_append_only.py::test_every_change_history_table_refuses_updates_and_deletes",
        ),
    ),
    Mutant(
        "append-only-passes-rewrites-only",
        "an append-only table lets through only a byte-identical rewrite",
        "consultations/db.py",
        "IF TG_OP = 'UPDATE' AND NEW IS NOT DISTINCT FROM OLD THEN RETURN NEW; END IF;",
        "IF TG_OP = 'UPDATE' THEN RETURN NEW; END IF;",
        ("tests/audit/test_append_only.py::test_an_access_event_cannot_be_changed",),
    ),
    # --- Integrity (HIPAA 164.312(c)(1)) and the clearance gate -------------------------------
    Mutant(
        "submitted-intake-immutable",
        "a submitted intake is never changed (PostgreSQL trigger)",
        "consultations/intake/migrations/0003_immutability_triggers.py",
        "    IF OLD.status = 'submitted' THEN\n",
        "    IF false THEN\n",
        (
            "tests/intake/test_models.py::TestImmutabilityTriggers::test_updating_a_submitted_intake_is_refused",
        ),
    ),
    Mutant(
        "decisions-append-only",
        "decisions are never edited or deleted (PostgreSQL trigger)",
        "consultations/review/migrations/0002_decisions_and_clearances_are_evidence.py",
        'operations = [append_only("review_decision"), CLEARANCE_GUARD]',
        "operations = [CLEARANCE_GUARD]",
        ("tests/review/test_services.py::test_a_decision_cannot_be_edited_or_deleted",),
    ),
    Mutant(
        "clearance-guard",
        "a clearance is never edited or deleted, only revoked or first used (trigger)",
        "consultations/review/migrations/0002_decisions_and_clearances_are_evidence.py",
        "        IF TG_OP = 'DELETE' THEN\n",
        "        IF false THEN\n",
        ("tests/review/test_services.py::test_a_clearance_is_only_ever_revoked_or_first_used",),
    ),
    Mutant(
        "override-check",
        "an override is a clearance with a written justification (database check)",
        "consultations/review/migrations/0001_initial.py",
        '("is_override", False),\n',
        '("is_override", False),\n                    ("is_override", True),\n',
        ("tests/review/test_services.py::test_the_database_refuses_an_unjustified_override",),
    ),
    Mutant(
        "clearance-gate-trigger",
        "PostgreSQL refuses an appointment under a revoked clearance, whatever the path",
        "consultations/booking/migrations/0002_the_clearance_gate_and_no_double_booking.py",
        "        IF c.revoked_at IS NOT NULL THEN\n",
        "        IF false THEN\n",
        (
            "tests/booking/test_admin_gate.py::test_the_database_refuses_an_appointment_under_a_revoked_clearance",
        ),
    ),
    # --- Transport and browser (ASVS V3, V12; HIPAA 164.312(e)(1)) --------------------------
    _settings(
        "csp",
        "Django's Content Security Policy is sent",
        '    "django.middleware.csp.ContentSecurityPolicyMiddleware",\n',
        "",
        f"{DEPLOY}::test_every_response_carries_the_browser_protections",
    ),
    _settings(
        "csp-inline-script",
        "the policy allows no inline script",
        '    "script-src": ["\'self\'"],',
        '    "script-src": ["\'self\'", "\'unsafe-inline\'"],',
        f"{DEPLOY}::test_every_response_carries_the_browser_protections",
    ),
    _settings(
        "frame-denial",
        "pages cannot be framed",
        '    "django.middleware.clickjacking.XFrameOptionsMiddleware",\n',
        "",
        f"{DEPLOY}::test_every_response_carries_the_browser_protections",
    ),
    _settings(
        "referrer-policy",
        "a same-origin referrer policy",
        'SECURE_REFERRER_POLICY = "same-origin"',
        'SECURE_REFERRER_POLICY = "unsafe-url"',
        f"{DEPLOY}::test_every_response_carries_the_browser_protections",
    ),
    _settings(
        "session-cookie-httponly",
        "the session cookie is HttpOnly",
        "SESSION_COOKIE_HTTPONLY = True",
        "SESSION_COOKIE_HTTPONLY = False",
        f"{DEPLOY}::test_session_and_csrf_cookies_are_secure_and_the_session_is_http_only",
    ),
    _settings(
        "secure-cookies",
        "cookies are secure unless debugging",
        'SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=not DEBUG)',
        'SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=False)',
        f"{DEPLOY}::test_session_and_csrf_cookies_are_secure_and_the_session_is_http_only",
        "tests/test_settings.py::test_debug_is_off_and_cookies_secure_unless_asked",
    ),
    _settings(
        "hsts",
        "HSTS for a year in production",
        'SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31_536_000)',
        'SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0)',
        f"{DEPLOY}::test_the_deployment_check_passes_with_production_settings",
    ),
    _settings(
        "https-redirect",
        "plain HTTP is redirected to HTTPS",
        'SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)',
        'SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=False)',
        f"{DEPLOY}::test_plain_http_is_redirected_to_https",
    ),
    _settings(
        "no-store",
        "pages for a signed-in person are never stored by the browser",
        '    "consultations.patients.middleware.PrivatePagesMiddleware",\n',
        "",
        f"{AUTH}::test_a_signed_in_page_is_never_stored_by_the_browser",
    ),
    # --- Bad input (ASVS V1, V2, V5) -------------------------------------------------------
    _settings(
        "body-limit",
        "request bodies over 1 MB are refused",
        "DATA_UPLOAD_MAX_MEMORY_SIZE = 1_048_576",
        "DATA_UPLOAD_MAX_MEMORY_SIZE = None",
        f"{FUZZ}::test_body_limits_are_set_explicitly",
        f"{FUZZ}::test_an_oversized_body_is_refused",
    ),
    Mutant(
        "calendar-date-range",
        "the calendar refuses dates a week's arithmetic cannot reach (found by the fuzzer)",
        "consultations/booking/views/calendar.py",
        "not dt.date(1900, 1, 1) <= day <= dt.date(2999, 12, 31)",
        "not dt.date(1, 1, 1) <= day <= dt.date(9999, 12, 31)",
        ("tests/booking/test_calendar.py::test_a_date_at_the_ends_of_time_shows_today_instead",),
    ),
    # --- Patients' rights -----------------------------------------------------------------
    Mutant(
        "export-intakes",
        "the patient's download holds every intake",
        "consultations/patients/data_export.py",
        '        "intakes": [_intake(intake) for intake in intakes],',
        '        "intakes": [],',
        ("tests/patients/test_rights.py::test_the_patient_sees_all_their_data_on_one_page",),
    ),
    Mutant(
        "closure-detaches",
        "closing an account detaches the retained records from the login",
        "consultations/patients/services.py",
        '    patient.user = None\n    patient.save(update_fields=["user"])\n',
        "",
        (
            "tests/patients/test_rights.py::test_closing_detaches_the_records_cancels_bookings_and_logs_out",
        ),
    ),
    # --- Secrets (ASVS V13) ---------------------------------------------------------------
    _settings(
        "dev-secret-refused",
        "production refuses the development secret key",
        "elif SECRET_KEY == _DEV_SECRET_KEY and not DEBUG:",
        "elif False:",
        "tests/test_settings.py::test_the_development_key_is_refused_outside_debug",
    ),
    _settings(
        "missing-secret-refused",
        "production refuses to start without a secret key",
        "    if not DEBUG:\n        raise ImproperlyConfigured(\n",
        "    if False:\n        raise ImproperlyConfigured(\n",
        "tests/test_settings.py::test_without_a_secret_key_and_without_debug_the_app_refuses_to_start",
    ),
)


# --- Running them ---------------------------------------------------------------------------


def _environment() -> dict[str, str]:
    base = os.environ.get(
        "MUTANTS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clinic_mutants"
    )
    return {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "mutants-only-secret-key-not-for-production",
        "DJANGO_FAST_PASSWORD_HASHER": "true",
        "DJANGO_STATIC_MANIFEST": "false",
        "DATABASE_URL": base,
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def _copy_project(into: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],  # noqa: S607
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    for raw in listed:
        if not raw:
            continue
        relative = Path(raw.decode())
        source = ROOT / relative
        if not source.is_file():
            continue
        target = into / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def _pytest(
    project: Path, tests: tuple[str, ...], *, fresh_database: bool
) -> subprocess.CompletedProcess[str]:
    database = "--create-db" if fresh_database else "--reuse-db"
    return subprocess.run(  # noqa: S603 - this interpreter's pytest on our own test ids
        [sys.executable, "-m", "pytest", "-q", "-x", database, *tests],
        cwd=project,
        env=_environment(),
        capture_output=True,
        text=True,
        check=False,
    )


# Only a test that ran and failed counts: an ERROR is a crash in its set-up (a mutant that broke
# a migration, say), which proves nothing about the protection.
FAILED = re.compile(r"^FAILED (\S+)", re.MULTILINE)


def _failures(output: str) -> list[str]:
    """The node ids pytest's summary names as failed."""
    return FAILED.findall(output)


def _names_a_test_of(mutant: Mutant, failed: list[str]) -> bool:
    """Whether a failure is one of the mutant's own tests (not a crash before any test ran)."""
    bases = {node.split("[", 1)[0] for node in failed}
    return any(
        base == test or base.startswith(test + "::") for base in bases for test in mutant.tests
    )


def run(selected: tuple[Mutant, ...]) -> int:
    with tempfile.TemporaryDirectory(prefix="clinic-mutants-") as scratch:
        project = Path(scratch)
        _copy_project(project)
        every_test = tuple(dict.fromkeys(t for m in selected for t in m.tests))
        print(f"Unchanged copy: {len(every_test)} tests must pass first ...", flush=True)
        baseline = _pytest(project, every_test, fresh_database=True)
        if baseline.returncode != 0:
            print(baseline.stdout[-4000:], baseline.stderr[-2000:], sep="\n")
            print("The tests fail before any change: fix them first.")
            return 2

        rows: list[tuple[str, str, str, float]] = []
        # The baseline's database serves every mutant that leaves the schema alone; those that
        # change it come last, each building its own, so none inherits another's schema.
        for mutant in sorted(selected, key=lambda m: m.changes_the_schema):
            path = project / mutant.path
            original = path.read_text()
            if original.count(mutant.old) != 1:
                rows.append((mutant.name, "DOES NOT APPLY", mutant.path, 0.0))
                continue
            path.write_text(original.replace(mutant.old, mutant.new))
            started = time.monotonic()
            try:
                result = _pytest(project, mutant.tests, fresh_database=mutant.changes_the_schema)
            finally:
                path.write_text(original)
            took = time.monotonic() - started
            failed = _failures(result.stdout)
            if result.returncode == 1 and _names_a_test_of(mutant, failed):
                verdict, detail = "killed", failed[0].split("::", 1)[-1][:90]
            elif result.returncode == 0:
                verdict, detail = "SURVIVED", "every test passed without the protection"
            else:
                verdict = f"ERROR (pytest exit {result.returncode})"
                detail = (result.stdout + result.stderr).strip().splitlines()[-1:][0][:90]
            rows.append((mutant.name, verdict, detail, took))
            print(f"{mutant.name:34} {verdict:10} {took:5.1f} s  {detail}", flush=True)

    killed = sum(1 for _name, verdict, _detail, _took in rows if verdict == "killed")
    print(f"\n{killed} of {len(rows)} mutants killed.")
    for name, verdict, detail, _took in rows:
        if verdict != "killed":
            print(f"  {name}: {verdict} — {detail}")
    return 0 if killed == len(rows) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("names", nargs="*", help="mutants to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    args = parser.parse_args(argv)
    by_name = {m.name: m for m in MUTANTS}
    unknown = [n for n in args.names if n not in by_name]
    if unknown:
        parser.error(f"no mutant named {', '.join(unknown)}; see --list")
    if args.list:
        for m in MUTANTS:
            print(f"{m.name:34} {m.removes}")
        return 0
    return run(tuple(by_name[n] for n in args.names) if args.names else MUTANTS)


if __name__ == "__main__":
    sys.exit(main())
