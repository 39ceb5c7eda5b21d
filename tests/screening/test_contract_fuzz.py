"""Whatever arrives, the contract answers with a ScreeningInput or a one-line ContractError.

The API and the `screen` command turn a ContractError into a 400 or exit code 2;
any other exception would be a 500 or a traceback, so none may escape.
"""

import copy
import json
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consultations.screening.engine.contract import (
    TOP_LEVEL_KEYS,
    ContractError,
    parse,
    parse_json,
    to_payload,
)
from consultations.screening.engine.types import ScreeningInput
from tests.screening.test_contract import CATALOG, EXAMPLE, contract_payloads

FUZZ = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=20), children, max_size=5)
    ),
    max_leaves=30,
)
# Near misses are likelier to reach deep into the checks than random text.
contract_words = st.sampled_from(
    [
        *TOP_LEVEL_KEYS,
        "product",
        "area",
        "indication",
        "date",
        "kybella",
        "skinvive",
        "cheeks",
        "lips",
        "submental",
        "1990-04-01",
        "2026-02-30",
        "2026-12-01",
        "rash",
        "dysphagia",
        "pregnant",
    ]
)
near_values = st.recursive(
    json_scalars | contract_words,
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(contract_words | st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=30,
)


def reads_as_one_line(error: ContractError) -> None:
    message = str(error)
    assert message
    assert message.splitlines() == [message]
    assert len(message) <= 300
    if error.path:
        assert message.startswith(f"{error.path}: ")


def answers_by_the_contract(call: Callable[[], ScreeningInput]) -> None:
    """The call returns an input that replays, or raises a ContractError (anything else fails)."""
    try:
        result = call()
    except ContractError as error:
        reads_as_one_line(error)
    else:
        assert isinstance(result, ScreeningInput)
        assert parse(to_payload(result), **CATALOG) == result


def places(value: Any) -> list[tuple[Any, Any]]:
    """Every (container, key or index) inside a decoded JSON value."""
    found: list[tuple[Any, Any]] = []
    if isinstance(value, dict):
        for key, child in value.items():
            found.append((value, key))
            found.extend(places(child))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.append((value, index))
            found.extend(places(child))
    return found


@st.composite
def damaged_payloads(draw: st.DrawFn) -> dict[str, Any]:
    """A valid payload with one to three things changed, removed or added anywhere in it."""
    payload = copy.deepcopy(draw(st.one_of(st.just(EXAMPLE), contract_payloads())))
    for _ in range(draw(st.integers(1, 3))):
        container, key = draw(st.sampled_from(places(payload)))
        action = draw(st.sampled_from(["replace", "remove", "add"]))
        if action == "replace":
            container[key] = draw(near_values)
        elif action == "remove":
            del container[key]
        elif isinstance(container, dict):
            container[draw(contract_words | st.text(max_size=10))] = draw(near_values)
        else:
            container.append(draw(near_values))
    return payload


@FUZZ
@given(json_values)
def test_any_json_value_is_parsed_or_refused_with_a_contract_error(value: Any) -> None:
    answers_by_the_contract(lambda: parse(value, **CATALOG))


@FUZZ
@given(st.dictionaries(contract_words | st.text(max_size=20), near_values, max_size=14))
def test_any_object_with_contract_like_keys_is_parsed_or_refused(value: dict[str, Any]) -> None:
    answers_by_the_contract(lambda: parse(value, **CATALOG))


@FUZZ
@given(damaged_payloads())
def test_a_damaged_valid_payload_is_parsed_or_refused(payload: dict[str, Any]) -> None:
    answers_by_the_contract(lambda: parse(payload, **CATALOG))
    answers_by_the_contract(lambda: parse_json(json.dumps(payload), **CATALOG))


@FUZZ
@given(st.text())
def test_any_text_is_parsed_or_refused(raw: str) -> None:
    answers_by_the_contract(lambda: parse_json(raw, **CATALOG))


@FUZZ
@given(st.binary())
def test_any_bytes_are_parsed_or_refused(raw: bytes) -> None:
    answers_by_the_contract(lambda: parse_json(raw, **CATALOG))


@FUZZ
@given(json_values, st.data())
def test_json_text_of_any_value_cut_or_spliced_is_parsed_or_refused(
    value: Any, data: st.DataObject
) -> None:
    # json.dumps writes NaN and Infinity for such floats, which parse_json must refuse.
    raw = json.dumps(value)
    answers_by_the_contract(lambda: parse_json(raw, **CATALOG))
    cut = data.draw(st.integers(0, len(raw)))
    noise = data.draw(st.text(max_size=5))
    answers_by_the_contract(lambda: parse_json(raw[:cut] + noise + raw[cut:], **CATALOG))
    answers_by_the_contract(lambda: parse_json(raw[:cut], **CATALOG))
