"""Accounts and patients in the admin.

Staff accounts are created through their service; patient records are read-only.
"""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultations.patients.models import Patient, Role, User
from consultations.patients.services import patient_register

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-long-passphrase-2026"


@pytest.fixture
def admin_client(client: Client, admin_user: User) -> Client:
    client.force_login(admin_user)
    return client


def staff_form(role: str, email: str = "new.nurse@example.com") -> dict[str, str]:
    return {
        "email": email,
        "full_name": "Thu Vo",
        "preferred_language": "vi",
        "role": role,
        "usable_password": "true",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }


def user_change_form(user: User, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "email": user.email,
        "full_name": user.full_name,
        "preferred_language": user.preferred_language,
        "groups": [g.pk for g in user.groups.all()],
    }
    if user.is_active:
        data["is_active"] = "on"
    if user.is_staff:
        data["is_staff"] = "on"
    data.update(changes)
    return data


# Who gets in


def test_an_admin_can_open_the_user_list_and_a_user(admin_client: Client, clinician: User) -> None:
    assert admin_client.get(reverse("admin:patients_user_changelist")).status_code == 200
    response = admin_client.get(reverse("admin:patients_user_change", args=[clinician.pk]))
    assert response.status_code == 200
    assert "dr.le@example.com" in response.content.decode()


def test_an_admin_can_open_the_patient_list_and_a_patient(
    admin_client: Client, patient_a: User
) -> None:
    assert admin_client.get(reverse("admin:patients_patient_changelist")).status_code == 200
    patient = Patient.objects.get(user=patient_a)
    response = admin_client.get(reverse("admin:patients_patient_change", args=[patient.pk]))
    assert response.status_code == 200
    assert "Anna Nguyen" in response.content.decode()


@pytest.mark.parametrize("role_fixture", ["clinician", "front_desk", "patient_a"])
def test_anyone_but_an_admin_is_sent_to_the_admin_login(
    client: Client, request: pytest.FixtureRequest, role_fixture: str, admin_user: User
) -> None:
    user = request.getfixturevalue(role_fixture)
    client.force_login(user)
    patient = Patient.objects.create(full_name="Someone Else")
    for url in (
        reverse("admin:index"),
        reverse("admin:patients_user_changelist"),
        reverse("admin:patients_user_add"),
        reverse("admin:patients_user_change", args=[admin_user.pk]),
        reverse("admin:patients_patient_changelist"),
        reverse("admin:patients_patient_change", args=[patient.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url


def test_the_user_list_shows_each_account_roles(
    admin_client: Client, clinician: User, front_desk: User, patient_a: User
) -> None:
    response = admin_client.get(reverse("admin:patients_user_changelist"))
    emails = {user.email for user in response.context["cl"].result_list}
    assert emails == {
        "admin@example.com",
        "dr.le@example.com",
        "desk@example.com",
        "anna@example.com",
    }
    html = response.content.decode()
    for label in ("Clinician", "Front desk", "Administrator", "Patient"):
        assert f'<td class="field-role_list">{label}</td>' in html


def test_the_user_list_costs_the_same_queries_however_many_accounts(
    admin_client: Client,
) -> None:
    url = reverse("admin:patients_user_changelist")
    admin_client.get(url)  # warm: a prepared read is prepared once per connection
    with CaptureQueriesContext(connection) as before:
        admin_client.get(url)
    for index in range(8):
        patient_register(
            email=f"patient{index}@example.com", password=NEW_PASSWORD, full_name=f"P {index}"
        )
    with CaptureQueriesContext(connection) as after:
        admin_client.get(url)
    assert len(after) == len(before)


# Creating a staff member


def test_the_add_form_asks_for_a_staff_role_and_no_username(admin_client: Client) -> None:
    response = admin_client.get(reverse("admin:patients_user_add"))
    form = response.context["adminform"].form
    assert "username" not in form.fields
    assert {"email", "full_name", "role", "password1", "password2"} <= set(form.fields)
    roles = [value for value, _label in form.fields["role"].choices if value]
    assert roles == [Role.CLINICIAN, Role.FRONT_DESK, Role.ADMIN]


def test_creating_a_clinician_in_the_admin_puts_them_in_the_clinician_group(
    admin_client: Client,
) -> None:
    response = admin_client.post(reverse("admin:patients_user_add"), staff_form("clinician"))
    assert response.status_code == 302
    user = User.objects.get(email="new.nurse@example.com")
    assert response["Location"] == reverse("admin:patients_user_change", args=[user.pk])
    assert user.roles == {Role.CLINICIAN}
    assert user.is_staff is False
    assert user.full_name == "Thu Vo"
    assert user.preferred_language == "vi"
    assert user.check_password(NEW_PASSWORD)
    assert not Patient.objects.filter(user=user).exists()


def test_creating_an_admin_in_the_admin_gives_them_the_admin_site(admin_client: Client) -> None:
    admin_client.post(reverse("admin:patients_user_add"), staff_form("admin"))
    user = User.objects.get(email="new.nurse@example.com")
    assert user.roles == {Role.ADMIN}
    assert user.is_staff is True
    assert user.is_superuser is False


def test_a_staff_member_can_be_created_without_a_password_to_set_it_by_reset(
    admin_client: Client,
) -> None:
    data = staff_form("front_desk") | {"usable_password": "false", "password1": "", "password2": ""}
    response = admin_client.post(reverse("admin:patients_user_add"), data)
    assert response.status_code == 302
    user = User.objects.get(email="new.nurse@example.com")
    assert user.roles == {Role.FRONT_DESK}
    assert not user.has_usable_password()


def test_the_admin_cannot_create_a_patient_account(admin_client: Client) -> None:
    response = admin_client.post(reverse("admin:patients_user_add"), staff_form("patient"))
    assert response.status_code == 200
    assert "role" in response.context["adminform"].form.errors
    assert not User.objects.filter(email="new.nurse@example.com").exists()


def test_a_new_staff_member_needs_a_role(admin_client: Client) -> None:
    response = admin_client.post(reverse("admin:patients_user_add"), staff_form(""))
    assert "role" in response.context["adminform"].form.errors
    assert not User.objects.filter(email="new.nurse@example.com").exists()


def test_an_email_address_already_in_use_is_refused_whatever_its_case(
    admin_client: Client, clinician: User
) -> None:
    response = admin_client.post(
        reverse("admin:patients_user_add"), staff_form("front_desk", email="DR.LE@example.com")
    )
    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    assert User.objects.filter(email__iexact="dr.le@example.com").count() == 1


def test_mismatched_passwords_create_nobody(admin_client: Client) -> None:
    data = staff_form("clinician") | {"password2": "not-the-same-passphrase"}
    response = admin_client.post(reverse("admin:patients_user_add"), data)
    assert "password2" in response.context["adminform"].form.errors
    assert not User.objects.filter(email="new.nurse@example.com").exists()


# Changing an account


def test_the_change_form_has_no_username_and_shows_roles(
    admin_client: Client, clinician: User
) -> None:
    response = admin_client.get(reverse("admin:patients_user_change", args=[clinician.pk]))
    form = response.context["adminform"].form
    assert "username" not in form.fields
    assert form.fields["groups"].label == "Roles"
    assert set(form.fields["groups"].queryset.values_list("name", flat=True)) == set(Role.values)


def test_an_admin_can_change_a_staff_member_role(admin_client: Client, clinician: User) -> None:
    front_desk_group = Group.objects.get(name=Role.FRONT_DESK)
    response = admin_client.post(
        reverse("admin:patients_user_change", args=[clinician.pk]),
        user_change_form(clinician, groups=[front_desk_group.pk], full_name="Dr Minh Le Van"),
    )
    assert response.status_code == 302
    clinician = User.objects.get(pk=clinician.pk)
    assert clinician.roles == {Role.FRONT_DESK}
    assert clinician.full_name == "Dr Minh Le Van"


def test_an_admin_who_is_not_a_superuser_cannot_make_anyone_a_superuser(
    admin_client: Client, clinician: User
) -> None:
    response = admin_client.post(
        reverse("admin:patients_user_change", args=[clinician.pk]),
        user_change_form(clinician, is_superuser="on"),
    )
    assert response.status_code == 302
    clinician.refresh_from_db()
    assert clinician.is_superuser is False


def test_changing_an_email_to_one_in_use_is_refused(
    admin_client: Client, clinician: User, front_desk: User
) -> None:
    response = admin_client.post(
        reverse("admin:patients_user_change", args=[clinician.pk]),
        user_change_form(clinician, email="Desk@Example.com"),
    )
    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    clinician.refresh_from_db()
    assert clinician.email == "dr.le@example.com"


# Patients are read-only


def test_the_patient_page_is_read_only(admin_client: Client, patient_a: User) -> None:
    patient = Patient.objects.get(user=patient_a)
    url = reverse("admin:patients_patient_change", args=[patient.pk])
    html = admin_client.get(url).content.decode()
    assert 'name="_save"' not in html
    assert 'name="full_name"' not in html
    response = admin_client.post(url, {"full_name": "Changed"})
    assert response.status_code == 403
    patient.refresh_from_db()
    assert patient.full_name == "Anna Nguyen"


def test_patients_cannot_be_added_or_deleted_in_the_admin(
    admin_client: Client, patient_a: User
) -> None:
    patient = Patient.objects.get(user=patient_a)
    assert admin_client.get(reverse("admin:patients_patient_add")).status_code == 403
    delete_url = reverse("admin:patients_patient_delete", args=[patient.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert Patient.objects.filter(pk=patient.pk).exists()


def test_the_patient_list_costs_the_same_queries_however_many_patients(
    admin_client: Client, patient_a: User
) -> None:
    url = reverse("admin:patients_patient_changelist")
    admin_client.get(url)  # warm: a prepared read is prepared once per connection
    with CaptureQueriesContext(connection) as before:
        admin_client.get(url)
    for index in range(8):
        patient_register(
            email=f"patient{index}@example.com", password=NEW_PASSWORD, full_name=f"P {index}"
        )
    with CaptureQueriesContext(connection) as after:
        response = admin_client.get(url)
    assert "patient7@example.com" in response.content.decode()
    assert len(after) == len(before)
