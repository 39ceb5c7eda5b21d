"""Form fields for choosing from the catalog."""

from collections.abc import Iterator
from typing import Any

from django import forms
from django.utils.choices import BaseChoiceIterator

from clinic.forms_renderer import KeptOptionsSelect, listed_choices
from consultations.catalog.selectors import catalog_names

# Per list name and empty label: the kept names last listed (compared by identity: a new
# minute's or language's names are another object) and their options.
_listed: dict[tuple[str, str | None], tuple[object, tuple[tuple[str, str, bool], ...]]] = {}


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

    def listed(self) -> tuple[tuple[str, str, bool], ...]:
        """The options as `KeptOptionsSelect` lists them (value, label, whether the label is
        HTML), made once per list of kept names: the same as iterating, without doing it for
        every select drawn."""
        names = catalog_names()
        empty = None if self.field.empty_label is None else str(self.field.empty_label)
        key = (self.field.options, empty)
        held = _listed.get(key)
        if held is None or held[0] is not names:
            held = _listed[key] = (names, listed_choices(self))
        return held[1]

    def __bool__(self) -> bool:
        return True


class CatalogSelect(KeptOptionsSelect):
    """The select of a `CatalogChoiceField`: its options (from the kept catalog names) written
    once per list of names, as any `KeptOptionsSelect`'s."""


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

    def __deepcopy__(self, memo: dict) -> "CatalogChoiceField":
        # Each form gets a copy of its fields. A model choice field's copy takes a clone of
        # its queryset so that one form's listing does not fill another's; this one never
        # lists its queryset (its options are the kept names) and only reads it through
        # clones (`get`, in `to_python`), so the copies share it, and their own options.
        result = forms.Field.__deepcopy__(self, memo)
        result.widget.choices = result.choices
        return result
