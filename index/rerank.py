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
- **voice**: ``1 + VOICE_BONUS * voiced``, ``voiced`` being the share of the matching weight said by a
  speaker the question names (where transcripts label speakers, see ``prior.DocumentPrior.voices``):
  what a guest thinks is in the guest's turns.

The weights were set by hand, then checked on a small grid against the seeds' and lexicap's dev questions
and SciFact together, keeping what none of the three lost on: nearness 0 / 0.5 / 1 / 2 gave SciFact nDCG@10
0.690 / 0.696 / 0.697 / 0.697 and the dev sets the same within a question; packaging 0 / 0.5 / 0.8 and
asking 0 / 0.25 / 0.5 moved the dev sets by a question or two (0.5 and 0.25 kept). A bonus for the share
of the question's distinct terms a passage covers lost two lexicap questions at 0.5 and was dropped, as
BM25 already rewards it. Re-scoring the best 10 or 20 passages: seeds 0.733 / 0.700, lexicap 0.500 / 0.500,
the check set 0.385 / 0.423, SciFact 0.696 / 0.697; 10 keeps a whole answer within 3 ms on lexicap (each
passage costs about 45 us), 20 does not.
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

__all__ = ["DEPTH", "NEAR_BONUS", "PACKAGING_PENALTY", "QUESTION_PENALTY", "VOICE_BONUS", "Reranker"]

DEPTH = 10
NEAR_BONUS = 1.0
PACKAGING_PENALTY = 0.5
QUESTION_PENALTY = 0.25
VOICE_BONUS = 0.5

Sentences = Callable[[int], Sequence[str]]
_NONE: frozenset[str] = frozenset()
_WORD_REST = re.compile(r"\w*")


class Reranker:
    def __init__(self, data: IndexData, analyzer: Analyzer, sentences: Sentences) -> None:
        self._data = data
        self._analyzer = analyzer
        self._sentences = sentences
        self._packaging = np.asarray(data.sent_packaging, dtype=bool)

    def order(
        self,
        candidates: Sequence[int],
        scores: npt.NDArray[np.float64],
        weights: Mapping[str, float],
        voices: frozenset[int] = frozenset(),
    ) -> list[tuple[int, float]]:
        """``candidates`` (passage ids, best first) with their new scores, best first; the first ``DEPTH``
        are scored again (``weights``: query term -> weight; ``voices``: the speakers the question names),
        the rest keep their order after them."""
        head = list(candidates[:DEPTH])
        finder = _TermFinder(self._analyzer, weights)
        new = [float(scores[pid]) * self._factor(pid, weights, finder, voices) for pid in head]
        order = sorted(range(len(head)), key=lambda i: -new[i])  # stable: ties keep BM25's order
        ranked = [(head[i], new[i]) for i in order]
        floor = min(new, default=0.0)
        return ranked + [(pid, min(float(scores[pid]), floor)) for pid in candidates[DEPTH:]]

    def _factor(
        self, pid: int, weights: Mapping[str, float], finder: _TermFinder, voices: frozenset[int]
    ) -> float:
        sentences = self._sentences(pid)
        found = finder.in_sentences(sentences)  # only the sentences with a term
        total = sum(weights.values())
        if total <= 0 or not found:
            return 1.0
        matched = {i: sum(weights[t] for t in terms) for i, terms in found.items()}
        weight = sum(matched.values())
        near = max(sum(weights[t] for t in terms | found.get(i + 1, _NONE)) for i, terms in found.items())
        lo = int(self._data.pass_lo[pid])
        packaged = sum(m for i, m in matched.items() if self._packaging[lo + i])
        asked = sum(m for i, m in matched.items() if sentences[i].rstrip().endswith("?"))
        voiced = sum(m for i, m in matched.items() if int(self._data.sent_speaker[lo + i]) in voices)
        return (
            (1.0 + NEAR_BONUS * near / total)
            * (1.0 + VOICE_BONUS * voiced / weight)
            * (1.0 - PACKAGING_PENALTY * packaged / weight)
            * (1.0 - QUESTION_PENALTY * asked / weight)
        )


class _TermFinder:
    """The question's terms in a passage's sentences: each word that starts like one of them (a stem, or a
    stem less its last letter: "happi" from "happy") is found with ``str.find`` and checked by the analyzer.
    Twice as fast as one regular expression of all the stems, with the same result."""

    def __init__(self, analyzer: Analyzer, weights: Mapping[str, float]) -> None:
        self._analyzer = analyzer
        self._wanted = weights.keys()
        heads = {t[:-1] if len(t) > 3 else t for t in weights if t.isalnum()}
        self._heads = sorted(h for h in heads if not any(h != o and h.startswith(o) for o in heads))

    def in_sentences(self, sentences: Sequence[str]) -> dict[int, set[str]]:
        """The question's terms in each of ``sentences`` that has some, by the sentence's place."""
        found: dict[int, set[str]] = {}
        text = " ".join(sentences)
        lower = text.lower()
        if len(lower) != len(text):  # (the lower case of a few letters is longer)
            return found
        starts = list(itertools.accumulate((len(s) + 1 for s in sentences[:-1]), initial=0))
        for head in self._heads:
            at = lower.find(head)
            while at >= 0:
                if at and (lower[at - 1].isalnum() or lower[at - 1] == "_"):  # inside a word
                    at = lower.find(head, at + 1)
                    continue
                end = _WORD_REST.match(lower, at + len(head)).end()  # type: ignore[union-attr]
                terms = [t for t in self._analyzer.surface_terms(lower[at:end]) if t in self._wanted]
                if terms:
                    found.setdefault(bisect.bisect_right(starts, at) - 1, set()).update(terms)
                at = lower.find(head, end)
        return found
