"""Which of a question's terms each sentence holds, read from the terms stored with the index.

The re-ranker and the quote picker look at a few dozen passages per question, sentence by sentence. Every
sentence's terms were analysed when the index was built (``IndexData.sent_tokens``, the tokens its
postings count), so a question only looks for its own term ids among them, for its first candidates at
once (``FIRST``) and the others together when one of them is needed: no text is analysed again while a
question waits (that took about a third of a search).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from .quotes import Terms
from .store import IndexData

__all__ = ["FIRST", "Matches", "SentenceMatches", "distinct", "ranges"]

_NONE: Terms = ()
Integer = TypeVar("Integer", bound=np.integer[Any])
FIRST = 16
"""The candidates whose sentences are searched at once for 10 hits, and as many more in proportion for
more (the bot asks for 15: 24): the re-ranker reads the first 10 and the quotes about 1.1 a hit on average;
the others are searched, all together, only when one of them is asked about (at 1M passages the 40
candidates' sentences of 10 hits took ~0.6 ms, the first 16's ~0.3)."""


class Matches:
    """The question's terms each sentence of the candidate passages holds (only those)."""

    def __init__(
        self, finder: SentenceMatches, passages: Sequence[int], wanted: npt.NDArray[np.int64], first: int
    ) -> None:
        data = finder.data
        self._lo, self._hi = data.pass_lo, data.pass_hi
        self._finder, self._wanted = finder, wanted
        self._by_sentence = finder.search(passages[:first], wanted)
        self._searched = set(passages[:first])
        self._later: Sequence[int] = passages[first:]  # not searched yet
        self._of: dict[int, tuple[Terms, ...]] = {}

    def of(self, pid: int) -> tuple[Terms, ...]:
        """The question's terms in each sentence of passage ``pid``, in order (each term once)."""
        if (kept := self._of.get(pid)) is not None:
            return kept
        if pid not in self._searched and len(self._later):
            self._by_sentence |= self._finder.search(self._later, self._wanted)
            self._searched.update(self._later)
            self._later = ()
        found = self._by_sentence
        self._of[pid] = terms = tuple(
            found.get(s, _NONE) for s in range(int(self._lo[pid]), int(self._hi[pid]))
        )
        return terms


class SentenceMatches:
    def __init__(self, data: IndexData, vocab: Mapping[str, int]) -> None:
        self.data = data
        self._vocab = vocab

    def find(self, passages: Sequence[int], terms: Collection[str], hits: int = 10) -> Matches:
        """Where ``terms`` (indexed terms) occur in the sentences of ``passages``, the candidates of a
        search for ``hits`` (searched as asked: ``FIRST``)."""
        wanted = np.array([self._vocab[t] for t in terms], dtype=np.int64)
        return Matches(self, list(passages), wanted, first=max(FIRST, -(-FIRST * hits // 10)))

    def search(self, passages: Sequence[int], wanted: npt.NDArray[np.int64]) -> dict[int, Terms]:
        """The terms of ``wanted`` (ids) each sentence of ``passages`` holds, in order (each once)."""
        d = self.data
        pids = np.asarray(passages, dtype=np.int64)
        if not len(pids) or not len(wanted):
            return {}
        sentences = distinct(ranges(d.pass_lo[pids].astype(np.int64), d.pass_hi[pids].astype(np.int64)))
        first, last = d.sent_token_ptr[sentences], d.sent_token_ptr[sentences + 1]
        tokens = d.sent_tokens[ranges(first, last)]
        hit = tokens == wanted[0]  # a few terms: compared one by one (np.isin builds a table first)
        for term in wanted[1:]:
            hit |= tokens == term
        owners = np.repeat(sentences, last - first)[hit]  # in order of sentence, then of word
        if not len(owners):
            return {}
        ids = tokens[hit].tolist()
        starts = np.flatnonzero(owners[1:] != owners[:-1]) + 1
        bounds = [0, *starts.tolist(), len(ids)]
        name = self.data.terms.__getitem__
        return {
            s: tuple(dict.fromkeys(map(name, ids[a:b])))
            for s, a, b in zip(owners[bounds[:-1]].tolist(), bounds[:-1], bounds[1:], strict=True)
        }


def ranges(lo: npt.NDArray[np.int64], hi: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """``lo[0]..hi[0]-1, lo[1]..hi[1]-1, ...`` back to back."""
    sizes = hi - lo
    before = np.cumsum(sizes) - sizes
    return np.repeat(lo - before, sizes) + np.arange(int(sizes.sum()), dtype=np.int64)


def distinct(values: npt.NDArray[Integer]) -> npt.NDArray[Integer]:
    """``np.unique(values)`` (sorted, each once), by sorting: numpy 2.4's ``np.unique`` hashes integers,
    which took ~0.3 ms for the few hundred sentences of a question's candidates and seconds for millions
    of values, where a sort takes microseconds and a fraction of a second. A stable sort (a merge sort
    that finds the runs already in order): the values here mostly come in runs or in order (a passage's
    sentences, the documents of a term's passages), which it reads in one pass where numpy's quicksort
    sorts them again (100,000 values in order: 0.08 ms against 4.9; in random order it takes a third
    longer: the documents' openings' 3M (term, document) pairs, read once, 0.26 s against 0.19)."""
    ordered = np.sort(values, kind="stable")
    if len(ordered) < 2:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]
