"""The engine's BM25 against the reference implementation, rank_bm25, on the same tokens."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from onrecord import index
from onrecord.index.bm25 import BM25Params, build_postings, top_k


@pytest.fixture(scope="module")
def reference(seed_index: index.Index) -> tuple[list[list[str]], BM25Okapi]:
    corpus = [seed_index.analyzer.terms(p.text) for p in seed_index.passages]
    return corpus, BM25Okapi(corpus)


def _queries(corpus: list[list[str]]) -> list[list[str]]:
    rng = random.Random(7)
    vocab = sorted({t for doc in corpus for t in doc})
    queries = [rng.sample(doc, min(len(doc), rng.randint(1, 8))) for doc in rng.sample(corpus, 40)]
    queries += [rng.sample(vocab, rng.randint(1, 6)) for _ in range(40)]
    queries += [["ilya", "ilya", "scale"], ["not-a-term-anywhere"], []]
    return queries


def test_scores_equal_rank_bm25_on_seed_passages(
    seed_index: index.Index, reference: tuple[list[list[str]], BM25Okapi]
) -> None:
    corpus, ref = reference
    assert len(corpus) == len(seed_index.passages) > 200
    for query in _queries(corpus):
        ours = seed_index.term_scores(query)
        theirs = ref.get_scores(query)
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6, err_msg=" ".join(query))


def test_common_terms_get_the_negative_idf_floor() -> None:
    """A term in more than half the passages would have a negative IDF; like rank_bm25 it gets
    epsilon x the mean IDF instead, so matching it never lowers a score."""
    docs = [["common", "a"], ["common", "b"], ["common", "c"], ["d"]]
    vocab = {t: i for i, t in enumerate(sorted({t for d in docs for t in d}))}
    term_ids = np.array([vocab[t] for d in docs for t in d], dtype=np.int64)
    passage_ids = np.array([i for i, d in enumerate(docs) for _ in d], dtype=np.int64)
    postings = build_postings(term_ids, passage_ids, len(vocab), len(docs), BM25Params())

    idf = {
        t: math.log(len(docs) - df + 0.5) - math.log(df + 0.5)
        for t, df in {"common": 3, "a": 1, "b": 1, "c": 1, "d": 1}.items()
    }
    floor = 0.25 * sum(idf.values()) / len(idf)
    assert idf["common"] < 0 < floor
    scores = postings.scores([(vocab["common"], 1.0)])
    assert np.all(scores[:3] > 0) and scores[3] == 0
    avgdl = 7 / 4
    expected = floor * 2.5 / (1 + 1.5 * (0.25 + 0.75 * 2 / avgdl))
    assert scores[0] == pytest.approx(expected, abs=1e-12)
    np.testing.assert_allclose(scores, BM25Okapi(docs).get_scores(["common"]), atol=1e-12)


def test_a_query_reads_only_its_terms_postings(seed_index: index.Index) -> None:
    postings = seed_index._data.postings
    term = seed_index._vocab["ilya"]
    lo, hi = int(postings.ptr[term]), int(postings.ptr[term + 1])
    scores = postings.scores([(term, 1.0)])
    assert set(np.flatnonzero(scores)) == set(postings.ids[lo:hi].tolist())


def test_a_tiny_corpus_still_scores_matches_above_zero() -> None:
    """Deliberate deviation from rank_bm25, whose IDFs are all negative for a one-passage corpus."""
    postings = build_postings(np.array([0, 1]), np.array([0, 0]), 2, 1, BM25Params())
    assert BM25Okapi([["owl", "night"]]).get_scores(["owl"])[0] <= 0
    assert postings.scores([(0, 1.0)])[0] == pytest.approx(0.25 * 2.5 / (1 + 1.5))


def test_a_term_in_exactly_half_the_passages_still_counts() -> None:
    """Deliberate deviation: rank_bm25 gives such a term an IDF of exactly 0."""
    docs = [["owl", "night"], ["cat", "day"]]
    postings = build_postings(np.array([0, 1, 2, 3]), np.array([0, 0, 1, 1]), 4, 2, BM25Params())
    assert BM25Okapi(docs).get_scores(["owl"])[0] == 0
    scores = postings.scores([(0, 1.0)])
    assert scores[0] > 0 == scores[1]


@pytest.mark.parametrize("size", [0, 1, 1023, 1024, 1025, 3000, 20_000, 300_000])
@pytest.mark.parametrize("values", ["ties", "spread"])
def test_top_k_is_the_n_best_above_zero_with_ties_in_unit_order(size: int, values: str) -> None:
    rng = np.random.default_rng(size)
    for _ in range(10):
        if values == "ties":  # few distinct values, many zeros: ties at every cut, empty blocks
            scores = rng.choice([0.0, 0.0, 0.0, 0.5, 1.0, 1.5, 2.0], size=size) * rng.integers(1, 3)
        else:  # few units matched, scores apart: the floor is reached in few blocks
            scores = rng.random(size) * (rng.random(size) < 0.01)
        above = np.flatnonzero(scores > 0)
        ranked = above[np.lexsort((above, -scores[above]))].tolist()
        for n in (1, 3, 10, 40, size + 5):
            assert top_k(scores, n) == ranked[:n]


def test_units_with_all_terms_intersect_the_postings() -> None:
    # units 0..4; term 0 in units 0, 1, 3, 4; term 1 in 0, 1, 2, 4; term 2 in 1, 4; term 3 nowhere
    terms = np.array([0, 0, 0, 0, 1, 1, 1, 1, 2, 2])
    units = np.array([0, 1, 3, 4, 0, 1, 2, 4, 4, 1])
    postings = build_postings(terms, units, 4, 5, BM25Params())
    assert postings.units_with_all([0, 1]).tolist() == [0, 1, 4]
    assert postings.units_with_all([0, 1, 2]).tolist() == [1, 4]
    assert postings.units_with_all([2, 0, 2]).tolist() == [1, 4]
    assert postings.units_with_all([0, 3]).tolist() == []  # a term with no postings
    assert postings.units_with_all([3]).tolist() == []
