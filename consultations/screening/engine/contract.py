"""The screening contract of SCREENING.md: JSON in, a validated `ScreeningInput` out.

The intake form, the JSON API and the `screen` management command all go
through `parse` (or `parse_json`), so the three mean the same thing by the same
input. The principle is the document's: "unknown keys, unknown codes,
impossible dates: a clear error, never a guess". Every refusal is a
`ContractError` whose message is one line naming the field path, e.g.
``requests[0].area: unknown area 'cheek' (known: abdomen, arms, ...)``.

Required and optional keys. SCREENING.md says that `treatment_date` defaults
(to today) and that a request's `indication` is optional; every other key is
required. An absent answer is never read as the harmless one: a caller that
leaves out `pregnancy` has not said "no", and screening it as "no" would hide
the very risk the rule exists for. So a missing key is an error that names it.

- `null` is accepted only where null is a value of the contract
  (`treatment_date`, `isotretinoin_last_taken`, a request's `indication`).
  `"pregnancy": null` or `"allergies": null` is an error, not "no": a key that
  is present but empty is ambiguous, and ambiguity is not resolved by guessing.

Checks beyond the types and vocabularies, all of them "impossible input":

- the date of birth is not after the treatment date, nor more than 130 years
  before it;
- previous sessions and the last isotretinoin date are neither after the
  treatment date nor before the date of birth;
- requests are unique per (product, area), previous sessions per
  (product, area, date), and conditions and skin findings are not repeated:
  a repeated entry is either a mistake or a double count (the session limit
  counts sessions), and the contract cannot tell which;
- free text (allergies, medications) is at most 5,000 characters and holds no
  NUL character or lone surrogate, which no database column can store.

The result is canonical (conditions a frozenset, skin findings a sorted tuple
of pairs, previous sessions sorted), so two payloads that mean the same give
equal inputs, and `to_payload` gives back a payload that parses to the same
input: a stored input can be replayed.
"""

import datetime as dt
import difflib
import json
import re
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

from consultations.screening.engine.types import (
    CONDITIONS,
    INDICATIONS,
    PREGNANCY_ANSWERS,
    SKIN_FINDINGS,
    PreviousSession,
    Request,
    ScreeningInput,
)

MAX_REQUESTS = 50
MAX_PREVIOUS_SESSIONS = 200
MAX_TEXT_LENGTH = 5_000
MAX_AGE_YEARS = 130

# The contract's keys, in the order of SCREENING.md (and of `to_payload`).
TOP_LEVEL_KEYS = (
    "date_of_birth",
    "treatment_date",
    "requests",
    "pregnancy",
    "allergies",
    "anaphylaxis_history",
    "multiple_severe_allergies",
    "medications",
    "conditions",
    "skin_at_site",
    "previous_sessions",
    "isotretinoin_last_taken",
    "recent_illness_or_vaccination",
)
# Every answer that could hide a risk must be given: an absent answer is never read as "no".
REQUIRED_KEYS = tuple(k for k in TOP_LEVEL_KEYS if k != "treatment_date")
REQUEST_KEYS = ("product", "area", "indication")
PREVIOUS_SESSION_KEYS = ("product", "area", "date")

# Only the ASCII form YYYY-MM-DD: `date.fromisoformat` also takes "19900401" and
# week dates, and `\d` matches other scripts' digits.
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,39}")
_QUOTE_LIMIT = 40
_KNOWN_LIMIT = 120
# A number this long is not a mistake a person makes, and Python refuses to
# convert more than 4,300 digits; no field of the contract is a number anyway.
_MAX_NUMBER_DIGITS = 100


class ContractError(ValueError):
    """Input that does not follow the contract. `str()` is one line naming the field."""

    def __init__(self, path: str, detail: str) -> None:
        self.path = path
        self.detail = detail
        super().__init__(f"{path}: {detail}" if path else detail)

    def __reduce__(self) -> tuple[type["ContractError"], tuple[str, str]]:
        return type(self), (self.path, self.detail)


# --- How values are named in messages: short, one line, whatever the input ---


def _quote(text: str) -> str:
    """The text as a Python literal (non-printable characters escaped), cut short."""
    if len(text) <= _QUOTE_LIMIT:
        return repr(text)
    return repr(text[:_QUOTE_LIMIT]) + "..."


def _describe(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        # str() of a huge int raises ValueError (Python's 4,300-digit limit).
        return f"the number {value}" if value.bit_length() < 64 else "a very large number"
    if isinstance(value, float):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the string {_quote(value)}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return f"a Python {type(value).__name__[:_QUOTE_LIMIT]}"


def _known(codes: frozenset[str]) -> str:
    listed = ""
    for code in sorted(codes):
        part = _quote(code)[1:-1] if len(code) <= _QUOTE_LIMIT else _quote(code)
        candidate = f"{listed}, {part}" if listed else part
        if len(candidate) > _KNOWN_LIMIT:
            return f"{listed}, ..."
        listed = candidate
    return listed or "none"


def _key_path(parent: str, key: str) -> str:
    if _PLAIN_KEY.fullmatch(key):
        return f"{parent}.{key}" if parent else key
    return f"{parent}[{_quote(key)}]"


def _fail(path: str, detail: str) -> NoReturn:
    raise ContractError(path, detail)


# --- Shapes ---


def _object(value: object, path: str, allowed: tuple[str, ...]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        _fail(path, f"expected an object, got {_describe(value)}")
    for key in value:
        if not isinstance(key, str):
            _fail(path, f"object keys must be strings, got {_describe(key)}")
        if key not in allowed:
            hint = difflib.get_close_matches(key, allowed, n=1) if len(key) <= 64 else []
            did_you_mean = f"did you mean '{hint[0]}'? " if hint else ""
            _fail(
                _key_path(path, key),
                f"unknown key ({did_you_mean}known: {_known(frozenset(allowed))})",
            )
    return value


def _require(obj: Mapping[str, Any], path: str, keys: tuple[str, ...]) -> None:
    for key in keys:
        if key not in obj:
            _fail(_key_path(path, key), "is required")


def _list(value: object, path: str, *, most: int) -> list[Any]:
    if not isinstance(value, list):
        _fail(path, f"expected a list, got {_describe(value)}")
    if len(value) > most:
        _fail(path, f"at most {most} entries are allowed, got {len(value)}")
    return value


def _bool(value: object, path: str) -> bool:
    # `isinstance(1, bool)` is False, but `isinstance(True, int)` is True: only
    # the bool check is strict enough, and it is the one used here.
    if not isinstance(value, bool):
        _fail(path, f"expected true or false, got {_describe(value)}")
    return value


def _string(value: object, path: str) -> str:
    if not isinstance(value, str):
        _fail(path, f"expected a string, got {_describe(value)}")
    return value


def _free_text(value: object, path: str) -> str:
    text = _string(value, path)
    if len(text) > MAX_TEXT_LENGTH:
        _fail(path, f"at most {MAX_TEXT_LENGTH:,} characters are allowed, got {len(text):,}")
    if "\x00" in text:
        _fail(path, "contains a NUL character (\\u0000)")
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        _fail(path, "contains a lone surrogate (\\ud800-\\udfff), which is not text")
    return text


def _code(value: object, path: str, kind: str, known: frozenset[str]) -> str:
    code = _string(value, path)
    if code not in known:
        hint = difflib.get_close_matches(code, sorted(known), n=1) if len(code) <= 64 else []
        did_you_mean = f"did you mean '{hint[0]}'? " if hint else ""
        _fail(path, f"unknown {kind} {_quote(code)} ({did_you_mean}known: {_known(known)})")
    return code


def _codes(value: object, path: str, kind: str, known: frozenset[str]) -> frozenset[str]:
    # No length limit is needed: a list longer than the vocabulary fails on its first repeat.
    if not isinstance(value, list):
        _fail(path, f"expected a list, got {_describe(value)}")
    items = value
    seen: set[str] = set()
    for index, item in enumerate(items):
        code = _code(item, f"{path}[{index}]", kind, known)
        if code in seen:
            _fail(f"{path}[{index}]", f"{_quote(code)} is listed twice")
        seen.add(code)
    return frozenset(seen)


def _date(value: object, path: str) -> dt.date:
    text = _string(value, path)
    match = _ISO_DATE.fullmatch(text)
    if match is None:
        _fail(path, f"{_quote(text)} is not a date in the form YYYY-MM-DD")
    year, month, day = (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        _fail(path, f"{_quote(text)} is not a real date (use YYYY-MM-DD)")


def _years_before(day: dt.date, years: int) -> dt.date | None:
    if day.year - years < dt.MINYEAR:
        return None
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def _within_life(day: dt.date, path: str, *, born: dt.date, treatment: dt.date) -> dt.date:
    if day > treatment:
        _fail(path, f"{day.isoformat()} is after the treatment date {treatment.isoformat()}")
    if day < born:
        _fail(path, f"{day.isoformat()} is before the date of birth {born.isoformat()}")
    return day


# --- The contract ---


def parse(
    payload: object,
    *,
    known_products: frozenset[str],
    known_areas: frozenset[str],
    today: dt.date,
) -> ScreeningInput:
    """Validate the decoded JSON of the contract and return the frozen input.

    `known_products` and `known_areas` are the catalog's codes; `today` is the
    default treatment date (passed in, so that parsing is a pure function).
    """
    if not isinstance(payload, Mapping):
        _fail("", f"the input must be a JSON object, got {_describe(payload)}")
    data = _object(payload, "", TOP_LEVEL_KEYS)
    _require(data, "", REQUIRED_KEYS)

    raw_treatment = data.get("treatment_date")
    treatment = today if raw_treatment is None else _date(raw_treatment, "treatment_date")
    treatment_named = (
        f"{treatment.isoformat()} (today)" if raw_treatment is None else treatment.isoformat()
    )

    born = _date(data["date_of_birth"], "date_of_birth")
    if born > treatment:
        _fail("date_of_birth", f"{born.isoformat()} is after the treatment date {treatment_named}")
    oldest = _years_before(treatment, MAX_AGE_YEARS)
    if oldest is not None and born < oldest:
        _fail(
            "date_of_birth",
            f"{born.isoformat()} is more than {MAX_AGE_YEARS} years before the treatment date "
            f"{treatment_named}",
        )

    requests = _requests(data["requests"], known_products, known_areas)

    pregnancy = "no"
    if "pregnancy" in data:
        pregnancy = _string(data["pregnancy"], "pregnancy")
        if pregnancy not in PREGNANCY_ANSWERS:
            _fail(
                "pregnancy",
                f"unknown answer {_quote(pregnancy)} (known: {_known(PREGNANCY_ANSWERS)})",
            )

    def optional(key: str, read: Callable[[object, str], Any], default: Any) -> Any:
        return read(data[key], key) if key in data else default

    allergies = optional("allergies", _free_text, "")
    anaphylaxis = optional("anaphylaxis_history", _bool, False)
    several_severe = optional("multiple_severe_allergies", _bool, False)
    medications = optional("medications", _free_text, "")
    conditions = optional(
        "conditions", lambda v, p: _codes(v, p, "condition", CONDITIONS), frozenset()
    )
    skin = optional("skin_at_site", lambda v, p: _skin_at_site(v, p, known_areas), ())
    sessions = optional(
        "previous_sessions",
        lambda v, p: _previous_sessions(
            v, p, known_products, known_areas, born=born, treatment=treatment
        ),
        (),
    )
    isotretinoin = None
    if data.get("isotretinoin_last_taken") is not None:
        path = "isotretinoin_last_taken"
        isotretinoin = _within_life(_date(data[path], path), path, born=born, treatment=treatment)
    recent_illness = optional("recent_illness_or_vaccination", _bool, False)

    return ScreeningInput(
        date_of_birth=born,
        treatment_date=treatment,
        requests=requests,
        pregnancy=pregnancy,
        allergies=allergies,
        anaphylaxis_history=anaphylaxis,
        multiple_severe_allergies=several_severe,
        medications=medications,
        conditions=conditions,
        skin_at_site=skin,
        previous_sessions=sessions,
        isotretinoin_last_taken=isotretinoin,
        recent_illness_or_vaccination=recent_illness,
    )


def _requests(
    value: object, known_products: frozenset[str], known_areas: frozenset[str]
) -> tuple[Request, ...]:
    items = _list(value, "requests", most=MAX_REQUESTS)
    if not items:
        _fail("requests", "at least one request is needed")
    requests: list[Request] = []
    first_index: dict[tuple[str, str], int] = {}
    for index, item in enumerate(items):
        path = f"requests[{index}]"
        obj = _object(item, path, REQUEST_KEYS)
        _require(obj, path, ("product", "area"))
        product = _code(obj["product"], f"{path}.product", "product", known_products)
        area = _code(obj["area"], f"{path}.area", "area", known_areas)
        indication = obj.get("indication")
        if indication is not None:
            indication = _code(indication, f"{path}.indication", "indication", INDICATIONS)
        if (product, area) in first_index:
            _fail(
                path,
                f"repeats requests[{first_index[product, area]}] "
                f"(product '{product}', area '{area}')",
            )
        first_index[product, area] = index
        requests.append(Request(product=product, area=area, indication=indication))
    return tuple(requests)


def _skin_at_site(
    value: object, path: str, known_areas: frozenset[str]
) -> tuple[tuple[str, frozenset[str]], ...]:
    if not isinstance(value, Mapping):
        _fail(path, f"expected an object, got {_describe(value)}")
    findings: dict[str, frozenset[str]] = {}
    for area, codes in value.items():
        if not isinstance(area, str):
            _fail(path, f"object keys must be strings, got {_describe(area)}")
        area_path = _key_path(path, area)
        _code(area, area_path, "area", known_areas)
        findings[area] = _codes(codes, area_path, "skin finding", SKIN_FINDINGS)
    return tuple(sorted(findings.items()))


def _previous_sessions(
    value: object,
    path: str,
    known_products: frozenset[str],
    known_areas: frozenset[str],
    *,
    born: dt.date,
    treatment: dt.date,
) -> tuple[PreviousSession, ...]:
    items = _list(value, path, most=MAX_PREVIOUS_SESSIONS)
    sessions: dict[PreviousSession, int] = {}
    for index, item in enumerate(items):
        item_path = f"{path}[{index}]"
        obj = _object(item, item_path, PREVIOUS_SESSION_KEYS)
        _require(obj, item_path, PREVIOUS_SESSION_KEYS)
        session = PreviousSession(
            product=_code(obj["product"], f"{item_path}.product", "product", known_products),
            area=_code(obj["area"], f"{item_path}.area", "area", known_areas),
            date=_within_life(
                _date(obj["date"], f"{item_path}.date"),
                f"{item_path}.date",
                born=born,
                treatment=treatment,
            ),
        )
        if session in sessions:
            _fail(item_path, f"repeats {path}[{sessions[session]}] (same product, area and date)")
        sessions[session] = index
    return tuple(sorted(sessions, key=lambda s: (s.date, s.product, s.area)))


# --- JSON text ---


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            _fail("", f"the input is not valid JSON for the contract: duplicate key {_quote(key)}")
        obj[key] = value
    return obj


def _refuse_constant(name: str) -> NoReturn:
    _fail("", f"the input is not valid JSON: {name} is not a JSON number")


def _finite_float(text: str) -> float:
    if len(text) > _MAX_NUMBER_DIGITS:
        _fail("", f"the input has a number of {len(text):,} characters")
    number = float(text)
    if number in (float("inf"), float("-inf")):
        _fail("", f"the input has a number too large to represent: {_quote(text)}")
    return number


def _bounded_int(text: str) -> int:
    if len(text) > _MAX_NUMBER_DIGITS:
        _fail("", f"the input has a number of {len(text):,} digits")
    return int(text)


def parse_json(
    raw: str | bytes,
    *,
    known_products: frozenset[str],
    known_areas: frozenset[str],
    today: dt.date,
) -> ScreeningInput:
    """Decode the contract's JSON text (UTF-8 when bytes) and `parse` it.

    Python's `json` accepts more than JSON, and each extra is an input with two
    readings, which the contract does not choose between by guessing:
    `{"pregnancy": "pregnant", "pregnancy": "no"}` keeps the last value
    silently, and NaN or Infinity are not JSON numbers, so another program
    reading the same stored input might reject it or read something else.
    Both are refused.
    """
    if isinstance(raw, bytes | bytearray):
        try:
            # utf-8-sig: a file saved by a Windows editor starts with a byte-order mark.
            text = bytes(raw).decode("utf-8-sig")
        except UnicodeDecodeError as error:
            _fail(
                "",
                f"the input is not UTF-8 text: byte {error.start} cannot be decoded",
            )
    else:
        text = raw
    try:
        payload = json.loads(
            text,
            object_pairs_hook=_refuse_duplicate_keys,
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
            parse_int=_bounded_int,
        )
    except json.JSONDecodeError as error:
        _fail(
            "",
            f"the input is not valid JSON: line {error.lineno} column {error.colno}: {error.msg}",
        )
    except RecursionError:
        _fail("", "the input is not valid for the contract: it is nested too deeply")
    if not isinstance(payload, dict):
        _fail("", f"the input must be a JSON object, got {_describe(payload)}")
    return parse(payload, known_products=known_products, known_areas=known_areas, today=today)


def to_payload(data: ScreeningInput) -> dict[str, Any]:
    """The canonical JSON-able form of an input: every key, dates ISO, codes sorted.

    `parse(to_payload(x), ...) == x` for any `x` that `parse` returned, so a
    stored input can be replayed.
    """
    return {
        "date_of_birth": data.date_of_birth.isoformat(),
        "treatment_date": data.treatment_date.isoformat(),
        "requests": [
            {"product": r.product, "area": r.area, "indication": r.indication}
            for r in data.requests
        ],
        "pregnancy": data.pregnancy,
        "allergies": data.allergies,
        "anaphylaxis_history": data.anaphylaxis_history,
        "multiple_severe_allergies": data.multiple_severe_allergies,
        "medications": data.medications,
        "conditions": sorted(data.conditions),
        "skin_at_site": {area: sorted(findings) for area, findings in data.skin_at_site},
        "previous_sessions": [
            {"product": s.product, "area": s.area, "date": s.date.isoformat()}
            for s in data.previous_sessions
        ],
        "isotretinoin_last_taken": (
            data.isotretinoin_last_taken.isoformat() if data.isotretinoin_last_taken else None
        ),
        "recent_illness_or_vaccination": data.recent_illness_or_vaccination,
    }
