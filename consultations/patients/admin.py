"""Accounts and patients in the admin.

Staff accounts are created through `staff_member_create`, so an account made
here gets its role group and admin-site access exactly as everywhere else.
Patients register themselves; their record is read-only here.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from consultations.audit.services import record_access
from consultations.patients.models import Patient, Role, User
from consultations.patients.services import staff_member_create, user_sessions_end

STAFF_ROLES = [(role.value, role.label) for role in Role if role != Role.PATIENT]


class StaffMemberCreationForm(AdminUserCreationForm):
    """A new clinician, front-desk or admin account: email, name, role and password."""

    role = forms.ChoiceField(label=_("Role"), choices=[("", "---------"), *STAFF_ROLES])

    class Meta:
        model = User
        fields = ("email", "full_name", "preferred_language", "registration_number")

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this email address already exists."))
        return email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # The password is validated next (_post_clean), before the role group exists: the
        # staff rules need to know which role the account will have.
        self.instance.role_being_created = cleaned.get("role") or None
        return cleaned


class UserEditForm(UserChangeForm):
    """Changing an account: there is no username, the email address is the login."""

    class Meta:
        model = User
        fields = (
            "email",
            "password",
            "full_name",
            "preferred_language",
            "registration_number",
            "is_active",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups = self.fields.get("groups")
        if groups is not None:
            groups.label = _("Roles")
            groups.help_text = _("What this person does in the clinic; each role is a group.")
            groups.queryset = Group.objects.filter(name__in=Role.values).order_by("name")

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        others = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("An account with this email address already exists."))
        return email


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = StaffMemberCreationForm
    list_display = ("email", "full_name", "role_list", "is_staff", "is_active", "last_login")
    list_filter = ("groups", "is_staff", "is_active")
    search_fields = ("email", "full_name")
    ordering = ("email",)
    readonly_fields = ("last_login", "date_joined", "sessions_ended_at")
    actions = ["end_sessions"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "preferred_language", "registration_number")}),
        (_("Roles and access"), {"fields": ("is_active", "groups", "is_staff")}),
        (_("Extra permissions"), {"fields": ("is_superuser", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined", "sessions_ended_at")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "full_name",
                    "preferred_language",
                    "registration_number",
                    "role",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("groups")

    @admin.action(description=_("Log the selected people out everywhere"), permissions=["change"])
    def end_sessions(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        count = user_sessions_end(user_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext(
                "%(count)d person was logged out everywhere.",
                "%(count)d people were logged out everywhere.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> Any:
        readonly = tuple(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # An administrator grants roles; only a superuser hands out superuser powers.
            readonly += ("is_superuser", "user_permissions")
        return readonly

    @admin.display(description=_("roles"))
    def role_list(self, user: User) -> str:
        labels = {role.value: role.label for role in Role}
        return ", ".join(
            str(labels[group.name]) for group in user.groups.all() if group.name in labels
        )

    def save_form(self, request: HttpRequest, form: ModelForm, change: bool) -> User:
        if change:
            return super().save_form(request, form, change)
        # A new account is made by its service (role group, admin access), not by the form.
        data = form.cleaned_data
        return staff_member_create(
            email=data["email"],
            password=data["password1"] if data["set_usable_password"] else None,
            full_name=data["full_name"],
            role=Role(data["role"]),
            language=data["preferred_language"],
            registration_number=data.get("registration_number", ""),
        )

    def save_model(self, request: HttpRequest, obj: User, form: ModelForm, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool
    ) -> None:
        if change:
            super().save_related(request, form, formsets, change)


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    """Who the patients are, read-only: the records are changed by the patient's own journey."""

    list_display = ("full_name", "account", "created_at")
    list_select_related = ("user",)
    search_fields = ("full_name", "user__email")
    fields = ("public_id", "full_name", "user", "created_at")
    readonly_fields = fields

    @admin.display(description=_("account"), ordering="user__email")
    def account(self, patient: Patient) -> str:
        return patient.user.email if patient.user else str(_("closed"))

    def get_fields(self, request: HttpRequest, obj: Patient | None = None) -> tuple[str, ...]:
        if obj is not None and request.user.has_perm("audit.view_accessevent"):
            return (*self.fields, "access_history")
        return self.fields

    def get_readonly_fields(self, request: HttpRequest, obj: Patient | None = None) -> tuple:
        return self.get_fields(request, obj)

    @admin.display(description=_("access history"))
    def access_history(self, patient: Patient) -> str:
        url = reverse("admin:audit_accessevent_changelist")
        return format_html(
            '<a href="{}?patient__id__exact={}">{}</a>', url, patient.pk, _("Access history")
        )

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        patient = self.get_object(request, unquote(object_id))
        if patient is not None and self.has_view_or_change_permission(request, patient):
            record_access(request, patient, "admin patient record")
        return super().change_view(request, object_id, form_url, extra_context)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Patient | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Patient | None = None) -> bool:
        return False
