"""Okapi BM25 over precomputed sparse arrays.

Scores follow ``rank_bm25.BM25Okapi`` exactly (k1=1.5, b=0.75, and its floor for negative IDF: a term
found in more than half the passages gets ``epsilon * mean IDF`` instead of a negative weight). Every
(term, passage) contribution is computed once at build time and stored term by term (CSC layout), so a
query only reads the postings of its own terms and adds them up.

Two deliberate deviations, both about tiny corpora, so that a match always scores above no match: a
term in exactly half the passages (IDF exactly 0) gets the floor too, where rank_bm25 gives it 0; and
when the mean IDF itself is not positive (one or two passages), the floor is ``epsilon`` itself.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse

__all__ = ["BM25Params", "Postings", "build_postings", "top_k"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

_BLOCK = 1024  # top_k's block size
_KEPT_POSTINGS = 1 << 22  # at most 64 MB of buffers per searching thread
_scratch = threading.local()


@dataclass(frozen=True, slots=True)
class BM25Params:
    k1: float = 1.5
    b: float = 0.75
    epsilon: float = 0.25


@dataclass(frozen=True, slots=True)
class Postings:
    """The units (passages, or whole documents) ``ids[ptr[t]:ptr[t+1]]`` hold term ``t``, each once and
    in increasing order (``units_with_all`` relies on it); ``weights`` holds the same slice's BM25
    contributions."""

    ptr: IntArray
    ids: npt.NDArray[np.int32]
    weights: FloatArray
    size: int  # how many units

    def scores(self, terms: Sequence[tuple[int, float]]) -> FloatArray:
        """BM25 score of every unit for ``terms``: (term id, query weight) pairs.

        One ``bincount`` over the terms' postings: it adds each unit's contributions in the order of
        ``terms``, as a loop of ``out[ids] += weights`` would, in one pass. The postings are gathered into
        buffers kept per thread: fresh arrays this size cost more in page faults than the arithmetic. The
        ids are gathered as ``intp``, the type ``bincount`` counts in: given int32 it makes a copy first
        (~0.3 ms of a common word's 150,000 postings at 1M passages).
        """
        spans = [(int(self.ptr[t]), int(self.ptr[t + 1]), w) for t, w in terms]
        ids, weights = _buffers(sum(hi - lo for lo, hi, _ in spans))
        at = 0
        for lo, hi, w in spans:
            ids[at : at + hi - lo] = self.ids[lo:hi]
            np.multiply(self.weights[lo:hi], w, out=weights[at : at + hi - lo])
            at += hi - lo
        return np.bincount(ids, weights=weights, minlength=self.size).astype(np.float64, copy=False)

    def doc_freq(self, term: int) -> int:
        return int(self.ptr[term + 1] - self.ptr[term])

    def units_with_all(self, terms: Sequence[int]) -> npt.NDArray[np.int32]:
        """The units that hold every one of ``terms`` (one at least), in order: the rarest term's units,
        looked up in the others' lists by binary search, so the cost follows the shortest list; in a
        table of units where the lists are of a size (one binary search per unit of a long list costs
        more: 200,000 units of 1M in two such lists, 18 ms against 5), unless the lists are short beside
        the table."""
        lists = sorted((self.ids[int(self.ptr[t]) : int(self.ptr[t + 1])] for t in terms), key=len)
        held = lists[0]
        for other in lists[1:]:
            if not len(held):
                break
            if len(held) * 8 >= len(other) and len(other) * 64 >= self.size:
                table = np.zeros(self.size, dtype=bool)
                table[other] = True
                held = held[table[held]]
            else:
                at = np.minimum(np.searchsorted(other, held), len(other) - 1)
                held = held[other[at] == held]
        return held


def build_postings(
    term_ids: npt.NDArray[np.integer[Any]],
    unit_ids: npt.NDArray[np.integer[Any]],
    n_terms: int,
    n_units: int,
    params: BM25Params = BM25Params(),
) -> Postings:
    """Postings from one entry per token: ``term_ids[i]`` occurs in unit ``unit_ids[i]``."""
    lengths = np.bincount(unit_ids, minlength=n_units).astype(np.float64)
    avgdl = float(lengths.mean()) if n_units else 0.0
    # Each (term, unit) pair counted once, sorted by term then unit: a sparse matrix adds up duplicate
    # entries with a counting sort, about ten times faster than sorting the pairs.
    counts = scipy.sparse.csr_array(
        (np.ones(len(term_ids), dtype=np.int32), (term_ids, unit_ids)), shape=(n_terms, n_units)
    )
    ptr = counts.indptr.astype(np.int64)
    df = np.diff(ptr)
    post_units = counts.indices.astype(np.int32, copy=False)
    idf = _idf(df, n_units, params.epsilon)
    norm = params.k1 * (1 - params.b + params.b * lengths / (avgdl or 1.0))  # per unit
    # idf * tf * (k1 + 1) / (tf + norm), in that order, computed in place: these arrays hold one entry
    # per posting, and on large corpora allocating them costs more than the arithmetic.
    tf = counts.data.astype(np.float64)
    weights = np.repeat(idf, df)
    weights *= tf
    weights *= params.k1 + 1
    tf += norm[post_units]
    weights /= tf
    return Postings(ptr=ptr, ids=post_units, weights=weights, size=n_units)


def _buffers(size: int) -> tuple[npt.NDArray[np.intp], FloatArray]:
    """Arrays of ``size`` ids and weights, reused by this thread (up to ``_KEPT_POSTINGS`` entries)."""
    kept: tuple[npt.NDArray[np.intp], FloatArray] | None = getattr(_scratch, "buffers", None)
    if kept is not None and len(kept[0]) >= size:
        return kept[0][:size], kept[1][:size]
    made = np.empty(size, dtype=np.intp), np.empty(size, dtype=np.float64)
    if size <= _KEPT_POSTINGS:
        _scratch.buffers = made
    return made


def top_k(scores: FloatArray, n: int) -> list[int]:
    """The ``n`` best units scoring above 0, best first; equal scores in unit order.

    Without sorting or partitioning every score: the ``n`` best blocks of ``_BLOCK`` units by their
    maximum hold at least ``n`` units scoring that much, so the ``n`` best units all score at least the
    smallest of those maxima (the floor), and only the units above it are sorted. They lie in the blocks
    whose maximum reaches the floor: when those are few, only they are read again.
    """
    if n <= 0:
        return []
    whole = len(scores) // _BLOCK * _BLOCK
    maxima = scores[:whole].reshape(-1, _BLOCK).max(axis=1)
    if whole < len(scores):
        maxima = np.append(maxima, scores[whole:].max())
    floor = np.nextafter(0.0, 1.0)  # above 0: a unit that matches nothing is never a result
    if len(maxima) > n:
        floor = max(floor, float(np.partition(maxima, len(maxima) - n)[len(maxima) - n]))
    blocks = np.flatnonzero(maxima >= floor)
    if len(blocks) * _BLOCK * 8 <= len(scores):
        inside = blocks[blocks < whole // _BLOCK]  # whole blocks, read as rows; the partial one apart
        rows, cols = np.nonzero(scores[:whole].reshape(-1, _BLOCK)[inside] >= floor)
        found = inside[rows] * _BLOCK + cols
        if len(inside) < len(blocks):
            found = np.concatenate((found, whole + np.flatnonzero(scores[whole:] >= floor)))
    else:
        found = np.flatnonzero(scores >= floor)
    order = np.lexsort((found, -scores[found]))[:n]
    best: list[int] = found[order].tolist()
    return best


def _idf(df: IntArray, n: int, epsilon: float) -> FloatArray:
    idf: FloatArray = np.log(n - df + 0.5) - np.log(df + 0.5)
    if len(idf):
        floor = epsilon * float(idf.mean())
        idf[idf <= 0] = floor if floor > 0 else epsilon
    return idf
