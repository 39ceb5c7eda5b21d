"""Showing the patient's data export (consultations.patients.data_export) as a page."""

from django import template

register = template.Library()


@register.filter
def data_label(key: object) -> str:
    """`treated_on` reads as "Treated on"."""
    words = str(key).replace("_", " ")
    return words[:1].upper() + words[1:]


@register.filter
def data_kind(value: object) -> str:
    """How a value of the export is shown: a list, a group of fields, yes/no, empty or text."""
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None or value == "":
        return "empty"
    return "text"
