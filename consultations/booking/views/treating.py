"""The clinician's day: today's treatments, who has checked in, recording a treatment as given."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from consultations.booking.models import Appointment, Status
from consultations.patients.models import Role


@login_required
@require_GET
def my_day(request: HttpRequest) -> HttpResponse:
    """Today's appointments of the practitioner who is logged in (clinicians only).

    Three queries whatever the day holds: the practitioner, the appointments with their
    patient, product, area and room, and the review cases to link to.
    """
    user = request.user
    if not (user.is_active and user.has_role(Role.CLINICIAN)):
        raise PermissionDenied
    practitioner = getattr(user, "practitioner", None)
    appointments = []
    if practitioner is not None:
        appointments = list(
            Appointment.objects.filter(practitioner=practitioner, local_date=timezone.localdate())
            .exclude(status=Status.CANCELLED)
            .select_related("patient", "product", "area", "room", "clearance__decision__case")
            .order_by("starts_at")
        )
    return render(
        request,
        "booking/my_day.html",
        {"practitioner": practitioner, "appointments": appointments, "today": timezone.localdate()},
    )
