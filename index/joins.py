"""Two words of a question joined ("alpha zero" -> "alphazero"), counted where a passage writes them as one.

The analyzer indexes a hyphenated compound as its parts and then the whole, three tokens in a row
("breast-cancer" -> breast, cancer, breastcancer; "GPT4" -> gpt, 4, gpt4). Where a passage writes the
two words so, the question's words score already, and the joined term, rarer than either, would count
the same words again. So the joined term's BM25 counts only its own occurrences, those that are not the
whole of such a compound: its term frequency in a passage is its tokens less those right after its two
parts in the same sentence (none left: it scores nothing there), with BM25's saturation and the
passage's length as the index counts them. Only passages that hold the joined term and both words can
hold a compound; their tokens are read from the index, and everywhere else the stored contributions
stand, so a question pays for the few passages where the two forms meet. The tokens do not say where
words start: "birth and weight, birthweight" (stop words between) reads as "birth-weight" does.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import numpy.typing as npt

from .bm25 import FloatArray
from .store import IndexData

__all__ = ["JoinedTerms"]

Ints = npt.NDArray[np.int64]


class JoinedTerms:
    def __init__(self, data: IndexData) -> None:
        self._data = data

    def add(self, scores: FloatArray, joined: int, words: tuple[int, int], weight: float) -> None:
        """Add to ``scores`` term ``joined`` at query ``weight``, counting in each passage only its
        occurrences that are not the whole of a compound of ``words`` (term ids, in order)."""
        d, post = self._data, self._data.postings
        lo, hi = int(post.ptr[joined]), int(post.ptr[joined + 1])
        ids, added = post.ids[lo:hi], weight * post.weights[lo:hi]  # idf*tf*(k1+1) / (tf+norm) each
        both = post.units_with_all((joined, *words))
        if len(both):
            starts, ends = d.sent_token_ptr[d.pass_lo[both]], d.sent_token_ptr[d.pass_hi[both]]
            found = _places(d.sent_tokens, starts, ends, joined)
            wholes = found[self._compounds(found, words)]
            tf = (np.searchsorted(found, ends) - np.searchsorted(found, starts)).astype(np.float64)
            own = tf - (np.searchsorted(wholes, ends) - np.searchsorted(wholes, starts))
            p = d.params
            norm = p.k1 * (1 - p.b + p.b * (ends - starts) / (self._mean_length or 1.0))
            added[np.searchsorted(ids, both)] *= (own / (own + norm)) / (tf / (tf + norm))
        scores[ids] += added  # each passage once in a term's postings

    def _compounds(self, found: Ints, words: tuple[int, int]) -> npt.NDArray[np.bool_]:
        """Which of the token places ``found`` hold the whole of a compound: right after ``words``, in
        the same sentence."""
        tokens, ptr = self._data.sent_tokens, self._data.sent_token_ptr
        sentence_start = ptr[np.searchsorted(ptr, found, side="right") - 1]
        inside = np.flatnonzero(found - 2 >= sentence_start)
        at = found[inside]
        out = np.zeros(len(found), dtype=bool)
        out[inside] = (tokens[at - 2] == words[0]) & (tokens[at - 1] == words[1])
        return out

    @cached_property
    def _mean_length(self) -> float:
        """The passages' mean length in tokens, as ``bm25.build_postings`` computed it."""
        d = self._data
        lengths = (d.sent_token_ptr[d.pass_hi] - d.sent_token_ptr[d.pass_lo]).astype(np.float64)
        return float(lengths.mean()) if len(lengths) else 0.0


def _places(tokens: npt.NDArray[np.int32], starts: Ints, ends: Ints, term: int) -> Ints:
    """The places of ``term`` among ``tokens[starts[i]:ends[i]]`` for every i, in order, each once: the
    passages are overlapping windows, and the stretches they cover together are read once."""
    order = np.argsort(starts, kind="stable")
    starts, reach = starts[order], np.maximum.accumulate(ends[order])
    first = np.flatnonzero(np.r_[True, starts[1:] > reach[:-1]])  # each first passage of a stretch
    lo, hi = starts[first], reach[np.r_[first[1:] - 1, len(starts) - 1]]
    sizes = hi - lo
    at = np.repeat(lo - (np.cumsum(sizes) - sizes), sizes) + np.arange(int(sizes.sum()))
    found: Ints = at[tokens[at] == term]
    return found
