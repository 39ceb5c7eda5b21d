"""Transport and browser protections: Django's deployment check passes with production
settings, and every page is served with the headers and cookies that hold them.

A missing or development secret key stopping production is proved in tests/test_settings.py
(`test_without_a_secret_key_...`, `test_the_development_key_is_refused_outside_debug`).
"""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent.parent

pytestmark = pytest.mark.django_db


def production_env(**extra: str) -> dict[str, str]:
    """The environment of a production process: no debug, a real key, a real host."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    db = connection.settings_dict
    return {
        **clean,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "clinic.example.com",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        **extra,
    }


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=production_env(**env),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_the_deployment_check_passes_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deployment_check_would_catch_a_weakened_setting():
    # Proof the check is not vacuous: turning HSTS preload off is a warning, so a failure.
    result = manage("check", "--deploy", "--fail-level", "WARNING", DJANGO_HSTS_PRELOAD="false")
    assert result.returncode != 0
    assert "security.W021" in result.stderr


@pytest.mark.parametrize("key", ["", "dev-only-insecure-key-do-not-use-in-production"])
def test_production_does_not_start_without_a_real_secret_key(key):
    result = manage("check", DJANGO_SECRET_KEY=key)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


# --- The headers and cookies, on real responses ---------------------------------------------


def test_every_response_carries_the_browser_protections(client):
    response = client.get(reverse("patients:login"))
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    csp = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "form-action 'self'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp


def test_plain_http_is_redirected_to_https(db):
    from django.test import Client

    response = Client().get(reverse("patients:login"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_session_and_csrf_cookies_are_secure_and_the_session_is_http_only(client, patient_a):
    page = client.get(reverse("patients:login"))
    csrf = page.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["secure"]
    assert csrf["samesite"] == "Lax"
    response = client.post(
        reverse("patients:login"), {"username": "anna@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"


# --- No inline script or style (the CSP would block it, and it would be a hole if allowed) ---

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"javascript:", re.IGNORECASE)


def assert_no_inline_code(html: str, where: str) -> None:
    for pattern in (INLINE_SCRIPT, INLINE_STYLE, INLINE_HANDLER, JAVASCRIPT_URL):
        match = pattern.search(html)
        assert match is None, f"{where}: {match.group(0)!r}"


PAGES = {
    None: [
        "home",
        "catalog:index",
        "patients:login",
        "patients:register",
        "patients:password_reset",
    ],
    "patient_a": ["intake:home", "booking:mine", "patients:my_data", "patients:account_close"],
    "clinician": ["review:queue", "booking:my_day"],
    "front_desk": ["booking:desk", "booking:calendar", "review:desk_notes"],
}


@pytest.mark.parametrize(
    ("who", "name"), [(who, name) for who, names in PAGES.items() for name in names]
)
def test_the_main_pages_have_no_inline_script_or_style(client, request, who, name):
    if who is not None:
        client.force_login(request.getfixturevalue(who))
    response = client.get(reverse(name))
    assert response.status_code == 200, name
    assert_no_inline_code(response.content.decode(), name)


def test_no_page_template_has_inline_script_or_style():
    # Emails are not pages (no CSP applies; mail clients need inline styles).
    templates = [
        p for p in (ROOT / "templates").rglob("*.html") if "email" not in p.relative_to(ROOT).parts
    ]
    assert templates
    for path in templates:
        assert_no_inline_code(path.read_text(), str(path.relative_to(ROOT)))
