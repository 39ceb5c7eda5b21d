"""A patient's rights over their data: see it all, download it, close the account.

See docs/retention.md for what closing keeps and what it removes.
"""

import json

from django import forms
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from consultations.patients.data_export import patient_data_export
from consultations.patients.models import Role, User
from consultations.patients.services import patient_account_close

# The export's record lists, in the order the page shows them.
SECTIONS = (
    ("intakes", _("Your answers (every version), with the consent you signed")),
    ("screenings", _("What the screening told you")),
    ("decisions", _("The clinicians' decisions, with their notes")),
    ("clearances", _("Clearances to book")),
    ("review_cases", _("Reviews and concerns")),
    ("appointments", _("Appointments")),
    ("check_ins", _("Check-ins")),
    ("problem_reports", _("Problems you reported")),
    ("notes_to_the_front_desk", _("Notes to the front desk")),
)


class AccountCloseForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput({"autocomplete": "current-password"}),
    )
    understood = forms.BooleanField(
        label=_(
            "I understand that I will no longer be able to log in, that my coming "
            "appointments will be cancelled, and that the clinic keeps my medical records "
            "for as long as the law requires."
        )
    )

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password."), code="wrong_password")
        return password


def _require_patient(request: HttpRequest) -> User:
    user = request.user
    if not user.has_role(Role.PATIENT):
        raise PermissionDenied
    return user


@login_required
@never_cache
@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    """Everything the clinic holds about the patient, as a readable page."""
    user = _require_patient(request)
    data = patient_data_export(user=user)
    sections = [(key, title, data.get(key, [])) for key, title in SECTIONS]
    return render(request, "patients/my_data.html", {"data": data, "sections": sections})


@login_required
@never_cache
@require_GET
def my_data_download(request: HttpRequest) -> HttpResponse:
    """The same, as a JSON file (GDPR art. 20: structured and machine-readable)."""
    user = _require_patient(request)
    body = json.dumps(
        patient_data_export(user=user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
    )
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"my-clinic-data-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="user", rate="5/h", method="POST", block=False)
def account_close(request: HttpRequest) -> HttpResponse:
    """Close the account after the password is typed again (a borrowed session is not enough)."""
    user = _require_patient(request)
    # Bound on every POST, even an empty one: an empty body is a form with errors.
    form = AccountCloseForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST":
        if getattr(request, "limited", False):
            form.add_error(None, _("Too many attempts. Please try again in an hour."))
        elif form.is_valid():
            try:
                patient_account_close(user=user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                logout(request)
                return redirect("patients:account_closed")
    return render(request, "patients/account_close.html", {"form": form})


@require_GET
def account_closed(request: HttpRequest) -> HttpResponse:
    return render(request, "patients/account_closed.html")
