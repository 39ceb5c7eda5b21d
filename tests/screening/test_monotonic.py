"""Monotonic by construction: adding a risk factor never lowers an outcome (hypothesis)."""

import datetime as dt
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consultations.screening.engine.screen import screen
from consultations.screening.engine.types import (
    CONDITIONS,
    OUTCOME_RANK,
    SKIN_FINDINGS,
    PreviousSession,
    Request,
    ScreeningInput,
)
from tests.screening.conftest import FACTS, TREATMENT_DAY

PRODUCTS = sorted(FACTS.products)
AREAS = sorted(FACTS.area_parents)
RISKY_ALLERGIES = ["lidocaine", "Novocaine", "benzyl alcohol", "hyaluronic acid", "zorblaxine"]
RISKY_MEDICINES = ["warfarin", "Eliquis 5mg", "fish oil", "ibuprofen", "methotrexate", "blorptab"]

requests = st.lists(
    st.builds(Request, st.sampled_from(PRODUCTS), st.sampled_from(AREAS)),
    min_size=1,
    max_size=4,
    unique_by=lambda r: (r.product, r.area),
).map(tuple)

inputs = st.builds(
    ScreeningInput,
    date_of_birth=st.dates(dt.date(1950, 1, 1), dt.date(2008, 1, 1)),
    treatment_date=st.just(TREATMENT_DAY),
    requests=requests,
    pregnancy=st.sampled_from(["no", "not_applicable"]),
    allergies=st.sampled_from(["", "penicillin", "none"]),
    medications=st.sampled_from(["", "metformin", "n/a"]),
)


def add_risk(data: ScreeningInput, draw: st.DrawFn) -> ScreeningInput:
    kind = draw(
        st.sampled_from(
            [
                "pregnancy",
                "allergy",
                "medicine",
                "condition",
                "skin",
                "anaphylaxis",
                "session",
                "illness",
                "isotretinoin",
                "severe",
            ]
        )
    )
    if kind == "pregnancy":
        return replace(
            data, pregnancy=draw(st.sampled_from(["pregnant", "breastfeeding", "trying", "unsure"]))
        )
    if kind == "allergy":
        extra = draw(st.sampled_from(RISKY_ALLERGIES))
        return replace(data, allergies=f"{data.allergies}, {extra}" if data.allergies else extra)
    if kind == "medicine":
        extra = draw(st.sampled_from(RISKY_MEDICINES))
        return replace(
            data, medications=f"{data.medications}; {extra}" if data.medications else extra
        )
    if kind == "condition":
        return replace(
            data, conditions=data.conditions | {draw(st.sampled_from(sorted(CONDITIONS)))}
        )
    if kind == "skin":
        area = draw(st.sampled_from(AREAS))
        finding = draw(st.sampled_from(sorted(SKIN_FINDINGS)))
        skin = dict(data.skin_at_site)
        skin[area] = skin.get(area, frozenset()) | {finding}
        return replace(data, skin_at_site=tuple(sorted(skin.items())))
    if kind == "anaphylaxis":
        return replace(data, anaphylaxis_history=True)
    if kind == "severe":
        return replace(data, multiple_severe_allergies=True)
    if kind == "session":
        session = PreviousSession(
            draw(st.sampled_from(PRODUCTS)),
            draw(st.sampled_from(AREAS)),
            draw(st.dates(dt.date(2025, 1, 1), TREATMENT_DAY)),
        )
        return replace(data, previous_sessions=(*data.previous_sessions, session))
    if kind == "illness":
        return replace(data, recent_illness_or_vaccination=True)
    return replace(data, isotretinoin_last_taken=draw(st.dates(dt.date(2026, 1, 1), TREATMENT_DAY)))


@settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(inputs, st.data())
def test_adding_risk_factors_never_lowers_any_outcome(reader, data, draw):
    before = screen(data, FACTS, reader)
    riskier = data
    for _ in range(draw.draw(st.integers(1, 4))):
        riskier = add_risk(riskier, draw.draw)
    after = screen(riskier, FACTS, reader)
    for old, new in zip(before.requests, after.requests, strict=True):
        assert OUTCOME_RANK[new.outcome] >= OUTCOME_RANK[old.outcome], (old, new)
        # Every flag raised before is still raised (nothing a risk factor adds hides another).
        assert {f.code for f in old.flags} <= {f.code for f in new.flags}


@settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(inputs)
def test_screening_is_deterministic(reader, data):
    assert screen(data, FACTS, reader) == screen(data, FACTS, reader)
