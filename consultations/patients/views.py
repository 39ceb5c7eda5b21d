from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from consultations.catalog.selectors import treatments_offered
from consultations.patients.backends import AUTH_BACKEND
from consultations.patients.forms import EmailAuthenticationForm, RegistrationForm
from consultations.patients.models import Role
from consultations.patients.security import client_ip_key
from consultations.patients.services import (
    password_changed_notify,
    patient_register,
    user_language_set,
)


def home(request: HttpRequest) -> HttpResponse:
    """The landing page; a logged-in patient goes straight to their intake."""
    user = request.user
    if user.is_authenticated and user.has_role(Role.PATIENT):
        return redirect("intake:home")
    return render(
        request,
        "patients/home.html",
        {"treatments": treatments_offered(), "is_staff_member": user.is_authenticated},
    )


def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the page language (Django's view); a signed-in person's choice is also kept."""
    response = i18n.set_language(request)
    language = request.POST.get(i18n.LANGUAGE_QUERY_PARAMETER, "")
    if (
        request.method == "POST"
        and request.user.is_authenticated
        and language in dict(settings.LANGUAGES)
    ):
        user_language_set(user=request.user, language=language)
    return response


def _over_rate(request: HttpRequest, group: str, rate: str, key: object = client_ip_key) -> bool:
    """Count this POST against a django-ratelimit rate; True once the rate is exceeded."""
    return request.method == "POST" and is_ratelimited(
        request, group=group, key=key, rate=rate, method="POST", increment=True
    )


def too_many_requests(request: HttpRequest) -> HttpResponse:
    """The friendly 429: in the visitor's language, with when to try again."""
    response = render(request, "patients/too_many_requests.html", status=429)
    response["Retry-After"] = "600"
    return response


def _email_key(group: str, request: HttpRequest) -> str:
    return request.POST.get("email", "").strip().lower()


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    if _over_rate(request, "patients:register", settings.REGISTRATION_RATE):
        return too_many_requests(request)
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = patient_register(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                full_name=form.cleaned_data["full_name"],
                language=get_language() or "en",
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user, backend=AUTH_BACKEND)
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect("intake:home")
    return render(request, "patients/register.html", {"form": form})


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    template_name = "patients/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        # Per account and address, django-axes locks out after five failures; this caps what
        # one address may try across many accounts.
        if _over_rate(request, "patients:login", settings.LOGIN_RATE_PER_ADDRESS):
            return too_many_requests(request)
        return super().post(request, *args, **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "patients/password_reset_form.html"
    email_template_name = "patients/email/password_reset.txt"
    subject_template_name = "patients/email/password_reset_subject.txt"
    success_url = reverse_lazy("patients:password_reset_done")

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        # Each request sends an email: capped per address asking and per address asked for.
        if _over_rate(request, "patients:password_reset", settings.PASSWORD_RESET_RATE) or (
            _over_rate(
                request,
                "patients:password_reset_email",
                settings.PASSWORD_RESET_RATE_PER_EMAIL,
                key=_email_key,
            )
        ):
            return too_many_requests(request)
        return super().post(request, *args, **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "patients/password_reset_confirm.html"
    success_url = reverse_lazy("patients:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        password_changed_notify(user=form.user)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's password with the current one; every other session of the account ends.

    Django's view keeps this session (the new password's hash is written into it) while the
    sessions on other devices no longer match and are logged out on their next request.
    """

    template_name = "patients/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        password_changed_notify(user=form.user)
        messages.success(
            self.request,
            _("Your password is changed. Other devices where you were logged in are logged out."),
        )
        return response
