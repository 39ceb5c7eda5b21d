"""The free-text reader: names, brands, classes, misspellings, negations, what it cannot place."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consultations.screening.engine.text import (
    LEXICON_DIR,
    LexiconError,
    TextReader,
    load_lexicon,
    normalise,
)


def kinds(reading) -> set[str]:
    return {kind for mention in reading.mentions for kind in mention.kinds}


# --- The names SCREENING.md lists, and classes ------------------------------------------

RECOGNISED_ALLERGIES = [
    ("lidocaine", {"amide_anaesthetic", "ingredient:lidocaine"}),
    ("Xylocaine", {"amide_anaesthetic", "ingredient:lidocaine"}),
    ("lignocaine", {"amide_anaesthetic", "ingredient:lidocaine"}),
    ("EMLA", {"amide_anaesthetic", "ingredient:lidocaine"}),
    ("emla cream", {"amide_anaesthetic", "ingredient:lidocaine"}),
    ("Novocaine", {"ester_anaesthetic", "ingredient:procaine"}),
    ("prilocaine", {"amide_anaesthetic"}),
    ("articaine", {"amide_anaesthetic"}),
    ("tetracaine", {"ester_anaesthetic"}),
    ("Amethocaine", {"ester_anaesthetic"}),
    ("amide anaesthetics", {"amide_anaesthetic"}),
    ("amide-type local anesthetics", {"amide_anaesthetic"}),
    ("ester anaesthetics", {"ester_anaesthetic"}),
    # A family the patient could not name counts as both.
    ("caine family", {"amide_anaesthetic", "ester_anaesthetic"}),
    ("numbing cream at the dentist", {"amide_anaesthetic", "ester_anaesthetic"}),
    ("hyaluronic acid", {"ingredient:hyaluronic_acid", "ingredient:hyaluronic_acid_bacterial"}),
    ("Juvederm filler", {"ingredient:hyaluronic_acid"}),
    ("gram-positive bacterial proteins", {"bacterial_protein"}),
    ("benzyl alcohol", {"ingredient:benzyl_alcohol"}),
    ("deoxycholic acid", {"ingredient:deoxycholic_acid", "ingredient:deoxycholate"}),
    ("caffeine", {"ingredient:caffeine"}),
]

RECOGNISED_MEDICINES = [
    ("Coumadin", {"anticoagulant"}),
    ("warfarin 3mg", {"anticoagulant"}),
    ("Eliquis 5mg", {"anticoagulant"}),
    ("apixaban", {"anticoagulant"}),
    ("Xarelto 20 mg daily", {"anticoagulant"}),
    ("Pradaxa", {"anticoagulant"}),
    ("clexane injections", {"anticoagulant"}),
    ("blood thinners", {"anticoagulant"}),
    ("a blood thinner for my AF", {"anticoagulant"}),
    ("Plavix", {"antiplatelet"}),
    ("aspirin 75mg", {"antiplatelet", "nsaid"}),
    ("ibuprofen", {"nsaid", "bleeding_supplement"}),
    ("Nurofen", {"nsaid", "bleeding_supplement"}),
    ("fish oil", {"bleeding_supplement"}),
    ("Omega-3", {"bleeding_supplement"}),
    ("vitamin E", {"bleeding_supplement"}),
    ("ginkgo biloba", {"bleeding_supplement"}),
    ("garlic supplements", {"bleeding_supplement"}),
    ("St John's Wort", {"bleeding_supplement"}),
    ("St. John\u2019s wort", {"bleeding_supplement"}),
    ("methotrexate 15mg weekly", {"immunosuppressant"}),
    ("Humira", {"immunosuppressant"}),
    ("prednisolone", {"immunosuppressant"}),
    ("Roaccutane", {"isotretinoin"}),
    ("accutane 20mg", {"isotretinoin"}),
    ("isotretinoin", {"isotretinoin", "retinoid"}),
]


@pytest.mark.parametrize(("text", "expected"), RECOGNISED_ALLERGIES)
def test_allergy_names_brands_and_classes(reader, text, expected):
    reading = reader.read_allergies(text)
    assert expected <= kinds(reading)
    assert reading.unplaced == ()


@pytest.mark.parametrize(("text", "expected"), RECOGNISED_MEDICINES)
def test_medicine_names_brands_and_classes(reader, text, expected):
    reading = reader.read_medications(text)
    assert expected <= kinds(reading)
    assert reading.unplaced == ()


def test_a_lidocaine_allergy_is_not_an_ester_allergy(reader):
    assert "ester_anaesthetic" not in kinds(reader.read_allergies("lidocaine"))
    assert "amide_anaesthetic" not in kinds(reader.read_allergies("procaine"))


# --- Noise: case, punctuation, accents, misspellings -----------------------------------

MISSPELT = [
    ("LIDOCAINE!!!", "lidocaine"),
    ("lidocane", "lidocaine"),
    ("lidocaien", "lidocaine"),
    ("lidocaïne", "lidocaine"),
    ("Lidocaína", "lidocaine"),
    ("xylocain", "lidocaine"),
    ("Xylocaine.", "lidocaine"),
    ("lignocain", "lidocaine"),
    ("novacaine", "procaine"),
    ("procane", "procaine"),
    ("prilocane", "prilocaine"),
    ("warfrin", "warfarin"),
    ("wafarin", "warfarin"),
    ("cumadin", "warfarin"),
    ("elliquis", "apixaban"),
    ("xarleto", "rivaroxaban"),
    ("clopidogrell", "clopidogrel"),
    ("asprin", "aspirin"),
    ("ibuprofin", "ibuprofen"),
    ("ibprofen", "ibuprofen"),
    ("ginko", "ginkgo"),
    ("metotrexate", "methotrexate"),
    ("roacutane", "isotretinoin"),
    ("isotretinion", "isotretinoin"),
    ("blood thiners", "anticoagulant"),
    ("fish-oil", "fish_oil"),
]


@pytest.mark.parametrize(("text", "concept"), MISSPELT)
def test_misspellings_case_punctuation_and_accents(reader, text, concept):
    reading = reader.read_medications(text)
    assert [m.concept for m in reading.mentions] == [concept]
    assert reading.unplaced == ()


# Near a name but another word: matching these would invent a risk, or hide one.
NOT_THE_NAME = [
    "toffee",  # coffee, but the first letter differs
    "warfare",  # two edits from warfarin at seven letters
    "aspire",
    "aspic",
    "plastic",
    "heparine syndrome test",
]


@pytest.mark.parametrize("text", NOT_THE_NAME)
def test_words_near_a_name_are_not_that_name(reader, text):
    reading = reader.read_medications(text)
    assert not kinds(reading) - {"irrelevant"} or text == "heparine syndrome test"
    if text == "heparine syndrome test":
        # One letter off a name: heparin, and the rest is quoted, not dropped.
        assert "anticoagulant" in kinds(reading)
        assert reading.unplaced == ("heparine syndrome test",)
    else:
        assert reading.unplaced, f"{text!r} must be quoted for a clinician"


def test_an_unknown_caine_is_a_local_anaesthetic_of_either_family(reader):
    reading = reader.read_allergies("oxetacaine")
    assert {"amide_anaesthetic", "ester_anaesthetic"} <= kinds(reading)
    assert reading.mentions[0].text == "oxetacaine"


def test_a_tie_between_two_names_counts_as_both(reader):
    # "codaine" is one letter from codeine (no rule) and from cocaine (an ester anaesthetic).
    reading = reader.read_allergies("codaine")
    assert {"ester_anaesthetic", "irrelevant"} <= kinds(reading)


# --- Nothing to declare, and negations -------------------------------------------------

NOTHING = [
    "",
    "   ",
    "none",
    "None.",
    "NONE!",
    "n/a",
    "N/A",
    "n.a.",
    "nil",
    "no",
    "No known allergies",
    "NKDA",
    "no known drug allergies",
    "nothing",
    "not applicable",
    "none that I know of",
    "I'm not on any medications",
    "Không",
]


@pytest.mark.parametrize("text", NOTHING)
def test_a_plain_nothing_reads_as_nothing(reader, text):
    for read in (reader.read_allergies, reader.read_medications):
        reading = read(text)
        assert reading.mentions == reading.negated == reading.unplaced == ()


def test_a_negation_does_not_reach_past_a_joining_word(reader):
    reading = reader.read_allergies("No known allergies except lidocaine")
    assert [m.concept for m in reading.mentions] == ["lidocaine"]
    assert reading.negated == ()
    reading = reader.read_allergies("not allergic to latex but lidocaine makes me swell")
    assert [m.concept for m in reading.mentions if "irrelevant" not in m.kinds] == ["lidocaine"]


def test_a_negated_substance_is_reported_apart_not_dropped(reader):
    reading = reader.read_allergies("not allergic to lidocaine")
    assert reading.mentions == ()
    assert [m.text for m in reading.negated] == ["lidocaine"]


def test_a_negated_irrelevant_substance_is_simply_nothing(reader):
    assert reader.read_allergies("not allergic to latex") == reader.read_allergies("")


@pytest.mark.parametrize(
    "text",
    ["stopped warfarin last year", "Warfarin (stopped 2024)", "no longer taking Eliquis"],
)
def test_a_stopped_medicine_is_negated(reader, text):
    reading = reader.read_medications(text)
    assert reading.mentions == ()
    assert len(reading.negated) == 1
    assert "anticoagulant" in reading.negated[0].kinds


@pytest.mark.parametrize(
    "text",
    [
        "I can't have lidocaine",
        "don't tolerate lidocaine",
        "lidocaine - not sure how bad",
        "not sure, maybe lidocaine",
        "I stopped going to the dentist because of lidocaine",
    ],
)
def test_words_that_sound_negative_do_not_hide_an_allergy(reader, text):
    reading = reader.read_allergies(text)
    assert "amide_anaesthetic" in kinds(reading), reading


# --- What it cannot place, and what it knows is irrelevant -----------------------------


@pytest.mark.parametrize(
    "text",
    [
        "penicillin",
        "penicillin - rash",
        "latex gloves",
        "pollen, dust mites",
        "hay fever",
        "peanuts, shellfish",
        "sulfa drugs",
        "amoxicilin",
    ],
)
def test_known_irrelevant_allergies_give_nothing_to_review(reader, text):
    reading = reader.read_allergies(text)
    assert kinds(reading) <= {"irrelevant"}
    assert reading.unplaced == reading.negated == ()


@pytest.mark.parametrize(
    "text",
    [
        "metformin 500mg twice a day",
        "levothyroxine 50 mcg",
        "the pill",
        "cetirizine when needed",
        "paracetamol for headaches",
    ],
)
def test_everyday_medicines_give_nothing_to_review(reader, text):
    reading = reader.read_medications(text)
    assert kinds(reading) <= {"irrelevant"}
    assert reading.unplaced == ()


def test_words_it_cannot_place_are_quoted_as_written(reader):
    reading = reader.read_medications("Zorblaxine 10mg twice daily, warfarin")
    assert reading.unplaced == ("Zorblaxine 10mg twice daily",)
    assert [m.concept for m in reading.mentions] == ["warfarin"]


def test_a_known_name_beside_an_unknown_word_still_quotes_the_unknown(reader):
    reading = reader.read_allergies("penicillin zorblaxine")
    assert reading.unplaced == ("penicillin zorblaxine",)


def test_a_reaction_described_after_the_substance_is_not_unplaced(reader):
    reading = reader.read_allergies("xylocaine - throat swelling at the dentist, hives")
    assert [m.text for m in reading.mentions] == ["xylocaine"]
    assert reading.unplaced == ()


def test_mentions_quote_the_patients_own_characters(reader):
    reading = reader.read_medications("ELIQUIS 5mg; Fish Oil")
    assert [m.text for m in reading.mentions] == ["ELIQUIS", "Fish Oil"]


# --- Catalog ingredients an admin adds --------------------------------------------------


def test_an_ingredient_added_to_the_catalog_is_recognised_by_its_name():
    reader = TextReader(extra_ingredients={"glutathione": ["Glutathione (antioxidant)"]})
    reading = reader.read_allergies("glutathione")
    assert "ingredient:glutathione" in kinds(reading)
    assert reading.unplaced == ()


def test_a_known_name_gains_the_kind_of_a_catalog_ingredient_that_shares_it():
    reader = TextReader(extra_ingredients={"ha_crosslinked": ["Hyaluronic acid"]})
    reading = reader.read_allergies("hyaluronic acid")
    assert {"ingredient:ha_crosslinked", "ingredient:hyaluronic_acid"} <= kinds(reading)


# --- The lexicon as data ----------------------------------------------------------------


def test_every_lexicon_entry_has_a_source():
    lexicon = load_lexicon()
    assert lexicon.sources
    assert all(source.strip() for source in lexicon.sources.values())


def test_a_name_under_two_concepts_is_refused(tmp_path: Path):
    for path in LEXICON_DIR.glob("words.toml"):
        (tmp_path / path.name).write_text(path.read_text())
    (tmp_path / "a.toml").write_text(
        '[[entry]]\nconcept = "one"\nkinds = ["anticoagulant"]\nnames = ["zz drug"]\nsource = "x"\n'
        '[[entry]]\nconcept = "two"\nkinds = ["irrelevant"]\nnames = ["ZZ-drug"]\nsource = "y"\n'
    )
    with pytest.raises(LexiconError, match="both one and two"):
        load_lexicon(tmp_path)


def test_an_entry_without_a_source_is_refused(tmp_path: Path):
    (tmp_path / "words.toml").write_text((LEXICON_DIR / "words.toml").read_text())
    (tmp_path / "a.toml").write_text(
        '[[entry]]\nconcept = "one"\nkinds = ["anticoagulant"]\nnames = ["zz"]\n'
    )
    with pytest.raises(LexiconError, match="lacks 'source'"):
        load_lexicon(tmp_path)


def test_normalise_removes_case_accents_and_punctuation():
    assert normalise("  St. John\u2019s-WORT ") == "st johns wort"
    assert normalise("Lidocaína") == "lidocaina"
    assert normalise("Đau") == "dau"


# --- No input crashes it; more words never mean less ----------------------------------

FRAGMENTS = [f[0] for f in RECOGNISED_ALLERGIES + RECOGNISED_MEDICINES] + [
    "zorblaxine",
    "not allergic to lidocaine",
    "stopped warfarin",
]


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=400))
def test_no_text_crashes_the_reader(text):
    reader = TextReader()
    for reading in (reader.read_allergies(text), reader.read_medications(text)):
        flat = " ".join(text.split())
        for mention in reading.mentions + reading.negated:
            assert mention.text in text
        for phrase in reading.unplaced:
            assert phrase in flat


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80), st.sampled_from(FRAGMENTS), st.sampled_from([", ", "; ", "\n"]))
def test_adding_an_item_never_loses_what_was_read(text, fragment, joint):
    reader = TextReader()
    for read in (reader.read_allergies, reader.read_medications):
        before, after = read(text), read(text + joint + fragment)
        assert set(before.mentions) <= set(after.mentions)
        assert set(before.negated) <= set(after.negated)
        assert set(before.unplaced) <= set(after.unplaced)


# --- Vietnamese, as patients of a clinic in Vietnam write it ---------------------------------

VIETNAMESE_ALLERGIES = [
    ("Xylocaine — sưng họng khi đi nha sĩ", {"amide_anaesthetic", "ingredient:lidocaine"}),
    ("Tôi bị dị ứng thuốc tê, nổi mẩn ngứa", {"amide_anaesthetic", "ester_anaesthetic"}),
    ("dị ứng thuốc gây tê ở nha khoa, khó thở", {"amide_anaesthetic", "ester_anaesthetic"}),
    ("kem tê làm mặt sưng đỏ", {"amide_anaesthetic", "ester_anaesthetic"}),
    ("lidocain bị sốc phản vệ", {"amide_anaesthetic", "ingredient:lidocaine"}),
]
VIETNAMESE_MEDICINES = [
    ("Thuốc chống đông máu", {"anticoagulant"}),
    ("thuốc loãng máu sau mổ tim", {"anticoagulant"}),
    ("dầu cá hàng ngày", {"bleeding_supplement"}),
    ("Hoạt huyết dưỡng não", {"bleeding_supplement"}),
    ("viên tinh dầu tỏi", {"bleeding_supplement"}),
    ("aspirin 81mg mỗi sáng", {"antiplatelet"}),
]


@pytest.mark.parametrize(("text", "expected"), VIETNAMESE_ALLERGIES)
def test_vietnamese_allergy_answers_are_understood(reader, text, expected):
    reading = reader.read_allergies(text)
    assert expected <= kinds(reading)
    assert reading.unplaced == ()


@pytest.mark.parametrize(("text", "expected"), VIETNAMESE_MEDICINES)
def test_vietnamese_medicine_answers_are_understood(reader, text, expected):
    reading = reader.read_medications(text)
    assert expected <= kinds(reading)
    assert reading.unplaced == ()


@pytest.mark.parametrize(
    "text",
    ["Không có", "không dị ứng", "Không có dị ứng", "không dùng thuốc", "không uống thuốc gì"],
)
def test_a_vietnamese_nothing_reads_as_nothing(reader, text):
    for read in (reader.read_allergies, reader.read_medications):
        reading = read(text)
        assert reading.mentions == reading.negated == reading.unplaced == ()


def test_vietnamese_negations_are_quoted_for_review_not_dropped(reader):
    allergy = reader.read_allergies("hải sản, nhưng không dị ứng lidocaine")
    assert [m.text for m in allergy.negated] == ["lidocaine"]
    assert [m.concept for m in allergy.mentions if "irrelevant" not in m.kinds] == []
    medicine = reader.read_medications("đã ngừng warfarin")
    assert medicine.mentions == ()
    assert "anticoagulant" in medicine.negated[0].kinds


@pytest.mark.parametrize("text", ["Dị ứng hải sản", "tôm và cua", "kháng sinh, phấn hoa"])
def test_vietnamese_irrelevant_allergies_give_nothing_to_review(reader, text):
    reading = reader.read_allergies(text)
    assert reading.unplaced == reading.negated == ()
    assert all("irrelevant" in m.kinds for m in reading.mentions)


def test_a_vietnamese_word_the_reader_does_not_know_is_still_quoted(reader):
    assert reader.read_allergies("dị ứng thuốc lạ tên Zyxoprine").unplaced
