"""The catalog in the admin: where the front desk and admins keep the facts screening reads."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from consultations.catalog.models import (
    Area,
    Ingredient,
    Product,
    ProductArea,
    Translatable,
    Treatment,
    translation_languages,
)
from consultations.catalog.views import session_spacing

# --- Translations ---------------------------------------------------------------------------


def _translation_field_name(field: str, language: str) -> str:
    return f"{field}__{language}"


def translations_form(model: type[Translatable]) -> type[forms.ModelForm]:
    """A model form with one box per translated text and language, kept in `translations`.

    Built per model when the admin module loads, so the boxes are real form fields the
    admin's fieldsets can name; an empty box removes that translation (English is shown).
    """
    extra: dict[str, forms.Field] = {}
    for language, language_name in translation_languages():
        for field in model.TRANSLATED:
            source = model._meta.get_field(field)
            widget = (
                forms.Textarea(attrs={"rows": 3})
                if isinstance(source, models.TextField)
                else forms.TextInput(attrs={"size": 60})
            )
            extra[_translation_field_name(field, language)] = forms.CharField(
                label=f"{source.verbose_name} ({language_name})",
                required=False,
                max_length=getattr(source, "max_length", None),
                widget=widget,
            )

    def __init__(self: forms.ModelForm, *args: Any, **kwargs: Any) -> None:
        forms.ModelForm.__init__(self, *args, **kwargs)
        stored = self.instance.translations or {}
        for language, _name in translation_languages():
            for field in model.TRANSLATED:
                name = _translation_field_name(field, language)
                self.initial.setdefault(name, stored.get(language, {}).get(field, ""))

    def clean(self: forms.ModelForm) -> dict[str, Any]:
        cleaned = forms.ModelForm.clean(self)
        translations = {}
        for language, _name in translation_languages():
            texts = {
                field: cleaned.get(_translation_field_name(field, language), "").strip()
                for field in model.TRANSLATED
            }
            texts = {field: text for field, text in texts.items() if text}
            if texts:
                translations[language] = texts
        self.instance.translations = translations
        return cleaned

    meta = type("Meta", (), {"model": model, "exclude": ("translations",)})
    return type(
        f"{model.__name__}TranslationsForm",
        (forms.ModelForm,),
        {**extra, "Meta": meta, "__init__": __init__, "clean": clean},
    )


def translation_fieldsets(model: type[Translatable]) -> tuple[tuple[str, dict[str, Any]], ...]:
    return tuple(
        (
            _("In %(language)s") % {"language": language_name},
            {
                "classes": ("collapse",),
                "fields": tuple(
                    _translation_field_name(field, language) for field in model.TRANSLATED
                ),
            },
        )
        for language, language_name in translation_languages()
    )


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    form = translations_form(Area)
    fieldsets = (
        (None, {"fields": ("code", "name", "parent", "display_order")}),
        *translation_fieldsets(Area),
    )
    list_display = ("name", "code", "parent", "display_order")
    list_select_related = ("parent",)
    list_filter = (("parent", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("name", "code")
    ordering = ("display_order", "code")


@admin.register(Treatment)
class TreatmentAdmin(admin.ModelAdmin):
    form = translations_form(Treatment)
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
        *translation_fieldsets(Treatment),
    )


@admin.register(Ingredient)
class IngredientAdmin(admin.ModelAdmin):
    form = translations_form(Ingredient)
    fieldsets = (
        (None, {"fields": ("code", "name", "anaesthetic_class", "bacterial_origin")}),
        *translation_fieldsets(Ingredient),
    )
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
    form = translations_form(Product)
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
        *translation_fieldsets(Product),
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
