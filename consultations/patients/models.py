"""Accounts (who logs in) and patients (whose records these are).

A `User` is a login. A `Patient` is the person the clinic keeps medical records
for. They are separate so that closing an account can detach the login while the
clinic keeps the records it must retain.
"""

import uuid
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The four roles of the product; each is a Django group of the same name."""

    PATIENT = "patient", _("Patient")
    CLINICIAN = "clinician", _("Clinician")
    FRONT_DESK = "front_desk", _("Front desk")
    ADMIN = "admin", _("Administrator")


_ROLE_CODES = frozenset(Role.values)

TITLES = frozenset({"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "professor", "sir", "dame"})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: object) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email__iexact=username)


def roles_named(group_names: Iterable[str]) -> frozenset[str]:
    """The role codes among these group names (a group that is no role is left out)."""
    return frozenset(name for name in group_names if name in _ROLE_CODES)


class User(AbstractBaseUser, PermissionsMixin):
    """A login, identified by email address (case-insensitive, unique)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    is_staff = models.BooleanField(
        _("admin site access"),
        default=False,
        help_text=_("Designates whether the user can log into the Django admin site."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # A clinician's professional registration (e.g. NMC or GMC number); every decision
    # records it, and a clinician without one cannot decide.
    registration_number = models.CharField(
        _("professional registration number"), max_length=40, blank=True
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Set when an admin ends this person's sessions: it enters the session hash, so every
    # session made before it stops matching, whichever session engine holds it.
    sessions_ended_at = models.DateTimeField(_("sessions ended at"), null=True, blank=True)

    objects = UserManager()

    # Not a field: the role a new account is being created with, for the password rules
    # (a staff password needs 12 characters) before the role group exists.
    role_being_created: str | None = None

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Django logs a session out when this hash changes (a new password does it); ending
        # the sessions does it too. Unchanged for accounts whose sessions were never ended.
        if self.sessions_ended_at is None:
            return super()._get_session_auth_hash(secret=secret)
        key_salt = "consultations.patients.models.User.get_session_auth_hash"
        value = f"{self.password}:{self.sessions_ended_at.isoformat()}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()

    def get_short_name(self) -> str:
        # "Dr Khoa Le" is "Khoa", not "Dr".
        words = [w for w in self.full_name.split() if w.rstrip(".").lower() not in TITLES]
        return words[0] if words else (self.full_name or self.email)

    @property
    def roles(self) -> frozenset[str]:
        """The user's role codes; cached on the instance for the request."""
        cached = getattr(self, "_roles_cache", None)
        if cached is None:
            cached = self._roles_cache = roles_named(self.groups.values_list("name", flat=True))
        return cached

    def keep_roles(self, group_names: Iterable[str]) -> None:
        """The roles from the user's group names, read with the user (`ClinicBackend`): kept
        for the request, as `roles` would keep what it read."""
        self._roles_cache = roles_named(group_names)

    def has_role(self, role: Role | str) -> bool:
        return str(role) in self.roles

    @property
    def is_patient(self) -> bool:
        return self.has_role(Role.PATIENT)

    @property
    def is_clinic_staff(self) -> bool:
        return bool(self.roles & {Role.CLINICIAN, Role.FRONT_DESK, Role.ADMIN})

    @property
    def needs_second_factor(self) -> bool:
        """Staff (and anyone who can reach the admin) confirm each login with a second factor."""
        return self.is_staff or self.is_superuser or self.is_clinic_staff


class Patient(models.Model):
    """The person whose medical records these are.

    `user` is nullable: when a patient closes their account the login is
    detached, and the records the clinic must keep stay with this row.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="patient",
    )
    full_name = models.CharField(_("full name"), max_length=150)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("patient")
        verbose_name_plural = _("patients")

    def __str__(self) -> str:
        return self.full_name

    @property
    def initials(self) -> str:
        return "".join(part[0].upper() for part in self.full_name.split() if part)[:3]
