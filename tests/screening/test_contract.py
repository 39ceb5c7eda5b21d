"""The screening contract of SCREENING.md: what parses, what is refused and how it is said.

No database: the contract is pure Python, and the catalog codes are the ones
the seed migration puts in every fresh database.
"""

import copy
import datetime as dt
import importlib
import json
import pickle
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consultations.screening.engine.contract import (
    ContractError,
    parse,
    parse_json,
    to_payload,
)
from consultations.screening.engine.types import (
    CONDITIONS,
    INDICATIONS,
    PREGNANCY_ANSWERS,
    SKIN_FINDINGS,
    PreviousSession,
    Request,
    ScreeningInput,
)

_seed = importlib.import_module("consultations.catalog.migrations.0002_seed_catalog")
PRODUCTS = frozenset(product["code"] for product in _seed.PRODUCTS)
AREAS = frozenset(code for code, _name, _parent in _seed.AREAS)
TODAY = dt.date(2026, 11, 20)
CATALOG = {"known_products": PRODUCTS, "known_areas": AREAS, "today": TODAY}

# The input example of SCREENING.md, "The screening contract", word for word.
EXAMPLE: dict[str, Any] = {
    "date_of_birth": "1990-04-01",
    "treatment_date": "2026-12-01",
    "requests": [{"product": "skinvive", "area": "cheeks", "indication": "skin_quality"}],
    "pregnancy": "no",
    "allergies": "xylocaine - throat swelling at the dentist",
    "anaphylaxis_history": False,
    "multiple_severe_allergies": False,
    "medications": "Eliquis 5mg, fish oil",
    "conditions": ["recurrent_cold_sores"],
    "skin_at_site": {"lips": ["active_cold_sore"]},
    "previous_sessions": [{"product": "kybella", "area": "submental", "date": "2026-11-01"}],
    "isotretinoin_last_taken": None,
    "recent_illness_or_vaccination": False,
}
# Every answer given, each the harmless one, and no treatment date (it defaults to today).
MINIMAL: dict[str, Any] = {
    "date_of_birth": "1990-04-01",
    "requests": [{"product": "kybella", "area": "submental"}],
    "pregnancy": "no",
    "allergies": "",
    "anaphylaxis_history": False,
    "multiple_severe_allergies": False,
    "medications": "",
    "conditions": [],
    "skin_at_site": {},
    "previous_sessions": [],
    "isotretinoin_last_taken": None,
    "recent_illness_or_vaccination": False,
}


def assert_one_line(error: ContractError) -> None:
    message = str(error)
    assert message.splitlines() == [message]
    assert len(message) <= 300
    if error.path:
        assert message.startswith(f"{error.path}: ")


# --- What parses ---


def test_the_example_of_screening_md_parses_against_the_seeded_catalog() -> None:
    assert parse(EXAMPLE, **CATALOG) == ScreeningInput(
        date_of_birth=dt.date(1990, 4, 1),
        treatment_date=dt.date(2026, 12, 1),
        requests=(Request(product="skinvive", area="cheeks", indication="skin_quality"),),
        pregnancy="no",
        allergies="xylocaine - throat swelling at the dentist",
        anaphylaxis_history=False,
        multiple_severe_allergies=False,
        medications="Eliquis 5mg, fish oil",
        conditions=frozenset({"recurrent_cold_sores"}),
        skin_at_site=(("lips", frozenset({"active_cold_sore"})),),
        previous_sessions=(
            PreviousSession(product="kybella", area="submental", date=dt.date(2026, 11, 1)),
        ),
        isotretinoin_last_taken=None,
        recent_illness_or_vaccination=False,
    )


def test_the_example_parses_from_json_text_and_bytes() -> None:
    text = json.dumps(EXAMPLE, indent=2)
    expected = parse(EXAMPLE, **CATALOG)
    assert parse_json(text, **CATALOG) == expected
    assert parse_json(text.encode(), **CATALOG) == expected
    # A byte-order mark, as a Windows editor saves a file for `manage.py screen`.
    assert parse_json(b"\xef\xbb\xbf" + text.encode(), **CATALOG) == expected


@pytest.mark.parametrize("treatment_date", ["absent", None])
def test_treatment_date_defaults_to_today(treatment_date: str | None) -> None:
    payload = dict(EXAMPLE)
    if treatment_date == "absent":
        del payload["treatment_date"]
    else:
        payload["treatment_date"] = treatment_date
    payload["previous_sessions"] = []
    assert parse(payload, **CATALOG).treatment_date == TODAY


def test_a_payload_with_every_answer_and_no_treatment_date_is_screened_today() -> None:
    assert parse(MINIMAL, **CATALOG) == ScreeningInput(
        date_of_birth=dt.date(1990, 4, 1),
        treatment_date=TODAY,
        requests=(Request(product="kybella", area="submental", indication=None),),
        pregnancy="no",
        allergies="",
        anaphylaxis_history=False,
        multiple_severe_allergies=False,
        medications="",
        conditions=frozenset(),
        skin_at_site=(),
        previous_sessions=(),
        isotretinoin_last_taken=None,
        recent_illness_or_vaccination=False,
    )


@pytest.mark.parametrize("key", [k for k in MINIMAL if k not in ("date_of_birth", "requests")])
def test_an_absent_answer_is_an_error_never_the_harmless_answer(key: str) -> None:
    payload = {k: v for k, v in MINIMAL.items() if k != key}
    with pytest.raises(ContractError) as error:
        parse(payload, **CATALOG)
    assert str(error.value) == f"{key}: is required"


def test_requests_keep_their_order_and_an_explicit_null_indication_is_none() -> None:
    payload = MINIMAL | {
        "requests": [
            {"product": "meso-vitamin", "area": "scalp", "indication": "hair"},
            {"product": "kybella", "area": "submental", "indication": None},
            {"product": "meso-vitamin", "area": "face"},
        ]
    }
    assert parse(payload, **CATALOG).requests == (
        Request("meso-vitamin", "scalp", "hair"),
        Request("kybella", "submental", None),
        Request("meso-vitamin", "face", None),
    )


def test_the_same_product_in_two_areas_and_two_products_in_one_area_are_distinct_requests() -> None:
    payload = MINIMAL | {
        "requests": [
            {"product": "juvederm-volbella-xc", "area": "lips"},
            {"product": "juvederm-volbella-xc", "area": "perioral"},
            {"product": "restylane-kysse", "area": "lips"},
        ]
    }
    assert len(parse(payload, **CATALOG).requests) == 3


def test_previous_sessions_are_sorted_by_date_and_skin_findings_by_area() -> None:
    payload = MINIMAL | {
        "treatment_date": "2026-12-01",
        "previous_sessions": [
            {"product": "kybella", "area": "submental", "date": "2026-10-01"},
            {"product": "kybella", "area": "submental", "date": "2026-06-01"},
            {"product": "skinvive", "area": "cheeks", "date": "2026-08-15"},
        ],
        "skin_at_site": {"neck": ["rash", "hives"], "cheeks": [], "abdomen": ["open_wound"]},
    }
    result = parse(payload, **CATALOG)
    assert [s.date.isoformat() for s in result.previous_sessions] == [
        "2026-06-01",
        "2026-08-15",
        "2026-10-01",
    ]
    assert result.skin_at_site == (
        ("abdomen", frozenset({"open_wound"})),
        ("cheeks", frozenset()),
        ("neck", frozenset({"hives", "rash"})),
    )
    assert result.skin_findings()["cheeks"] == frozenset()


def test_the_order_of_sets_in_the_payload_does_not_change_the_input() -> None:
    one = MINIMAL | {
        "treatment_date": "2026-12-01",
        "conditions": ["autoimmune", "dysphagia"],
        "skin_at_site": {"lips": ["rash", "hives"], "chin": []},
        "previous_sessions": [
            {"product": "skinvive", "area": "cheeks", "date": "2026-08-15"},
            {"product": "kybella", "area": "submental", "date": "2026-08-15"},
        ],
    }
    other = one | {
        "conditions": ["dysphagia", "autoimmune"],
        "skin_at_site": {"chin": [], "lips": ["hives", "rash"]},
        "previous_sessions": list(reversed(one["previous_sessions"])),
    }
    assert parse(one, **CATALOG) == parse(other, **CATALOG)
    assert hash(parse(one, **CATALOG)) == hash(parse(other, **CATALOG))


def test_the_limits_themselves_are_allowed() -> None:
    areas = sorted(AREAS)
    payload = {
        **MINIMAL,
        "date_of_birth": "1896-12-01",  # exactly 130 years before the treatment date
        "treatment_date": "2026-12-01",
        "requests": requests(50),
        "allergies": "x" * 5_000,
        "medications": "é" * 5_000,
        "previous_sessions": [
            {"product": "kybella", "area": area, "date": day.isoformat()}
            for area in areas[:4]
            for day in (dt.date(2026, 12, 1) - dt.timedelta(days=n) for n in range(50))
        ],
        "isotretinoin_last_taken": "2026-12-01",
        "conditions": sorted(CONDITIONS),
        "skin_at_site": {area: sorted(SKIN_FINDINGS) for area in areas},
    }
    result = parse(payload, **CATALOG)
    assert len(result.requests) == 50
    assert len(result.previous_sessions) == 200


def test_a_birthday_on_29_february_and_the_130_year_limit() -> None:
    payload = MINIMAL | {"treatment_date": "2028-02-29", "date_of_birth": "1898-02-28"}
    assert parse(payload, **CATALOG).date_of_birth == dt.date(1898, 2, 28)
    with pytest.raises(ContractError):
        parse(payload | {"date_of_birth": "1898-02-27"}, **CATALOG)


def test_free_text_keeps_the_patients_words_exactly() -> None:
    words = "  Lignocaine!!\n\tand \u2018blood thinners\u2019 — 🙂 \u2028 "
    result = parse(MINIMAL | {"allergies": words, "medications": words}, **CATALOG)
    assert result.allergies == words
    assert result.medications == words


# --- What is refused, where, and how it is said ---


def without(key: str) -> Callable[[dict[str, Any]], None]:
    def change(payload: dict[str, Any]) -> None:
        del payload[key]

    return change


def setting(key: str, value: object) -> Callable[[dict[str, Any]], None]:
    def change(payload: dict[str, Any]) -> None:
        payload[key] = value

    return change


def in_request(key: str, value: object) -> Callable[[dict[str, Any]], None]:
    def change(payload: dict[str, Any]) -> None:
        payload["requests"][0][key] = value

    return change


def in_session(key: str, value: object) -> Callable[[dict[str, Any]], None]:
    def change(payload: dict[str, Any]) -> None:
        payload["previous_sessions"][0][key] = value

    return change


def deleting_in(field: str, key: str) -> Callable[[dict[str, Any]], None]:
    def change(payload: dict[str, Any]) -> None:
        del payload[field][0][key]

    return change


def sessions(count: int) -> list[dict[str, str]]:
    first = dt.date(2026, 11, 30)
    return [
        {"product": "kybella", "area": "submental", "date": (first - dt.timedelta(n)).isoformat()}
        for n in range(count)
    ]


def requests(count: int) -> list[dict[str, str]]:
    pairs = [(p, a) for p in sorted(PRODUCTS) for a in sorted(AREAS)]
    return [{"product": p, "area": a} for p, a in pairs[:count]]


SKINVIVE_CHEEKS = {"product": "skinvive", "area": "cheeks"}

REFUSALS = [
    # Keys: unknown and missing.
    pytest.param(setting("colour", "red"), "colour", "unknown key", id="unknown-top-level-key"),
    pytest.param(setting("alergies", "none"), "alergies", "did you mean 'allergies'?", id="typo"),
    pytest.param(
        setting("weird key\n", 1), "['weird key\\n']", "unknown key", id="unknown-odd-key"
    ),
    pytest.param(without("date_of_birth"), "date_of_birth", "is required", id="no-birth-date"),
    pytest.param(without("requests"), "requests", "is required", id="no-requests"),
    pytest.param(
        in_request("dose", "1ml"), "requests[0].dose", "unknown key", id="unknown-request-key"
    ),
    pytest.param(
        deleting_in("requests", "product"), "requests[0].product", "is required", id="no-product"
    ),
    pytest.param(deleting_in("requests", "area"), "requests[0].area", "is required", id="no-area"),
    pytest.param(
        in_session("notes", ""), "previous_sessions[0].notes", "unknown key", id="session-key"
    ),
    pytest.param(
        deleting_in("previous_sessions", "date"),
        "previous_sessions[0].date",
        "is required",
        id="session-without-date",
    ),
    # JSON types; true is not a number and 1 is not true.
    pytest.param(
        setting("anaphylaxis_history", "yes"),
        "anaphylaxis_history",
        "expected true or false, got the string 'yes'",
        id="boolean-as-string",
    ),
    pytest.param(
        setting("anaphylaxis_history", 1),
        "anaphylaxis_history",
        "expected true or false, got the number 1",
        id="one-is-not-true",
    ),
    pytest.param(
        setting("multiple_severe_allergies", 0),
        "multiple_severe_allergies",
        "expected true or false",
        id="zero-is-not-false",
    ),
    pytest.param(
        setting("recent_illness_or_vaccination", None),
        "recent_illness_or_vaccination",
        "expected true or false, got null",
        id="boolean-null",
    ),
    pytest.param(
        setting("requests", {}), "requests", "expected a list, got an object", id="requests-object"
    ),
    pytest.param(
        setting("requests", "skinvive"), "requests", "expected a list", id="requests-string"
    ),
    pytest.param(setting("requests", []), "requests", "at least one request", id="no-request"),
    pytest.param(
        setting("requests", requests(51)), "requests", "at most 50", id="too-many-requests"
    ),
    pytest.param(
        setting("requests", ["skinvive"]), "requests[0]", "expected an object", id="request-string"
    ),
    pytest.param(
        in_request("product", 5), "requests[0].product", "expected a string", id="product-number"
    ),
    pytest.param(
        in_request("product", True),
        "requests[0].product",
        "expected a string, got true",
        id="true-is-not-a-string",
    ),
    pytest.param(
        setting("allergies", 42), "allergies", "expected a string, got the number 42", id="number"
    ),
    pytest.param(
        setting("allergies", 4.5), "allergies", "got the number 4.5", id="allergies-float"
    ),
    pytest.param(
        setting("allergies", None), "allergies", "expected a string, got null", id="allergy-null"
    ),
    pytest.param(
        setting("medications", ["aspirin"]),
        "medications",
        "expected a string, got a list",
        id="medications-list",
    ),
    pytest.param(
        setting("date_of_birth", 19900401),
        "date_of_birth",
        "expected a string",
        id="date-as-number",
    ),
    # Codes.
    pytest.param(
        in_request("area", "cheek"),
        "requests[0].area",
        "unknown area 'cheek' (did you mean 'cheeks'? known: abdomen, arms, ",
        id="unknown-area",
    ),
    pytest.param(
        in_request("product", "Kybella"),
        "requests[0].product",
        "unknown product 'Kybella'",
        id="codes-are-case-sensitive",
    ),
    pytest.param(
        in_request("product", " skinvive"),
        "requests[0].product",
        "unknown product ' skinvive'",
        id="codes-are-not-trimmed",
    ),
    pytest.param(
        in_request("indication", "wrinkles"),
        "requests[0].indication",
        "unknown indication 'wrinkles'",
        id="unknown-indication",
    ),
    pytest.param(
        in_request("indication", 3), "requests[0].indication", "expected a string", id="ind-num"
    ),
    pytest.param(
        setting(
            "requests",
            [
                SKINVIVE_CHEEKS,
                {"product": "kybella", "area": "submental"},
                SKINVIVE_CHEEKS | {"indication": "volume"},
            ],
        ),
        "requests[2]",
        "repeats requests[0] (product 'skinvive', area 'cheeks')",
        id="duplicate-request",
    ),
    pytest.param(setting("pregnancy", "maybe"), "pregnancy", "unknown answer 'maybe'", id="preg"),
    pytest.param(
        setting("pregnancy", None), "pregnancy", "expected a string, got null", id="pregnancy-null"
    ),
    pytest.param(
        setting("pregnancy", True), "pregnancy", "expected a string, got true", id="pregnant-true"
    ),
    pytest.param(
        setting("conditions", "dysphagia"),
        "conditions",
        "expected a list, got the string 'dysphagia'",
        id="conditions-string",
    ),
    pytest.param(
        setting("conditions", ["diabetes"]),
        "conditions[0]",
        "unknown condition 'diabetes'",
        id="unknown-condition",
    ),
    pytest.param(
        setting("conditions", ["autoimmune", "autoimmune"]),
        "conditions[1]",
        "'autoimmune' is listed twice",
        id="repeated-condition",
    ),
    pytest.param(setting("conditions", [1]), "conditions[0]", "expected a string", id="cond-num"),
    pytest.param(
        setting("skin_at_site", ["lips"]), "skin_at_site", "expected an object", id="skin-list"
    ),
    pytest.param(
        setting("skin_at_site", {"cheek": ["rash"]}),
        "skin_at_site.cheek",
        "unknown area 'cheek'",
        id="skin-unknown-area",
    ),
    pytest.param(
        setting("skin_at_site", {"lips": "rash"}),
        "skin_at_site.lips",
        "expected a list, got the string 'rash'",
        id="skin-findings-string",
    ),
    pytest.param(
        setting("skin_at_site", {"lips": ["rash", "pimple"]}),
        "skin_at_site.lips[1]",
        "unknown skin finding 'pimple'",
        id="unknown-finding",
    ),
    pytest.param(
        setting("skin_at_site", {"lips": ["rash", "rash"]}),
        "skin_at_site.lips[1]",
        "listed twice",
        id="repeated-finding",
    ),
    pytest.param(
        setting("skin_at_site", {"lips": None}), "skin_at_site.lips", "got null", id="skin-null"
    ),
    pytest.param(
        setting("previous_sessions", {}),
        "previous_sessions",
        "expected a list",
        id="sessions-object",
    ),
    pytest.param(
        setting("previous_sessions", sessions(201)),
        "previous_sessions",
        "at most 200 entries are allowed, got 201",
        id="too-many-sessions",
    ),
    pytest.param(
        in_session("product", "botox"),
        "previous_sessions[0].product",
        "unknown product 'botox'",
        id="session-product",
    ),
    pytest.param(
        in_session("area", "chest"),
        "previous_sessions[0].area",
        "unknown area 'chest'",
        id="session-area",
    ),
    pytest.param(
        in_session("date", "2026-12-02"),
        "previous_sessions[0].date",
        "2026-12-02 is after the treatment date 2026-12-01",
        id="session-after-treatment",
    ),
    pytest.param(
        in_session("date", "1980-01-01"),
        "previous_sessions[0].date",
        "is before the date of birth 1990-04-01",
        id="session-before-birth",
    ),
    pytest.param(
        in_session("date", "2026-11-31"),
        "previous_sessions[0].date",
        "'2026-11-31' is not a real date (use YYYY-MM-DD)",
        id="session-impossible-date",
    ),
    pytest.param(
        setting("previous_sessions", sessions(2) + sessions(1)),
        "previous_sessions[2]",
        "repeats previous_sessions[0] (same product, area and date)",
        id="repeated-session",
    ),
    # Dates.
    pytest.param(
        setting("date_of_birth", "1990-02-30"),
        "date_of_birth",
        "'1990-02-30' is not a real date (use YYYY-MM-DD)",
        id="impossible-birth-date",
    ),
    pytest.param(
        setting("treatment_date", "2026-02-30"),
        "treatment_date",
        "'2026-02-30' is not a real date",
        id="impossible-treatment-date",
    ),
    pytest.param(
        setting("date_of_birth", "2023-02-29"), "date_of_birth", "not a real date", id="not-leap"
    ),
    pytest.param(
        setting("date_of_birth", "0000-01-01"), "date_of_birth", "not a real date", id="year-zero"
    ),
    pytest.param(
        setting("date_of_birth", "01/04/1990"),
        "date_of_birth",
        "'01/04/1990' is not a date in the form YYYY-MM-DD",
        id="us-date",
    ),
    pytest.param(setting("date_of_birth", "1990-4-1"), "date_of_birth", "YYYY-MM-DD", id="unpad"),
    pytest.param(
        setting("date_of_birth", "19900401"), "date_of_birth", "YYYY-MM-DD", id="basic-iso"
    ),
    pytest.param(
        setting("date_of_birth", "1990-04-01T00:00:00"),
        "date_of_birth",
        "YYYY-MM-DD",
        id="datetime",
    ),
    pytest.param(
        setting("date_of_birth", " 1990-04-01"), "date_of_birth", "YYYY-MM-DD", id="space"
    ),
    pytest.param(
        setting("date_of_birth", "\u0661\u0669\u0669\u0660-\u0660\u0664-\u0660\u0661"),
        "date_of_birth",
        "YYYY-MM-DD",
        id="arabic-digits",
    ),
    pytest.param(
        setting("date_of_birth", "2026-12-02"),
        "date_of_birth",
        "2026-12-02 is after the treatment date 2026-12-01",
        id="born-after-treatment",
    ),
    pytest.param(
        setting("date_of_birth", "1896-11-30"),
        "date_of_birth",
        "more than 130 years before the treatment date 2026-12-01",
        id="older-than-130",
    ),
    pytest.param(
        setting("isotretinoin_last_taken", "2026-12-02"),
        "isotretinoin_last_taken",
        "after the treatment date",
        id="isotretinoin-after-treatment",
    ),
    pytest.param(
        setting("isotretinoin_last_taken", "1989-01-01"),
        "isotretinoin_last_taken",
        "before the date of birth",
        id="isotretinoin-before-birth",
    ),
    pytest.param(
        setting("isotretinoin_last_taken", "last year"),
        "isotretinoin_last_taken",
        "'last year' is not a date in the form YYYY-MM-DD",
        id="isotretinoin-words",
    ),
    pytest.param(
        setting("isotretinoin_last_taken", False),
        "isotretinoin_last_taken",
        "expected a string, got false",
        id="isotretinoin-false",
    ),
    # Free text.
    pytest.param(
        setting("allergies", "x" * 5_001),
        "allergies",
        "at most 5,000 characters are allowed, got 5,001",
        id="allergies-too-long",
    ),
    pytest.param(
        setting("medications", "y" * 9_999),
        "medications",
        "at most 5,000 characters",
        id="medications-too-long",
    ),
    pytest.param(setting("allergies", "latex\x00"), "allergies", "NUL character", id="nul"),
    pytest.param(
        setting("medications", "aspirin \ud800"), "medications", "lone surrogate", id="surrogate"
    ),
]


@pytest.mark.parametrize(("change", "path", "says"), REFUSALS)
def test_input_that_breaks_the_contract_is_refused_naming_the_field(
    change: Callable[[dict[str, Any]], None], path: str, says: str
) -> None:
    payload = copy.deepcopy(EXAMPLE)
    change(payload)
    with pytest.raises(ContractError) as caught:
        parse(payload, **CATALOG)
    assert caught.value.path == path
    assert says in str(caught.value)
    assert_one_line(caught.value)


def test_the_message_of_the_brief_reads_as_promised() -> None:
    payload = copy.deepcopy(EXAMPLE)
    payload["date_of_birth"] = "1990-02-30"
    with pytest.raises(ContractError) as caught:
        parse(payload, **CATALOG)
    assert str(caught.value) == ("date_of_birth: '1990-02-30' is not a real date (use YYYY-MM-DD)")


def test_a_birth_date_after_a_defaulted_treatment_date_says_it_is_today() -> None:
    with pytest.raises(ContractError) as caught:
        parse(MINIMAL | {"date_of_birth": "2026-11-21"}, **CATALOG)
    assert str(caught.value) == (
        "date_of_birth: 2026-11-21 is after the treatment date 2026-11-20 (today)"
    )


def test_a_contract_error_is_a_value_error_and_survives_pickling() -> None:
    error = ContractError("requests[0].area", "unknown area 'cheek'")
    assert isinstance(error, ValueError)
    copied = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
    assert (copied.path, str(copied)) == (error.path, str(error))


@pytest.mark.parametrize("payload", [[], None, "text", 3, True, [EXAMPLE]])
def test_the_top_level_must_be_an_object(payload: object) -> None:
    with pytest.raises(ContractError) as caught:
        parse(payload, **CATALOG)
    assert caught.value.path == ""
    assert str(caught.value).startswith("the input must be a JSON object, got ")


def test_python_values_that_json_cannot_hold_are_refused_not_crashed_on() -> None:
    for payload in (
        {1: "x"},
        EXAMPLE | {"requests": ({"product": "kybella", "area": "submental"},)},
        EXAMPLE | {"date_of_birth": dt.date(1990, 4, 1)},
        EXAMPLE | {"allergies": 10**5000},
        EXAMPLE | {"allergies": float("nan")},
    ):
        with pytest.raises(ContractError) as caught:
            parse(payload, **CATALOG)
        assert_one_line(caught.value)


def test_a_long_catalog_is_cut_short_in_the_message() -> None:
    many_areas = AREAS | {f"admin-area-{n:03}" for n in range(500)}
    payload = copy.deepcopy(EXAMPLE)
    payload["requests"][0]["area"] = "somewhere"
    with pytest.raises(ContractError) as caught:
        parse(payload, known_products=PRODUCTS, known_areas=many_areas, today=TODAY)
    assert str(caught.value).endswith(", ...)")
    assert_one_line(caught.value)


# --- JSON text ---

JSON_REFUSALS = [
    pytest.param(
        '{"date_of_birth": "1990-04-01",\n  "requests": [\n    {"product" "x"}]}',
        "the input is not valid JSON: line 3 column 16: Expecting ':' delimiter",
        id="syntax",
    ),
    pytest.param("", "the input is not valid JSON: line 1 column 1: Expecting value", id="empty"),
    pytest.param("{'a': 1}", "the input is not valid JSON: line 1 column 2", id="single-quotes"),
    pytest.param('{"a": 1,}', "the input is not valid JSON", id="trailing-comma"),
    pytest.param("[]", "the input must be a JSON object, got a list", id="array"),
    pytest.param('"text"', "the input must be a JSON object, got the string 'text'", id="string"),
    pytest.param("null", "the input must be a JSON object, got null", id="null"),
    pytest.param('{"allergies": NaN}', "NaN is not a JSON number", id="nan"),
    pytest.param('{"allergies": Infinity}', "Infinity is not a JSON number", id="infinity"),
    pytest.param('{"allergies": -Infinity}', "-Infinity is not a JSON number", id="minus-inf"),
    pytest.param('{"allergies": 1e999}', "a number too large to represent", id="overflow"),
    pytest.param('{"allergies": ' + "9" * 5000 + "}", "a number of 5,000 digits", id="huge-int"),
    pytest.param(
        '{"pregnancy": "pregnant", "pregnancy": "no"}',
        "duplicate key 'pregnancy'",
        id="duplicate-key",
    ),
    pytest.param(
        '{"requests": [{"product": "kybella", "area": "submental", "area": "neck"}]}',
        "duplicate key 'area'",
        id="nested-duplicate-key",
    ),
    pytest.param("[" * 100_000 + "]" * 100_000, "nested too deeply", id="deep"),
    pytest.param("\ufeff{}", "the input is not valid JSON: line 1 column 1: Unexpected", id="bom"),
]


@pytest.mark.parametrize(("raw", "says"), JSON_REFUSALS)
def test_json_that_is_not_a_contract_object_is_refused_with_one_line(raw: str, says: str) -> None:
    with pytest.raises(ContractError) as caught:
        parse_json(raw, **CATALOG)
    assert caught.value.path == ""
    assert str(caught.value).startswith(says) or says in str(caught.value)
    assert_one_line(caught.value)


def test_bytes_that_are_not_utf8_are_refused() -> None:
    with pytest.raises(ContractError) as caught:
        parse_json(b'{"allergies": "\xff"}', **CATALOG)
    assert str(caught.value) == "the input is not UTF-8 text: byte 15 cannot be decoded"


def test_field_errors_from_json_text_name_the_field() -> None:
    raw = json.dumps(EXAMPLE | {"requests": [{"product": "skinvive", "area": "cheek"}]})
    with pytest.raises(ContractError) as caught:
        parse_json(raw, **CATALOG)
    assert caught.value.path == "requests[0].area"


# --- The way back: a stored input replays ---


def test_to_payload_of_the_example_is_the_example_in_canonical_form() -> None:
    payload = to_payload(parse(EXAMPLE, **CATALOG))
    assert payload == EXAMPLE
    assert list(payload) == list(EXAMPLE)
    json.dumps(payload, allow_nan=False)


def test_to_payload_writes_a_defaulted_treatment_date_so_a_replay_is_the_same_day() -> None:
    parsed = parse(MINIMAL, **CATALOG)
    replayed = parse(to_payload(parsed), **CATALOG | {"today": dt.date(2030, 1, 1)})
    assert replayed == parsed


@st.composite
def contract_payloads(draw: st.DrawFn) -> dict[str, Any]:
    """Any valid payload over the seeded catalog (the treatment date left out at random)."""
    # Leaving treatment_date out means today, so everything else is drawn around today.
    omit_treatment_date = draw(st.booleans())
    treatment = (
        TODAY if omit_treatment_date else draw(st.dates(dt.date(1900, 1, 1), dt.date(2200, 12, 31)))
    )
    oldest = dt.date(treatment.year - 130, treatment.month, min(treatment.day, 28))
    born = draw(st.dates(oldest, treatment))
    in_life = st.dates(born, treatment)
    products, areas = sorted(PRODUCTS), sorted(AREAS)
    pairs = draw(
        st.lists(
            st.tuples(st.sampled_from(products), st.sampled_from(areas)),
            min_size=1,
            max_size=8,
            unique=True,
        )
    )
    requests = []
    for product, area in pairs:
        request = {"product": product, "area": area}
        indication = draw(st.sampled_from([*sorted(INDICATIONS), None, "absent"]))
        if indication != "absent":
            request["indication"] = indication
        requests.append(request)
    text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"))
    payload: dict[str, Any] = {
        "date_of_birth": born.isoformat(),
        "treatment_date": treatment.isoformat(),
        "requests": requests,
        "pregnancy": draw(st.sampled_from(sorted(PREGNANCY_ANSWERS))),
        "allergies": draw(text),
        "anaphylaxis_history": draw(st.booleans()),
        "multiple_severe_allergies": draw(st.booleans()),
        "medications": draw(text),
        "conditions": draw(st.lists(st.sampled_from(sorted(CONDITIONS)), unique=True)),
        "skin_at_site": draw(
            st.dictionaries(
                st.sampled_from(areas),
                st.lists(st.sampled_from(sorted(SKIN_FINDINGS)), unique=True),
            )
        ),
        "previous_sessions": [
            {"product": p, "area": a, "date": d.isoformat()}
            for p, a, d in draw(
                st.lists(
                    st.tuples(st.sampled_from(products), st.sampled_from(areas), in_life),
                    max_size=10,
                    unique=True,
                )
            )
        ],
        "isotretinoin_last_taken": draw(st.none() | in_life.map(dt.date.isoformat)),
        "recent_illness_or_vaccination": draw(st.booleans()),
    }
    if omit_treatment_date:
        del payload["treatment_date"]
    return payload


@settings(deadline=None, database=None)
@given(contract_payloads())
def test_a_valid_payload_parses_to_what_it_says_and_replays_to_the_same_input(
    payload: dict[str, Any],
) -> None:
    parsed = parse(payload, **CATALOG)

    assert [(r.product, r.area, r.indication) for r in parsed.requests] == [
        (r["product"], r["area"], r.get("indication")) for r in payload["requests"]
    ]
    assert parsed.date_of_birth.isoformat() == payload["date_of_birth"]
    assert parsed.treatment_date.isoformat() == payload.get("treatment_date", TODAY.isoformat())
    assert parsed.conditions == frozenset(payload.get("conditions", []))
    assert parsed.skin_findings() == {
        area: frozenset(findings) for area, findings in payload.get("skin_at_site", {}).items()
    }
    assert sorted((s.date.isoformat(), s.product, s.area) for s in parsed.previous_sessions) == [
        (s.date.isoformat(), s.product, s.area) for s in parsed.previous_sessions
    ]
    assert len(parsed.previous_sessions) == len(payload.get("previous_sessions", []))

    stored = to_payload(parsed)
    assert parse(stored, **CATALOG) == parsed
    assert parse_json(json.dumps(stored, allow_nan=False), **CATALOG) == parsed
    assert to_payload(parse(stored, **CATALOG)) == stored
