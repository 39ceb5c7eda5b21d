"""The public screening API (SCREENING.md): stores nothing, needs no login, is rate limited."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from consultations.screening.engine.contract import ContractError
from consultations.screening.services import screening_evaluate_json


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


# A machine-to-machine JSON endpoint: no session, so no CSRF exposure; stores nothing.
@csrf_exempt
@never_cache
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
