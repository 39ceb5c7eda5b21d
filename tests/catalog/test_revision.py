"""What a process keeps from the catalog is the catalog as it is now (catalog/revision.py).

The screening's facts are kept per process under the catalog's revision, which a trigger on
every catalog table sets from a sequence. Each test here changes the catalog and checks that
the very next read sees the change: a kept copy that outlived a change would screen patients
against a catalog that no longer exists.
"""

from collections.abc import Callable

import pytest
from django.db import transaction

from consultations.catalog.models import Area, Ingredient, Product, ProductArea, Treatment
from consultations.catalog.revision import catalog_revision
from consultations.intake.screening_input import offered_products
from consultations.screening.facts import catalog_facts, ingredient_names

pytestmark = pytest.mark.django_db

MESO = "meso-vitamin"


class RolledBack(Exception):
    pass


def _rename_treatment() -> None:
    Treatment.objects.filter(code="mesotherapy").update(name="Mesotherapy (renamed)")


def _new_area() -> None:
    Area.objects.create(code="ankles", name="Ankles", display_order=99)


def _new_ingredient() -> None:
    Ingredient.objects.create(code="tetracaine", name="Tetracaine", anaesthetic_class="ester")


def _add_ingredient_to_product() -> None:
    Product.objects.get(code=MESO).ingredients.add(Ingredient.objects.get(code="lidocaine"))


def _remove_product_area() -> None:
    ProductArea.objects.filter(product__code=MESO).delete()


def _retire_product() -> None:
    Product.objects.filter(code=MESO).update(is_active=False)


@pytest.mark.parametrize(
    "change",
    [
        _rename_treatment,
        _new_area,
        _new_ingredient,
        _add_ingredient_to_product,
        _remove_product_area,
        _retire_product,
    ],
)
def test_every_write_to_a_catalog_table_gives_the_catalog_a_new_revision(
    change: Callable[[], None],
) -> None:
    before = catalog_revision()
    assert before is not None
    change()
    after = catalog_revision()
    assert after is not None
    assert after != before


def test_while_the_catalog_stays_the_same_its_facts_cost_one_query(
    django_assert_num_queries,
) -> None:
    first = catalog_facts()
    offered_products()
    ingredient_names()
    with django_assert_num_queries(1):
        assert catalog_facts() is first
    with django_assert_num_queries(1):
        offered_products()
    with django_assert_num_queries(1):
        ingredient_names()


def test_a_change_is_in_the_very_next_facts() -> None:
    assert "lidocaine" not in catalog_facts().products[MESO].ingredient_codes
    meso_areas = catalog_facts().products[MESO].areas
    assert meso_areas
    assert MESO in {p.code for p in offered_products()}

    _add_ingredient_to_product()
    assert "lidocaine" in catalog_facts().products[MESO].ingredient_codes
    _remove_product_area()
    assert catalog_facts().products[MESO].areas == frozenset()
    _retire_product()
    assert MESO not in {p.code for p in offered_products()}
    _new_ingredient()
    assert ingredient_names()["tetracaine"] == ("Tetracaine",)


def test_a_change_rolled_back_leaves_nothing_of_itself_kept() -> None:
    """A transaction that changed the catalog, read it, then rolled back: its number is
    never handed out again, so what was kept under it is never read by anyone."""
    before = catalog_revision()
    assert "lidocaine" not in catalog_facts().products[MESO].ingredient_codes
    seen = {}

    def change_read_and_roll_back() -> None:
        with transaction.atomic():
            _add_ingredient_to_product()
            seen["revision"] = catalog_revision()
            seen["ingredients"] = catalog_facts().products[MESO].ingredient_codes
            raise RolledBack

    with pytest.raises(RolledBack):
        change_read_and_roll_back()
    inside = seen["revision"]
    assert "lidocaine" in seen["ingredients"]
    assert catalog_revision() == before
    assert "lidocaine" not in catalog_facts().products[MESO].ingredient_codes
    # Another change, made the same way after the rollback, gets a number of its own.
    _remove_product_area()
    assert catalog_revision() not in {before, inside}
    facts = catalog_facts().products[MESO]
    assert facts.areas == frozenset()
    assert "lidocaine" not in facts.ingredient_codes


def test_inside_one_revision_the_catalog_is_read_once_and_outside_afresh(
    django_assert_num_queries,
) -> None:
    """A screening reads its facts, offered products and ingredient names at one revision (one
    query); after it, a change is seen again by the very next read."""
    from consultations.catalog.revision import one_revision

    catalog_facts()
    offered_products()
    ingredient_names()
    with django_assert_num_queries(1), one_revision():
        catalog_facts()
        offered_products()
        ingredient_names()
    _add_ingredient_to_product()
    assert "lidocaine" in catalog_facts().products[MESO].ingredient_codes


def test_one_revision_takes_a_number_read_with_an_earlier_query(django_assert_num_queries):
    """Given the number a read of the same transaction carried (`revision_column`), the
    screening's reads of the catalog make no query of their own while it is current."""
    from consultations.catalog.revision import REVISION_COLUMN, one_revision, revision_column

    catalog_facts()
    offered_products()
    ingredient_names()
    if not revision_column():
        return  # SQLite: no number to carry, and nothing is kept
    carried = Treatment.objects.annotate(**revision_column()).values_list(
        REVISION_COLUMN, flat=True
    )[0]
    assert carried == catalog_revision()
    with django_assert_num_queries(0), one_revision(carried):
        catalog_facts()
        offered_products()
        ingredient_names()
    _add_ingredient_to_product()
    with django_assert_num_queries(0), one_revision(carried):
        # Held at the carried (older) number: the facts kept under it, as the rule says.
        assert "lidocaine" not in catalog_facts().products[MESO].ingredient_codes
    with one_revision(catalog_revision()):
        assert "lidocaine" in catalog_facts().products[MESO].ingredient_codes
