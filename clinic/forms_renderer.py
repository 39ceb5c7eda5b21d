"""The form renderer: Django's, with the select widget written in Python.

A select's options are the bulk of a page's HTML when it lists the catalog (every product and
every area, on each treatment row of the intake), and drawing them through the template
language costs a node per attribute of every option. `ClinicFormRenderer` writes exactly the
HTML of Django's `django/forms/widgets/select.html` (tests/test_forms_renderer.py compares
the two on every kind of select) and leaves every other widget to the templates, so
templates/django/forms/ can still replace any of them.
"""

from typing import Any

from django.forms.renderers import TemplatesSetting
from django.http import HttpRequest
from django.utils.html import conditional_escape

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


def _attrs(attrs: dict[str, Any]) -> str:
    # As django/forms/widgets/attrs.html: False leaves the attribute out, True writes it bare.
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def select_html(widget: dict[str, Any]) -> str:
    """Django's select.html for this widget context, written out."""
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            if option.get("template_name", OPTION) != OPTION:
                raise _NotPlain
            parts.append(
                f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                f"{_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class _NotPlain(Exception):
    """An option drawn by a template of its own: left to the templates."""


class ClinicFormRenderer(TemplatesSetting):
    def render(
        self, template_name: str, context: dict[str, Any], request: HttpRequest | None = None
    ) -> str:
        if template_name == SELECT:
            try:
                return select_html(context["widget"])
            except _NotPlain:
                pass
        return super().render(template_name, context, request)
