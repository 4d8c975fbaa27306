"""The vocabulary a build collects: each word as written, its terms, and the terms' ids in the index.

A document's words reach the builder as numbers a reading process gave them (``cut.LocalWords``); the
``Vocabulary`` gives each word an id for the whole index the first time it is seen, analysing it into
terms then and never again, and turns a document's words into its tokens (term ids) with array lookups.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .analyzer import Analyzer

__all__ = ["GrowingInts", "Vocabulary"]

_PUNCTUATION = ".,!?;:\"'()[]{}…“”‘’"


class Vocabulary(dict[str, int]):
    """The index's words as written (split on white space) to word ids, each analysed once, on first sight.

    Word ``w``'s term ids are ``terms[ptr[w]:ptr[w + 1]]``. Terms are numbered in the order first seen;
    ``surface`` holds the word each term was first seen as, ``capitals`` the terms once written as an
    acronym (RL, AGI).
    """

    def __init__(self, analyzer: Analyzer) -> None:
        super().__init__()
        self.analyzer = analyzer
        self.vocab: dict[str, int] = {}
        self.surface: list[str] = []
        self.capitals: set[int] = set()
        self.terms = GrowingInts()
        self.ptr = GrowingInts()
        self.ptr.extend([0])

    def __missing__(self, word: str) -> int:
        ids = [self._term_id(term, word) for term in self.analyzer.terms(word)]
        bare = word.strip(_PUNCTUATION)
        if len(ids) == 1 and 2 <= len(bare) <= 3 and bare.isalpha() and bare.isupper():
            self.capitals.add(ids[0])
        self.terms.extend(ids)
        self.ptr.extend([len(self.terms)])
        wid = self[word] = len(self.ptr) - 2
        return wid

    def _term_id(self, term: str, word: str) -> int:
        tid = self.vocab.get(term)
        if tid is None:
            tid = self.vocab[term] = len(self.surface)
            self.surface.append(word.strip(_PUNCTUATION).lower() or term)
        return tid

    def tokens(
        self, known: npt.NDArray[np.int64], word_ids: npt.NDArray[np.int32], sent_words: npt.NDArray[np.int32]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_], npt.NDArray[np.int64]]:
        """The term ids of a document's words back to back, which of them start a word, and how many
        each sentence has.

        The document's words are ``word_ids``, places in its table of distinct words, whose ids here are
        ``known``; its sentences have ``sent_words`` words each (one at least). Most words give one term
        or none (stop words): each word becomes its first term, or -1, through the small table; the later
        terms of the few words with several (``pre-training``) are inserted after it.
        """
        ptr, terms = self.ptr.array(), self.terms.array()
        starts = ptr[known]
        per_word = ptr[known + 1] - starts
        first = np.full(len(known), -1, dtype=np.int64)
        first[per_word > 0] = terms[starts[per_word > 0]]
        counts = per_word[word_ids]  # terms per word, word by word
        tokens = first[word_ids]
        word_start = np.ones(len(tokens), dtype=bool)
        several = np.flatnonzero(counts > 1)
        if several.size:
            more = counts[several] - 1
            done = np.cumsum(more) - more  # later terms inserted before each of these words
            later = np.repeat(starts[word_ids[several]] + 1 - done, more) + np.arange(int(more.sum()))
            tokens = np.insert(tokens, np.repeat(several + 1, more), terms[later])
            word_start = np.insert(word_start, np.repeat(several + 1, more), False)
        per_sentence = np.add.reduceat(counts, np.cumsum(sent_words) - sent_words)
        return tokens[tokens >= 0], word_start[tokens >= 0], per_sentence


class GrowingInts:
    """A list of integers kept in a numpy array that doubles when full (appends cost O(1) on average)."""

    def __init__(self) -> None:
        self._data = np.zeros(1024, dtype=np.int64)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def extend(self, values: list[int]) -> None:
        end = self._size + len(values)
        if end > len(self._data):
            self._data = np.resize(self._data, max(end, 2 * len(self._data)))
        self._data[self._size : end] = values
        self._size = end

    def array(self) -> npt.NDArray[np.int64]:
        """The values, as a view (valid until the next ``extend``)."""
        return self._data[: self._size]
