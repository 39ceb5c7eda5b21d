"""The form renderer: Django's, with the select and the single-input widgets written in Python.

A select's options are the bulk of a page's HTML when it lists the catalog (every product and
every area, on each treatment row of the intake), and drawing them through the template
language costs a node per attribute of every option; every text box, date, checkbox and
hidden field (a formset's management form is four) is two template includes. So
`ClinicFormRenderer` writes exactly the HTML of Django's `django/forms/widgets/select.html`
and of its `input.html` (which text.html, date.html, checkbox.html, hidden.html and the other
single inputs consist of), and of `django/forms/div.html` for a form of hidden fields alone
(a formset's management form), as tests/test_forms_renderer.py checks on every kind of each,
and leaves every other widget and form to the templates. An input template the project replaces
(templates/django/forms/widgets/) is drawn by its template, not here.
"""

from collections.abc import Iterator
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import django
from django import forms
from django.forms.renderers import TemplatesSetting, get_default_renderer
from django.http import HttpRequest
from django.utils.choices import BaseChoiceIterator, normalize_choices
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import get_language

SELECT = "django/forms/widgets/select.html"
# A form's own template (Form.template_name); here only for a form of hidden fields alone.
DIV = "django/forms/div.html"
OPTION = "django/forms/widgets/select_option.html"
# Django's templates of a single <input>: each is `{% include "…/input.html" %}`, nothing else.
INPUTS = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        *("checkbox", "color", "date", "datetime", "email", "hidden", "number"),
        *("password", "search", "tel", "text", "time", "url"),
    )
)
DJANGO_WIDGETS = Path(django.__file__).parent / "forms" / "templates"


def _attrs(attrs: dict[str, Any]) -> str:
    # As django/forms/widgets/attrs.html: False leaves the attribute out, True writes it bare.
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def select_html(widget: dict[str, Any], options: str = "") -> str:
    """Django's select.html for this widget context, written out (`options`: the options'
    HTML already written, before those of the context's `optgroups`)."""
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    if options:
        parts.append(options)
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


def input_html(widget: dict[str, Any]) -> str:
    """Django's input.html for this widget context, written out."""
    value = widget["value"]
    shown = "" if value is None else f' value="{conditional_escape(str(value))}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'
    )


def hidden_form_html(hidden_fields: list[Any]) -> str:
    """Django's div.html for a form of hidden fields alone, without errors (a formset's
    management form), as a renderer returns it (stripped): the fields, one after another."""
    return "".join(str(field) for field in hidden_fields)


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
        elif template_name in INPUTS and self._djangos_own(template_name):
            return input_html(context["widget"])
        elif (
            template_name == DIV
            and not context["fields"]
            and not context["errors"]
            and self._djangos_own(DIV)
        ):
            return hidden_form_html(context["hidden_fields"])
        return super().render(template_name, context, request)

    @cache  # noqa: B019 (one renderer for the process, a handful of names)
    def _djangos_own(self, template_name: str) -> bool:
        """True while Django's own template, and its input.html, are the ones in use."""
        return all(
            Path(self.get_template(name).origin.name).is_relative_to(DJANGO_WIDGETS)
            for name in (template_name, "django/forms/widgets/input.html")
        )


# --- Selects whose options are written once -----------------------------------------------


@lru_cache(maxsize=256)
def _options_html(
    options: tuple[tuple[str, str, bool], ...],
) -> tuple[tuple[str, str, str], ...]:
    """Each option's HTML, as Django's select_option.html writes it, in two halves around
    where `selected` goes: written once per list of options (value, label, whether the label
    is already HTML) in the language they were listed in, not once per select drawn."""
    return tuple(
        (
            value,
            f'\n  <option value="{conditional_escape(value)}"',
            f">{mark_safe(label) if safe else conditional_escape(label)}</option>\n",  # noqa: S308 (already HTML, as Django would take it)
        )
        for value, label, safe in options
    )


class KeptOptionsSelect(forms.Select):
    """A select (one choice, no groups) whose options' HTML is written once per list of
    options and language, with the chosen one marked per draw: exactly what the renderer
    writes from Django's per-option context (tests/test_forms_renderer.py), without building
    that context option by option. With another renderer, or with groups, as Django draws it.
    """

    def _options(self) -> tuple[tuple[str, str, bool], ...] | None:
        if hasattr(self.choices, "listed"):
            # Options that know their list (CatalogOptions, FixedOptions).
            return self.choices.listed()
        return listed_choices(self.choices)

    def render(self, name: str, value: Any, attrs: dict | None = None, renderer: Any = None) -> str:
        renderer = renderer or get_default_renderer()
        options = (
            self._options()
            if isinstance(renderer, ClinicFormRenderer)
            and not self.allow_multiple_selected
            and self.template_name == SELECT
            and self.option_template_name == OPTION
            else None
        )
        if options is None:
            return super().render(name, value, attrs, renderer)
        # The widget's context without its options (Widget's, as ChoiceWidget then adds them).
        widget = forms.Widget.get_context(self, name, value, attrs)["widget"]
        chosen = widget["value"]
        parts, marked = [], False
        for option_value, before, after in _options_html(options):
            if not marked and option_value in chosen:
                marked = True
                parts.append(f"{before} selected{after}")
            else:
                parts.append(before + after)
        return mark_safe(select_html({**widget, "optgroups": ()}, options="".join(parts)))  # noqa: S308 (escaped as it is written)


class FixedOptions(BaseChoiceIterator):
    """A fixed list of choices that lists itself for `KeptOptionsSelect` once per language
    (`listed`), not per select drawn: each option's label, lazy or not, made text once.

    The copies Django makes of a widget's choices for every form (a shallow copy each) share
    the list and what it listed."""

    def __init__(self, choices: Any) -> None:
        self.choices = list(normalize_choices(choices))
        self._listed: dict[str | None, tuple[tuple[str, str, bool], ...] | None] = {}

    def __iter__(self) -> Iterator[Any]:
        return iter(self.choices)

    def __len__(self) -> int:
        return len(self.choices)

    def listed(self) -> tuple[tuple[str, str, bool], ...] | None:
        """As `KeptOptionsSelect` lists choices (None for a list with groups)."""
        language = get_language()
        try:
            return self._listed[language]
        except KeyError:
            listed = listed_choices(self.choices)
            self._listed[language] = listed
            return listed


def listed_choices(choices: Any) -> tuple[tuple[str, str, bool], ...] | None:
    """Each choice as (value, label, whether the label is HTML); None if there are groups."""
    listed = []
    for value, label in choices:
        if isinstance(label, (list, tuple)):
            return None  # a group: Django's way
        text = str(label)
        listed.append(("" if value is None else str(value), text, isinstance(text, SafeData)))
    return tuple(listed)


class FixedChoices:
    """For a choice field whose list of choices is the same for every form: each form's copy
    of the field shares the list (`FixedOptions`, which lists itself once per language for
    the select). Django's ChoiceField deep-copies it, each lazy label in it, for every form it
    builds (a queue page's filters, every row of a formset); the list is never changed in
    place here, and giving a form's field other choices (`field.choices = ...`) replaces that
    copy's list alone, as before."""

    @property
    def choices(self) -> Any:
        return self._choices

    @choices.setter
    def choices(self, value: Any) -> None:
        self._choices = self.widget.choices = FixedOptions(value)

    def __deepcopy__(self, memo: dict) -> Any:
        return forms.Field.__deepcopy__(self, memo)


class FixedChoiceField(FixedChoices, forms.ChoiceField):
    pass


class FixedTypedChoiceField(FixedChoices, forms.TypedChoiceField):
    pass
