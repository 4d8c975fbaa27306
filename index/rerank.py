"""The second stage: BM25's best passages ordered again by what reads the question and passage together.

BM25 adds up term weights wherever they fall in a passage. Over its best ``DEPTH`` passages a few more
signals are cheap to read from where the question's terms occur, sentence by sentence; each multiplies
the passage's BM25 score (``w`` is a term's query weight times its IDF, the weight the quote picker uses):

- **nearness**: ``1 + NEAR_BONUS * near``, ``near`` being the share of the question's weight that the
  best two neighbouring sentences hold between them: the terms of an answer sit together, not spread
  over a passage's twenty sentences.
- **packaging**: ``1 - PACKAGING_PENALTY * packaged``, ``packaged`` being the share of the matching
  weight found in sentences of a sponsor read, intro or outro (``quotable.packaging``, stored at build
  time): the talk ranks above the packaging around it.
- **asking**: ``1 - QUESTION_PENALTY * asked``, ``asked`` being the share of the matching weight found
  in questions (sentences ending with "?"): the answer ranks above the question put to the guest.

The weights were set by hand, then checked on a small grid against the seeds' and lexicap's dev questions
and SciFact together, keeping what none of the three lost on: nearness 0 / 0.5 / 1 / 2 gave SciFact nDCG@10
0.690 / 0.696 / 0.697 / 0.697 and the dev sets the same within a question; packaging 0 / 0.5 / 0.8 and
asking 0 / 0.25 / 0.5 moved the dev sets by a question or two (0.5 and 0.25 kept). A bonus for the share
of the question's distinct terms a passage covers lost two lexicap questions at 0.5 and was dropped, as
BM25 already rewards it. Re-scoring 10, 15, 20 or 30 passages ranked the same.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import numpy.typing as npt

from .analyzer import Analyzer
from .store import IndexData

__all__ = ["DEPTH", "NEAR_BONUS", "PACKAGING_PENALTY", "QUESTION_PENALTY", "Reranker"]

DEPTH = 20
NEAR_BONUS = 1.0
PACKAGING_PENALTY = 0.5
QUESTION_PENALTY = 0.25

Sentences = Callable[[int], list[str]]


class Reranker:
    def __init__(self, data: IndexData, analyzer: Analyzer, sentences: Sentences) -> None:
        self._data = data
        self._analyzer = analyzer
        self._sentences = sentences
        self._packaging = np.asarray(data.sent_packaging, dtype=bool)

    def order(
        self, candidates: Sequence[int], scores: npt.NDArray[np.float64], weights: Mapping[str, float]
    ) -> list[tuple[int, float]]:
        """``candidates`` (passage ids, best first) with their new scores, best first; the first ``DEPTH``
        are scored again (``weights``: query term -> weight), the rest keep their order after them."""
        head = list(candidates[:DEPTH])
        finder = _TermFinder(self._analyzer, weights)
        new = [float(scores[pid]) * self._factor(pid, weights, finder) for pid in head]
        order = sorted(range(len(head)), key=lambda i: -new[i])  # stable: ties keep BM25's order
        ranked = [(head[i], new[i]) for i in order]
        floor = min(new, default=0.0)
        return ranked + [(pid, min(float(scores[pid]), floor)) for pid in candidates[DEPTH:]]

    def _factor(self, pid: int, weights: Mapping[str, float], finder: _TermFinder) -> float:
        sentences = self._sentences(pid)
        found = finder.per_sentence(sentences)
        total = sum(weights.values())
        matched = [sum(weights[t] for t in terms) for terms in found]
        weight = sum(matched)
        if total <= 0 or weight <= 0:
            return 1.0
        pairs = [found[i] | found[i + 1] for i in range(len(found) - 1)] or found
        near = max(sum(weights[t] for t in pair) for pair in pairs) / total
        lo = int(self._data.pass_lo[pid])
        packaged = sum(m for m, p in zip(matched, self._packaging[lo : lo + len(matched)], strict=True) if p)
        asked = sum(m for m, s in zip(matched, sentences, strict=True) if m and s.rstrip().endswith("?"))
        return (
            (1.0 + NEAR_BONUS * near)
            * (1.0 - PACKAGING_PENALTY * packaged / weight)
            * (1.0 - QUESTION_PENALTY * asked / weight)
        )


class _TermFinder:
    """The question's terms in a sentence, found by a regular expression over the words that may stem to
    them (a stem, or a stem less its last letter: "happi" from "happy") and checked by the analyzer."""

    def __init__(self, analyzer: Analyzer, weights: Mapping[str, float]) -> None:
        self._analyzer = analyzer
        self._wanted = weights.keys()
        heads = {t[:-1] if len(t) > 3 else t for t in weights if t.isalnum()}
        alternatives = "|".join(re.escape(h) for h in sorted(heads, key=len, reverse=True))
        self._pattern = re.compile(rf"\b(?:{alternatives})\w*") if heads else None

    def per_sentence(self, sentences: Sequence[str]) -> list[frozenset[str]]:
        """The question's terms in each of ``sentences``."""
        found: list[set[str]] = [set() for _ in sentences]
        text = " ".join(sentences)
        lower = text.lower()
        if self._pattern is None or len(lower) != len(text):  # (lower case of a few letters is longer)
            return [frozenset() for _ in sentences]
        starts = list(itertools.accumulate((len(s) + 1 for s in sentences[:-1]), initial=0))
        for match in self._pattern.finditer(lower):
            terms = [t for t in self._analyzer.surface_terms(match.group()) if t in self._wanted]
            if terms:
                found[bisect.bisect_right(starts, match.start()) - 1].update(terms)
        return [frozenset(f) for f in found]
