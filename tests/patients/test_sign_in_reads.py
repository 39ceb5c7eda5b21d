"""Who is signed in, read on every request: the session row, then the user with their roles.

`ClinicBackend` reads the user and their groups in one compiled query and
`consultations.patients.session_store` reads the session row with a compiled query; both must
answer exactly as Django's ModelBackend and database session store do, afresh on every request.
"""

import datetime as dt

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.utils import timezone

from consultations.patients.backends import AUTH_BACKEND, ClinicBackend
from consultations.patients.models import Role
from consultations.patients.session_store import SessionStore

pytestmark = pytest.mark.django_db


def test_the_user_and_their_roles_are_one_query(patient_a, clinician, django_assert_num_queries):
    backend = ClinicBackend()
    for user, roles in ((patient_a, {"patient"}), (clinician, {"clinician"})):
        with django_assert_num_queries(1):
            found = backend.get_user(str(user.pk))
            assert found == user
            assert found.roles == roles
            assert found.is_clinic_staff is (user == clinician)


def test_a_role_given_or_taken_counts_from_the_next_read(clinician):
    backend = ClinicBackend()
    clinician.groups.add(Group.objects.get(name=Role.FRONT_DESK))
    assert backend.get_user(clinician.pk).roles == {"clinician", "front_desk"}
    clinician.groups.clear()
    found = backend.get_user(clinician.pk)
    assert found.roles == frozenset()
    assert not found.is_clinic_staff


def test_a_group_that_is_no_role_gives_no_role(patient_a):
    patient_a.groups.add(Group.objects.create(name="newsletter"))
    assert ClinicBackend().get_user(patient_a.pk).roles == {"patient"}


def test_no_user_for_a_deactivated_account_an_unknown_id_or_one_no_table_holds(patient_a):
    backend = ClinicBackend()
    for user_id in (patient_a.pk + 1000, "not-a-number", None, ""):
        assert backend.get_user(user_id) is None
    patient_a.is_active = False
    patient_a.save(update_fields=["is_active"])
    assert backend.get_user(patient_a.pk) is None


def test_a_signed_in_request_reads_its_session_and_then_its_user(
    client, patient_a, django_assert_num_queries
):
    client.force_login(patient_a, backend=AUTH_BACKEND)
    # The bare stack (the benchmark's baseline): the session row, the user with the roles.
    with django_assert_num_queries(2):
        assert client.get("/livez").status_code == 200


def test_logging_in_records_the_clinic_backend(client, patient_a, password):
    response = client.post(
        "/accounts/login/", {"username": patient_a.email, "password": password}, follow=False
    )
    assert response.status_code == 302
    assert client.session["_auth_user_backend"] == AUTH_BACKEND
    assert client.session[SESSION_KEY] == str(patient_a.pk)


def _stored(data: dict, expires: dt.datetime) -> str:
    store = SessionStore()
    store.update(data)
    store.create()
    Session.objects.filter(session_key=store.session_key).update(expire_date=expires)
    return store.session_key


def test_a_live_session_reads_its_data_and_keeps_its_key():
    key = _stored({"answer": 42}, timezone.now() + dt.timedelta(hours=1))
    store = SessionStore(key)
    assert store.load() == {"answer": 42}
    assert store.session_key == key


@pytest.mark.parametrize("expired", [True, False], ids=["expired", "unknown"])
def test_an_expired_or_unknown_key_reads_nothing_and_is_never_adopted(expired):
    key = _stored({"answer": 42}, timezone.now() - dt.timedelta(seconds=1))
    store = SessionStore(key if expired else "x" * 32)
    assert store.load() == {}
    # A key the server did not give out (or no longer keeps) is dropped: saving makes a new one.
    assert store.session_key is None
    store["next"] = 1
    store.save()
    assert store.session_key not in (None, key, "x" * 32)
