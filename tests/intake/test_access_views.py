"""Who may open the intake pages, and the account pages that lead to them."""

import re
import uuid
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from consultations.intake.models import Intake
from consultations.patients.models import Patient, Role, User
from tests.conftest import HttpsClient
from tests.intake.helpers import (
    STEP_ORDER,
    complete_intake,
    detail_url,
    form_values,
    review_url,
    start_intake,
    step_url,
    submit_url,
    valid_answers,
)

# Some tests ask for their users with request.getfixturevalue, which pytest-django cannot
# see when it orders the run: marked here, they run with the database tests, before any
# transactional test flushes the role groups away.
pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-long-passphrase-2027"


def logged_in(user: User) -> Client:
    browser = HttpsClient()
    browser.force_login(user)
    return browser


@pytest.fixture
def anna_signed_draft(patient_a: User) -> Intake:
    """Patient A's draft with every step answered and the consent signed: one click from sent."""
    anna = logged_in(patient_a)
    intake, _ = start_intake(anna)
    complete_intake(anna, intake)
    return intake


def everything_about(intake: Intake) -> dict[str, Any]:
    """The intake row and all its answer rows, to show that nothing changed."""
    return {
        "intake": Intake.objects.filter(pk=intake.pk).values().get(),
        "requests": list(intake.requests.values()),
        "skin": list(intake.skin_checks.values()),
        "previous": list(intake.previous_treatments.values()),
    }


def intake_urls(intake: Intake) -> list[tuple[str, str, dict[str, Any]]]:
    """Every URL of one intake, with the method and data a patient would send."""
    urls = [("get", detail_url(intake), {}), ("get", review_url(intake), {})]
    for step in STEP_ORDER:
        urls.append(("get", step_url(intake, step), {}))
        urls.append(("post", step_url(intake, step), {**valid_answers(step), "action": "next"}))
    urls.append(("post", submit_url(intake), {}))
    return urls


# Anonymous visitors


@pytest.mark.parametrize(
    ("method", "url_name", "step"),
    [
        ("get", "intake:home", None),
        ("post", "intake:start", None),
        ("get", "intake:detail", None),
        ("get", "intake:review", None),
        ("post", "review:submit_intake", None),
        ("get", "intake:step", "about"),
        ("post", "intake:step", "about"),
        ("get", "intake:step", "consent"),
    ],
)
def test_anonymous_visitors_are_sent_to_log_in_from_every_intake_url(
    client: Client, anna_signed_draft: Intake, method: str, url_name: str, step: str | None
) -> None:
    kwargs: dict[str, Any] = {}
    if url_name not in {"intake:home", "intake:start"}:
        kwargs["public_id"] = anna_signed_draft.public_id
    if step:
        kwargs["step"] = step
    url = reverse(url_name, kwargs=kwargs)
    before = everything_about(anna_signed_draft)
    data = valid_answers(step) if step and method == "post" else {}

    response = getattr(client, method)(url, data)

    assert response.status_code == 302
    assert response.url == f"{reverse('patients:login')}?next={url}"
    assert everything_about(anna_signed_draft) == before


# Another patient


def test_patient_b_gets_404_for_every_url_of_patient_a_intake(
    patient_b: User, anna_signed_draft: Intake
) -> None:
    binh = logged_in(patient_b)
    before = everything_about(anna_signed_draft)

    for method, url, data in intake_urls(anna_signed_draft):
        response = getattr(binh, method)(url, data)
        assert (method, url, response.status_code) == (method, url, 404)

    assert everything_about(anna_signed_draft) == before
    assert not Intake.objects.filter(patient__user=patient_b).exists()


def test_patient_b_cannot_open_patient_a_submitted_intake(
    patient_a: User, patient_b: User, anna_signed_draft: Intake
) -> None:
    logged_in(patient_a).post(submit_url(anna_signed_draft))
    binh = logged_in(patient_b)

    assert binh.get(detail_url(anna_signed_draft)).status_code == 404
    assert binh.get(review_url(anna_signed_draft)).status_code == 404
    assert binh.get(step_url(anna_signed_draft, "about")).status_code == 404


def test_patient_b_starting_an_intake_gets_their_own_draft(
    patient_b: User, anna_signed_draft: Intake
) -> None:
    binh = logged_in(patient_b)

    started = binh.post(reverse("intake:start"))

    own = Intake.objects.get(patient__user=patient_b)
    assert started.url == step_url(own, "treatments")
    assert own.public_id != anna_signed_draft.public_id
    home = binh.get(reverse("intake:home")).content.decode()
    assert str(anna_signed_draft.public_id) not in home
    assert str(own.public_id) in home


@pytest.mark.parametrize(
    "path",
    [
        "/intake/not-a-uuid/",
        "/intake/not-a-uuid/about/",
        "/intake/12345678-1234-1234-1234-12345678/check/",
        "/intake/{public_id}x/",
        "/intake/{unknown}/",
        "/intake/{unknown}/about/",
        "/intake/{public_id}/no-such-step/",
    ],
)
def test_a_malformed_or_unknown_intake_id_is_not_found(
    patient_a: User, anna_signed_draft: Intake, path: str
) -> None:
    url = path.format(public_id=anna_signed_draft.public_id, unknown=uuid.uuid4())

    assert logged_in(patient_a).get(url).status_code == 404


# Clinic staff are not patients


@pytest.mark.django_db
@pytest.mark.parametrize("staff", ["clinician", "front_desk", "admin_user"])
def test_staff_have_no_intake_of_their_own(request: pytest.FixtureRequest, staff: str) -> None:
    member = logged_in(request.getfixturevalue(staff))

    assert member.get(reverse("intake:home")).status_code == 404
    assert member.post(reverse("intake:start")).status_code == 404
    assert not Intake.objects.exists()


@pytest.mark.parametrize("staff", ["clinician", "front_desk", "admin_user"])
def test_staff_cannot_open_a_patients_wizard(
    request: pytest.FixtureRequest, staff: str, anna_signed_draft: Intake
) -> None:
    member = logged_in(request.getfixturevalue(staff))
    before = everything_about(anna_signed_draft)

    for method, url, data in intake_urls(anna_signed_draft):
        response = getattr(member, method)(url, data)
        assert (method, url, response.status_code) == (method, url, 404)

    assert everything_about(anna_signed_draft) == before


# Public identifiers only


def test_intake_urls_carry_the_public_id_and_never_the_sequential_id(
    patient_a: User,
) -> None:
    anna = logged_in(patient_a)

    draft, started = start_intake(anna)

    assert started.url == f"/intake/{draft.public_id}/treatments/"
    assert f"/{draft.pk}/" not in started.url
    for page in (reverse("intake:home"), review_url(draft), step_url(draft, "treatments")):
        html = anna.get(page).content.decode()
        assert str(draft.public_id) in html
        assert not re.findall(r"/intake/\d+/", html)
    assert anna.get(f"/intake/{draft.pk}/").status_code == 404
    assert anna.get(f"/intake/{draft.pk}/treatments/").status_code == 404


# Registration


def register(client: Client, **overrides: str):  # type: ignore[no-untyped-def]
    data = {
        "full_name": "Chi Vo",
        "email": "chi@example.com",
        "password1": "a-long-test-passphrase-2026",
        "password2": "a-long-test-passphrase-2026",
        **overrides,
    }
    return client.post(reverse("patients:register"), data)


def test_registering_logs_in_a_new_patient(client: Client, db: None) -> None:
    response = register(client, email="Chi@Example.com")

    assert response.status_code == 302
    assert response.url == reverse("intake:home")
    user = User.objects.get(email="chi@example.com")
    assert int(client.session["_auth_user_id"]) == user.pk
    assert list(user.groups.values_list("name", flat=True)) == [Role.PATIENT]
    assert Patient.objects.get(user=user).full_name == "Chi Vo"
    assert client.get(reverse("intake:home")).status_code == 200


def test_an_email_already_registered_in_another_case_is_refused_clearly(
    client: Client, patient_a: User
) -> None:
    response = register(client, full_name="Anna Other", email="ANNA@Example.com")

    assert response.status_code == 200
    assert "An account with this email address already exists." in response.content.decode()
    typed = form_values(response, having="email")
    assert typed["full_name"] == ["Anna Other"]
    assert typed["email"] == ["ANNA@Example.com"]
    assert User.objects.filter(email__iexact="anna@example.com").count() == 1
    assert "_auth_user_id" not in client.session


def test_mismatched_passwords_are_refused(client: Client, db: None) -> None:
    response = register(client, password2="a-long-test-passphrase-2025")

    assert response.status_code == 200
    assert "The two passwords are not the same." in response.content.decode()
    assert form_values(response, having="email")["email"] == ["chi@example.com"]
    assert not User.objects.filter(email="chi@example.com").exists()


def test_a_common_password_is_refused(client: Client, db: None) -> None:
    response = register(client, password1="password123", password2="password123")

    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
    assert not User.objects.filter(email="chi@example.com").exists()


# Logging in


def test_patients_log_in_with_their_email_in_any_case(
    client: Client, patient_a: User, password: str
) -> None:
    response = client.post(
        reverse("patients:login"), {"username": "ANNA@Example.COM", "password": password}
    )

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == patient_a.pk


def test_logging_in_never_redirects_to_another_site(
    client: Client, patient_a: User, password: str
) -> None:
    response = client.post(
        reverse("patients:login") + "?next=https://evil.example/intake/",
        {"username": "anna@example.com", "password": password},
    )

    assert response.status_code == 302
    assert response.url == reverse("home")


def test_a_wrong_password_does_not_log_in(client: Client, patient_a: User) -> None:
    response = client.post(
        reverse("patients:login"), {"username": "anna@example.com", "password": "not-it-at-all"}
    )

    assert response.status_code == 200
    assert "That email address and password do not match an account." in (response.content.decode())
    assert "_auth_user_id" not in client.session


# Password reset


def test_a_password_reset_email_has_a_link_that_sets_a_new_password(
    client: Client, patient_a: User, password: str
) -> None:
    asked = client.post(reverse("patients:password_reset"), {"email": "Anna@Example.com"})

    assert asked.url == reverse("patients:password_reset_done")
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["anna@example.com"]
    assert email.subject == "Choose a new password for your clinic account"
    link = re.search(r"https://testserver(/accounts/reset/\S+/\S+/)", email.body)
    assert link is not None

    opened = client.get(link.group(1), follow=True)
    assert "Choose a new password" in opened.content.decode()
    set_password_url = opened.redirect_chain[-1][0]
    saved = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert saved.url == reverse("patients:password_reset_complete")
    assert HttpsClient().login(username="anna@example.com", password=NEW_PASSWORD)
    assert not HttpsClient().login(username="anna@example.com", password=password)
    used_again = client.get(link.group(1), follow=True).content.decode()
    assert "This link no longer works" in used_again


def test_a_password_reset_for_an_unknown_email_sends_nothing_but_looks_the_same(
    client: Client, patient_a: User
) -> None:
    known = client.post(reverse("patients:password_reset"), {"email": "anna@example.com"})
    mail.outbox.clear()

    unknown = client.post(
        reverse("patients:password_reset"), {"email": "nobody@example.com"}, follow=True
    )

    assert unknown.redirect_chain == [(known.url, 302)]
    assert "If an account exists for that address, we have sent a link" in (
        unknown.content.decode()
    )
    assert mail.outbox == []
