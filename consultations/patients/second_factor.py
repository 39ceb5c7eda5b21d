"""The second factor of staff logins: an authenticator app (TOTP) and recovery codes.

Built on django-otp. A member of staff has at most one confirmed TOTP device and one set of
single-use recovery codes (a static device). Lost phone: an admin deletes the TOTP device in
the admin, and the next login asks to set up a new one.
"""

import re
from base64 import b32encode
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from consultations.patients.models import User

# The kinds of device a session is verified with: the authenticator app's, and the recovery
# codes'. The user's read carries the ids of their confirmed ones (`ClinicBackend`).
SECOND_FACTOR_DEVICES: tuple[type[Device], ...] = (TOTPDevice, StaticDevice)

TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
_TOTP_CODE = re.compile(r"^\d{6}$")


def has_confirmed_totp(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_secret(device: TOTPDevice) -> str:
    """The key as an authenticator app takes it when typed in: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@transaction.atomic
def totp_device_begin(*, user: User) -> TOTPDevice:
    """The device being set up: the unconfirmed one if there is one, else a new one."""
    if not user.needs_second_factor:
        raise ValidationError(_("Only staff accounts use a second factor."))
    if has_confirmed_totp(user):
        raise ValidationError(_("This account has an authenticator app already."))
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


@dataclass(frozen=True)
class SecondFactorReady:
    device: TOTPDevice
    recovery_codes: list[str]


@transaction.atomic
def totp_device_confirm(*, user: User, code: str) -> SecondFactorReady:
    """The first code from the app confirms the device; the recovery codes are made then."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or has_confirmed_totp(user):
        raise ValidationError(_("Start the set-up again: there is no app waiting to be confirmed."))
    if not device.verify_token(_normalise(code)):
        raise ValidationError(
            _("That code does not match. Check the app shows this account, then try the new code.")
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return SecondFactorReady(device=device, recovery_codes=recovery_codes_replace(user=user))


@transaction.atomic
def recovery_codes_replace(*, user: User) -> list[str]:
    """A new set of single-use recovery codes; the old ones stop working. Shown once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@dataclass(frozen=True)
class SecondFactorCheck:
    device: Device | None
    used_recovery_code: bool = False
    wait_seconds: int = 0


def second_factor_verify(*, user: User, code: str) -> SecondFactorCheck:
    """Check a six-digit app code or a recovery code against the user's confirmed devices.

    Each device slows guessing down itself (django-otp doubles the wait after every wrong
    code); a recovery code is deleted when used.
    """
    token = _normalise(code)
    model = TOTPDevice if _TOTP_CODE.match(token) else StaticDevice
    with transaction.atomic():
        devices = list(model.objects.select_for_update().filter(user=user, confirmed=True))
        wait = 0
        for device in devices:
            allowed, details = device.verify_is_allowed()
            if not allowed and details and details.get("locked_until"):
                remaining = (details["locked_until"] - timezone.now()).total_seconds()
                wait = max(wait, int(remaining) + 1)
                continue
            if device.verify_token(token):
                return SecondFactorCheck(device=device, used_recovery_code=model is StaticDevice)
    return SecondFactorCheck(device=None, wait_seconds=wait)


def recovery_codes_left(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()
