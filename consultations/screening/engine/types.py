"""The engine's typed input and output: the screening contract of SCREENING.md as data."""

import datetime as dt
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any


class Severity(IntEnum):
    """Ordered, so that the outcome is the most severe flag."""

    INFO = 1
    REVIEW = 2
    BLOCK = 3

    @property
    def label(self) -> str:
        return self.name.lower()


# The contract's outcome for the most severe flag of a request (info does not hold it back).
OUTCOME_BY_SEVERITY = {
    None: "clear",
    Severity.INFO: "clear",
    Severity.REVIEW: "review",
    Severity.BLOCK: "blocked",
}
OUTCOME_RANK = {"clear": 0, "review": 1, "blocked": 2}

PREGNANCY_ANSWERS = frozenset(
    {"no", "pregnant", "breastfeeding", "trying", "unsure", "not_applicable"}
)
CONDITIONS = frozenset(
    {
        "bleeding_disorder",
        "autoimmune",
        "immunosuppressed",
        "keloid_scarring",
        "recurrent_cold_sores",
        "dysphagia",
        "thyroid_or_neck_mass",
        "prior_submental_treatment",
        "bacterial_protein_allergy",
    }
)
SKIN_FINDINGS = frozenset(
    {"active_infection", "inflamed_acne", "rash", "hives", "open_wound", "active_cold_sore"}
)
INDICATIONS = frozenset(
    {"skin_quality", "volume", "lines", "pigmentation", "fat_reduction", "cellulite", "hair"}
)
TOPICS = frozenset(
    {
        "age",
        "pregnancy",
        "lidocaine_allergy",
        "anesthetic_allergy",
        "severe_allergy",
        "bacterial_protein_allergy",
        "ingredient_allergy",
        "site_infection",
        "herpes_history",
        "bleeding_disorder",
        "anticoagulant",
        "bleeding_supplement",
        "scarring",
        "immunosuppression",
        "isotretinoin",
        "dysphagia",
        "prior_submental",
        "off_label_area",
        "unapproved_product",
        "not_recommended",
        "treatment_interval",
        "session_limit",
        "recent_illness",
    }
)


@dataclass(frozen=True)
class Request:
    product: str
    area: str
    indication: str | None = None


@dataclass(frozen=True)
class PreviousSession:
    product: str
    area: str
    date: dt.date


@dataclass(frozen=True)
class ScreeningInput:
    """The contract's input, validated (see `contract.parse`). Immutable and hashable."""

    date_of_birth: dt.date
    treatment_date: dt.date
    requests: tuple[Request, ...]
    pregnancy: str = "no"
    allergies: str = ""
    anaphylaxis_history: bool = False
    multiple_severe_allergies: bool = False
    medications: str = ""
    conditions: frozenset[str] = frozenset()
    # (area code, findings) pairs, sorted: a mapping that can be hashed.
    skin_at_site: tuple[tuple[str, frozenset[str]], ...] = ()
    previous_sessions: tuple[PreviousSession, ...] = ()
    isotretinoin_last_taken: dt.date | None = None
    recent_illness_or_vaccination: bool = False

    def skin_findings(self) -> dict[str, frozenset[str]]:
        return dict(self.skin_at_site)


@dataclass(frozen=True)
class Flag:
    code: str
    topic: str
    severity: Severity
    evidence: str
    message: str
    patient_message: str
    source: str

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "topic": self.topic,
            "severity": self.severity.label,
            "evidence": self.evidence,
            "message": self.message,
            "patient_message": self.patient_message,
            "source": self.source,
        }


@dataclass(frozen=True)
class RequestResult:
    product: str
    area: str
    flags: tuple[Flag, ...] = field(default_factory=tuple)

    @property
    def outcome(self) -> str:
        worst = max((f.severity for f in self.flags), default=None)
        return OUTCOME_BY_SEVERITY[worst]

    def to_json(self) -> dict[str, Any]:
        return {
            "product": self.product,
            "area": self.area,
            "outcome": self.outcome,
            "flags": [f.to_json() for f in self.flags],
        }


@dataclass(frozen=True)
class ScreeningResult:
    ruleset: str
    requests: tuple[RequestResult, ...]

    @property
    def outcome(self) -> str:
        """The worst request's outcome."""
        return max(
            (r.outcome for r in self.requests), key=OUTCOME_RANK.__getitem__, default="clear"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "ruleset": self.ruleset,
            "requests": [r.to_json() for r in self.requests],
        }
