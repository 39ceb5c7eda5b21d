"""Read-only admin views of clearances and front-desk notes (no medical detail).

Decisions and cases are the clinicians' (their own pages); nothing here is edited:
a clearance changes only through a clinician's decision or a new intake version.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from consultations.review.models import Clearance, FrontDeskNote


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Clearance)
class ClearanceAdmin(ReadOnlyAdmin):
    list_display = ("patient", "product", "area", "expires_on", "is_override", "revoked_at")
    list_filter = ("is_override", "revoked_because")
    list_select_related = ("patient", "product", "area")
    search_fields = ("patient__full_name",)
    fields = (
        "patient",
        "product",
        "area",
        "conditions",
        "conditions_note",
        "is_override",
        "granted_at",
        "expires_on",
        "first_used_at",
        "revoked_at",
        "revoked_because",
    )


@admin.register(FrontDeskNote)
class FrontDeskNoteAdmin(ReadOnlyAdmin):
    list_display = ("patient", "text", "created_at", "acknowledged_at")
    list_select_related = ("patient",)
    fields = ("patient", "reason", "text", "created_at", "acknowledged_at", "acknowledged_by")
