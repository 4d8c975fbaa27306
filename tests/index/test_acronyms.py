"""Acronyms mined from the token stream: the most frequent run of words with the acronym's initials that
is said near the acronym itself."""

from __future__ import annotations

import numpy as np
import pytest

from onrecord.index.acronyms import NEAR, count_rows, mine_acronyms

TERMS = sorted(["rl", "reinforc", "learn", "robot", "lab", "ai", "artifici", "intellig", "agi", "x"])


def _tokens(text: str) -> np.ndarray:
    return np.array([TERMS.index(t) for t in text.split()], dtype=np.int64)


_FAR = "x " * (NEAR + 1)


def test_the_run_said_most_often_near_the_acronym_is_the_expansion() -> None:
    stream = "rl robot lab x " * 3 + "rl reinforc learn x " * 2 + _FAR + "reinforc learn x " * 9
    found = mine_acronyms(_tokens(stream), TERMS, ["rl", "ai", "agi"])
    # Near "RL", "robot lab" is said more often: the corpus decides, not a dictionary. Far from it,
    # "reinforcement learning" counts for nothing, however often it is said.
    assert found == {"rl": ["robot", "lab"]}


def test_a_run_with_the_initials_that_never_meets_the_acronym_is_no_expansion() -> None:
    stream = "ai x " + _FAR + "artifici intellig x " * 5 + _FAR + "ai x"
    assert mine_acronyms(_tokens(stream), TERMS, ["ai"]) == {}
    once = "ai artifici intellig x " + _FAR + "artifici intellig x " * 5  # together only once
    assert mine_acronyms(_tokens(once), TERMS, ["ai"]) == {}


def test_the_initials_must_start_words() -> None:
    stream = _tokens("rl reinforc learn x " * 3)
    starts = np.array([t != TERMS.index("learn") for t in stream])  # "learn" the later term of a compound
    assert mine_acronyms(stream, TERMS, ["rl"], starts) == {}
    assert mine_acronyms(stream, TERMS, ["rl"], np.ones(len(stream), dtype=bool)) == {
        "rl": ["reinforc", "learn"]
    }


def test_a_run_holding_the_acronym_itself_is_no_expansion() -> None:
    stream = "ai ai x " * 5 + "ai artifici intellig x " * 3
    assert mine_acronyms(_tokens(stream), TERMS, ["ai"]) == {"ai": ["artifici", "intellig"]}


def test_equal_counts_go_to_the_run_of_lower_term_ids() -> None:
    stream = "rl robot lab x " * 3 + "rl reinforc learn x " * 3
    first = min(["robot", "reinforc"], key=TERMS.index)
    assert mine_acronyms(_tokens(stream), TERMS, ["rl"])["rl"][0] == first


@pytest.mark.parametrize("width", [50, 2**40])  # as numbers in base `width`, or column by column
def test_count_rows_counts_distinct_rows_in_order(width: int) -> None:
    rng = np.random.default_rng(width % 97)
    for n in (2, 3):
        rows = rng.integers(0, 50, size=(2000, n)).astype(np.int64)
        distinct, counts = count_rows(rows, width)
        expected, expected_counts = np.unique(rows, axis=0, return_counts=True)
        assert np.array_equal(distinct, expected) and np.array_equal(counts, expected_counts)
