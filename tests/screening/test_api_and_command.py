"""The contract's two doors: POST /api/v1/screenings and `manage.py screen` (SCREENING.md)."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from consultations.screening.models import Screening

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]

EXAMPLE = {
    "date_of_birth": "1990-04-01",
    "treatment_date": "2026-12-01",
    "requests": [{"product": "skinvive", "area": "cheeks", "indication": "skin_quality"}],
    "pregnancy": "no",
    "allergies": "xylocaine - throat swelling at the dentist",
    "anaphylaxis_history": False,
    "multiple_severe_allergies": False,
    "medications": "Eliquis 5mg, fish oil",
    "conditions": ["recurrent_cold_sores"],
    "skin_at_site": {"lips": ["active_cold_sore"]},
    "previous_sessions": [{"product": "kybella", "area": "submental", "date": "2026-11-01"}],
    "isotretinoin_last_taken": None,
    "recent_illness_or_vaccination": False,
}


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def post(client, body, content_type="application/json"):
    return client.post(reverse("screening:api"), data=body, content_type=content_type)


class TestApi:
    def test_the_example_is_screened_and_nothing_is_stored(self, client):
        response = post(client, json.dumps(EXAMPLE))
        assert response.status_code == 200
        result = response.json()
        assert result["outcome"] == "blocked"
        assert result["ruleset"].startswith("2026.11-")
        (request,) = result["requests"]
        assert (request["product"], request["area"], request["outcome"]) == (
            "skinvive",
            "cheeks",
            "blocked",
        )
        first = request["flags"][0]
        assert set(first) == {
            "code",
            "topic",
            "severity",
            "evidence",
            "message",
            "patient_message",
            "source",
        }
        assert first["code"] == "LIDO-AMIDE-BLOCK"
        assert Screening.objects.count() == 0

    def test_needs_no_login_and_no_csrf_token(self, client):
        from django.test import Client

        strict = Client(enforce_csrf_checks=True)
        response = strict.post(
            reverse("screening:api"),
            data=json.dumps(EXAMPLE),
            content_type="application/json",
            secure=True,
        )
        assert response.status_code == 200

    @pytest.mark.parametrize(
        ("body", "says"),
        [
            ("{not json", "not valid JSON"),
            ("[]", "JSON object"),
            (json.dumps({**EXAMPLE, "colour": "blue"}), "colour"),
            (json.dumps({**EXAMPLE, "date_of_birth": "1990-02-30"}), "date_of_birth"),
            (
                json.dumps({**EXAMPLE, "requests": [{"product": "botox", "area": "cheeks"}]}),
                "requests[0].product",
            ),
            (json.dumps({k: v for k, v in EXAMPLE.items() if k != "pregnancy"}), "pregnancy"),
        ],
    )
    def test_bad_input_is_a_400_with_a_json_error(self, client, body, says):
        response = post(client, body)
        assert response.status_code == 400
        error = response.json()["error"]
        assert says in error
        assert "\n" not in error

    def test_only_post_is_allowed(self, client):
        assert client.get(reverse("screening:api")).status_code == 405

    def test_it_is_rate_limited_per_address(self, client, settings):
        settings.SCREENING_API_RATE = "3/m"
        codes = [post(client, json.dumps(EXAMPLE)).status_code for _ in range(5)]
        assert codes == [200, 200, 200, 429, 429]
        limited = post(client, json.dumps(EXAMPLE))
        assert limited["Retry-After"] == "60"
        assert "too many requests" in limited.json()["error"]


class TestCommand:
    def test_a_file_is_screened_to_standard_output(self, tmp_path):
        path = tmp_path / "intake.json"
        path.write_text(json.dumps(EXAMPLE))
        out = io.StringIO()
        call_command("screen", str(path), stdout=out)
        result = json.loads(out.getvalue())
        assert result["outcome"] == "blocked"
        assert Screening.objects.count() == 0


def run_screen(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """The command as a shell runs it, for its exit status (the test database is reused)."""
    from django.db import connection

    settings_env = {
        "DJANGO_SECRET_KEY": "test-only",
        "DATABASE_URL": "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**connection.settings_dict),
        "PATH": "/usr/bin:/bin",
    }
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "screen", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        env=settings_env,
        check=False,
        timeout=60,
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
class TestCommandExitStatus:
    def test_standard_input_is_read_with_a_dash_and_exits_0(self):
        result = run_screen("-", stdin=json.dumps(EXAMPLE))
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["outcome"] == "blocked"

    @pytest.mark.parametrize("stdin", ["{oops", json.dumps({**EXAMPLE, "pregnancy": "maybe"}), ""])
    def test_bad_input_exits_2_with_one_line_on_standard_error(self, stdin):
        result = run_screen("-", stdin=stdin)
        assert result.returncode == 2
        assert result.stdout == ""
        assert len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.stderr

    def test_a_missing_file_exits_2_with_one_line(self):
        result = run_screen("/nonexistent/intake.json")
        assert result.returncode == 2
        assert "cannot read" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
