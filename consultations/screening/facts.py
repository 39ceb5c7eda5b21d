"""The catalog, read from the database into the engine's plain facts."""

from django.db.models import Prefetch

from consultations.catalog.models import Area, Ingredient, Product, ProductArea
from consultations.catalog.revision import kept
from consultations.screening.engine.facts import CatalogFacts, IngredientFacts, ProductFacts


def catalog_facts() -> CatalogFacts:
    """Every product (offered or not: the contract screens any catalog code): one query for
    the catalog's revision while it stays the same, four more when it changed."""
    return kept("screening-facts", _read_catalog_facts)


def _read_catalog_facts() -> CatalogFacts:
    products = Product.objects.select_related("treatment").prefetch_related(
        Prefetch("ingredients", queryset=Ingredient.objects.order_by("code")),
        Prefetch("product_areas", queryset=ProductArea.objects.select_related("area")),
    )
    return CatalogFacts(
        products={
            p.code: ProductFacts(
                code=p.code,
                name=p.name,
                treatment=p.treatment.code,
                ingredients=tuple(
                    IngredientFacts(i.code, i.name, i.anaesthetic_class, i.bacterial_origin)
                    for i in p.ingredients.all()
                ),
                regulatory_status=p.regulatory_status,
                areas=frozenset(pa.area.code for pa in p.product_areas.all()),
                brand_family=p.brand_family,
                min_age=p.min_age,
                interval_count=p.min_interval_count,
                interval_unit=p.min_interval_unit,
                max_sessions=p.max_sessions,
            )
            for p in products
        },
        area_parents=dict(Area.objects.values_list("code", "parent__code")),
    )


def ingredient_names() -> dict[str, tuple[str, ...]]:
    """Catalog ingredient names, so an ingredient an admin adds is recognised in allergies."""
    return dict(kept("ingredient-names", _read_ingredient_names))


def _read_ingredient_names() -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((code, (name,)) for code, name in Ingredient.objects.values_list("code", "name"))
