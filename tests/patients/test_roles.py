"""Each role's group carries exactly the permissions of ROLE_PERMISSIONS."""

import pytest
from django.contrib.auth.models import Group

from consultations.patients.models import Role
from consultations.patients.roles import ROLE_PERMISSIONS

pytestmark = pytest.mark.django_db


def perms(group: Group) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


@pytest.mark.parametrize("role", list(Role))
def test_every_role_group_exists_with_exactly_its_permissions(role):
    assert perms(Group.objects.get(name=role)) == ROLE_PERMISSIONS[role]


def test_clinicians_read_medical_history_and_the_front_desk_does_not(clinician, front_desk):
    assert clinician.has_perm("intake.view_medical_history")
    assert not front_desk.has_perm("intake.view_medical_history")
    assert not front_desk.has_perm("intake.view_intake")


def test_patients_hold_no_model_permission_at_all(patient_a):
    assert patient_a.get_all_permissions() == set()
    assert patient_a.roles == {"patient"}


def test_only_admins_reach_the_admin_site(admin_user, clinician, front_desk, patient_a):
    assert admin_user.is_staff
    assert not any(u.is_staff for u in (clinician, front_desk, patient_a))


def test_registration_makes_a_patient_record_for_the_login(patient_a):
    assert patient_a.patient.full_name == "Anna Nguyen"
    assert patient_a.patient.initials == "AN"
