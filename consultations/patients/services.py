"""State changes for accounts and patients."""

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from consultations.patients.models import Patient, Role, User


@transaction.atomic
def patient_register(*, email: str, password: str, full_name: str, language: str = "en") -> User:
    """Create a patient's login, their patient record and their role, all or nothing."""
    user = User(
        email=User.objects.normalize_email(email).lower(),
        full_name=full_name.strip(),
        preferred_language=language,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        # Two registrations racing for one address: the constraint decides, the loser is told.
        raise ValidationError(
            {"email": _("An account with this email address already exists.")}
        ) from exc
    user.groups.add(Group.objects.get(name=Role.PATIENT))
    Patient.objects.create(user=user, full_name=user.full_name)
    return user


@transaction.atomic
def staff_member_create(
    *,
    email: str,
    password: str | None,
    full_name: str,
    role: Role,
    language: str = "en",
    registration_number: str = "",
) -> User:
    """Create a clinician, front-desk or admin account (admins only reach this, via the admin)."""
    if role == Role.PATIENT:
        raise ValueError("Patients register themselves; use patient_register.")
    user = User(
        email=User.objects.normalize_email(email).lower(),
        full_name=full_name.strip(),
        preferred_language=language,
        is_staff=role == Role.ADMIN,
        registration_number=registration_number.strip(),
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.add(Group.objects.get(name=role))
    return user
