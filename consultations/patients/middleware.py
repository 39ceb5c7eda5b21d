"""What every staff request must carry: a fresh session and a verified second factor.

Patients are not asked for either; their sessions keep Django's defaults.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.db.models import BigIntegerField
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware
from django_otp.models import Device

from consultations.db import Param, Prepared
from consultations.patients.sessions import SESSION_LAST_SEEN_KEY, SESSION_STARTED_KEY

# What a logged-in member of staff may reach before the second factor: logging in and out,
# the second factor itself, and the language switch.
UNVERIFIED_ALLOWED = frozenset(
    {
        "patients:login",
        "patients:logout",
        "patients:second_factor_verify",
        "patients:second_factor_setup",
        "patients:second_factor_qr",
        "set_language",
    }
)


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    response = redirect(url)
    if request.headers.get("HX-Request"):
        # htmx would swap the target page into a fragment; send the whole window instead.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
    return response


def _with_next(request: HttpRequest, url: str) -> str:
    if request.method == "GET":
        return f"{url}?{urlencode({'next': request.get_full_path()})}"
    return url


LAST_SEEN_PRECISION = timedelta(minutes=1)


class StaffSessionExpiryMiddleware:
    """Staff sessions end after 15 minutes without a request and 12 hours after logging in.

    The times are kept in the session (set at login by `sessions.session_times_start`); a
    staff session found without them is ended too, so nothing outlives these limits.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and user.needs_second_factor:
            now = timezone.now()
            started = _read_time(request.session.get(SESSION_STARTED_KEY))
            last_seen = _read_time(request.session.get(SESSION_LAST_SEEN_KEY))
            reason = None
            if started is None or last_seen is None:
                reason = _("Please log in again.")
            elif now - started > settings.STAFF_SESSION_ABSOLUTE_TIMEOUT:
                reason = _("Your session ended after 12 hours. Please log in again.")
            elif now - last_seen > settings.STAFF_SESSION_IDLE_TIMEOUT:
                reason = _(
                    "Your session ended after 15 minutes without activity. Please log in again."
                )
            if reason is not None:
                logout(request)
                messages.info(request, reason)
                return _redirect(request, _with_next(request, reverse(settings.LOGIN_URL)))
            if now - last_seen >= LAST_SEEN_PRECISION:
                # Written at most once a minute: not a session write on every staff request.
                # The idle limit is measured to the minute, and can only end a session early.
                request.session[SESSION_LAST_SEEN_KEY] = now.isoformat()
        return self.get_response(request)


def _read_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


class SecondFactorRequiredMiddleware:
    """Staff reach nothing but the login and the second-factor pages until the code is given.

    Needs SecondFactorMiddleware (django-otp's OTPMiddleware) before it: it sets
    `request.user.is_verified`. A member of staff without a device is sent to set one up,
    everyone else to enter a code.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and user.needs_second_factor
            and not user.is_verified()
            and not self._allowed(request)
        ):
            return _redirect(request, _with_next(request, reverse("patients:second_factor_verify")))
        return self.get_response(request)

    @staticmethod
    def _allowed(request: HttpRequest) -> bool:
        if request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return True
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.view_name in UNVERIFIED_ALLOWED


class PrivatePagesMiddleware:
    """A page for a signed-in person is never stored: not by the browser, not by a proxy.

    Nearly every such page holds health data or what a clinician decided about it. Without
    `Cache-Control: no-store`, the back button on a shared device (the clinic's tablet, a
    family computer) would show a medical history after its owner logged out (ASVS 5.0
    V14.3). A view that sets its own Cache-Control keeps it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response


@lru_cache(maxsize=8)
def _device_read(model: type[Device]) -> Prepared:
    return Prepared(lambda: model.objects.filter(id=Param("pk", BigIntegerField())).order_by()[:1])


class SecondFactorMiddleware(OTPMiddleware):
    """django-otp's middleware (`request.user.otp_device`, `is_verified()`), with the device a
    verified session names checked on every request against the ids of the user's confirmed
    devices, which the user's own read carries (`ClinicBackend`, on PostgreSQL): no query of
    its own. The device is then the model's row with its id, user and confirmation (its other
    columns read from the database if asked for). A kind the user's read does not carry, or
    a user read without them (SQLite), is read by a prepared query.

    The same checks follow as django-otp's own: the device must still exist, belong to the
    user and be confirmed (`_finalize_device`), or the session is no longer verified."""

    def _verify_user_sync(self, request: HttpRequest, user: Any) -> Any:
        # django-otp's own, with the device looked for in what the user's read carried.
        self._init_user_fields(user)
        if user.is_authenticated:
            persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
            device = self._device_of(user, persistent_id) if persistent_id else None
            user.otp_device = self._finalize_device(request, user, device)
        return user

    def _device_of(self, user: Any, persistent_id: str) -> Device | None:
        named = self._named_device(persistent_id)
        if named is None:
            return None
        model, pk = named
        carried = getattr(user, "confirmed_device_ids", None)
        label = model._meta.label_lower
        if carried is None or label not in carried:
            return _device_read(model).first(pk=pk)
        if pk not in carried[label]:
            return None  # gone, unconfirmed, or not this user's
        return model.from_db(user._state.db, ["id", "user_id", "confirmed"], [pk, user.pk, True])

    def _named_device(self, persistent_id: str) -> tuple[type[Device], int] | None:
        """The device model and id a session's persistent id names; None for anything else."""
        try:
            label, device_id = self._normalize_persistent_id(persistent_id).rsplit("/", 1)
            model, pk = apps.get_model(label), int(device_id)
        except (ValueError, LookupError):
            return None
        return (model, pk) if issubclass(model, Device) else None

    def _device_from_persistent_id(self, persistent_id: str) -> Device | None:
        named = self._named_device(persistent_id)
        return None if named is None else _device_read(named[0]).first(pk=named[1])
