"""`python manage.py bench_screening`: screenings per second on one core, contract JSON to JSON.

Each screening goes the whole way the API goes, without HTTP: parse the
contract's JSON, read the free text, run every rule on every request, and
serialise the result. The inputs are a fixed, seeded mix of what intakes look
like (most clean, some with allergies, blood thinners, pregnancy, skin findings
and previous sessions; one in ten with a long narrative answer), and their free
text is unique per intake (doses, dates, narratives), so the reader's cache
helps only as much as it would in a clinic. The reader's cache is emptied
before every round. The result is the median of the rounds, with the spread.
"""

import datetime as dt
import json
import random
import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from consultations.screening.engine import contract
from consultations.screening.engine.screen import screen
from consultations.screening.engine.types import CONDITIONS, SKIN_FINDINGS
from consultations.screening.facts import catalog_facts
from consultations.screening.services import text_reader

ALLERGY_PHRASES = (
    "lidocaine",
    "Xylocaine - throat swelling at the dentist",
    "lignocaine",
    "lidocane (numbing cream)",
    "penicillin - rash",
    "Novocaine",
    "peanuts, shellfish",
    "latex",
    "hay fever and dust mites",
    "sulfa drugs",
    "NSAIDs (aspirin, ibuprofen)",
    "not allergic to latex",
    "codeine makes me sick",
    "hyaluronic acid",
    "zorblaxine",
)
MEDICINE_PHRASES = (
    "Eliquis {d}mg",
    "warfarin {d}mg",
    "aspirin {d}mg, fish oil",
    "Xarelto {d} mg once a day",
    "clopidogrel (Plavix) {d}mg",
    "vitamin D {d}00 IU",
    "levothyroxine {d}0 mcg",
    "metformin {d}00mg twice a day",
    "oral contraceptive pill",
    "cetirizine when needed",
    "ibuprofen {d}00mg for headaches",
    "methotrexate {d}mg weekly",
    "Roaccutane {d}0mg",
    "stopped warfarin {d} months ago",
    "omega 3 {d}000mg",
    "blorptab {d}mg",
)
NOTHING = ("", "none", "None", "n/a", "No known allergies", "nil", "NKDA")
# Long answers, written as patients write them: sentences drawn at random, with their
# own ages, places and substances, so that no two narratives are the same.
NARRATIVE_SENTENCES = (
    "When I was {age} I had a filling at the {place} and after the injection my {part} swelled up.",
    "I was given antihistamines and it settled after {n} hours.",
    "Since then I have told every {person} and they use something else.",
    "I also get hay fever every {season} and a rash from cheap jewellery.",
    "My {relative} is allergic to {allergen} and so am I, it gave me hives as a child.",
    "I am not sure about anything else but I react to plasters sometimes.",
    "{allergen} made my {part} itchy and red for {n} days.",
    "The {person} said it might have been the {allergen} but nobody tested it.",
)
SLOTS = {
    "age": [str(n) for n in range(5, 60)],
    "place": ["dentist", "hospital", "clinic", "GP surgery", "walk-in centre"],
    "part": ["lips", "throat", "face", "tongue", "arm", "eyes", "neck"],
    "n": [str(n) for n in range(2, 30)],
    "person": ["dentist", "doctor", "nurse", "pharmacist", "GP"],
    "season": ["summer", "spring", "May", "June"],
    "relative": ["mother", "father", "sister", "brother", "mum", "dad"],
    "allergen": [
        "penicillin",
        "lidocaine",
        "latex",
        "amoxicillin",
        "codeine",
        "Novocaine",
        "aspirin",
        "sulfa drugs",
        "elastoplast",
        "pollen",
    ],
}


def _narrative(rng: random.Random) -> str:
    sentences = rng.choices(NARRATIVE_SENTENCES, k=rng.randint(4, 14))
    return " ".join(s.format(**{k: rng.choice(v) for k, v in SLOTS.items()}) for s in sentences)


def _mix(n: int, seed: int) -> list[bytes]:
    facts = catalog_facts()
    products = sorted(facts.products)
    areas = sorted(facts.area_parents)
    rng = random.Random(seed)  # noqa: S311 (a reproducible mix, not a secret)
    payloads = []
    for _ in range(n):
        d = rng.randint(1, 9)
        risky = rng.random() < 0.4
        requests = {}
        for product in rng.sample(products, rng.randint(1, 3)):
            # Mostly where the product is meant to go; now and then somewhere else.
            on_label = sorted(facts.products[product].areas)
            area = rng.choice(on_label if on_label and rng.random() < 0.85 else areas)
            requests[product, area] = {"product": product, "area": area, "indication": None}
        requests = list(requests.values())
        if rng.random() < 0.1:
            allergies = _narrative(rng)
        elif risky and rng.random() < 0.5:
            allergies = ", ".join(rng.sample(ALLERGY_PHRASES, rng.randint(1, 3)))
        else:
            allergies = rng.choice(NOTHING)
        if risky and rng.random() < 0.6:
            medications = "; ".join(
                p.format(d=rng.randint(1, 9))
                for p in rng.sample(MEDICINE_PHRASES, rng.randint(1, 3))
            )
        else:
            medications = rng.choice(NOTHING)
        payload: dict[str, Any] = {
            "date_of_birth": f"{rng.randint(1950, 2006)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
            "treatment_date": "2026-12-01",
            "requests": requests,
            "pregnancy": rng.choice(
                ["no"] * 12 + ["pregnant", "breastfeeding", "trying", "unsure"]
            ),
            "allergies": allergies[: contract.MAX_TEXT_LENGTH],
            "anaphylaxis_history": risky and rng.random() < 0.1,
            "multiple_severe_allergies": risky and rng.random() < 0.05,
            "medications": medications,
            "conditions": rng.sample(sorted(CONDITIONS), rng.randint(0, 2)) if risky else [],
            "skin_at_site": (
                {rng.choice(areas): rng.sample(sorted(SKIN_FINDINGS), 1)}
                if risky and rng.random() < 0.3
                else {}
            ),
            "previous_sessions": (
                [
                    {
                        "product": requests[0]["product"],
                        "area": requests[0]["area"],
                        "date": "2026-10-0" + str(d),
                    }
                ]
                if rng.random() < 0.2
                else []
            ),
            "isotretinoin_last_taken": None,
            "recent_illness_or_vaccination": rng.random() < 0.05,
        }
        payloads.append(json.dumps(payload).encode())
    return payloads


class Command(BaseCommand):
    help = "Benchmark the screening engine: screenings per second on one core (median of rounds)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--screenings", type=int, default=3000, help="per round")
        parser.add_argument("--rounds", type=int, default=7)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, screenings: int, rounds: int, seed: int, **options: Any) -> None:
        facts = catalog_facts()
        reader = text_reader()
        known = {
            "known_products": frozenset(facts.products),
            "known_areas": frozenset(facts.area_parents),
            "today": dt.date(2026, 11, 24),
        }
        rates = []
        for round_number in range(rounds):
            payloads = _mix(screenings, seed + round_number)
            reader.cache_clear()
            outcomes: dict[str, int] = {}
            started = time.perf_counter()
            for raw in payloads:
                data = contract.parse_json(raw, **known)
                result = screen(data, facts, reader)
                json.dumps(result.to_json())
                outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
            elapsed = time.perf_counter() - started
            rates.append(screenings / elapsed)
            self.stderr.write(
                f"round {round_number + 1}/{rounds}: {screenings / elapsed:,.0f} screenings/s "
                f"({', '.join(f'{k} {v}' for k, v in sorted(outcomes.items()))})"
            )
        median = statistics.median(rates)
        self.stdout.write(
            f"bench screening per_s={median:.0f} min={min(rates):.0f} max={max(rates):.0f} "
            f"rounds={rounds} screenings_per_round={screenings} "
            f"ms_per_screening={1000 / median:.3f}"
        )
