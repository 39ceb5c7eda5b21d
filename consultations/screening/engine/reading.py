"""What the engine understands of the patient's own words (allergies, medicines).

The interface the rules read. The implementation (lexicon data in
`consultations/screening/lexicon/`, normalisation, fuzzy matching, negations)
lives in `text.py`.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Mention:
    """A substance or class the patient named.

    `concept` is the lexicon entry (a substance such as "lidocaine", or a class
    such as "amide_anaesthetic" when the patient named the class). `kinds` is
    every code the mention counts as: the concept itself, its classes
    ("amide_anaesthetic", "anticoagulant"...) and the catalog ingredient codes it
    is ("ingredient:lidocaine"). `text` is the patient's own words that matched,
    quoted as the flag's evidence.
    """

    concept: str
    kinds: frozenset[str]
    text: str


@dataclass(frozen=True)
class TextReading:
    mentions: tuple[Mention, ...] = ()
    # Phrases with content the engine could not place: a clinician must read them.
    unplaced: tuple[str, ...] = ()
    # Mentions written under a negation ("not allergic to latex"): never silently dropped.
    negated: tuple[Mention, ...] = ()

    def having(self, kind: str) -> tuple[Mention, ...]:
        return tuple(m for m in self.mentions if kind in m.kinds)
