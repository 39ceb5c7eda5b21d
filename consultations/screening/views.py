"""The public screening API, and submission (which screens) for the patient's intake."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from consultations.intake.selectors import get_own_intake
from consultations.screening.engine.contract import ContractError
from consultations.screening.services import intake_submit_and_screen, screening_evaluate_json


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


# A machine-to-machine JSON endpoint: no session, so no CSRF exposure; stores nothing.
@csrf_exempt
@require_POST
@ratelimit(key="ip", rate=lambda group, request: settings.SCREENING_API_RATE, block=False)
def screenings_api(request: HttpRequest) -> JsonResponse:
    """POST /api/v1/screenings: the contract's JSON in, the result JSON out (SCREENING.md)."""
    if getattr(request, "limited", False):
        response = _error("too many requests from this address; try again in a minute", 429)
        response["Retry-After"] = "60"
        return response
    try:
        body = request.body
    except RequestDataTooBig:
        return _error("the request body is too large", 413)
    try:
        return JsonResponse(screening_evaluate_json(body))
    except ContractError as error:
        return _error(str(error), 400)


@login_required
@require_POST
def intake_submit(request: HttpRequest, public_id: str) -> HttpResponse:
    """Submit the patient's intake; its screening is stored in the same transaction."""
    intake = get_own_intake(request.user, public_id)
    try:
        intake_submit_and_screen(intake_id=intake.pk)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("intake:review", public_id=intake.public_id)
    messages.success(request, _("Thank you. Your answers were sent to the clinic."))
    return redirect("intake:detail", public_id=intake.public_id)
