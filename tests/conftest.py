"""The shared cast of users and the guards every test run relies on."""

from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from consultations import db
from consultations.patients.models import Role, User
from consultations.patients.services import patient_register, staff_member_create

PASSWORD = "a-long-test-passphrase-2026"


def pytest_collection_finish(session: pytest.Session) -> None:
    # The real database is PostgreSQL: the suite refuses to pass quietly on anything else.
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if session.items and engine != "django.db.backends.postgresql":
        raise pytest.UsageError(
            f"The tests run on PostgreSQL, but DATABASE_URL selects {engine}. Use `make test`."
        )


class HttpsClient(Client):
    """A browser on the clinic's site over HTTPS, as in production: plain HTTP is redirected.

    Logging in with it (`login`, `force_login`) is the whole login: for staff that includes
    the second factor, as if the person had typed their app's code (a confirmed TOTP device
    is made for them and the session marked verified, as django-otp does). Pass
    `second_factor=False` for a session that has only the password behind it;
    tests/security/test_authentication.py proves such a session reaches no staff page, and
    drives the real code pages.
    """

    def generic(self, *args: Any, **kwargs: Any) -> HttpResponse:
        kwargs["secure"] = True
        return super().generic(*args, **kwargs)

    def login(self, *, second_factor: bool = True, **credentials: Any) -> bool:
        # django-axes watches every password check and needs the request it came with.
        request = HttpRequest()
        request.META["REMOTE_ADDR"] = "127.0.0.1"
        user = authenticate(request, **credentials)
        if user is None:
            return False
        self._login(user)
        if second_factor:
            self.verify_second_factor(user)
        return True

    def force_login(
        self, user: Any, backend: str | None = None, second_factor: bool = True
    ) -> None:
        super().force_login(user, backend)
        if second_factor:
            self.verify_second_factor(user)

    def verify_second_factor(self, user: Any) -> None:
        """Mark this client's session as having passed the second factor (staff only)."""
        if not user.needs_second_factor:
            return
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="test app", confirmed=True)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


@pytest.fixture(autouse=True)
def _english_unless_asked() -> Any:
    """Each test starts in the site's language: a request in Vietnamese leaves its language
    active in the thread (Django activates one per request and never resets it)."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_cache() -> Any:
    """Each test starts with an empty cache: rate-limit counters and cached catalog names
    from an earlier test (whose rows were rolled back) would otherwise leak into it."""
    from django.core.cache import cache

    from consultations.catalog.selectors import forget_names

    cache.clear()
    forget_names()
    yield
    cache.clear()
    forget_names()


@pytest.fixture
def client() -> Client:
    return HttpsClient()


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def patient_a(db: None) -> User:
    return patient_register(email="anna@example.com", password=PASSWORD, full_name="Anna Nguyen")


@pytest.fixture
def patient_b(db: None) -> User:
    return patient_register(email="binh@example.com", password=PASSWORD, full_name="Binh Tran")


@pytest.fixture
def clinician(db: None) -> User:
    return staff_member_create(
        email="dr.le@example.com",
        password=PASSWORD,
        full_name="Dr Minh Le",
        role=Role.CLINICIAN,
        registration_number="GMC-7012345",
    )


@pytest.fixture
def clinician_b(db: None) -> User:
    return staff_member_create(
        email="dr.vo@example.com",
        password=PASSWORD,
        full_name="Dr Thu Vo",
        role=Role.CLINICIAN,
        registration_number="NMC-12A3456E",
    )


@pytest.fixture
def front_desk(db: None) -> User:
    return staff_member_create(
        email="desk@example.com", password=PASSWORD, full_name="Lan Pham", role=Role.FRONT_DESK
    )


@pytest.fixture
def admin_user(db: None) -> User:
    return staff_member_create(
        email="admin@example.com", password=PASSWORD, full_name="Hoa Admin", role=Role.ADMIN
    )


@pytest.fixture
def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def nothing_prepared() -> None:
    """This connection's session as a new one starts: no statement prepared on it (statements
    outlive the rolled-back transactions between tests)."""
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    db._SERVER_PREPARED.pop(connection.connection, None)


@pytest.fixture
def server_prepared_statements(is_postgresql: bool, settings: Any) -> None:
    """`Prepared` reads and `PreparedSave` writes PREPAREd, on a connection with none yet."""
    if not is_postgresql:
        pytest.skip("server-side prepared statements are PostgreSQL's")
    settings.DATABASE_PREPARED_STATEMENTS = True
    nothing_prepared()
