"""Pruning finds the best units that scoring every unit finds, scores to the last bit and ties in order."""

from __future__ import annotations

import numpy as np
import pytest

from onrecord import index
from onrecord.index.bm25 import Postings, build_postings, top_k
from onrecord.index.pruning import PrunedTop


def _postings(units: list[list[int]], n_terms: int) -> Postings:
    term_ids = np.array([t for unit in units for t in unit], dtype=np.int64)
    unit_ids = np.array([u for u, unit in enumerate(units) for _ in unit], dtype=np.int64)
    return build_postings(term_ids, unit_ids, n_terms, len(units))


def _full(postings: Postings, terms: list[tuple[int, float]], n: int) -> list[tuple[int, float]]:
    scores = postings.scores(terms)
    return [(u, float(scores[u])) for u in top_k(scores, n)]


def test_the_best_unit_in_a_long_list_is_kept() -> None:
    """Term 1 is common (a long list, left out of the short ones), term 0 rare: the best unit holds the
    rare term once and the common one many times, and only the long list's contribution puts it first
    (the rare term weighs more in 40 other units)."""
    rng = np.random.default_rng(1)
    units: list[list[int]] = [[2] * 30 for _ in range(4000)]
    for u in rng.choice(4000, 1500, replace=False).tolist():
        units[u] = [1, *[2] * 29]  # the common word once, in a long passage
    for u in range(100, 140):
        units[u] = [0, *[2] * 7]  # the rare word once, in a shorter passage than the best one
    units[3000] = [0, *[1] * 9]  # the rare word once, the common word nine times
    postings = _postings(units, 3)
    terms = [(0, 1.0), (1, 1.0)]
    for n in (1, 10, 40):
        found = PrunedTop(postings).best(terms, n)
        assert found is not None  # pruned: the long list was only looked up
        assert found == _full(postings, terms, n)
        assert found[0][0] == 3000


def test_pruned_is_top_k_of_every_score() -> None:
    """Random corpora of few and many terms a unit, ties at every rank (units alike), repeated terms."""
    rng = np.random.default_rng(7)
    pruned = 0
    for trial in range(60):
        n_units, n_terms = int(rng.integers(200, 6000)), int(rng.integers(5, 60))
        popularity = rng.zipf(1.3, n_terms).astype(float)
        p = popularity / popularity.sum()
        size = int(rng.integers(2, 12))
        units = [rng.choice(n_terms, size, p=p).tolist() for _ in range(n_units)]
        if trial % 3 == 0:  # many identical units: equal scores at the n-th rank
            units = [units[u % 7] for u in range(n_units)]
        postings = _postings(units, n_terms)
        finder = PrunedTop(postings)
        for _ in range(20):
            chosen = rng.choice(n_terms, int(rng.integers(1, 7)), replace=False).tolist()
            terms = [(t, float(rng.choice([1.0, 0.35, 0.07, rng.random()]))) for t in chosen]
            n = int(rng.choice([1, 5, 10, 40, 200]))
            found = finder.best(terms, n)
            if found is not None:
                pruned += 1
                assert found == _full(postings, terms, n), (trial, terms, n)
    assert pruned > 300


def test_no_pruning_without_a_positive_weight() -> None:
    postings = _postings([[0, 1], [1], [0]], 2)
    assert PrunedTop(postings).best([(0, 1.0), (1, 0.0)], 2) is None
    assert PrunedTop(postings).best([(0, 1.0)], 0) is None


def test_search_gives_the_hits_of_scoring_every_passage(
    seed_index: index.Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    questions = [
        "reinforcement learning homework",
        "what is the meaning of life",
        "how do you think about the future of AI",
        "scale",
        "a neural network that learns to play games",
    ]
    pruned = [seed_index.search(q, k) for q in questions for k in (3, 10)]
    monkeypatch.setattr(PrunedTop, "best", lambda self, terms, n: None)
    assert pruned == [seed_index.search(q, k) for q in questions for k in (3, 10)]
    assert any(pruned)
