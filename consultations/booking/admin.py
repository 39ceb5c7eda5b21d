"""The clinic's resources are edited here; appointments and their history only read.

Practitioners (with their treatments, working hours and time off), rooms, opening
hours, time off and the booking policy are the admin's to manage. Appointments,
their events, check-ins and problem reports change only through the booking
services (the clearance gate, the transitions, the history): the admin shows them
and refuses to add, change or delete them, and PostgreSQL refuses an appointment
without a valid clearance whatever the path (migration 0002).
"""

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import HttpRequest, HttpResponse

from consultations.audit.services import record_access
from consultations.booking.models import (
    Appointment,
    AppointmentEvent,
    BookingPolicy,
    CheckIn,
    OpeningHours,
    Practitioner,
    ProblemReport,
    Room,
    TimeOff,
    WorkingHours,
)
from consultations.review.admin import ReadOnlyAdmin


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0
    fields = ("weekday", "starts", "ends")


class TimeOffInline(admin.TabularInline):
    model = TimeOff
    extra = 0
    fields = ("starts_at", "ends_at", "reason")


@admin.register(Practitioner)
class PractitionerAdmin(admin.ModelAdmin):
    list_display = ("display_name", "credentials", "user", "is_active")
    list_filter = ("is_active", "treatments")
    list_select_related = ("user",)
    search_fields = ("display_name", "user__email", "credentials")
    autocomplete_fields = ("user",)
    filter_horizontal = ("treatments",)
    fields = ("user", "display_name", "credentials", "treatments", "is_active")
    inlines = (WorkingHoursInline, TimeOffInline)


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("name", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name",)


@admin.register(OpeningHours)
class OpeningHoursAdmin(admin.ModelAdmin):
    list_display = ("weekday", "opens", "closes")
    list_filter = ("weekday",)


@admin.register(TimeOff)
class TimeOffAdmin(admin.ModelAdmin):
    list_display = ("practitioner", "starts_at", "ends_at", "reason")
    list_filter = ("practitioner",)
    list_select_related = ("practitioner",)
    date_hierarchy = "starts_at"


@admin.register(BookingPolicy)
class BookingPolicyAdmin(admin.ModelAdmin):
    """One row: it can be changed, never added twice or deleted."""

    list_display = ("__str__", "cancellation_hours", "slot_minutes", "horizon_days", "clinic_email")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not BookingPolicy.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# Shown, never edited here: appointments and their records change only through the services.


class AppointmentEventInline(admin.TabularInline):
    model = AppointmentEvent
    extra = 0
    fields = ("at", "kind", "status", "by", "detail")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin):
    list_display = ("starts_at", "patient", "product", "area", "practitioner", "room", "status")
    list_filter = ("status", "practitioner", "room")
    list_select_related = ("patient", "product", "area", "practitioner", "room")
    search_fields = ("patient__full_name",)
    date_hierarchy = "starts_at"
    fields = (
        "public_id",
        "patient",
        "clearance",
        "treatment",
        "product",
        "area",
        "practitioner",
        "room",
        "starts_at",
        "ends_at",
        "free_at",
        "local_date",
        "status",
        "created_at",
        "booked_by",
        "reminder_sent_at",
    )
    readonly_fields = ("public_id", "created_at")
    inlines = (AppointmentEventInline,)


@admin.register(AppointmentEvent)
class AppointmentEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "appointment", "kind", "status", "by")
    list_filter = ("kind",)
    list_select_related = ("appointment__product", "appointment__area", "by")
    fields = ("appointment", "kind", "status", "by", "at", "detail")


class MedicalRecordAdmin(ReadOnlyAdmin):
    """Opening one of these shows a patient's medical answers: an access to record."""

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        record = self.get_object(request, unquote(object_id))
        if record is not None and self.has_view_or_change_permission(request, record):
            record_access(request, record.appointment.patient, self.access_kind)
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(CheckIn)
class CheckInAdmin(MedicalRecordAdmin):
    access_kind = "admin check-in"
    list_display = ("at", "appointment", "confirmed_by")
    list_select_related = ("appointment__product", "appointment__area", "confirmed_by")
    fields = (
        "appointment",
        "pregnancy_changed",
        "infection_at_area",
        "new_medications",
        "new_medications_detail",
        "confirmed_by",
        "with_patient",
        "at",
    )


@admin.register(ProblemReport)
class ProblemReportAdmin(MedicalRecordAdmin):
    access_kind = "admin problem report"
    list_display = ("created_at", "appointment", "reported_by")
    list_select_related = ("appointment__product", "appointment__area", "reported_by")
    fields = ("appointment", "symptoms", "details", "reported_by", "created_at")
    readonly_fields = ("created_at",)
