"""The catalog in the admin: where the front desk and admins keep the facts screening reads."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from consultations.catalog.models import Area, Ingredient, Product, ProductArea, Treatment
from consultations.catalog.views import session_spacing


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "parent", "display_order")
    list_select_related = ("parent",)
    list_filter = (("parent", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("name", "code")
    ordering = ("display_order", "code")


@admin.register(Treatment)
class TreatmentAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "is_active", "display_order")
    list_filter = ("is_active",)
    search_fields = ("name", "code")
    fieldsets = (
        (None, {"fields": ("code", "name", "summary", "is_active", "display_order")}),
        (
            _("For the patient"),
            {
                "fields": (
                    "description",
                    "purpose",
                    "risks",
                    "aftercare",
                    "alternatives",
                    "evidence_summary",
                )
            },
        ),
    )


@admin.register(Ingredient)
class IngredientAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "anaesthetic_class", "bacterial_origin")
    list_filter = ("anaesthetic_class", "bacterial_origin")
    search_fields = ("name", "code")


class ProductAreaInline(admin.TabularInline):
    model = ProductArea
    extra = 0
    fields = ("area", "status")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProductArea]:
        # Each row's label names its product and area.
        return super().get_queryset(request).select_related("product", "area")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "code",
        "treatment",
        "regulatory_status",
        "lidocaine",
        "min_age",
        "interval",
        "max_sessions",
        "is_active",
    )
    list_select_related = ("treatment",)
    list_filter = ("treatment", "regulatory_status", "is_active")
    search_fields = ("name", "code", "brand", "manufacturer")
    filter_horizontal = ("ingredients",)
    inlines = (ProductAreaInline,)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "code",
                    "name",
                    "brand",
                    "brand_family",
                    "manufacturer",
                    "treatment",
                    "is_active",
                    "display_order",
                )
            },
        ),
        (_("What is in it"), {"fields": ("ingredients",)}),
        (_("Regulatory status"), {"fields": ("regulatory_status", "regulatory_note")}),
        (
            _("Who and how often"),
            {"fields": ("min_age", "min_interval_count", "min_interval_unit", "max_sessions")},
        ),
        (
            _("For the patient"),
            {"fields": ("evidence_summary", "evidence_sources", "risks", "aftercare")},
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Product]:
        # The lidocaine column reads the ingredients: one query for the page, not one per row.
        return super().get_queryset(request).prefetch_related("ingredients")

    @admin.display(description=_("contains lidocaine"), boolean=True)
    def lidocaine(self, product: Product) -> bool:
        return product.contains_lidocaine

    @admin.display(description=_("interval between sessions"), ordering="min_interval_count")
    def interval(self, product: Product) -> str:
        return session_spacing(product)
