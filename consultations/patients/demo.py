"""The demo logins: one account per role, so anyone can try the product.

They are created through the same services as real accounts. An account that
exists already is left as it is, unless a password is given explicitly
(`reset_password`) and differs from the one it has: then it is set again.
"""

from dataclasses import dataclass

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from consultations.patients.models import Role, User
from consultations.patients.second_factor import TOTP_DEVICE_NAME, totp_secret
from consultations.patients.services import patient_register, staff_member_create


@dataclass(frozen=True)
class DemoAccount:
    email: str
    full_name: str
    role: Role
    registration_number: str = ""


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("patient@example.com", "Mai Nguyen", Role.PATIENT),
    DemoAccount("clinician@example.com", "Dr Khoa Le", Role.CLINICIAN, "DEMO-GMC-7654321"),
    DemoAccount("frontdesk@example.com", "Lan Pham", Role.FRONT_DESK),
    DemoAccount("admin@example.com", "Hoa Tran", Role.ADMIN),
)


class DemoLoginStatus:
    CREATED = "created"
    RESET = "password reset"
    UNCHANGED = "existed, left unchanged"


@dataclass(frozen=True)
class DemoLogin:
    email: str
    roles: tuple[str, ...]
    password: str
    status: str
    # Staff log in with a second factor: the key to add to an authenticator app (or to give
    # `manage.py demo_code`), printed by seed_demo. Empty for the patient.
    totp_secret: str = ""


@transaction.atomic
def demo_users_ensure(*, password: str, reset_password: bool = False) -> list[DemoLogin]:
    """Create the missing demo accounts; with `reset_password`, also align existing ones."""
    logins = []
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(email__iexact=account.email).first()
        if user is None:
            if account.role == Role.PATIENT:
                user = patient_register(
                    email=account.email, password=password, full_name=account.full_name
                )
            else:
                user = staff_member_create(
                    email=account.email,
                    password=password,
                    full_name=account.full_name,
                    role=account.role,
                    registration_number=account.registration_number,
                )
            status = DemoLoginStatus.CREATED
        elif reset_password and not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
            status = DemoLoginStatus.RESET
        else:
            status = DemoLoginStatus.UNCHANGED
        secret = totp_secret(demo_totp_device_ensure(user=user)) if user.needs_second_factor else ""
        logins.append(DemoLogin(user.email, tuple(sorted(user.roles)), password, status, secret))
    return logins


def demo_totp_device_ensure(*, user: User) -> TOTPDevice:
    """A demo staff account's authenticator app: its confirmed TOTP device, made if missing."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=True)
    return device
