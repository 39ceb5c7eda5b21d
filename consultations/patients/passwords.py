"""Password rules beyond Django's own, as OWASP ASVS 5.0 V6.2 asks: length, never composition.

Django's validators give the 8-character minimum, the common-password list and the
similarity check; these add the staff minimum and the upper bound.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from consultations.patients.models import User


def is_staff_account(user: Any) -> bool:
    """Whether `user` is (or is about to become) a clinician, front-desk member or admin.

    A new staff account is validated before it is saved and given its role group, so the role
    it is being created with is read from `User.role_being_created`.
    """
    if user is None:
        return False
    if isinstance(user, User) and user.role_being_created is not None:
        return user.role_being_created != "patient"
    if getattr(user, "is_staff", False) or getattr(user, "is_superuser", False):
        return True
    return bool(getattr(user, "pk", None)) and bool(getattr(user, "is_clinic_staff", False))


class StaffMinimumLengthValidator:
    """Staff passwords guard every patient's records: at least 12 characters."""

    def __init__(self, min_length: int = 12) -> None:
        self.min_length = min_length

    def validate(self, password: str, user: Any = None) -> None:
        if is_staff_account(user) and len(password) < self.min_length:
            raise ValidationError(
                ngettext(
                    "A staff password needs at least %(min_length)d character.",
                    "A staff password needs at least %(min_length)d characters.",
                    self.min_length,
                ),
                code="password_too_short_for_staff",
                params={"min_length": self.min_length},
            )

    def get_help_text(self) -> str:
        return _("Staff passwords need at least %(min_length)d characters.") % {
            "min_length": self.min_length
        }


class MaximumLengthValidator:
    """An upper bound well above ASVS's 64, so long passphrases work and hashing stays cheap."""

    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                _("A password can have at most %(max_length)d characters."),
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self) -> str:
        return _("At most %(max_length)d characters.") % {"max_length": self.max_length}
