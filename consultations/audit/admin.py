"""The audit trail in the admin, read-only: record access by patient, and change history."""

from django.contrib import admin
from django.db.models import BigIntegerField, Model, OuterRef, QuerySet, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from consultations.audit.models import CHANGE_HISTORY, AccessEvent
from consultations.patients.models import User


class ReadOnlyAdmin(admin.ModelAdmin):
    """Evidence is looked at, never edited (the database refuses it too)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(AccessEvent)
class AccessEventAdmin(ReadOnlyAdmin):
    """Who opened which patient's record, when and from where (filter by patient for theirs)."""

    list_display = ("occurred_at", "patient", "user", "what", "ip_address")
    list_select_related = ("patient", "user")
    search_fields = ("patient__full_name", "user__email")
    date_hierarchy = "occurred_at"
    fields = ("occurred_at", "patient", "user", "what", "path", "ip_address", "user_agent")
    readonly_fields = fields
    show_full_result_count = False

    # By staff member, kind and date here; by patient from the patient's page ("Access
    # history" links to ?patient__id__exact=...), so the sidebar does not list every patient.
    list_filter = ("what", "occurred_at", ("user", admin.RelatedOnlyFieldListFilter))

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        return lookup == "patient__id__exact" or super().lookup_allowed(lookup, value, request)


class ChangeHistoryAdmin(ReadOnlyAdmin):
    """One tracked model's change history: each insert, update and delete, with who did it."""

    list_display = ("pgh_created_at", "pgh_label", "pgh_obj_id", "by", "context")
    list_filter = ("pgh_label", "pgh_created_at")
    date_hierarchy = "pgh_created_at"
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        user_id = Cast(KeyTextTransform("user", "pgh_context"), BigIntegerField())
        by = User.objects.filter(pk=OuterRef("_by_id")).values("email")[:1]
        return (
            super()
            .get_queryset(request)
            .annotate(_by_id=user_id)
            .annotate(_by=Subquery(by))
            .order_by("-pgh_created_at", "-pgh_id")
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        return [field.name for field in self.model._meta.fields]

    @admin.display(description=_("by"))
    def by(self, event: Model) -> str:
        context = event.pgh_context or {}
        return getattr(event, "_by", None) or context.get("command", "") or "—"

    @admin.display(description=_("through"))
    def context(self, event: Model) -> str:
        context = event.pgh_context or {}
        return " ".join(str(context[key]) for key in ("url", "ip", "os_user") if context.get(key))


for _model in CHANGE_HISTORY:
    admin.site.register(_model, ChangeHistoryAdmin)
