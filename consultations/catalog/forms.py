"""Form fields for choosing from the catalog."""

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from django import forms
from django.forms.renderers import get_default_renderer
from django.utils.choices import BaseChoiceIterator
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from clinic.forms_renderer import ClinicFormRenderer, select_html
from consultations.catalog.selectors import catalog_names


class CatalogOptions(BaseChoiceIterator):
    """A catalog select's options from `catalog_names`: listing them costs no query.

    A choice iterator, so Django leaves it lazy until a form is drawn (never at import)."""

    def __init__(self, field: "CatalogChoiceField") -> None:
        self.field = field

    def __iter__(self) -> Iterator[tuple[str, str]]:
        if self.field.empty_label is not None:
            yield ("", str(self.field.empty_label))
        for value, name in getattr(catalog_names(), self.field.options):
            yield (str(value), name)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __bool__(self) -> bool:
        return True


@lru_cache(maxsize=64)
def _options_html(options: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str, str], ...]:
    """Each option's HTML, as Django's select_option.html writes it, in two halves around
    where `selected` goes: written once per list of names (they change with the catalog and
    the language), not once per select drawn."""
    return tuple(
        (
            value,
            f'\n  <option value="{conditional_escape(value)}"',
            f">{conditional_escape(label)}</option>\n",
        )
        for value, label in options
    )


class CatalogSelect(forms.Select):
    """The select of a `CatalogChoiceField`: with the project's renderer, its options' HTML
    comes from `_options_html` with the chosen one marked, exactly what the renderer would
    write from Django's per-option context (tests/test_forms_renderer.py); any other renderer
    draws it as Django does."""

    def render(self, name: str, value: Any, attrs: dict | None = None, renderer: Any = None) -> str:
        renderer = renderer or get_default_renderer()
        choices = self.choices
        if not isinstance(renderer, ClinicFormRenderer) or not isinstance(choices, CatalogOptions):
            return super().render(name, value, attrs, renderer)
        # The widget's context without its options (Widget's, as ChoiceWidget then adds them).
        widget = forms.Widget.get_context(self, name, value, attrs)["widget"]
        chosen = widget["value"]
        parts, marked = [], False
        for option_value, before, after in _options_html(tuple(choices)):
            if not marked and option_value in chosen:
                marked = True
                parts.append(f"{before} selected{after}")
            else:
                parts.append(before + after)
        return mark_safe(select_html({**widget, "optgroups": ()}, options="".join(parts)))  # noqa: S308 (escaped as it is written)


class CatalogChoiceField(forms.ModelChoiceField):
    """A catalog select whose options come from the cached catalog names, in its language.

    `options` names the list (`treatment_options`, `product_options`, `every_product_option`,
    `area_options`, or `treatment_code_options` with `to_field_name="code"`). The chosen value
    is still looked up in the field's queryset, so an option removed from the catalog a moment
    ago is refused even if a cached list still showed it.
    """

    iterator = CatalogOptions
    widget = CatalogSelect

    def __init__(self, *, options: str, **kwargs: Any) -> None:
        self.options = options
        super().__init__(**kwargs)
