"""`{{ form|fields }}`: crispy's Bootstrap 5 form, with its plain fields written in Python.

A treatment row of the intake is four selects and a checkbox, and the patient's treatments
page shows a row for each treatment: drawn by crispy's `bootstrap5/field.html`, every field
walks some sixty template nodes, most of the page's time. `fields` writes the same HTML as
`{{ form|crispy }}` for the fields whose markup is simple (a select, a text-like input, a
text area, a single checkbox: label, control, errors, help text) and hands every other
field (radio buttons, lists of checkboxes, files, hidden fields) to crispy's own template,
so a page drawn with it looks and behaves exactly as one drawn by crispy.
tests/test_form_fields.py compares the two on every form of the intake, answered, empty and
with errors.
"""

from contextlib import suppress
from functools import lru_cache
from typing import Any

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.conf import settings
from django.forms.boundfield import BoundField
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from clinic.forms_renderer import KeptOptionsSelect

register = template.Library()

# The widgets drawn here; any other (or a subclass that draws itself with a template of its
# own) goes to crispy. RadioSelect and CheckboxSelectMultiple are not Selects.
INPUTS = (
    forms.TextInput,
    forms.EmailInput,
    forms.NumberInput,
    forms.URLInput,
    forms.PasswordInput,
    forms.DateInput,
    forms.TimeInput,
    forms.DateTimeInput,
)
PLAIN = (*INPUTS, forms.Textarea, forms.Select, forms.CheckboxInput)


def _plain(field: BoundField) -> bool:
    """Drawn here: a visible field whose widget is one of PLAIN, drawn by that widget's own
    template (a subclass with a template of its own goes to crispy)."""
    if field.is_hidden:
        return False
    widget = field.field.widget
    if isinstance(widget, forms.SelectMultiple | forms.NullBooleanSelect):
        return False
    return any(
        isinstance(widget, kind) and widget.template_name == kind.template_name for kind in PLAIN
    )


def _css_class(field: BoundField, extra: str) -> str:
    """The widget's class as crispy's `crispy_field` tag makes it: the widget's own classes,
    its lower-cased class name, then `extra`'s classes not there yet."""
    widget = field.field.widget
    name = widget.__class__.__name__.lower()
    name = getattr(settings, "CRISPY_CLASS_CONVERTERS", {}).get(name, name)
    css = widget.attrs.get("class", "")
    if css:
        if css.find(name) == -1:
            css += f" {name}"
    else:
        css = name
    for word in extra.split():
        if word not in css.split():
            css += f" {word}"
    return css


def _label_text(field: BoundField) -> SafeString:
    asterisk = mark_safe('<span class="asteriskField">*</span>') if field.field.required else ""
    return format_html("{}{}", field.label, asterisk)


def _errors_and_help(field: BoundField) -> str:
    """crispy's help_text_and_errors.html as `|crispy` draws it: errors as a block, then help."""
    parts = []
    if field.errors:
        parts.append(
            f'<div id="{conditional_escape(field.errors.field_id)}_error" class="invalid-feedback">'
        )
        for number, error in enumerate(field.errors, start=1):
            parts.append(
                format_html(
                    '<p id="error_{}_{}"><strong>{}</strong></p>', number, field.auto_id, error
                )
            )
        parts.append("</div>")
    if field.help_text:
        if field.auto_id:
            parts.append(
                format_html(
                    '<div id="{}_helptext" class="form-text">{}</div>',
                    field.auto_id,
                    mark_safe(field.help_text),  # noqa: S308 (crispy's `help_text|safe`)
                )
            )
        else:
            parts.append(format_html('<div class="form-text">{}</div>', mark_safe(field.help_text)))  # noqa: S308
    return "".join(parts)


# Drawings of fields whose every possible value is one of a short list (a select of the
# catalog or of fixed choices, a checkbox), kept per process by everything a drawing depends
# on (`_drawing_key`): the same field with the same answer looks the same for every patient,
# so a treatment row's four selects are written once per answer and language, not per page.
# A field with errors, or whose value is not one of its options, is drawn afresh and not kept
# (an error can quote what was typed). Oldest first out past the bound.
_DRAWN_MAX = 4096
_drawn: dict[tuple[Any, ...], SafeString] = {}
# A checkbox's values that keep a drawing: what a form's initial data and a browser send.
_CHECKBOX_VALUES = frozenset({None, True, False, "", "on"})


def _drawing_key(field: BoundField) -> tuple[Any, ...] | None:
    """Everything `field_html` reads of the field, its form and its widget, or None for a
    field not kept: not a kept-options select or a checkbox, with errors, or with a value
    outside its options."""
    form, formfield = field.form, field.field
    widget = formfield.widget
    value = field.value()
    if isinstance(widget, KeptOptionsSelect):
        options = widget._options()
        if options is None or widget.allow_multiple_selected:
            return None
        if ("" if value is None else str(value)) not in _values_of(options):
            return None
        choices: Any = options
    elif isinstance(widget, forms.CheckboxInput):
        if value not in _CHECKBOX_VALUES:
            return None
        choices = widget.check_test
    else:
        return None
    if field.errors:
        return None
    return (
        type(form),
        form.prefix,
        form.auto_id,
        getattr(form, "error_css_class", None),
        getattr(form, "required_css_class", None),
        form.use_required_attribute,
        field.name,
        type(widget),
        widget.template_name,
        tuple(widget.attrs.items()),
        str(field.label),
        str(field.help_text),
        formfield.required,
        formfield.disabled,
        formfield.localize,
        choices,
        type(value),  # True and 1 are equal keys, and draw differently in a checkbox
        value,
        get_language(),
    )


@lru_cache(maxsize=256)
def _values_of(options: tuple[tuple[str, str, bool], ...]) -> frozenset[str]:
    return frozenset(value for value, _label, _safe in options)


def field_html(field: BoundField) -> SafeString:
    """One field as crispy's bootstrap5/field.html draws it under `|crispy`: kept and reused
    for a field of a few values (`_drawing_key`), else drawn."""
    if not _plain(field):
        return as_crispy_field(field)
    try:
        key = _drawing_key(field)
        drawn = None if key is None else _drawn.get(key)
    except TypeError:  # something in it cannot be a key (an attribute holding a list)
        key = drawn = None
    if drawn is None:
        drawn = _draw(field)
        if key is not None:
            if len(_drawn) >= _DRAWN_MAX:
                with suppress(RuntimeError):  # another thread changed it meanwhile
                    _drawn.pop(next(iter(_drawn), None), None)
            _drawn[key] = drawn
    return drawn


def _draw(field: BoundField) -> SafeString:
    widget = field.field.widget
    css_classes = field.css_classes()
    wrapper_extra = f" {css_classes}" if css_classes else ""
    if isinstance(widget, forms.CheckboxInput):
        extra = "form-check-input is-invalid" if field.errors else "form-check-input"
        control = field.as_widget(attrs={"class": _css_class(field, extra)})
        required = " requiredField" if field.field.required else ""
        wrapper = f'id="div_{conditional_escape(field.auto_id)}" class="form-check{wrapper_extra}"'
        label = f'for="{conditional_escape(field.id_for_label)}" class="form-check-label{required}"'
        return mark_safe(  # noqa: S308 (each part escaped above or by Django's widget)
            f'<div class="mb-3"><div {wrapper}>{control}<label {label}>{_label_text(field)}'
            f"</label>{_errors_and_help(field)}</div></div>"
        )
    base = "form-select" if isinstance(widget, forms.Select) else "form-control"
    control = field.as_widget(
        attrs={"class": _css_class(field, f"{base} is-invalid" if field.errors else base)}
    )
    label = ""
    if field.label:
        required = " requiredField" if field.field.required else ""
        target = f'for="{conditional_escape(field.id_for_label)}" ' if field.id_for_label else ""
        label = f'<label {target}class="form-label{required}">{_label_text(field)}</label>'
    return mark_safe(  # noqa: S308 (each part escaped above or by Django's widget)
        f'<div id="div_{conditional_escape(field.auto_id)}" class="mb-3{wrapper_extra}">'
        f"{label}{control}{_errors_and_help(field)}</div>"
    )


@register.filter(name="fields")
def form_html(form: forms.BaseForm) -> SafeString:
    """The form as `{{ form|crispy }}` draws it: its non-field errors, then each field."""
    parts = []
    errors = form.non_field_errors()
    if errors:
        items = "".join(format_html("<li>{}</li>", error) for error in errors)
        parts.append(
            f'<div class="alert alert-block alert-danger"><ul class="m-0">{items}</ul></div>'
        )
    for field in form:
        parts.append(str(field) if field.is_hidden else field_html(field))
    return mark_safe("".join(parts))  # noqa: S308 (each part escaped where it was made)
