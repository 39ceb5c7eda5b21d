"""Telling the patient what was decided, by email, in their language and in plain words."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from consultations.review.models import ReviewCase
from consultations.review.selectors import patient_outcome


def send_outcome_email(*, case_id: int, corrected: bool) -> None:
    """Email the patient the standing decisions of their case (after the transaction commits).

    No medical detail goes by email: what was decided for which treatment, what
    happens next, and a link to the account where the rest is.
    """
    case = ReviewCase.objects.select_related("patient__user", "intake").get(pk=case_id)
    user = case.patient.user
    if user is None or not user.is_active:
        return  # a closed account: the clinic keeps the record, nobody is emailed
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        context = {
            "name": case.patient.full_name,
            "outcome": patient_outcome(case.intake),
            "corrected": corrected,
            "link": settings.CLINIC_BASE_URL
            + reverse("intake:detail", kwargs={"public_id": case.intake.public_id}),
        }
        subject = render_to_string("review/email/outcome_subject.txt", context).strip()
        body = render_to_string("review/email/outcome.txt", context)
        html = render_to_string("review/email/outcome.html", context)
    send_mail(subject, body, None, [user.email], html_message=html)
