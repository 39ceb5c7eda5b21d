from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from consultations.catalog.selectors import treatments_offered
from consultations.patients.forms import EmailAuthenticationForm, RegistrationForm
from consultations.patients.models import Role
from consultations.patients.services import patient_register


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


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
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
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect("intake:home")
    return render(request, "patients/register.html", {"form": form})


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    template_name = "patients/login.html"
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "patients/password_reset_form.html"
    email_template_name = "patients/email/password_reset.txt"
    subject_template_name = "patients/email/password_reset_subject.txt"
    success_url = reverse_lazy("patients:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "patients/password_reset_confirm.html"
    success_url = reverse_lazy("patients:password_reset_complete")
