"""The shared cast of users and the guards every test run relies on."""

from typing import Any

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import Client

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
    """A browser on the clinic's site over HTTPS, as in production: plain HTTP is redirected."""

    def generic(self, *args: Any, **kwargs: Any) -> HttpResponse:
        kwargs["secure"] = True
        return super().generic(*args, **kwargs)


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
