"""Reads of the catalog."""

import time
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Prefetch, QuerySet
from django.utils.translation import get_language

from consultations.catalog.models import Area, Product, ProductArea, Treatment

# How long busy lists (the review queue) may show a catalog name after an admin changed it.
NAMES_SECONDS = 60


@dataclass(frozen=True)
class CatalogNames:
    """Names to show, by id, in the active language: for lists that show many requests, and
    the options of the forms' catalog selects, in the catalog's order (`*_options`: offered
    rows only, as (id, name); `treatment_code_options` as (code, name), for filters in URLs)."""

    treatments: dict[int, str]
    products: dict[int, str]
    areas: dict[int, str]
    treatment_options: tuple[tuple[int, str], ...] = ()
    product_options: tuple[tuple[int, str], ...] = ()
    every_product_option: tuple[tuple[int, str], ...] = ()
    area_options: tuple[tuple[int, str], ...] = ()
    treatment_code_options: tuple[tuple[str, str], ...] = ()


# What this process last took from the cache, per language: (until when, the names). A page
# asks for the names several times (each catalog select, the rows); the cache would unpickle
# them each time (and with Redis, make a round trip each), so the process holds what it took
# until the moment the cache entry itself expires: never shown longer than NAMES_SECONDS.
_held: dict[str, tuple[float, "CatalogNames"]] = {}


def catalog_names() -> CatalogNames:
    """Every treatment's, product's and area's name in the active language (three queries,
    then none for a minute: the names are only shown, nothing is decided on them)."""
    language = get_language() or "en"
    now = time.time()
    held = _held.get(language)
    if held is not None and now < held[0]:
        return held[1]
    key = f"catalog-names:{language}"
    entry = cache.get(key)
    if entry is None or not now < entry[0]:
        entry = (now + NAMES_SECONDS, _read_names())
        cache.set(key, entry, NAMES_SECONDS)
    _held[language] = entry
    return entry[1]


def forget_names() -> None:
    """Let go of the names this process holds (the tests start each from the cache)."""
    _held.clear()


def _read_names() -> CatalogNames:
    treatments = list(Treatment.objects.all())
    products = list(Product.objects.select_related("treatment"))
    areas = list(Area.objects.all())
    return CatalogNames(
        treatments={t.pk: t.translated("name") for t in treatments},
        products={p.pk: p.translated("name") for p in products},
        areas={a.pk: a.translated("name") for a in areas},
        treatment_options=tuple((t.pk, t.translated("name")) for t in treatments if t.is_active),
        product_options=tuple((p.pk, p.translated("name")) for p in products if p.is_active),
        every_product_option=tuple((p.pk, p.translated("name")) for p in products),
        area_options=tuple((a.pk, a.translated("name")) for a in areas),
        treatment_code_options=tuple(
            (t.code, t.translated("name")) for t in treatments if t.is_active
        ),
    )


def treatments_offered() -> QuerySet[Treatment]:
    """Offered treatments with their offered products (two queries)."""
    return Treatment.objects.filter(is_active=True).prefetch_related(
        Prefetch("products", queryset=Product.objects.filter(is_active=True))
    )


def treatments_with_offered_products() -> QuerySet[Treatment]:
    """Every treatment (offered or not) with its offered products, for the treatment page.

    Two queries whatever the number of products; the lookup by `code` uses the
    unique index on `catalog_treatment.code`.
    """
    return Treatment.objects.prefetch_related(
        Prefetch("products", queryset=Product.objects.filter(is_active=True))
    )


def products_offered() -> QuerySet[Product]:
    return Product.objects.filter(is_active=True, treatment__is_active=True).select_related(
        "treatment"
    )


def areas_all() -> QuerySet[Area]:
    return Area.objects.select_related("parent")


def products_with_facts() -> QuerySet[Product]:
    """Products, offered or not, with everything their public page shows (four queries).

    Products the clinic does not offer are included on purpose: patients look
    them up to learn why. The lookup by `code` uses the unique index on
    `catalog_product.code`.
    """
    return Product.objects.select_related("treatment").prefetch_related(
        "ingredients",
        Prefetch("product_areas", queryset=ProductArea.objects.select_related("area")),
    )


def product_with_facts(code: str) -> Product:
    """A product with everything its public page shows (four queries)."""
    return products_with_facts().get(code=code)
