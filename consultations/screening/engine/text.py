"""Reading allergies and medicines written in the patient's own words.

The words themselves are data (`consultations/screening/lexicon/*.toml`,
reviewed, with sources); this module only reads them:

1. A whole answer that says nothing ("none", "N/A", "no known allergies")
   reads as nothing.
2. The answer is cut into items at commas, semicolons, slashes, line and
   sentence ends, "&", "+" and joining words ("and", "but", "except"...). Items
   are read separately, so adding an item never changes how another reads.
3. In each item, the longest known name wins ("vitamin e" before "vitamin",
   "general anaesthetic" before "anaesthetic"); then the words of ordinary
   writing (reactions, doses, times, grammar) are passed over; a word of five
   letters or more within one edit of a known name (two from nine letters, same
   first letter) is that name; an unknown word ending in "-caine" is a local
   anaesthetic of unknown family. Any other word makes the item unplaced: it is
   quoted for a clinician to read, never dropped.
4. A substance under a negation in its item ("not allergic to", "stopped",
   "no longer on") is reported apart as negated: a clinician confirms it.

Every mention quotes the patient's own characters ("LIDOCANE", "Xylocaine").
"""

import re
import tomllib
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA

from consultations.screening.engine.reading import Mention, TextReading

LEXICON_DIR = Path(__file__).resolve().parent.parent / "lexicon"
IRRELEVANT = "irrelevant"
LOCAL_ANAESTHETIC_KINDS = frozenset(
    {
        "local_anaesthetic",
        "amide_anaesthetic",
        "ester_anaesthetic",
        "ingredient:lidocaine",
        "ingredient:procaine",
    }
)
# Longest name, in words, looked up at one place.
MAX_WORDS = 6
# How far (in words) a negation reaches forward: "not allergic to the lidocaine".
NEGATION_REACH = 4
FUZZY_MIN_LENGTH = 5
CAINE_ENDINGS = ("caine", "cain", "caina", "kaine", "kain")

APOSTROPHES = "'\u2019`"
_TOKEN = re.compile(rf"[^\W_]+(?:[{APOSTROPHES}][^\W_]+)*")
_DOSE = re.compile(r"\d+(?:mg|mcg|ug|µg|g|ml|iu|units?|x|iu/day|mgs|tabs?|caps?|pc|pct)?")
_ITEM_BREAK = re.compile(r"[,;/\n\r!?&+|•·]")
_SENTENCE_END = re.compile(r"\.(?!\d)")
# A full stop after these ends no sentence: "St. John's wort", "e.g. aspirin".
ABBREVIATIONS = frozenset(
    {"st", "dr", "mr", "mrs", "ms", "eg", "e", "g", "i", "ie", "etc", "vit", "approx", "vs", "no"}
)


class LexiconError(ValueError):
    """The lexicon data contradicts itself (a name under two concepts, a missing field)."""


def normalise(text: str) -> str:
    """Lower case, without accents or apostrophes; other punctuation as single spaces."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    plain = re.sub(f"[{APOSTROPHES}]", "", plain)
    return " ".join(re.findall(r"[^\W_]+", plain))


@dataclass(frozen=True)
class Entry:
    concept: str
    kinds: frozenset[str]


@dataclass(frozen=True)
class Lexicon:
    """The lexicon files, read and indexed by normalised name."""

    names: Mapping[str, Entry]
    nothing: frozenset[str]
    negation_before: frozenset[str]
    negation_before_medicine: frozenset[str]
    negation_after_medicine: frozenset[str]
    hedges: frozenset[str]
    separators: frozenset[str]
    filler: frozenset[str]
    sources: Mapping[str, str]


def _compact(text: str) -> str:
    """Every letter and digit run together: "N/A" and "n.a." both read "na"."""
    return normalise(text).replace(" ", "")


def _phrases(words: Iterable[str]) -> frozenset[str]:
    return frozenset(filter(None, (normalise(w) for w in words)))


def load_lexicon(directory: Path = LEXICON_DIR) -> Lexicon:
    names: dict[str, Entry] = {}
    sources: dict[str, str] = {}
    words: dict = {}
    for path in sorted(directory.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        if path.name == "words.toml":
            words = data
            continue
        for entry in data.get("entry", ()):
            try:
                concept, kinds, given, source = (
                    entry["concept"],
                    frozenset(entry["kinds"]),
                    entry["names"],
                    entry["source"],
                )
            except KeyError as missing:
                raise LexiconError(f"{path.name}: an entry lacks {missing}") from None
            if not source.strip() or not kinds:
                raise LexiconError(f"{path.name}: {concept} needs kinds and a source")
            if concept in sources:
                raise LexiconError(f"{path.name}: {concept} is declared twice")
            sources[concept] = source
            for name in given:
                key = normalise(name)
                if key in names and names[key].concept != concept:
                    raise LexiconError(
                        f"{path.name}: {name!r} is both {names[key].concept} and {concept}"
                    )
                names[key] = Entry(concept, kinds)
    # A plural the data does not spell out ("amides", "retinoids") reads as the name,
    # unless it is a name of its own. Short names get none: "ha" must not make "has".
    for key, entry in list(names.items()):
        if len(key.split()[-1]) >= 4 and not key.endswith("s"):
            names.setdefault(key + "s", entry)
    lexicon = Lexicon(
        names=names,
        nothing=frozenset(_compact(a) for a in words["nothing"]["answers"]) | {""},
        negation_before=_phrases(words["negation"]["before"]),
        negation_before_medicine=_phrases(words["negation"]["before"])
        | _phrases(words["negation"]["before_medicine"]),
        negation_after_medicine=_phrases(words["negation"]["after_medicine"]),
        hedges=_phrases(words["negation"]["hedges"]),
        separators=_phrases(words["separators"]["words"]),
        # A medicine-only cue is plain writing in an allergy answer ("stopped", "off").
        filler=_phrases(words["filler"]["words"])
        | {
            word
            for phrase in _phrases(
                words["negation"]["before_medicine"] + words["negation"]["after_medicine"]
            )
            for word in phrase.split()
        },
        sources=sources,
    )
    for key in names:
        if set(key.split()) & {s for s in lexicon.separators if " " not in s}:
            raise LexiconError(f"{key!r} holds a joining word and could never be read whole")
    return lexicon


class _PhraseIndex:
    """Phrases of one or more words, looked up at a token with the longest first."""

    def __init__(self, phrases: Iterable[str]) -> None:
        self.phrases = frozenset(phrases)
        self.widths: dict[str, int] = {}
        for phrase in self.phrases:
            first, *rest = phrase.split(" ")
            self.widths[first] = max(self.widths.get(first, 0), 1 + len(rest))

    def at(self, tokens: "list[_Token]", i: int) -> int:
        longest = self.widths.get(tokens[i].norm, 0)
        for width in range(min(longest, len(tokens) - i), 0, -1):
            if _join(tokens, i, width) in self.phrases:
                return width
        return 0


def _join(tokens: "list[_Token]", i: int, width: int) -> str:
    if width == 1:
        return tokens[i].norm
    return " ".join(t.norm for t in tokens[i : i + width])


@lru_cache(maxsize=65536)
def _normalise_token(word: str) -> str:
    return normalise(word).replace(" ", "")


@dataclass(frozen=True)
class _Token:
    norm: str
    start: int
    end: int


@dataclass
class _Found:
    entry: Entry
    first: int
    last: int  # token indexes within the item, inclusive


class TextReader:
    """Reads allergy and medication answers against the lexicon.

    `extra_ingredients` maps catalog ingredient codes to their names, so an
    ingredient an admin adds (and the products holding it) is recognised in an
    allergy without a lexicon change. A name already in the lexicon gains the
    ingredient's kind.
    """

    def __init__(
        self,
        lexicon: Lexicon | None = None,
        *,
        extra_ingredients: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        lexicon = lexicon or _default_lexicon()
        names = dict(lexicon.names)
        for code, ingredient_names in (extra_ingredients or {}).items():
            kind = f"ingredient:{code}"
            for name in ingredient_names:
                # "Lidocaine (local anaesthetic)": the name is before the brackets.
                key = normalise(name.split("(")[0])
                if not key:
                    continue
                old = names.get(key)
                if old is None:
                    names[key] = Entry(code, frozenset({kind}))
                elif kind not in old.kinds:
                    names[key] = Entry(old.concept, old.kinds | {kind})
        self.lexicon = lexicon
        self._names = names
        by_words: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for key in names:
            by_words[len(key.split(" "))][key[0]].append(key)
        self._fuzzy_choices = {n: dict(v) for n, v in by_words.items()}
        self._filler_choices: dict[str, list[str]] = defaultdict(list)
        for word in lexicon.filler:
            if len(word) >= FUZZY_MIN_LENGTH:
                self._filler_choices[word[0]].append(word)
        # "None that I know of!": room for spaces and punctuation around the letters.
        self._longest_nothing = 3 * max(map(len, lexicon.nothing)) + 10
        self._name_index = _PhraseIndex(names)
        self._separators = _PhraseIndex(lexicon.separators)
        self._hedges = _PhraseIndex(lexicon.hedges)
        self._cues = _PhraseIndex(lexicon.negation_before)
        self._cues_medicine = _PhraseIndex(lexicon.negation_before_medicine)
        self._cues_after = _PhraseIndex(lexicon.negation_after_medicine)
        self.read_allergies = lru_cache(maxsize=8192)(self._read_allergies)
        self.read_medications = lru_cache(maxsize=8192)(self._read_medications)
        self._read_item = lru_cache(maxsize=65536)(self._read_one_item)

    # --- public ---------------------------------------------------------------------

    def cache_clear(self) -> None:
        """Forget every answer and item read (benchmarks start cold)."""
        self.read_allergies.cache_clear()
        self.read_medications.cache_clear()
        self._read_item.cache_clear()

    def _read_allergies(self, text: str) -> TextReading:
        return self._read(text, medicine=False)

    def _read_medications(self, text: str) -> TextReading:
        return self._read(text, medicine=True)

    # --- reading --------------------------------------------------------------------

    def _read(self, text: str, *, medicine: bool) -> TextReading:
        if len(text) <= self._longest_nothing and _compact(text) in self.lexicon.nothing:
            return TextReading()
        mentions: list[Mention] = []
        negated: list[Mention] = []
        unplaced: list[str] = []
        for item in self._items(text):
            # Items recur across answers ("penicillin - rash"): each is read once.
            said, denied, unknown = self._read_item(
                text[item[0].start : item[-1].end], medicine=medicine
            )
            mentions += said
            negated += denied
            unplaced += unknown
        return TextReading(
            mentions=tuple(dict.fromkeys(mentions)),
            unplaced=tuple(dict.fromkeys(unplaced)),
            negated=tuple(dict.fromkeys(negated)),
        )

    def _items(self, text: str) -> list[list[_Token]]:
        """The answer cut into items at punctuation and joining words."""
        items: list[list[_Token]] = []
        current: list[_Token] = []
        previous_end = 0
        for match in _TOKEN.finditer(text):
            if (
                current
                and text[previous_end : match.start()] != " "
                and (
                    _ITEM_BREAK.search(text, previous_end, match.start())
                    or (
                        _SENTENCE_END.search(text, previous_end, match.start())
                        and current[-1].norm not in ABBREVIATIONS
                    )
                )
            ):
                items.append(current)
                current = []
            norm = _normalise_token(match.group())
            if norm:
                current.append(_Token(norm, match.start(), match.end()))
            previous_end = match.end()
        if current:
            items.append(current)
        # Joining words split items too ("no allergies except lidocaine").
        split: list[list[_Token]] = []
        for tokens in items:
            part: list[_Token] = []
            i = 0
            while i < len(tokens):
                width = self._separators.at(tokens, i)
                if width and not self._name_at(tokens, i):
                    if part:
                        split.append(part)
                    part = []
                    i += width
                    continue
                part.append(tokens[i])
                i += 1
            if part:
                split.append(part)
        return split

    def _name_at(self, tokens: list[_Token], i: int) -> tuple[Entry, int] | None:
        """The longest lexicon name starting at token i, exactly."""
        width = self._name_index.at(tokens, i)
        return (self._names[_join(tokens, i, width)], width) if width else None

    def _known(self, word: str) -> bool:
        return (
            len(word) == 1
            or word in self.lexicon.filler
            or word in self._names
            or _DOSE.fullmatch(word) is not None
        )

    def _fuzzy_name_at(
        self, tokens: list[_Token], known: list[bool], i: int, widths: range
    ) -> tuple[Entry, int] | None:
        for width in widths:
            if i + width > len(tokens):
                continue
            # Only a word the lexicon does not know can be a misspelt part of a name.
            if width > 1 and all(known[i : i + width]):
                continue
            phrase = _join(tokens, i, width)
            entry = self._fuzzy(phrase, width)
            if entry is not None:
                return entry, width
        return None

    def _fuzzy(self, phrase: str, width: int) -> Entry | None:
        if len(phrase) < FUZZY_MIN_LENGTH or phrase[0].isdigit():
            return None
        choices = self._fuzzy_choices.get(width, {}).get(phrase[0])
        if not choices:
            return None
        allowed = 1 if len(phrase) < 9 else 2
        found = process.extract(
            phrase, choices, scorer=OSA.distance, score_cutoff=allowed, limit=None
        )
        if not found:
            return None
        best = min(score for _, score, _ in found)
        entries = {self._names[name] for name, score, _ in found if score == best}
        if len(entries) == 1:
            return entries.pop()
        # As close to two names: both are meant, as far as the rules are concerned.
        return Entry(
            "|".join(sorted(e.concept for e in entries)),
            frozenset().union(*(e.kinds for e in entries)),
        )

    def _like_filler(self, word: str) -> bool:
        """A misspelt word of ordinary writing ("swelings"), within one edit."""
        if len(word) < FUZZY_MIN_LENGTH:
            return False
        choices = self._filler_choices.get(word[0])
        if not choices:
            return False
        return process.extractOne(word, choices, scorer=OSA.distance, score_cutoff=1) is not None

    def _read_one_item(
        self, text: str, *, medicine: bool
    ) -> tuple[tuple[Mention, ...], tuple[Mention, ...], tuple[str, ...]]:
        """One item: what it names, what it names under a negation, and whether any word is
        unknown (then the whole item, as written, is quoted)."""
        tokens = [
            _Token(norm, m.start(), m.end())
            for m in _TOKEN.finditer(text)
            if (norm := _normalise_token(m.group()))
        ]
        mentions: list[Mention] = []
        negated: list[Mention] = []
        found: list[_Found] = []
        cues_before: list[int] = []  # index of the word after each negation cue
        cues_after: list[int] = []
        unknown = False
        cues = self._cues_medicine if medicine else self._cues
        known = [self._known(t.norm) for t in tokens]
        i = 0
        while i < len(tokens):
            hedge = self._hedges.at(tokens, i)
            if hedge:
                i += hedge
                continue
            match = self._name_at(tokens, i) or self._fuzzy_name_at(
                tokens, known, i, range(3, 1, -1)
            )
            if match is None:
                cue = cues.at(tokens, i)
                if cue:
                    cues_before.append(i + cue)
                if medicine:
                    after = self._cues_after.at(tokens, i)
                    if after:
                        cues_after.append(i)
                        i += after
                        continue
                if cue:
                    i += cue
                    continue
                word = tokens[i].norm
                if len(word) == 1 or word in self.lexicon.filler or _DOSE.fullmatch(word):
                    i += 1
                    continue
                match = self._fuzzy_name_at(tokens, known, i, range(1, 2))
                if match is None and word.endswith(CAINE_ENDINGS) and len(word) >= 6:
                    match = Entry("local_anaesthetic", LOCAL_ANAESTHETIC_KINDS), 1
                if match is None:
                    if not self._like_filler(word) and not (
                        any(c.isdigit() for c in word) and len(word) <= 3
                    ):
                        unknown = True
                    i += 1
                    continue
            entry, width = match
            found.append(_Found(entry, i, i + width - 1))
            i += width

        for f in found:
            mention = Mention(
                concept=f.entry.concept,
                kinds=f.entry.kinds,
                text=text[tokens[f.first].start : tokens[f.last].end],
            )
            if self._negated(f, found, cues_before, cues_after):
                if not mention.kinds <= {IRRELEVANT}:
                    negated.append(mention)
            else:
                mentions.append(mention)
        return tuple(mentions), tuple(negated), (" ".join(text.split()),) if unknown else ()

    @staticmethod
    def _negated(
        f: _Found, found: list[_Found], cues_before: list[int], cues_after: list[int]
    ) -> bool:
        for cue_end in cues_before:
            # The cue reaches the next mention after it, a few words on at most.
            if 0 <= f.first - cue_end <= NEGATION_REACH and not any(
                cue_end <= other.first < f.first for other in found if other is not f
            ):
                return True
        return any(cue > f.last for cue in cues_after)


@lru_cache(maxsize=1)
def _default_lexicon() -> Lexicon:
    return load_lexicon()
