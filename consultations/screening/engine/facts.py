"""The catalog facts the rules read, as plain frozen data (built from the ORM elsewhere).

A product added by an admin is screened from these facts alone: what is in it,
where it is approved or intended, its minimum age and its session spacing.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from consultations.catalog.intervals import IntervalUnit, add_interval

HA_INJECTABLE_TREATMENTS = frozenset({"dermal_filler", "skin_booster"})


@dataclass(frozen=True)
class IngredientFacts:
    code: str
    name: str
    anaesthetic_class: str = ""  # "", "amide" or "ester"
    bacterial_origin: bool = False


@dataclass(frozen=True)
class ProductFacts:
    code: str
    name: str
    treatment: str
    ingredients: tuple[IngredientFacts, ...]
    regulatory_status: str  # "approved", "not_evaluated" or "unapproved"
    areas: frozenset[str] = frozenset()  # approved or intended areas
    brand_family: str = ""
    min_age: int = 18
    interval_count: int = 2
    interval_unit: str = IntervalUnit.WEEK.value
    max_sessions: int | None = None

    @property
    def ingredient_codes(self) -> frozenset[str]:
        return frozenset(i.code for i in self.ingredients)

    @property
    def contains_amide_anaesthetic(self) -> bool:
        return any(i.anaesthetic_class == "amide" for i in self.ingredients)

    @property
    def contains_ester_anaesthetic(self) -> bool:
        return any(i.anaesthetic_class == "ester" for i in self.ingredients)

    @property
    def contains_ha(self) -> bool:
        return any(i.code.startswith("hyaluronic_acid") for i in self.ingredients)

    @property
    def bacterial_origin(self) -> bool:
        return any(i.bacterial_origin for i in self.ingredients)

    @property
    def is_ha_injectable(self) -> bool:
        """HA fillers and skin boosters such as SKINVIVE (the IFU-labelled HA devices)."""
        return self.treatment in HA_INJECTABLE_TREATMENTS and self.contains_ha

    @property
    def is_deoxycholic(self) -> bool:
        """Kybella's active substance (and the unapproved mixtures that use it)."""
        return bool(self.ingredient_codes & {"deoxycholic_acid", "deoxycholate"})

    def earliest_next_session(self, last: dt.date) -> dt.date:
        return add_interval(last, self.interval_count, self.interval_unit)

    def interval_text(self) -> str:
        unit = self.interval_unit if self.interval_count == 1 else f"{self.interval_unit}s"
        return f"{self.interval_count} {unit}"


@dataclass(frozen=True)
class CatalogFacts:
    products: Mapping[str, ProductFacts]
    # Area code -> the code of the area containing it (None for top-level areas).
    area_parents: Mapping[str, str | None]
    _related: dict[str, frozenset[str]] = field(default_factory=dict, compare=False, repr=False)

    def related_areas(self, area: str) -> frozenset[str]:
        """The area, the area containing it and the areas it contains (`face` both ways)."""
        related = self._related.get(area)
        if related is None:
            parent = self.area_parents.get(area)
            children = {code for code, p in self.area_parents.items() if p == area}
            related = frozenset({area, *children, *([parent] if parent else [])})
            self._related[area] = related
        return related
