"""What the patient sees of the review, included in the intake's own pages."""

from django import template

from consultations.intake.models import Intake
from consultations.review.selectors import patient_outcome

register = template.Library()


@register.inclusion_tag("review/_patient_outcome.html")
def review_outcome_for_patient(intake: Intake) -> dict:
    """The standing decisions on this version, in plain words, with what can be booked."""
    return {"outcome": patient_outcome(intake)}
