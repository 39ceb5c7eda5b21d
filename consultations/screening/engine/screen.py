"""Run every rule against every requested (product, area) pair."""

import hashlib
from functools import cache, lru_cache
from pathlib import Path
from typing import Protocol

from consultations.screening.engine.facts import CatalogFacts, ProductFacts
from consultations.screening.engine.reading import TextReading
from consultations.screening.engine.rules import RULES, Context, Rule
from consultations.screening.engine.types import (
    Flag,
    RequestResult,
    ScreeningInput,
    ScreeningResult,
)

# The policy edition these rules implement (SCREENING.md); the hash after it is derived.
EDITION = "2026.11"
ENGINE_DIR = Path(__file__).resolve().parent
LEXICON_DIR = ENGINE_DIR.parent / "lexicon"


@cache
def ruleset_version() -> str:
    """EDITION plus a hash of the engine's code and the lexicon data.

    Derived, never kept by hand: any change to a rule, a message, a source, a
    product test or a lexicon entry gives a new version, so every stored result
    names exactly the rules it was made under.
    """
    digest = hashlib.sha256()
    files = sorted(ENGINE_DIR.glob("*.py")) + sorted(LEXICON_DIR.glob("*.toml"))
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return f"{EDITION}-{digest.hexdigest()[:6]}"


class Reader(Protocol):
    """What the engine needs from the free-text reader (text.TextReader is the one)."""

    def read_allergies(self, text: str) -> TextReading: ...

    def read_medications(self, text: str) -> TextReading: ...


@lru_cache(maxsize=1024)
def rules_for(product: ProductFacts) -> tuple[Rule, ...]:
    """The rules that concern a product, in declared order (its facts are frozen)."""
    return tuple(rule for rule in RULES if rule.products(product))


def screen(data: ScreeningInput, catalog: CatalogFacts, reader: Reader) -> ScreeningResult:
    """Flags for each request, in the rules' declared order."""
    allergies = reader.read_allergies(data.allergies)
    medications = reader.read_medications(data.medications)
    results = []
    for request in data.requests:
        product = catalog.products[request.product]
        context = Context(data, request, product, catalog, allergies, medications)
        flags = []
        for rule in rules_for(product):
            evidence = rule.when(context)
            if evidence is not None:
                flags.append(
                    Flag(
                        code=rule.code,
                        topic=rule.topic,
                        severity=rule.severity,
                        evidence=evidence,
                        message=rule.message,
                        patient_message=rule.patient_message,
                        source=rule.source,
                    )
                )
        results.append(RequestResult(request.product, request.area, tuple(flags)))
    return ScreeningResult(ruleset=ruleset_version(), requests=tuple(results))
