"""The catalog every fresh database starts with is exactly the one SCREENING.md describes.

The expected facts are written out here from SCREENING.md and the product
labeling, not read from the seed migration, so a wrong seed fails these tests.
"""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from consultations.catalog.models import Area, Ingredient, Product, RegulatoryStatus

pytestmark = pytest.mark.django_db

HA_BACTERIAL = "hyaluronic_acid_bacterial"

# code: (ingredients, {area: status}, min age, (interval count, unit), max sessions, status)
SEEDED_PRODUCTS = {
    "meso-vitamin": (
        {"vitamins", "amino_acids", "hyaluronic_acid"},
        dict.fromkeys(("face", "neck", "decolletage", "scalp", "hands"), "not_evaluated"),
        18,
        (2, "week"),
        None,
        "not_evaluated",
    ),
    "meso-procaine": (
        {"procaine", "vitamins", "hyaluronic_acid"},
        dict.fromkeys(("face", "neck", "decolletage", "scalp"), "not_evaluated"),
        18,
        (2, "week"),
        None,
        "not_evaluated",
    ),
    "meso-body": (
        {"caffeine", "artichoke_extract", "procaine"},
        dict.fromkeys(("abdomen", "thighs", "buttocks", "arms"), "not_evaluated"),
        18,
        (2, "week"),
        None,
        "not_evaluated",
    ),
    "skinvive": (
        {HA_BACTERIAL, "lidocaine"},
        {"cheeks": "approved"},
        22,
        (4, "week"),
        None,
        "approved",
    ),
    "juvederm-volbella-xc": (
        {HA_BACTERIAL, "lidocaine"},
        {"lips": "approved", "perioral": "approved"},
        22,
        (4, "week"),
        None,
        "approved",
    ),
    "juvederm-voluma-xc": (
        {HA_BACTERIAL, "lidocaine"},
        {"cheeks": "approved", "chin": "approved", "jawline": "approved"},
        22,
        (4, "week"),
        None,
        "approved",
    ),
    "restylane-kysse": (
        {HA_BACTERIAL, "lidocaine"},
        {"lips": "approved", "perioral": "approved"},
        22,
        (4, "week"),
        None,
        "approved",
    ),
    "kybella": (
        {"deoxycholic_acid", "benzyl_alcohol"},
        {"submental": "approved"},
        18,
        (1, "month"),
        6,
        "approved",
    ),
    "lipo-dissolve": (
        {"phosphatidylcholine", "deoxycholate"},
        {},
        18,
        (2, "week"),
        None,
        "unapproved",
    ),
}

SEEDED_AREAS = {
    "face",
    "forehead",
    "periorbital",
    "cheeks",
    "nasolabial",
    "lips",
    "perioral",
    "chin",
    "jawline",
    "submental",
    "neck",
    "decolletage",
    "scalp",
    "hands",
    "abdomen",
    "thighs",
    "buttocks",
    "arms",
}
FACE_PARTS = {
    "forehead",
    "periorbital",
    "cheeks",
    "nasolabial",
    "lips",
    "perioral",
    "chin",
    "jawline",
}
WITH_LIDOCAINE = {"skinvive", "juvederm-volbella-xc", "juvederm-voluma-xc", "restylane-kysse"}


def seeded(code: str) -> Product:
    return Product.objects.prefetch_related("ingredients", "product_areas__area").get(code=code)


def test_the_catalog_holds_exactly_the_nine_seeded_products() -> None:
    assert set(Product.objects.values_list("code", flat=True)) == set(SEEDED_PRODUCTS)


def test_the_catalog_holds_exactly_the_eighteen_seeded_areas() -> None:
    assert set(Area.objects.values_list("code", flat=True)) == SEEDED_AREAS


def test_the_face_contains_exactly_its_eight_parts() -> None:
    face = Area.objects.get(code="face")
    assert set(face.children.values_list("code", flat=True)) == FACE_PARTS


def test_only_face_parts_have_a_parent_area() -> None:
    with_parent = Area.objects.filter(parent__isnull=False)
    assert set(with_parent.values_list("code", flat=True)) == FACE_PARTS


@pytest.mark.parametrize("code", sorted(SEEDED_PRODUCTS))
def test_each_product_has_its_ingredients(code: str) -> None:
    ingredients = set(seeded(code).ingredients.values_list("code", flat=True))
    assert ingredients == SEEDED_PRODUCTS[code][0]


@pytest.mark.parametrize("code", sorted(SEEDED_PRODUCTS))
def test_each_product_says_whether_it_contains_lidocaine(code: str) -> None:
    assert seeded(code).contains_lidocaine is (code in WITH_LIDOCAINE)


@pytest.mark.parametrize("code", sorted(SEEDED_PRODUCTS))
def test_each_product_is_approved_or_intended_for_its_areas_only(code: str) -> None:
    product = seeded(code)
    areas = {pa.area.code: pa.status for pa in product.product_areas.all()}
    assert areas == SEEDED_PRODUCTS[code][1]


@pytest.mark.parametrize("code", sorted(SEEDED_PRODUCTS))
def test_each_product_has_its_minimum_age(code: str) -> None:
    assert seeded(code).min_age == SEEDED_PRODUCTS[code][2]


@pytest.mark.parametrize("code", sorted(SEEDED_PRODUCTS))
def test_each_product_has_its_session_interval(code: str) -> None:
    product = seeded(code)
    assert (product.min_interval_count, product.min_interval_unit) == SEEDED_PRODUCTS[code][3]


@pytest.mark.parametrize("code", sorted(SEEDED_PRODUCTS))
def test_each_product_has_its_session_limit(code: str) -> None:
    assert seeded(code).max_sessions == SEEDED_PRODUCTS[code][4]


@pytest.mark.parametrize("code", sorted(SEEDED_PRODUCTS))
def test_each_product_has_its_regulatory_status(code: str) -> None:
    assert seeded(code).regulatory_status == SEEDED_PRODUCTS[code][5]


def test_lipo_dissolve_is_unapproved_not_offered_and_has_no_area() -> None:
    product = seeded("lipo-dissolve")
    assert product.regulatory_status == RegulatoryStatus.UNAPPROVED
    assert product.is_active is False
    assert not product.product_areas.exists()


def test_lipo_dissolve_is_the_only_product_the_clinic_does_not_offer() -> None:
    inactive = Product.objects.filter(is_active=False)
    assert list(inactive.values_list("code", flat=True)) == ["lipo-dissolve"]


def test_bacterial_hyaluronic_acid_is_in_the_juvederm_skinvive_and_restylane_products() -> None:
    with_bacterial_ha = Product.objects.filter(
        ingredients__code=HA_BACTERIAL, ingredients__bacterial_origin=True
    )
    assert set(with_bacterial_ha.values_list("code", flat=True)) == {
        "skinvive",
        "juvederm-volbella-xc",
        "juvederm-voluma-xc",
        "restylane-kysse",
    }
    brands = set(with_bacterial_ha.values_list("brand", flat=True))
    assert brands == {"JUVÉDERM", "Restylane"}


def test_procaine_is_in_meso_procaine_and_meso_body_only() -> None:
    with_procaine = Product.objects.filter(ingredients__code="procaine")
    assert set(with_procaine.values_list("code", flat=True)) == {"meso-procaine", "meso-body"}


def test_lidocaine_is_an_amide_and_procaine_an_ester_anaesthetic() -> None:
    classes = dict(
        Ingredient.objects.filter(code__in=["lidocaine", "procaine"]).values_list(
            "code", "anaesthetic_class"
        )
    )
    assert classes == {"lidocaine": "amide", "procaine": "ester"}


def test_no_other_ingredient_is_a_local_anaesthetic() -> None:
    anaesthetics = Ingredient.objects.exclude(anaesthetic_class="")
    assert set(anaesthetics.values_list("code", flat=True)) == {"lidocaine", "procaine"}


def test_each_product_belongs_to_its_treatment() -> None:
    treatments = dict(Product.objects.values_list("code", "treatment__code"))
    assert treatments == {
        "meso-vitamin": "mesotherapy",
        "meso-procaine": "mesotherapy",
        "meso-body": "mesotherapy",
        "skinvive": "skin_booster",
        "juvederm-volbella-xc": "dermal_filler",
        "juvederm-voluma-xc": "dermal_filler",
        "restylane-kysse": "dermal_filler",
        "kybella": "fat_dissolving",
        "lipo-dissolve": "fat_dissolving",
    }


@pytest.mark.parametrize(
    ("code", "last_session", "earliest_next"),
    [
        ("kybella", dt.date(2026, 1, 31), dt.date(2026, 2, 28)),
        ("kybella", dt.date(2028, 1, 31), dt.date(2028, 2, 29)),
        ("kybella", dt.date(2026, 12, 15), dt.date(2027, 1, 15)),
        ("skinvive", dt.date(2026, 3, 10), dt.date(2026, 4, 7)),
        ("juvederm-voluma-xc", dt.date(2026, 12, 20), dt.date(2027, 1, 17)),
        ("meso-vitamin", dt.date(2026, 2, 20), dt.date(2026, 3, 6)),
    ],
)
def test_the_next_session_respects_the_product_spacing(
    code: str, last_session: dt.date, earliest_next: dt.date
) -> None:
    assert Product.objects.get(code=code).earliest_next_session(last_session) == earliest_next


def test_the_database_refuses_a_product_for_minors() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(code="meso-vitamin").update(min_age=17)


def test_the_database_accepts_a_product_for_adults_of_eighteen() -> None:
    Product.objects.filter(code="skinvive").update(min_age=18)
    assert Product.objects.get(code="skinvive").min_age == 18


def test_the_database_refuses_a_product_limited_to_zero_sessions() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(code="kybella").update(max_sessions=0)


def test_the_database_refuses_an_unknown_regulatory_status() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(code="kybella").update(regulatory_status="cleared")
