"""Screening as the product uses it: for the API and command (stores nothing), and on submission."""

import datetime as dt
from dataclasses import replace
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.utils import timezone

from consultations.catalog.models import Product
from consultations.catalog.revision import REVISION_COLUMN, one_revision
from consultations.db import PreparedSave, require_transaction, validate_fields
from consultations.intake.models import Intake
from consultations.intake.screening_input import screening_input
from consultations.intake.services import IntakeKey, intake_submit_locked
from consultations.screening.engine import contract
from consultations.screening.engine.screen import ruleset_version, screen
from consultations.screening.engine.text import TextReader
from consultations.screening.engine.types import OUTCOME_RANK, Request, ScreeningResult
from consultations.screening.facts import catalog_facts, ingredient_names
from consultations.screening.models import Screening


@lru_cache(maxsize=4)
def _reader(ingredients: tuple[tuple[str, tuple[str, ...]], ...]) -> TextReader:
    # Building the reader compiles the lexicon; it is kept for as long as the catalog's
    # ingredient names stay the same.
    return TextReader(extra_ingredients=dict(ingredients))


def text_reader() -> TextReader:
    return _reader(tuple(sorted(ingredient_names().items())))


def screening_evaluate_json(raw: str | bytes, *, today: dt.date | None = None) -> dict[str, Any]:
    """Screen the contract's JSON (SCREENING.md) and return the result JSON. Stores nothing.

    Raises contract.ContractError, with a one-line message, on any bad input.
    """
    facts = catalog_facts()
    data = contract.parse_json(
        raw,
        known_products=frozenset(facts.products),
        known_areas=frozenset(facts.area_parents),
        today=today or timezone.localdate(),
    )
    return screen(data, facts, text_reader()).to_json()


def _screen_intake(intake: Intake, treatment_date: dt.date) -> tuple[dict, ScreeningResult]:
    # A submission's intake comes with the catalog's revision, read under its row lock
    # before anything of the catalog (`intake_submit_locked`); any other intake reads it.
    with one_revision(getattr(intake, REVISION_COLUMN, None)):
        facts = catalog_facts()
        payload = screening_input(intake, treatment_date=treatment_date)
        data = contract.parse(
            payload,
            known_products=frozenset(facts.products),
            known_areas=frozenset(facts.area_parents),
            today=treatment_date,
        )
        return contract.to_payload(data), screen(data, facts, text_reader())


@transaction.atomic
def screening_run(*, intake: Intake) -> Screening:
    """Screen a submitted intake as of its submission day and store input, ruleset and result.

    Idempotent per ruleset: running it again under the same rules returns the stored one.
    """
    return _screening_run(intake)


def _screening_run(intake: Intake) -> Screening:
    require_transaction()
    if not intake.is_submitted:
        raise ValueError("only a submitted intake is screened and stored")
    existing = intake.screenings.filter(ruleset=ruleset_version()).first()
    if existing is not None:
        return existing
    return _screening_store(intake)


# A submission's screening is written on every submission: its INSERT is compiled once.
_NEW_SCREENING = PreparedSave(Screening)


def _screening_store(intake: Intake) -> Screening:
    """Screen a submitted intake that has no screening under these rules yet, and store it."""
    payload, result = _screen_intake(intake, timezone.localdate(intake.submitted_at))
    screening = Screening(
        intake=intake,
        ruleset=result.ruleset,
        input=payload,
        result=result.to_json(),
        outcome=result.outcome,
        severity=OUTCOME_RANK[result.outcome],
    )
    validate_fields(screening)
    _NEW_SCREENING.save(screening)
    return screening


@transaction.atomic
def intake_submit_and_screen(*, intake_id: IntakeKey) -> Screening:
    """Submit the draft and store its screening in the same transaction: never one without the
    other. Submitting again (a double click) returns the stored screening."""
    return intake_submit_and_screen_in_transaction(intake_id=intake_id)


def intake_submit_and_screen_in_transaction(*, intake_id: IntakeKey) -> Screening:
    """`intake_submit_and_screen` for a caller that holds the transaction (the review case's
    opening): one transaction, no savepoints, for the whole submission."""
    return intake_submit_and_screen_locked(intake_id=intake_id)[0]


def intake_submit_and_screen_locked(*, intake_id: IntakeKey) -> tuple[Screening, bool]:
    """`intake_submit_and_screen_in_transaction`, and whether this call submitted the intake
    (then its screening is new, and nothing else of the version is stored yet)."""
    intake, submitted_now = intake_submit_locked(intake_id=intake_id)
    if submitted_now:
        # Just frozen under its row lock: there is no screening of it to look for.
        return _screening_store(intake), True
    return _screening_run(intake), False


def screening_preview(intake: Intake) -> ScreeningResult:
    """Screen a draft as it stands (for the patient's check page). Stores nothing."""
    return _screen_intake(intake, timezone.localdate())[1]


def alternatives_for(intake: Intake, result: ScreeningResult) -> dict[tuple[str, str], list[str]]:
    """For each blocked request, offered products for the same area that these answers do not
    block (for the patient's check page: "what could be possible instead")."""
    blocked = [r for r in result.requests if r.outcome == "blocked"]
    if not blocked:
        return {}
    facts = catalog_facts()
    offered = set(
        Product.objects.filter(is_active=True, treatment__is_active=True).values_list(
            "code", flat=True
        )
    )
    candidates: list[Request] = []
    for request in blocked:
        related = facts.related_areas(request.area)
        candidates += [
            Request(code, request.area)
            for code in sorted(offered)
            if code != request.product and facts.products[code].areas & related
        ]
    if not candidates:
        return {}
    payload = screening_input(intake, treatment_date=timezone.localdate())
    data = contract.parse(
        payload,
        known_products=frozenset(facts.products),
        known_areas=frozenset(facts.area_parents),
        today=timezone.localdate(),
    )
    # The same answers, asked about the candidates instead (duplicates are not requests).
    unique = tuple(dict.fromkeys(candidates))
    trial = screen(replace(data, requests=unique), facts, text_reader())
    fine = {(r.product, r.area) for r in trial.requests if r.outcome != "blocked"}
    return {
        (r.product, r.area): [
            c.product for c in unique if c.area == r.area and (c.product, c.area) in fine
        ]
        for r in blocked
    }
