"""Catalog facts for the engine's tests, built without a database from the seed migration."""

import datetime as dt
import importlib
from dataclasses import replace
from typing import Any

import pytest

from consultations.screening.engine.facts import CatalogFacts, IngredientFacts, ProductFacts
from consultations.screening.engine.types import PreviousSession, Request, ScreeningInput
from tests.intake.conftest import complete_draft, draft, submitted  # noqa: F401 (fixtures)

SEED = importlib.import_module("consultations.catalog.migrations.0002_seed_catalog")


def seeded_facts() -> CatalogFacts:
    ingredients = {
        code: IngredientFacts(code, name, cls, bacterial)
        for code, name, cls, bacterial in SEED.INGREDIENTS
    }
    products = {}
    for spec in SEED.PRODUCTS:
        count, unit = spec["interval"]
        products[spec["code"]] = ProductFacts(
            code=spec["code"],
            name=spec["name"],
            treatment=spec["treatment"],
            ingredients=tuple(ingredients[c] for c in sorted(spec["ingredients"])),
            regulatory_status=spec["regulatory_status"],
            areas=frozenset(code for code, _ in spec["areas"]),
            brand_family=spec["brand_family"],
            min_age=spec["min_age"],
            interval_count=count,
            interval_unit=unit,
            max_sessions=spec["max_sessions"],
        )
    return CatalogFacts(
        products=products, area_parents={code: parent for code, _, parent in SEED.AREAS}
    )


FACTS = seeded_facts()
TREATMENT_DAY = dt.date(2026, 12, 1)

# A healthy adult with nothing to declare.
CLEAN = ScreeningInput(
    date_of_birth=dt.date(1990, 4, 1),
    treatment_date=TREATMENT_DAY,
    requests=(Request("skinvive", "cheeks", "skin_quality"),),
    pregnancy="no",
)


def patient(product: str = "skinvive", area: str = "cheeks", **changes: Any) -> ScreeningInput:
    """CLEAN asking for one (product, area), with the given answers changed."""
    indication = changes.pop("indication", None)
    if "skin_at_site" in changes:
        changes["skin_at_site"] = tuple(
            sorted((a, frozenset(f)) for a, f in changes["skin_at_site"].items())
        )
    if "conditions" in changes:
        changes["conditions"] = frozenset(changes["conditions"])
    if "previous_sessions" in changes:
        changes["previous_sessions"] = tuple(
            PreviousSession(p, a, d) for p, a, d in changes["previous_sessions"]
        )
    return replace(CLEAN, requests=(Request(product, area, indication),), **changes)


@pytest.fixture(scope="session")
def reader():
    from consultations.screening.engine.text import TextReader

    return TextReader()
