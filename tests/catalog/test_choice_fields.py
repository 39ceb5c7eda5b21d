"""Catalog selects list their options from the cached names and still validate in the database."""

import pytest
from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from consultations.catalog.forms import CatalogChoiceField
from consultations.catalog.models import Area, Product

pytestmark = pytest.mark.django_db


class ChooseProduct(forms.Form):
    product = CatalogChoiceField(
        options="product_options", queryset=Product.objects.filter(is_active=True)
    )
    area = CatalogChoiceField(options="area_options", queryset=Area.objects.all(), required=False)


@pytest.fixture(autouse=True)
def _fresh_names():
    cache.clear()
    yield
    cache.clear()


def test_the_options_are_listed_without_a_query_once_the_names_are_cached() -> None:
    ChooseProduct().as_div()  # the first form reads the catalog once
    with CaptureQueriesContext(connection) as queries:
        html = ChooseProduct().as_div()
    assert len(queries) == 0
    skinvive = Product.objects.get(code="skinvive")
    assert f'<option value="{skinvive.pk}">SKINVIVE by JUVÉDERM</option>' in html


def test_the_options_are_in_the_pages_language() -> None:
    with translation.override("vi"):
        html = ChooseProduct().as_div()
    assert ">Má</option>" in html


def test_a_product_withdrawn_after_the_list_was_cached_is_refused() -> None:
    skinvive = Product.objects.get(code="skinvive")
    ChooseProduct().as_div()
    Product.objects.filter(pk=skinvive.pk).update(is_active=False)
    assert str(skinvive.pk) in ChooseProduct().as_div()  # the cached list still shows it
    form = ChooseProduct({"product": str(skinvive.pk)})
    assert not form.is_valid()
    assert "product" in form.errors


def test_each_forms_catalog_field_is_its_own_and_still_checks_the_catalog() -> None:
    """A form's copy of a catalog field shares the field's queryset (never listed, only
    read through clones) but its options are its own: a change on one form's field (its
    empty label) is not another's, and a withdrawn product is refused by every copy."""
    import copy

    field = CatalogChoiceField(
        options="product_options", queryset=Product.objects.filter(is_active=True)
    )
    first, second = copy.deepcopy(field), copy.deepcopy(field)
    first.empty_label = "Pick one"
    assert next(iter(first.widget.choices)) == ("", "Pick one")
    assert next(iter(second.widget.choices))[1] != "Pick one"
    assert second.queryset._result_cache is None
    product = Product.objects.filter(is_active=True).first()
    assert second.clean(str(product.pk)) == product
    Product.objects.filter(pk=product.pk).update(is_active=False)
    for copy_ in (first, second):
        with pytest.raises(ValidationError):
            copy_.clean(str(product.pk))
    assert field.queryset._result_cache is None
