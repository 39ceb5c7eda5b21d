"""State changes for accounts and patients."""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from consultations.patients.models import Patient, Role, User

logger = logging.getLogger(__name__)


@transaction.atomic
def patient_register(*, email: str, password: str, full_name: str, language: str = "en") -> User:
    """Create a patient's login, their patient record and their role, all or nothing."""
    user = User(
        email=User.objects.normalize_email(email).lower(),
        full_name=full_name.strip(),
        preferred_language=language,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        # Two registrations racing for one address: the constraint decides, the loser is told.
        raise ValidationError(
            {"email": _("An account with this email address already exists.")}
        ) from exc
    user.groups.add(Group.objects.get(name=Role.PATIENT))
    Patient.objects.create(user=user, full_name=user.full_name)
    return user


@transaction.atomic
def staff_member_create(
    *,
    email: str,
    password: str | None,
    full_name: str,
    role: Role,
    language: str = "en",
    registration_number: str = "",
) -> User:
    """Create a clinician, front-desk or admin account (admins only reach this, via the admin)."""
    if role == Role.PATIENT:
        raise ValueError("Patients register themselves; use patient_register.")
    user = User(
        email=User.objects.normalize_email(email).lower(),
        full_name=full_name.strip(),
        preferred_language=language,
        is_staff=role == Role.ADMIN,
        registration_number=registration_number.strip(),
    )
    if password is not None:
        # The staff rules (12 characters and more) apply before the role group exists.
        user.role_being_created = role
        password_validation.validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.add(Group.objects.get(name=role))
    return user


def user_language_set(*, user: User, language: str) -> None:
    """Remember the language a person chose: their emails are written in it from now on."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Unknown language: %(code)s.") % {"code": language})
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])


@transaction.atomic
def user_sessions_end(*, user_ids: list[int]) -> int:
    """Log these people out everywhere, now: each session made before this moment stops working.

    Works for any session engine: the time enters each user's session hash, which Django
    checks on every request. Returns how many accounts it touched.
    """
    users = list(User.objects.select_for_update().filter(pk__in=user_ids))
    now = timezone.now()
    for user in users:
        user.sessions_ended_at = now
        user.save(update_fields=["sessions_ended_at"])
    return len(users)


CLOSED_EMAIL_DOMAIN = "closed.invalid"  # RFC 2606: reserved, never delivered to
CLOSED_NAME = "Closed account"


@dataclass(frozen=True)
class AccountClosed:
    email: str
    cancelled: int


@transaction.atomic
def patient_account_close(*, user: User) -> AccountClosed:
    """A patient closes their account (docs/retention.md).

    The login ends: deactivated, unusable password, no role, its email and name replaced by
    placeholders (the email stays unique, so the row can stay: appointments and their history
    name who booked). The Patient row and every medical record stay, detached from the login
    (`Patient.user = None`), for as long as the clinic must keep them. Future appointments are
    cancelled first, through the booking service, while the patient may still act. One inside
    the online change window cannot be cancelled that way: the closure is refused with the
    booking's own words (call the clinic), rather than leaving a booking nobody can cancel.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    patient = Patient.objects.select_for_update().filter(user=user).first()
    if not user.is_active or patient is None or not user.has_role(Role.PATIENT):
        raise PermissionDenied(_("Only a patient can close their own account here."))
    cancelled = _cancel_future_appointments(patient=patient, user=user)

    email = user.email
    user.email = f"closed-{user.public_id.hex}@{CLOSED_EMAIL_DOMAIN}"
    user.full_name = CLOSED_NAME
    user.is_active = False
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save(update_fields=["email", "full_name", "is_active", "password"])
    user.groups.clear()
    patient.user = None
    patient.save(update_fields=["user"])

    language = user.preferred_language

    def confirm() -> None:
        try:
            account_closed_email_send(email=email, language=language, cancelled=cancelled)
        except Exception:
            # The account is closed either way; a mail server that is down is followed up.
            logger.exception("could not send the account-closed email for patient %s", patient.pk)

    transaction.on_commit(confirm)
    return AccountClosed(email=email, cancelled=cancelled)


def _cancel_future_appointments(*, patient: Patient, user: User) -> int:
    # The booking room sits to the right of patients: imported at call time, as seed_demo does,
    # so that importing the patients room never loads booking. Booking's own service cancels,
    # so its checks, events and emails are the ones that apply.
    from consultations.booking.models import ACTIVE_STATUSES, Appointment
    from consultations.booking.services import appointment_cancel, patient_change_problem

    future = list(
        Appointment.objects.select_for_update()
        .filter(patient=patient, status__in=ACTIVE_STATUSES, starts_at__gt=timezone.now())
        .order_by("starts_at")
    )
    refusals = [problem for a in future if (problem := patient_change_problem(a))]
    if refusals:
        raise ValidationError(
            _(
                "You have an appointment soon. %(problem)s Once it is cancelled you can close "
                "your account."
            )
            % {"problem": refusals[0]},
            code="appointment_soon",
        )
    for appointment in future:
        appointment_cancel(appointment_id=appointment.pk, by=user, reason="Account closed")
    return len(future)


def password_changed_notify(*, user: User) -> None:
    """Tell the person, once the change commits, that their password was changed.

    ASVS 5.0 V6.3: a change of an authentication detail is announced, so that someone whose
    password was changed by another person hears of it and calls the clinic. The email says
    when, and nothing about the account beyond that.
    """
    email, language, when = user.email, user.preferred_language, timezone.now()

    def send() -> None:
        try:
            with translation.override(language or settings.LANGUAGE_CODE):
                context = {"when": when, "base_url": settings.CLINIC_BASE_URL}
                subject = render_to_string(
                    "patients/email/password_changed_subject.txt", context
                ).strip()
                body = render_to_string("patients/email/password_changed.txt", context)
            send_mail(subject, body, None, [email])
        except Exception:
            # The password is changed either way; a mail server that is down is logged.
            logger.exception("could not send the password-changed email for user %s", user.pk)

    transaction.on_commit(send)


def account_closed_email_send(*, email: str, language: str, cancelled: int) -> None:
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {"cancelled": cancelled, "base_url": settings.CLINIC_BASE_URL}
        subject = render_to_string("patients/email/account_closed_subject.txt", context).strip()
        body = render_to_string("patients/email/account_closed.txt", context)
    send_mail(subject, body, None, [email])
