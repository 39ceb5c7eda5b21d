"""Writing the record-access trail."""

from django.http import HttpRequest

from consultations.audit.models import AccessEvent
from consultations.patients.models import Patient
from consultations.patients.security import client_ip

USER_AGENT_KEPT = 400


def record_access(request: HttpRequest, patient: Patient, what: str) -> AccessEvent | None:
    """Record that the signed-in member of staff opened `patient`'s record (`what`: a page kind).

    Called by every view that shows a patient's record to staff, before it renders. A
    patient reading their own record is not an access to audit, so nothing is written.
    """
    user = request.user
    if not user.is_authenticated or (patient.user_id is not None and patient.user_id == user.pk):
        return None
    return AccessEvent.objects.create(
        user=user,
        patient=patient,
        what=AccessEvent.What(what),
        path=request.get_full_path()[:500],
        ip_address=client_ip(request),
        user_agent=request.headers.get("user-agent", "")[:USER_AGENT_KEPT],
    )
