"""The second step of a staff login: set up an authenticator app, or enter its code.

SecondFactorRequiredMiddleware sends every logged-in member of staff here until the session
is verified; patients never see these pages.
"""

from io import BytesIO

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from consultations.patients.models import User
from consultations.patients.second_factor import (
    has_confirmed_totp,
    recovery_codes_left,
    recovery_codes_replace,
    second_factor_verify,
    totp_device_begin,
    totp_device_confirm,
    totp_secret,
)

RECOVERY_CODES_SESSION_KEY = "clinic_recovery_codes_once"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        widget=forms.TextInput(
            {"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


def _staff_only(request: HttpRequest) -> User:
    user = request.user
    if not (user.is_authenticated and user.needs_second_factor):
        raise Http404
    return user


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return settings.LOGIN_REDIRECT_URL


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Enter the six-digit code from the app, or one recovery code."""
    user = _staff_only(request)
    if user.is_verified():
        return redirect(_next_url(request))
    if not has_confirmed_totp(user):
        return redirect(_setup_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = second_factor_verify(user=user, code=form.cleaned_data["code"])
        if check.device is not None:
            # A new privilege level, a new session key.
            request.session.cycle_key()
            otp_login(request, check.device)
            if check.used_recovery_code:
                messages.warning(
                    request,
                    _("You used a recovery code; %(count)d are left.")
                    % {"count": recovery_codes_left(user=user)},
                )
            return redirect(_next_url(request))
        if check.wait_seconds:
            form.add_error(
                "code",
                _("Too many wrong codes. Wait %(seconds)d seconds, then try again.")
                % {"seconds": check.wait_seconds},
            )
        else:
            form.add_error("code", _("That code is not right, or it has been used already."))
    return render(
        request, "patients/second_factor_verify.html", {"form": form, "next": _next_url(request)}
    )


def _setup_url(request: HttpRequest) -> str:
    return f"{reverse('patients:second_factor_setup')}?{urlencode({'next': _next_url(request)})}"


@never_cache
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """First login of a member of staff: add the clinic to an authenticator app, confirm a code."""
    user = _staff_only(request)
    if has_confirmed_totp(user):
        return redirect("patients:second_factor_verify")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ready = totp_device_confirm(user=user, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            request.session.cycle_key()
            otp_login(request, ready.device)
            request.session[RECOVERY_CODES_SESSION_KEY] = ready.recovery_codes
            return redirect("patients:recovery_codes")
    device = totp_device_begin(user=user)
    return render(
        request,
        "patients/second_factor_setup.html",
        {"form": form, "secret": totp_secret(device), "next": _next_url(request)},
    )


@never_cache
@require_GET
def qr_code(request: HttpRequest) -> HttpResponse:
    """The set-up key as a QR code (SVG, served as an image: the CSP allows no inline code)."""
    user = _staff_only(request)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None or has_confirmed_totp(user):
        raise Http404
    buffer = BytesIO()
    segno.make(device.config_url, error="m").save(buffer, kind="svg", scale=5, border=2)
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


@never_cache
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The recovery codes, shown once; a verified member of staff can replace them."""
    user = _staff_only(request)
    if request.method == "POST":
        request.session[RECOVERY_CODES_SESSION_KEY] = recovery_codes_replace(user=user)
        return redirect("patients:recovery_codes")
    codes = request.session.pop(RECOVERY_CODES_SESSION_KEY, None)
    return render(
        request,
        "patients/recovery_codes.html",
        {"codes": codes, "left": recovery_codes_left(user=user)},
    )
