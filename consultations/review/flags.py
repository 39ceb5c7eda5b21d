"""Where each screening flag belongs on the case page: beside the answer that raised it.

Pure functions over a stored screening result (SCREENING.md's output). A flag's
topic names the answer it read; one flag can rest on two answers (an
immunosuppressive medicine and an autoimmune condition), and it is then shown
beside both. Flags of several requests that say the same thing about the same
words are shown once, naming the requests they concern.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext

SEVERITY_ORDER = {"block": 0, "review": 1, "info": 2}

# The intake step (steps.py) whose answers each topic reads.
TOPIC_SECTION: dict[str, str] = {
    "age": "about",
    "pregnancy": "pregnancy",
    "lidocaine_allergy": "allergies",
    "anesthetic_allergy": "allergies",
    "severe_allergy": "allergies",
    "bacterial_protein_allergy": "allergies",
    "ingredient_allergy": "allergies",
    "site_infection": "skin",
    "herpes_history": "conditions",
    "bleeding_disorder": "conditions",
    "scarring": "conditions",
    "dysphagia": "conditions",
    "prior_submental": "conditions",
    "anticoagulant": "medicines",
    "bleeding_supplement": "medicines",
    "isotretinoin": "medicines",
    "recent_illness": "medicines",
    "off_label_area": "treatments",
    "unapproved_product": "treatments",
    "not_recommended": "treatments",
    "treatment_interval": "history",
    "session_limit": "history",
}
# The evidence the immunosuppression rule writes for the conditions step's answers.
CONDITION_EVIDENCE = ("immunosuppression", "autoimmune disease")
OTHER = "other"


def sections_for(flag: Mapping[str, Any]) -> list[str]:
    """The answer sections a flag belongs beside (OTHER for a topic this page does not know)."""
    topic = flag.get("topic", "")
    if topic == "immunosuppression":
        parts = [p.strip() for p in (flag.get("evidence") or "").split(";") if p.strip()]
        sections = []
        if any(p in CONDITION_EVIDENCE for p in parts):
            sections.append("conditions")
        if any(p not in CONDITION_EVIDENCE for p in parts) or not parts:
            sections.append("medicines")
        return sections
    return [TOPIC_SECTION.get(topic, OTHER)]


@dataclass
class ShownFlag:
    code: str
    topic: str
    severity: str
    message: str
    source: str
    evidence: str
    requests: list[str] = field(default_factory=list)


def flags_by_section(
    result: Mapping[str, Any],
    *,
    products: Mapping[str, str] | None = None,
    areas: Mapping[str, str] | None = None,
) -> dict[str, list[ShownFlag]]:
    """Each section's flags, most severe first, each naming the requests it concerns."""
    products, areas = products or {}, areas or {}
    shown: dict[str, dict[tuple[str, str, str], ShownFlag]] = {}
    for request in result.get("requests", []):
        label = (
            f"{products.get(request['product'], request['product'])} — "
            f"{areas.get(request['area'], request['area'])}"
        )
        for flag in request.get("flags", []):
            key = (flag["code"], flag["severity"], flag.get("evidence") or "")
            for section in sections_for(flag):
                item = shown.setdefault(section, {}).get(key)
                if item is None:
                    item = ShownFlag(
                        code=flag["code"],
                        topic=flag.get("topic", ""),
                        severity=flag["severity"],
                        # Stored in English (gettext_noop in the rules), translated where shown.
                        message=gettext(flag.get("message", "")),
                        source=flag.get("source", ""),
                        evidence=flag.get("evidence") or "",
                    )
                    shown[section][key] = item
                if label not in item.requests:
                    item.requests.append(label)
    return {
        section: sorted(items.values(), key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.code))
        for section, items in shown.items()
    }
