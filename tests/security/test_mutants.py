"""The mutation check (`make mutants`, tests/mutants.py) still fits the code it mutates.

Running the mutants takes minutes, so `make test` does not; it checks instead that every mutant
would still apply (its text occurs exactly once in its file) and that every test it names still
exists. A refactoring that moves a protection then fails here, and the mutant is moved with it.
"""

import re

import pytest

from tests.mutants import MUTANTS, ROOT, Mutant, _names_a_test_of


def test_mutant_names_are_unique() -> None:
    names = [m.name for m in MUTANTS]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
def test_each_mutant_changes_one_place_in_its_file(mutant: Mutant) -> None:
    text = (ROOT / mutant.path).read_text()
    assert text.count(mutant.old) == 1, f"{mutant.name}: its text is not once in {mutant.path}"
    assert mutant.old != mutant.new


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
def test_each_mutant_names_tests_that_exist(mutant: Mutant) -> None:
    assert mutant.tests
    for node in mutant.tests:
        path, *names = node.split("::")
        source = (ROOT / path).read_text()
        for name in names:
            keyword = "class" if name[0].isupper() else "def"
            assert re.search(rf"^\s*{keyword} {re.escape(name)}\b", source, re.MULTILINE), node


def test_a_crash_before_the_tests_is_not_counted_as_a_kill() -> None:
    mutant = MUTANTS[0]
    test = mutant.tests[0]
    assert _names_a_test_of(mutant, [f"{test}[clinician]"])
    assert _names_a_test_of(mutant, [test])
    assert not _names_a_test_of(mutant, ["tests/conftest.py"])
    assert not _names_a_test_of(mutant, [f"{test}_and_more"])
