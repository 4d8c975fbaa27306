"""Which of a question's terms each sentence holds, read from the terms stored with the index.

The re-ranker and the quote picker look at a few dozen passages per question, sentence by sentence. Every
sentence's terms were analysed when the index was built (``IndexData.sent_tokens``, the tokens its
postings count), so a question only looks for its own term ids among them, for all its candidate passages
at once: no text is analysed again while a question waits (that took about a third of a search).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import numpy as np
import numpy.typing as npt

from .quotes import Terms
from .store import IndexData

__all__ = ["Matches", "SentenceMatches", "distinct", "ranges"]

_NONE: Terms = ()


class Matches:
    """The question's terms each sentence of the candidate passages holds (only those)."""

    def __init__(self, data: IndexData, by_sentence: dict[int, Terms]) -> None:
        self._lo, self._hi = data.pass_lo, data.pass_hi
        self._by_sentence = by_sentence

    def of(self, pid: int) -> tuple[Terms, ...]:
        """The question's terms in each sentence of passage ``pid``, in order (each term once)."""
        found = self._by_sentence
        return tuple(found.get(s, _NONE) for s in range(int(self._lo[pid]), int(self._hi[pid])))


class SentenceMatches:
    def __init__(self, data: IndexData, vocab: Mapping[str, int]) -> None:
        self._data = data
        self._vocab = vocab

    def find(self, passages: Sequence[int], terms: Collection[str]) -> Matches:
        """Where ``terms`` (indexed terms) occur in the sentences of ``passages``."""
        d = self._data
        wanted = np.array([self._vocab[t] for t in terms], dtype=np.int32)
        pids = np.asarray(passages, dtype=np.int64)
        if not len(pids) or not len(wanted):
            return Matches(d, {})
        sentences = distinct(ranges(d.pass_lo[pids].astype(np.int64), d.pass_hi[pids].astype(np.int64)))
        first, last = d.sent_token_ptr[sentences], d.sent_token_ptr[sentences + 1]
        tokens = d.sent_tokens[ranges(first, last)]
        hit = np.isin(tokens, wanted)
        owners = np.repeat(sentences, last - first)[hit].tolist()
        found: dict[int, dict[str, None]] = {}
        names = d.terms
        for sentence, term in zip(owners, tokens[hit].tolist(), strict=True):
            found.setdefault(sentence, {})[names[term]] = None
        return Matches(d, {s: tuple(ts) for s, ts in found.items()})


def ranges(lo: npt.NDArray[np.int64], hi: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """``lo[0]..hi[0]-1, lo[1]..hi[1]-1, ...`` back to back."""
    sizes = hi - lo
    before = np.cumsum(sizes) - sizes
    return np.repeat(lo - before, sizes) + np.arange(int(sizes.sum()), dtype=np.int64)


def distinct(values: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """``np.unique(values)`` (sorted, each once), by sorting: numpy 2.4's ``np.unique`` hashes integers,
    which took ~0.3 ms for the few hundred sentences of a question's candidates and seconds for millions
    of values, where a sort takes microseconds and a fraction of a second."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]
