"""The synthetic patients' intakes in the review queue, for demos and benchmarks.

`seed_demo --patients` (intake/demo.py) writes submitted intakes in bulk,
without the services, so nothing screens them or opens their case. This does
what `review_intake_submit` does for each of them, in bulk: screen the intake
with the real engine as of its submission day, store the screening, and open
its case with the queue's priority and flags (`queue_priority`, `queue_flags`:
one definition of both). About one case in five is marked decided, so the
queue holds open and closed cases as a clinic's does; no decision rows are
written (a decided case without them is only a demo's shortcut).

It picks up every synthetic submitted intake that has no case yet, so running
it again adds nothing, and a database seeded before this existed is completed.
A fixed number of queries per batch whatever its size; one transaction per batch.
"""

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from consultations.intake.demo import EMAIL_PATTERN
from consultations.intake.models import Intake, PreviousTreatment, SkinCheck, TreatmentRequest
from consultations.intake.screening_input import (
    OfferedProduct,
    offered_products,
    screening_input,
)
from consultations.review.models import ReviewCase
from consultations.review.services import new_intake_case
from consultations.screening.engine import contract
from consultations.screening.engine.facts import CatalogFacts
from consultations.screening.engine.screen import ruleset_version, screen
from consultations.screening.engine.text import TextReader
from consultations.screening.engine.types import OUTCOME_RANK
from consultations.screening.facts import catalog_facts
from consultations.screening.models import Screening
from consultations.screening.services import text_reader

DECIDED_SHARE = 0.2
# A decided case was closed this long after it was submitted (never after now).
DECIDED_AFTER_HOURS = (1.0, 72.0)


@dataclass(frozen=True)
class _Engine:
    """What screening needs, loaded once for the whole run."""

    facts: CatalogFacts
    reader: TextReader
    products: tuple[OfferedProduct, ...]
    ruleset: str

    @classmethod
    def load(cls) -> "_Engine":
        return cls(catalog_facts(), text_reader(), offered_products(), ruleset_version())


def _waiting() -> QuerySet[Intake]:
    """Synthetic submitted intakes that have no case yet."""
    return (
        Intake.objects.submitted()
        .filter(patient__user__email__regex=EMAIL_PATTERN.pattern)
        .exclude(
            Exists(ReviewCase.objects.filter(intake=OuterRef("pk"), kind=ReviewCase.Kind.INTAKE))
        )
    )


def _screened(intake: Intake, engine: _Engine) -> Screening:
    """The screening `screening_run` would store for this intake (not saved)."""
    day = timezone.localdate(intake.submitted_at)
    facts = engine.facts
    data = contract.parse(
        screening_input(intake, treatment_date=day, products=engine.products),
        known_products=frozenset(facts.products),
        known_areas=frozenset(facts.area_parents),
        today=day,
    )
    result = screen(data, facts, engine.reader)
    return Screening(
        intake=intake,
        ruleset=result.ruleset,
        input=contract.to_payload(data),
        result=result.to_json(),
        outcome=result.outcome,
        severity=OUTCOME_RANK[result.outcome],
        created_at=intake.submitted_at,
    )


def _write_batch(
    intakes: list[Intake], engine: _Engine, rng: random.Random, now: dt.datetime
) -> int:
    """Store the missing screenings and open a case per intake; return how many are decided."""
    with transaction.atomic():
        stored = {
            s.intake_id: s
            for s in Screening.objects.filter(intake__in=intakes, ruleset=engine.ruleset)
        }
        new = [_screened(i, engine) for i in intakes if i.pk not in stored]
        for screening in Screening.objects.bulk_create(new):
            stored[screening.intake_id] = screening
        cases = []
        for intake in intakes:
            screening = stored[intake.pk]
            screening.intake = intake
            case = new_intake_case(screening)
            case.created_at = intake.submitted_at
            if rng.random() < DECIDED_SHARE:
                case.status = ReviewCase.Status.DECIDED
                hours = rng.uniform(*DECIDED_AFTER_HOURS)
                case.closed_at = min(now, intake.submitted_at + dt.timedelta(hours=hours))
            cases.append(case)
        ReviewCase.objects.bulk_create(cases)
    return sum(c.status == ReviewCase.Status.DECIDED for c in cases)


@dataclass(frozen=True)
class DemoReviews:
    cases: int
    decided: int


def demo_reviews_create(
    *,
    seed: int,
    batch_size: int = 2_000,
    progress: Callable[[int, int, float], None] | None = None,
    part: tuple[int, int] = (0, 1),
) -> DemoReviews:
    """Screen every synthetic submitted intake that has no case yet and open its case.

    `progress(done, total, seconds)` is called after every batch. `part=(i, n)` takes only
    the intakes whose id is i modulo n, so that n processes can share the work.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1.")
    index, parts = part
    if not 0 <= index < parts:
        raise ValueError("part must be (i, n) with 0 <= i < n.")
    waiting = _waiting()
    if parts > 1:
        waiting = waiting.alias(part=F("pk") % parts).filter(part=index)
    total = waiting.count()
    if not total:
        return DemoReviews(0, 0)
    engine = _Engine.load()
    # Not for secrets: which demo cases are already decided, repeatable per seed (and part).
    rng = random.Random(f"{seed}:review" if parts == 1 else f"{seed}:review:{index}/{parts}")  # noqa: S311
    now = timezone.now()
    rows = waiting.prefetch_related(
        Prefetch("requests", TreatmentRequest.objects.select_related("product", "area")),
        Prefetch("skin_checks", SkinCheck.objects.select_related("area")),
        Prefetch(
            "previous_treatments", PreviousTreatment.objects.select_related("product", "area")
        ),
    )
    done = decided = 0
    last = 0
    started = time.monotonic()
    while batch := list(rows.filter(pk__gt=last).order_by("pk")[:batch_size]):
        decided += _write_batch(batch, engine, rng, now)
        done += len(batch)
        last = batch[-1].pk
        if progress:
            progress(done, total, time.monotonic() - started)
    return DemoReviews(done, decided)
