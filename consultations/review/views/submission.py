"""The patient's submission, and the clinicians' queue and decisions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consultations.intake.models import Intake
from consultations.intake.selectors import OwnIntake
from consultations.review.services import review_intake_submit


@login_required
@require_POST
def intake_submit(request: HttpRequest, public_id: str) -> HttpResponse:
    """Submit the patient's intake: screened, stored and queued for a clinician, all at once."""
    # The service reads (and locks) the intake itself, only if it is this patient's own.
    try:
        review_intake_submit(intake_id=OwnIntake.of(request.user, public_id))
    except Intake.DoesNotExist as exc:
        raise Http404 from exc
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("intake:review", public_id=public_id)
    messages.success(request, _("Thank you. Your answers were sent to the clinic."))
    return redirect("intake:detail", public_id=public_id)
