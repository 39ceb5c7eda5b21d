"""The audit room: who changed a patient's data, and who opened a patient's record.

Change history is written by PostgreSQL triggers (django-pghistory), one event table per
tracked model, so bulk updates, the admin and raw SQL are caught as well as the services.
Each event row carries its context (who, from where, through which page or command) in
`pgh_context`, written by the same statement that changed the row. Record access is an
`AccessEvent`, written by the views that show a patient's record to staff. Both are
append-only (migration 0002).

The trackers are declared here, not on the rooms' models, so the rooms stay unaware of
their audit. On SQLite (`make run`) there are no triggers and the event tables stay empty.
"""

import pghistory
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations.booking.models import Appointment, CheckIn, ProblemReport
from consultations.intake.models import (
    ConsentSignature,
    Intake,
    PreviousTreatment,
    SkinCheck,
    TreatmentRequest,
)
from consultations.patients.models import Patient, User
from consultations.review.models import Clearance, Decision, FrontDeskNote, ReviewCase


def _history_of(model: type[models.Model], *, exclude: tuple[str, ...] = ()) -> type:
    """An abstract event model recording every insert, update and delete of `model`."""
    return pghistory.create_event_model(
        model,
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(),
        exclude=list(exclude),
        # The context (who, from where) is stored in the event row itself, not in a shared
        # table the triggers would update: each row is complete and never changes.
        context_field=pghistory.ContextJSONField(),
        # Indexed: an object's history is read by it. The other foreign keys copied from the
        # tracked row are not (PGHISTORY_FOREIGN_KEY_FIELD in settings).
        obj_field=pghistory.ObjForeignKey(
            related_name="audit_events", related_query_name="audit_event", db_index=True
        ),
        app_label="audit",
        model_name=f"{model.__name__}HistoryBase",
    )


class PatientHistory(_history_of(Patient)):
    pass


class UserHistory(_history_of(User, exclude=("password",))):
    """A login's changes; the password hash is never copied into the history."""


class IntakeHistory(_history_of(Intake)):
    pass


class TreatmentRequestHistory(_history_of(TreatmentRequest)):
    pass


class SkinCheckHistory(_history_of(SkinCheck)):
    pass


class PreviousTreatmentHistory(_history_of(PreviousTreatment)):
    pass


class ConsentSignatureHistory(_history_of(ConsentSignature)):
    pass


class ReviewCaseHistory(_history_of(ReviewCase)):
    pass


class DecisionHistory(_history_of(Decision)):
    pass


class ClearanceHistory(_history_of(Clearance)):
    pass


class FrontDeskNoteHistory(_history_of(FrontDeskNote)):
    pass


class AppointmentHistory(_history_of(Appointment)):
    pass


class CheckInHistory(_history_of(CheckIn)):
    pass


class ProblemReportHistory(_history_of(ProblemReport)):
    pass


# The change-history tables, in the order the admin lists them.
CHANGE_HISTORY: tuple[type[models.Model], ...] = (
    PatientHistory,
    UserHistory,
    IntakeHistory,
    TreatmentRequestHistory,
    SkinCheckHistory,
    PreviousTreatmentHistory,
    ConsentSignatureHistory,
    ReviewCaseHistory,
    DecisionHistory,
    ClearanceHistory,
    FrontDeskNoteHistory,
    AppointmentHistory,
    CheckInHistory,
    ProblemReportHistory,
)


class AccessEvent(models.Model):
    """A member of staff opened a patient's record: who, whose, which page, when, from where."""

    class What(models.TextChoices):
        REVIEW_CASE = "review case", _("review case (intake answers and flags)")
        INTAKE_ANSWERS = "intake answers", _("intake answers")
        DESK_RECORD = "desk record", _("front-desk patient page")
        ADMIN_PATIENT = "admin patient record", _("patient record in the admin")
        ADMIN_CHECK_IN = "admin check-in", _("check-in answers in the admin")
        ADMIN_PROBLEM = "admin problem report", _("problem report in the admin")

    # Both indexed by the indexes below, each with the time after it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
        db_index=False,
    )
    patient = models.ForeignKey(
        Patient,
        on_delete=models.PROTECT,
        related_name="access_events",
        verbose_name=_("patient"),
        db_index=False,
    )
    what = models.CharField(_("what"), max_length=40, choices=What.choices)
    path = models.CharField(_("page"), max_length=500)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=400, blank=True)

    class Meta:
        verbose_name = _("record access")
        verbose_name_plural = _("record access history")
        ordering = ["-occurred_at"]
        indexes = [
            # The admin's access history of one patient, newest first.
            models.Index(fields=["patient", "-occurred_at"], name="access_patient_when_idx"),
            models.Index(fields=["user", "-occurred_at"], name="access_user_when_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} opened {self.what} of patient {self.patient_id}"
