"""Settings fail closed: each case loads clinic.settings in a fresh interpreter."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRINT = (
    "import django.conf as c, clinic.settings as s; "
    "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
    "s.ALLOWED_HOSTS)"
)


def load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.run(  # noqa: S603 - our own interpreter and a fixed snippet
        [sys.executable, "-c", PRINT],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_without_a_secret_key_and_without_debug_the_app_refuses_to_start():
    result = load_settings()
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_the_development_key_is_refused_outside_debug():
    result = load_settings(DJANGO_SECRET_KEY="dev-only-insecure-key-do-not-use-in-production")
    assert result.returncode != 0
    assert "development key" in result.stderr


def test_debug_is_off_and_cookies_secure_unless_asked():
    result = load_settings(DJANGO_SECRET_KEY="s3cret-for-this-test-only-0123456789")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:4] == ["False", "True", "True", "31536000"]
    assert result.stdout.strip().endswith("[]"), "no host is allowed unless configured"


def test_debug_can_be_asked_for_and_then_needs_no_key():
    result = load_settings(DJANGO_DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:4] == ["True", "False", "False", "0"]


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_a_malformed_boolean_is_an_error_naming_the_variable(value):
    result = load_settings(DJANGO_DEBUG=value)
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be one of" in result.stderr


def test_allowed_hosts_come_from_the_environment():
    result = load_settings(
        DJANGO_SECRET_KEY="s3cret-for-this-test-only-0123456789",
        DJANGO_ALLOWED_HOSTS="clinic.example.com, www.clinic.example.com",
    )
    assert "['clinic.example.com', 'www.clinic.example.com']" in result.stdout
