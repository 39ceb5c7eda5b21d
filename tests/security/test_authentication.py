"""Authentication (issue 6, ASVS V6/V7): second factor, login throttling, passwords, sessions.

Each test names the protection it holds and fails if that protection is taken away. Staff
sessions here are logged in with `second_factor=False` where the point is the second factor
itself; elsewhere the shared client's login includes it (tests/conftest.py).
"""

import datetime as dt
import re
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY, password_validation
from django.contrib.auth.forms import SetPasswordForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from consultations.patients.admin import StaffMemberCreationForm
from consultations.patients.models import Role, User
from consultations.patients.second_factor import recovery_codes_replace
from consultations.patients.services import patient_register, staff_member_create
from tests.conftest import PASSWORD, HttpsClient

# Some tests ask for their users with request.getfixturevalue, which pytest-django cannot
# see when it orders the run: marked here, they run with the database tests, before any
# transactional test flushes the role groups away.
pytestmark = pytest.mark.django_db

LOGIN = reverse("patients:login")
VERIFY = reverse("patients:second_factor_verify")
SETUP = reverse("patients:second_factor_setup")
QR = reverse("patients:second_factor_qr")
RECOVERY = reverse("patients:recovery_codes")
STAFF = ("clinician", "front_desk", "admin_user")


@pytest.fixture(autouse=True)
def _fresh_rate_counters() -> Any:
    # django-ratelimit counts in the cache, which outlives a test's database transaction.
    cache.clear()
    yield
    cache.clear()


def code_of(device: TOTPDevice, at: dt.datetime | None = None) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if at is not None:
        totp.time = at.timestamp()
    return f"{totp.token():06d}"


def confirmed_app(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def log_in(client: HttpsClient, email: str, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post(LOGIN, {"username": email, "password": password}, **extra)


# --- The second factor -------------------------------------------------------------------


def _project_paths() -> list[str]:
    """One concrete path per URL pattern of the project, placeholders filled with a UUID."""
    paths = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            route = str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + route)
            elif isinstance(pattern, URLPattern):
                path = prefix + route
                path = re.sub(r"<uuid:\w+>|<str:\w+>|<slug:\w+>|<\w+>", "3fa85f64-5717", path)
                path = re.sub(r"<int:\w+>|<path:\w+>", "1", path)
                if "(" in path or "^" in path or "\\" in path:
                    continue  # the admin's regular-expression patterns: covered by /admin/ below
                paths.append("/" + path)

    walk(get_resolver().url_patterns, "")
    return sorted(set(paths))


ALLOWED_UNVERIFIED = {LOGIN, reverse("patients:logout"), VERIFY, SETUP, QR, "/i18n/setlang/"}


@pytest.mark.parametrize("role", STAFF)
def test_a_staff_session_without_the_second_factor_reaches_no_page_but_the_code_pages(
    request: pytest.FixtureRequest, client: HttpsClient, role: str
) -> None:
    user = request.getfixturevalue(role)
    confirmed_app(user)
    client.force_login(user, second_factor=False)
    paths = _project_paths()
    assert {"/review/", "/admin/"} <= set(paths)
    for path in paths:
        if path in ALLOWED_UNVERIFIED:
            continue
        for method in (client.get, client.post):
            response = method(path)
            assert response.status_code == 302, (method.__name__, path, response.status_code)
            assert response["Location"].startswith(VERIFY), (path, response["Location"])


def test_staff_without_an_app_are_sent_to_set_one_up(client: HttpsClient, clinician: User) -> None:
    client.force_login(clinician, second_factor=False)
    response = client.get(reverse("review:queue"), follow=True)
    assert response.redirect_chain[-1][0].startswith(SETUP)


def test_a_patient_is_not_asked_for_a_second_factor(client: HttpsClient, patient_a: User) -> None:
    log_in(client, patient_a.email)
    assert client.get(reverse("intake:home")).status_code == 200


def test_a_staff_login_is_password_then_code_and_each_step_has_a_new_session_key(
    client: HttpsClient, clinician: User
) -> None:
    device = confirmed_app(clinician)
    client.get(LOGIN)
    anonymous_key = client.session.session_key

    response = log_in(client, clinician.email)
    assert response.status_code == 302
    password_key = client.session.session_key
    assert password_key != anonymous_key  # a new session at login (fixation)
    assert client.get(reverse("review:queue"))["Location"].startswith(VERIFY)

    wrong = client.post(VERIFY, {"code": "000000" if code_of(device) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert "not right" in wrong.content.decode()

    device.refresh_from_db()
    device.throttle_reset()
    response = client.post(VERIFY, {"code": code_of(device), "next": reverse("review:queue")})
    assert response["Location"] == reverse("review:queue")
    assert client.session.session_key != password_key
    assert client.get(reverse("review:queue")).status_code == 200


def test_first_login_sets_up_the_app_with_a_qr_image_and_shows_ten_codes_once(
    client: HttpsClient, front_desk: User
) -> None:
    log_in(client, front_desk.email)
    page = client.get(SETUP)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'src="{QR}"' in html
    assert not re.search(r"<script>|style=", html)  # the CSP forbids inline code
    device = TOTPDevice.objects.get(user=front_desk, confirmed=False)
    shown_key = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    from base64 import b32encode

    assert shown_key == b32encode(device.bin_key).decode()

    qr = client.get(QR)
    assert qr["Content-Type"] == "image/svg+xml"
    assert qr.content.lstrip().startswith(b"<?xml") or b"<svg" in qr.content[:200]
    assert b"<script" not in qr.content

    response = client.post(SETUP, {"code": code_of(device)})
    assert response["Location"] == RECOVERY
    codes_page = client.get(RECOVERY).content.decode()
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", codes_page)
    assert len(codes) == 10
    assert set(codes) == set(
        StaticToken.objects.filter(device__user=front_desk).values_list("token", flat=True)
    )
    assert not re.findall(r"<li>([a-z2-7]{8})</li>", client.get(RECOVERY).content.decode())
    assert client.get(reverse("booking:desk")).status_code == 200
    # Set up: the QR code is not served again.
    assert client.get(QR).status_code == 404


def test_the_qr_code_is_only_for_staff_setting_up(client: HttpsClient, patient_a: User) -> None:
    assert client.get(QR).status_code == 404
    client.force_login(patient_a)
    assert client.get(QR).status_code == 404
    assert client.get(SETUP).status_code == 404


def test_a_recovery_code_logs_in_once(client: HttpsClient, clinician: User) -> None:
    confirmed_app(clinician)
    codes = recovery_codes_replace(user=clinician)
    log_in(client, clinician.email)
    response = client.post(VERIFY, {"code": codes[0].upper()})
    assert response.status_code == 302
    assert client.get(reverse("review:queue")).status_code == 200

    other = HttpsClient()
    log_in(other, clinician.email)
    again = other.post(VERIFY, {"code": codes[0]})
    assert again.status_code == 200
    assert other.get(reverse("review:queue"))["Location"].startswith(VERIFY)


def test_wrong_codes_slow_down_guessing(client: HttpsClient, clinician: User) -> None:
    device = confirmed_app(clinician)
    log_in(client, clinician.email)
    for _ in range(3):
        client.post(VERIFY, {"code": "12345"})  # not even a six-digit shape
        client.post(VERIFY, {"code": "999999" if code_of(device) != "999999" else "888888"})
    response = client.post(VERIFY, {"code": code_of(device)})
    assert response.status_code == 200
    assert "Too many wrong codes" in response.content.decode()
    assert client.get(reverse("review:queue"))["Location"].startswith(VERIFY)


def test_a_verified_member_of_staff_can_replace_the_recovery_codes(
    client: HttpsClient, clinician: User
) -> None:
    old = recovery_codes_replace(user=clinician)
    client.force_login(clinician)
    client.post(RECOVERY)
    new = re.findall(r"<li>([a-z2-7]{8})</li>", client.get(RECOVERY).content.decode())
    assert len(new) == 10
    assert not set(new) & set(old)


# --- Throttling failed logins -------------------------------------------------------------


def test_the_axes_backend_watches_every_login_first() -> None:
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert "axes.middleware.AxesMiddleware" in settings.MIDDLEWARE


def test_five_wrong_passwords_pause_that_account_from_that_address_for_15_minutes(
    client: HttpsClient, patient_a: User, time_machine: Any
) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, patient_a.email, "wrong-password-1").status_code == 200
    assert log_in(client, patient_a.email, "wrong-password-1").status_code == 429  # the fifth
    locked = log_in(client, patient_a.email)  # now even the right password
    assert locked.status_code == 429
    assert "Too many attempts" in locked.content.decode()
    assert "<!doctype html>" in locked.content.decode()  # the page, not a bare message
    assert SESSION_KEY not in client.session

    # A different spelling of the address is the same account.
    assert log_in(client, patient_a.email.upper()).status_code == 429
    # The real user, elsewhere, is not locked out by the attacker.
    assert log_in(HttpsClient(), patient_a.email, REMOTE_ADDR="10.1.2.3").status_code == 302

    time_machine.shift(dt.timedelta(minutes=16))
    assert log_in(client, patient_a.email).status_code == 302


def test_a_successful_login_resets_the_failure_count(client: HttpsClient, patient_a: User) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, patient_a.email, "wrong-password-1")
    assert log_in(client, patient_a.email).status_code == 302
    client.post(reverse("patients:logout"))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, patient_a.email, "wrong-password-1")
    assert log_in(client, patient_a.email).status_code == 302


def test_one_address_trying_many_accounts_is_held_back(
    client: HttpsClient, settings: Any, db: None
) -> None:
    settings.LOGIN_RATE_PER_ADDRESS = "3/10m"
    for number in range(3):
        assert log_in(client, f"guess{number}@example.com", "x").status_code == 200
    response = log_in(client, "guess9@example.com", "x")
    assert response.status_code == 429
    assert "Please wait a little" in response.content.decode()


def test_registration_is_rate_limited_per_address(client: HttpsClient, settings: Any, db: None):
    settings.REGISTRATION_RATE = "2/h"
    url = reverse("patients:register")
    for number in range(2):
        client.post(url, {"email": f"new{number}@example.com"})
    response = client.post(url, {"email": "new9@example.com"})
    assert response.status_code == 429
    assert response["Retry-After"]
    assert client.get(url).status_code == 200  # reading the form is not counted


def test_password_reset_is_rate_limited_per_address_and_per_email(
    client: HttpsClient, settings: Any, patient_a: User, mailoutbox: list
) -> None:
    url = reverse("patients:password_reset")
    settings.PASSWORD_RESET_RATE_PER_EMAIL = "2/h"
    for _ in range(2):
        assert client.post(url, {"email": patient_a.email}).status_code == 302
    assert client.post(url, {"email": patient_a.email.upper()}).status_code == 429
    assert len(mailoutbox) == 2

    cache.clear()
    settings.PASSWORD_RESET_RATE = "1/h"
    client.post(url, {"email": "someone@example.com"})
    assert client.post(url, {"email": "else@example.com"}).status_code == 429


# --- Passwords ----------------------------------------------------------------------------


def test_a_patient_password_needs_8_characters_and_no_composition(db: None) -> None:
    with pytest.raises(ValidationError):
        password_validation.validate_password("shrt-pw", User(email="p@example.com"))
    password_validation.validate_password("quietriverbend", User(email="p@example.com"))
    password_validation.validate_password("4829174639201", User(email="p@example.com"))


def test_a_staff_password_needs_12_characters_when_the_account_is_created(db: None) -> None:
    with pytest.raises(ValidationError, match="12"):
        staff_member_create(
            email="short@example.com",
            password="elevenchars",
            full_name="Short Pass",
            role=Role.FRONT_DESK,
        )
    assert not User.objects.filter(email="short@example.com").exists()
    staff_member_create(
        email="ok@example.com", password="twelve-chars", full_name="Ok Pass", role=Role.CLINICIAN
    )
    patient_register(email="pat@example.com", password="elevenchars", full_name="Pat Ient")


def test_the_admin_form_applies_the_staff_minimum_before_the_role_exists(db: None) -> None:
    data = {
        "email": "new.staff@example.com",
        "full_name": "New Staff",
        "preferred_language": "en",
        "role": Role.FRONT_DESK,
        "usable_password": "true",
        "password1": "elevenchars",
        "password2": "elevenchars",
    }
    form = StaffMemberCreationForm(data)
    assert not form.is_valid()
    assert "12" in str(form.errors)
    form = StaffMemberCreationForm(
        {**data, "password1": "twelve-chars", "password2": "twelve-chars"}
    )
    assert form.is_valid(), form.errors


def test_an_existing_member_of_staff_cannot_change_to_a_short_password(front_desk: User) -> None:
    form = SetPasswordForm(
        front_desk, {"new_password1": "elevenchars", "new_password2": "elevenchars"}
    )
    assert not form.is_valid()


def test_passwords_up_to_128_characters_are_accepted_and_common_ones_refused(db: None) -> None:
    user = User(email="p@example.com", full_name="Pat")
    password_validation.validate_password("x7" * 64, user)  # 128: allowed (ASVS: at least 64)
    with pytest.raises(ValidationError):
        password_validation.validate_password("x7" * 64 + "y", user)
    with pytest.raises(ValidationError):
        password_validation.validate_password("password1234", user)


# --- Sessions -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", STAFF)
def test_a_staff_session_ends_after_15_minutes_idle(
    request: pytest.FixtureRequest, client: HttpsClient, role: str, time_machine: Any
) -> None:
    user = request.getfixturevalue(role)
    time_machine.move_to(timezone.now(), tick=False)
    client.force_login(user)
    home = reverse("home")
    assert client.get(home).status_code == 200
    time_machine.shift(dt.timedelta(minutes=14))
    assert client.get(home).status_code == 200  # activity keeps it open
    time_machine.shift(dt.timedelta(minutes=15, seconds=1))
    response = client.get(home)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert SESSION_KEY not in client.session


def test_a_staff_session_ends_12_hours_after_login_however_busy(
    client: HttpsClient, clinician: User, time_machine: Any
) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    client.force_login(clinician)
    queue = reverse("review:queue")
    for _ in range(12 * 6):
        time_machine.shift(dt.timedelta(minutes=10))
        assert client.get(queue).status_code == 200
    time_machine.shift(dt.timedelta(minutes=10))
    assert client.get(queue)["Location"].startswith(LOGIN)


def test_a_patient_session_is_not_ended_after_15_minutes(
    client: HttpsClient, patient_a: User, time_machine: Any
) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    client.force_login(patient_a)
    time_machine.shift(dt.timedelta(hours=3))
    assert client.get(reverse("intake:home")).status_code == 200


def _end_sessions_through_the_admin(admin_client: HttpsClient, user: User) -> Any:
    return admin_client.post(
        reverse("admin:patients_user_changelist"),
        {"action": "end_sessions", "_selected_action": [user.pk]},
    )


def test_an_admin_ends_a_persons_sessions_everywhere(
    client: HttpsClient, admin_user: User, front_desk: User, patient_a: User
) -> None:
    desk_laptop, desk_phone, patient = HttpsClient(), HttpsClient(), HttpsClient()
    desk_laptop.force_login(front_desk)
    desk_phone.force_login(front_desk)
    patient.force_login(patient_a)
    client.force_login(admin_user)

    response = _end_sessions_through_the_admin(client, front_desk)
    assert response.status_code == 302

    for device in (desk_laptop, desk_phone):
        assert device.get(reverse("booking:desk"))["Location"].startswith(LOGIN)
    assert patient.get(reverse("intake:home")).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200
    # The person can log in again afterwards.
    desk_laptop.force_login(User.objects.get(pk=front_desk.pk))
    assert desk_laptop.get(reverse("booking:desk")).status_code == 200


def test_ending_sessions_works_with_cached_sessions_too(
    settings: Any, admin_user: User, patient_a: User
) -> None:
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    patient, admin = HttpsClient(), HttpsClient()
    patient.force_login(patient_a)
    admin.force_login(admin_user)
    assert patient.get(reverse("intake:home")).status_code == 200
    _end_sessions_through_the_admin(admin, patient_a)
    assert patient.get(reverse("intake:home"))["Location"].startswith(LOGIN)


@pytest.mark.parametrize("role", ["patient_a", "clinician"])
def test_deactivating_an_account_ends_its_sessions_at_once(
    request: pytest.FixtureRequest, client: HttpsClient, role: str
) -> None:
    user = request.getfixturevalue(role)
    client.force_login(user)
    page = reverse("intake:home") if role == "patient_a" else reverse("review:queue")
    assert client.get(page).status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.get(page)["Location"].startswith(LOGIN)
    assert log_in(HttpsClient(), user.email).status_code == 200  # and cannot log in again


# --- Changing a password, and being told ------------------------------------------------

PASSWORD_CHANGE = reverse("patients:password_change")


def _change(client: HttpsClient, old: str, new: str) -> Any:
    return client.post(
        PASSWORD_CHANGE,
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


def test_changing_a_password_needs_the_current_one_and_keeps_what_was_typed_otherwise(
    client: HttpsClient, patient_a: User, mailoutbox: list
) -> None:
    client.force_login(patient_a)
    response = _change(client, "not-my-password", "a-brand-new-passphrase")
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    assert User.objects.get(pk=patient_a.pk).check_password(PASSWORD)
    assert mailoutbox == []


def test_a_staff_member_cannot_change_to_a_short_password_on_the_page(
    client: HttpsClient, front_desk: User
) -> None:
    client.force_login(front_desk)
    response = _change(client, PASSWORD, "elevenchars")
    assert response.status_code == 200
    assert "12 characters" in response.content.decode()


def test_changing_a_password_logs_out_other_devices_keeps_this_one_and_emails_the_person(
    client: HttpsClient,
    patient_a: User,
    mailoutbox: list,
    django_capture_on_commit_callbacks: Any,
) -> None:
    other_device = HttpsClient()
    other_device.force_login(patient_a)
    client.force_login(patient_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = _change(client, PASSWORD, "a-brand-new-passphrase")
    assert response.status_code == 302
    assert User.objects.get(pk=patient_a.pk).check_password("a-brand-new-passphrase")
    assert client.get(reverse("intake:home")).status_code == 200
    assert other_device.get(reverse("intake:home"))["Location"].startswith(LOGIN)
    (email,) = mailoutbox
    assert email.to == [patient_a.email]
    assert "password" in email.subject.lower()
    assert reverse("patients:password_reset") in email.body


def test_a_password_reset_is_announced_by_email_and_its_link_lasts_one_hour(
    client: HttpsClient,
    patient_a: User,
    mailoutbox: list,
    time_machine: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    client.post(reverse("patients:password_reset"), {"email": patient_a.email})
    link = re.search(r"https?://\S+/reset/\S+/", mailoutbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]

    time_machine.shift(dt.timedelta(minutes=61))
    expired = client.get("/" + path, follow=True)
    assert "This link no longer works" in expired.content.decode()

    time_machine.shift(dt.timedelta(minutes=-2))
    form_page = client.get("/" + path, follow=True)
    new = "a-brand-new-passphrase"
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
        )
    assert done.status_code == 302
    assert User.objects.get(pk=patient_a.pk).check_password(new)
    assert len(mailoutbox) == 2
    assert "changed" in mailoutbox[1].body


# --- Pages with health data are never stored ---------------------------------------------


@pytest.mark.parametrize(
    ("role", "page"),
    [
        ("patient_a", "intake:home"),
        ("patient_a", "patients:my_data"),
        ("clinician", "review:queue"),
        ("front_desk", "booking:desk"),
    ],
)
def test_a_signed_in_page_is_never_stored_by_the_browser(
    request: pytest.FixtureRequest, client: HttpsClient, role: str, page: str
) -> None:
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse(page))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_public_pages_may_be_stored_and_the_screening_api_never_is(
    client: HttpsClient, db: None
) -> None:
    assert "no-store" not in client.get(reverse("catalog:index")).get("Cache-Control", "")
    api = client.post(reverse("screening:api"), data="{}", content_type="application/json")
    assert "no-store" in api["Cache-Control"]


# --- Security events are logged ----------------------------------------------------------


def test_logins_and_failed_attempts_are_logged_with_time_and_address(
    client: HttpsClient, patient_a: User
) -> None:
    from axes.models import AccessFailureLog, AccessLog

    log_in(client, patient_a.email, "wrong-password", REMOTE_ADDR="203.0.113.9")
    log_in(client, patient_a.email, REMOTE_ADDR="203.0.113.9")
    (failure,) = AccessFailureLog.objects.all()
    assert (failure.username, failure.ip_address) == (patient_a.email, "203.0.113.9")
    assert failure.attempt_time is not None
    (success,) = AccessLog.objects.all()
    assert (success.username, success.ip_address) == (patient_a.email, "203.0.113.9")


def test_a_busy_staff_session_records_its_activity_once_a_minute_not_every_request(
    client: HttpsClient, clinician: User, time_machine: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def session_writes() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("review:queue")).status_code == 200
        return sum('UPDATE "django_session"' in q["sql"] for q in queries.captured_queries)

    time_machine.move_to(timezone.now(), tick=False)
    client.force_login(clinician)
    client.get(reverse("review:queue"))
    time_machine.shift(dt.timedelta(seconds=30))
    assert session_writes() == 0
    time_machine.shift(dt.timedelta(seconds=31))
    assert session_writes() == 1


@pytest.mark.parametrize(
    "spoil",
    [
        "device deleted",
        "device unconfirmed",
        "another user's device",
        "unknown kind of device",
        "not a device model",
        "garbled",
    ],
)
def test_a_session_whose_device_no_longer_stands_is_no_longer_verified(
    client: HttpsClient, clinician: User, clinician_b: User, spoil: str
) -> None:
    """The device a verified session names is read on every request (a prepared query,
    SecondFactorMiddleware): once it is gone, unconfirmed or not the user's, the session is
    sent back to the code page and forgets it."""
    from django_otp import DEVICE_ID_SESSION_KEY

    client.force_login(clinician)
    queue = reverse("review:queue")
    assert client.get(queue).status_code == 200
    device = TOTPDevice.objects.get(user=clinician)
    session = client.session
    if spoil == "device deleted":
        device.delete()
    elif spoil == "device unconfirmed":
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=False)
    else:
        session[DEVICE_ID_SESSION_KEY] = {
            "another user's device": confirmed_app(clinician_b).persistent_id,
            "unknown kind of device": "otp_nothing.nodevice/1",
            "not a device model": f"patients.user/{clinician.pk}",
            "garbled": "otp_totp.totpdevice/one",
        }[spoil]
        session.save()
    response = client.get(queue)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_a_verified_staff_request_checks_its_device_in_the_users_own_read(
    client: HttpsClient, clinician: User, is_postgresql: bool
) -> None:
    """The device a verified session names is checked against the confirmed devices the
    user's read carries: on PostgreSQL no read of the device tables of its own."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from consultations.db import statement_text

    client.force_login(clinician)
    queue = reverse("review:queue")
    assert client.get(queue).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(queue).status_code == 200
    texts = [statement_text(q["sql"], connection) for q in queries.captured_queries]
    texts = [t.split(" AS ", 1)[1] if t.startswith("PREPARE ") else t for t in texts]
    alone = [t for t in texts if t.split(" FROM ", 1)[-1].lstrip().startswith('"otp_')]
    if not is_postgresql:
        assert len(alone) == 1  # SQLite's user read carries no device ids: one read of its own
        return
    assert alone == []
    assert any('"otp_totp_totpdevice"' in t and '"patients_user"' in t for t in texts)


@pytest.mark.parametrize("kind", ["app", "recovery codes"])
def test_the_device_found_in_the_users_read_is_the_devices_row(
    rf: Any, clinician: User, kind: str
) -> None:
    """`request.user.otp_device` is the device's own row: its id, user and confirmation from
    the user's read, anything else (its name) read when asked for."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.http import HttpResponse
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    from consultations.patients.backends import ClinicBackend
    from consultations.patients.middleware import SecondFactorMiddleware

    if kind == "app":
        device = confirmed_app(clinician)
    else:
        recovery_codes_replace(user=clinician)
        device = StaticDevice.objects.get(user=clinician)
    request = rf.get("/")
    request.session = SessionStore()
    request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    user = ClinicBackend().get_user(clinician.pk)
    middleware = SecondFactorMiddleware(lambda r: HttpResponse())
    found = middleware._verify_user_sync(request, user)
    assert found.is_verified()
    assert (type(found.otp_device), found.otp_device.pk) == (type(device), device.pk)
    assert found.otp_device.name == device.name
    assert found.otp_device.persistent_id == device.persistent_id
