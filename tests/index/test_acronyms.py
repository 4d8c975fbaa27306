"""Acronyms mined from the token stream: the most frequent run of terms with the acronym's initials."""

from __future__ import annotations

import numpy as np
import pytest

from index.acronyms import count_rows, mine_acronyms

TERMS = sorted(["rl", "reinforc", "learn", "robot", "lab", "ai", "artifici", "intellig", "agi", "x"])


def _tokens(text: str) -> np.ndarray:
    return np.array([TERMS.index(t) for t in text.split()], dtype=np.int64)


def test_the_most_frequent_run_with_the_initials_is_the_expansion() -> None:
    stream = "reinforc learn x " * 3 + "robot lab x " * 4 + "artifici intellig x " * 2
    found = mine_acronyms(_tokens(stream), TERMS, ["rl", "ai", "agi"])
    # "robot lab" is said more often than "reinforcement learning": the corpus decides, not a dictionary
    assert found == {"rl": ["robot", "lab"]}  # "artificial intelligence" twice only: not enough


def test_a_run_holding_the_acronym_itself_is_no_expansion() -> None:
    stream = "ai ai x " * 5 + "artifici intellig x " * 3
    assert mine_acronyms(_tokens(stream), TERMS, ["ai"]) == {"ai": ["artifici", "intellig"]}


def test_equal_counts_go_to_the_run_of_lower_term_ids() -> None:
    stream = "robot lab x " * 3 + "reinforc learn x " * 3
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
