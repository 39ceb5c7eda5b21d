"""Catalog texts in the page's language: `{{ product|translated:"name" }}`."""

from django import template

from consultations.catalog.models import Translatable

register = template.Library()


@register.filter
def translated(obj: Translatable | None, field: str) -> str:
    """The field in the active language, or in English when it has no translation yet."""
    if obj is None or obj == "":
        return ""
    return obj.translated(field)
