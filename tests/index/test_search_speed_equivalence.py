"""The shortcuts that keep a search fast at 1M passages give what the plain computations give."""

from __future__ import annotations

import numpy as np
import pytest

from onrecord import index
from onrecord.index import matches as matches_module
from onrecord.index.bm25 import top_k
from onrecord.index.matches import FIRST, distinct


def test_distinct_is_np_unique() -> None:
    rng = np.random.default_rng(3)
    for size in (0, 1, 2, 7, 500, 20_000):
        values = rng.integers(0, max(size // 3, 1), size)
        for dtype in (np.int32, np.int64):
            assert np.array_equal(distinct(values.astype(dtype)), np.unique(values.astype(dtype)))


def _plain_top_k(scores: np.ndarray, n: int) -> list[int]:
    found = np.flatnonzero(scores > 0)
    best: list[int] = found[np.lexsort((found, -scores[found]))][:n].tolist()
    return best


def test_top_k_is_a_full_sort() -> None:
    """Ties, a last block shorter than the others, and few or many blocks above the floor."""
    rng = np.random.default_rng(5)
    for trial in range(300):
        size = int(rng.integers(1, 200_000 if trial % 3 == 0 else 5_000))
        scores = np.zeros(size)
        hit = rng.integers(0, size, int(rng.integers(0, size + 1)) if trial % 2 else int(rng.integers(0, 50)))
        scores[hit] = rng.integers(1, 6, len(hit)) / rng.integers(1, 4, len(hit))
        n = int(rng.integers(1, 60))
        assert top_k(scores, n) == _plain_top_k(scores, n)


def _searches_counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many passages each search of sentences for a question's terms reads, from now on."""
    searched: list[int] = []
    search = matches_module.SentenceMatches.search

    def counted(
        self: matches_module.SentenceMatches, passages: list[int], wanted: np.ndarray
    ) -> dict[int, tuple[str, ...]]:
        searched.append(len(passages))
        return search(self, passages, wanted)

    monkeypatch.setattr(matches_module.SentenceMatches, "search", counted)
    return searched


def test_matches_of_later_candidates_are_searched_when_asked(
    seed_index: index.Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the first ``FIRST`` candidates' sentences are searched at once; the others when one of them is
    asked about, with what searching them all at once finds."""
    idx = seed_index
    weights = idx._idf_weights(idx._analyze("reinforcement learning homework"))
    ranked = top_k(idx.term_scores(list(weights)), 3 * FIRST)
    assert len(ranked) > FIRST
    searched = _searches_counted(monkeypatch)
    lazy = idx._matches.find(ranked, weights.keys())
    assert [lazy.of(pid) for pid in ranked[:FIRST]] and searched == [FIRST]
    late = [lazy.of(pid) for pid in ranked]
    assert searched == [FIRST, len(ranked) - FIRST]
    for pid, terms in zip(ranked, late, strict=True):
        assert terms == idx._matches.find([pid], weights.keys()).of(pid)
        assert any(terms) == any(t in weights for s in idx.sentences(pid) for t in idx.analyzer.terms(s))


@pytest.mark.parametrize(("hits", "first"), [(5, FIRST), (10, FIRST), (15, 24)])
def test_a_search_for_more_hits_searches_more_candidates_at_once(
    seed_index: index.Index, monkeypatch: pytest.MonkeyPatch, hits: int, first: int
) -> None:
    idx = seed_index
    weights = idx._idf_weights(idx._analyze("reinforcement learning homework"))
    ranked = top_k(idx.term_scores(list(weights)), 4 * hits)
    last = idx._matches.find([ranked[-1]], weights.keys()).of(ranked[-1])
    searched = _searches_counted(monkeypatch)
    later = idx._matches.find(ranked, weights.keys(), hits=hits)
    assert searched == [min(first, len(ranked))]
    assert later.of(ranked[-1]) == last
    assert searched[1:] == ([len(ranked) - first] if len(ranked) > first else [])


def test_documents_of_with_most(seed_index: index.Index) -> None:
    """With ``most``, a term's documents are those without it, or none when more than ``most``."""
    prior = seed_index._prior
    terms = sorted(prior._labels) + list(seed_index._vocab)[:300]
    sizes = set()
    for term in terms:
        full = prior.documents_of(term)
        sizes.add(len(full))
        for most in (0, 1, 2, 5):
            assert prior.documents_of(term, most) == (full if len(full) <= most else frozenset())
        guests = prior.guests_of(term)
        assert prior.guests_of(term, 1) == (guests if len(guests) <= 1 else frozenset())
    assert len(sizes) > 2  # terms of one document and of several were both tried
