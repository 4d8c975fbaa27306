"""The second stage: BM25's best passages ordered again by what reads the question and passage together.

BM25 adds up term weights wherever they fall in a passage. Over its best ``DEPTH`` passages a few more
signals are cheap to read from where the question's terms occur, sentence by sentence; each multiplies
the passage's BM25 score (``w`` is a term's query weight times its IDF, the weight the quote picker uses):

- **nearness**: ``1 + NEAR_BONUS * near``, ``near`` being the share of the question's weight that the
  best two neighbouring sentences hold between them: the terms of an answer sit together, not spread
  over a passage's twenty sentences. The question's names (``QueryTerms.names``) count half their weight
  here (``NAME_NEARNESS``): a first and a last name always sit together, so a guest's name said once in a
  passage made it look as near as an answer, and the intro or a passing mention rose above the answer in
  the guest's words.
  And the guesses for one typed word (its relatives, its sound-alikes, an acronym's expansion: the terms
  of one origin, ``QueryTerms.origins``) count once, at the best one's weight: "effector" beside
  "effectual" is one word of the question ("effects"), not two.
- **packaging**: ``1 - PACKAGING_PENALTY * packaged``, ``packaged`` being the share of the matching
  weight found in sentences of a sponsor read, intro or outro (``quotability.packaging``, stored at build
  time): the talk ranks above the packaging around it.
- **asking**: ``1 - QUESTION_PENALTY * asked``, ``asked`` being the share of the matching weight found
  in questions (sentences ending with "?"): the answer ranks above the question put to the guest. The
  sentence that leads to a question put to someone else (the next sentence is a question of its speaker,
  and the one after that the other speaker's turn or, where speakers are unknown, opens as a reply:
  "Yeah.", "Well, ...") counts ``LEAD_SHARE`` of its weight there: "You wrote about X. Did it work?
  Yeah, ..." is the host asking about X, not the guest saying it.
- **voice**: ``1 + VOICE_BONUS * voiced``, ``voiced`` being the share of the matching weight said by a
  speaker the question names (where transcripts label speakers, see ``prior.DocumentPrior.voices``):
  what a guest thinks is in the guest's turns.

The weights were set by hand, then checked on a small grid against the seeds' and lexicap's dev questions
and SciFact together, keeping what none of the three lost on: nearness 0 / 0.5 / 1 / 2 gave SciFact nDCG@10
0.690 / 0.696 / 0.697 / 0.697 and the dev sets the same within a question; packaging 0 / 0.5 / 0.8 and
asking 0 / 0.25 / 0.5 moved the dev sets by a question or two (0.5 and 0.25 kept). A bonus for the share
of the question's distinct terms a passage covers lost two lexicap questions at 0.5 and was dropped, as
BM25 already rewards it. Re-scoring the best 10 or 20 passages: seeds 0.733 / 0.700, lexicap 0.500 / 0.500,
the check set 0.385 / 0.423, SciFact 0.696 / 0.697; 10 costs less time. Each sentence's terms come from the
terms stored per sentence at build time (``matches``), the ones the quote picker reads, not from
searching the text again: the same terms, Chinese text included, in less time (SciFact 0.6956 ->
0.6933, the dev sets unchanged).

Leaving the names out of nearness (all four sets measured, ``benchmarks/quality.py``): seeds quote@3 0.667
-> 0.700 (@1 0.567 -> 0.500), lexicap 0.613 (@1 0.463 -> 0.450), the check set 0.462 -> 0.500 (@1 0.385 ->
0.423, passage@3 0.538 -> 0.615), SciFact nDCG@10 0.6931 -> 0.6956. Counting them at half weight moved
less (seeds @1 0.533, check 0.500, SciFact 0.6947); leaving out only the names that point to episodes
(``prior``), less again (seeds 0.667, check 0.500). Without the names the rest of the question holds a
larger share of the weight, so the same bonus counted for more: ``NEAR_BONUS`` 0.6 / 0.75 / 1 / 1.25 then
gave seeds quote@1 0.533 / 0.533 / 0.500 / 0.500 (@3 0.700 throughout), lexicap @3 0.625 / 0.625 / 0.613 /
0.613, the check set @1 0.423 / 0.423 / 0.423 / 0.385 (@3 0.500 throughout) and SciFact 0.6972 / 0.6972 /
0.6956 / 0.6946; 0.75 kept. Counting the guesses for one word once: seeds quote@1 0.533 -> 0.567,
a lexicap answer from rank 6+ to 5, SciFact 0.6972 -> 0.6974, nothing else moved (grouping a typed term
with its own guesses instead lost two lexicap answers at @3).

Main then moved on (names point to the episodes they are the guests of, and two quote steps: seeds 0.700,
lexicap 0.700, check 0.538, SciFact 0.6931). On it the three steps above gave lexicap quote@3 0.725 and
SciFact 0.6974 but cost three answers at @1 (lexicap 0.500 -> 0.475, check 0.462 -> 0.423): with the
guests' episodes found by the prior, a name left out of nearness no longer only hid intros. The names at
half their weight (``NAME_NEARNESS`` 0.5; 0 / 0.25 / 0.5 / 1 measured) keep the gains and lose nothing:
lexicap quote@3 0.725 (@1 0.500), check 0.538 (@1 0.462, passage@3 0.615 -> 0.654), seeds 0.700 (@1 0.567),
SciFact 0.6960; at 0.25 the @1 losses came back, at 1 (no change from main) the gains went.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np

from .matches import Matches
from .quotes import Terms, opens_reply
from .store import IndexData

__all__ = [
    "DEPTH",
    "LEAD_SHARE",
    "NAME_NEARNESS",
    "NEAR_BONUS",
    "PACKAGING_PENALTY",
    "QUESTION_PENALTY",
    "VOICE_BONUS",
    "Reranker",
]

DEPTH = 10
NEAR_BONUS = 0.75
PACKAGING_PENALTY = 0.5
QUESTION_PENALTY = 0.25
VOICE_BONUS = 0.5
LEAD_SHARE = 0.5
"""The share of its weight the sentence leading to a question put to someone else counts as asked
(measured: seeds quote@3 0.767 -> 0.800, a host's lead-in that said two of the question's words had
ranked above the passage that answers; lexicap, the check set and SciFact unchanged; 0.75 the same, 1.0
lost a check answer at @1, 0.25 moved nothing. Every sentence before a question, with no reply seen after
it, lost lexicap answers at @1: a guest's own rhetorical question, "And why was that? It's because ...")."""
NAME_NEARNESS = 0.5
"""The share of its weight a name of the question (``QueryTerms.names``) counts for in nearness."""

Sentences = Callable[[int], Sequence[str]]
_NONE: frozenset[str] = frozenset()
_TYPED = "typed"  # the origin of the question's own terms (``QueryTerms.origins``)
_WORD_REST = re.compile(r"\w*")


class Reranker:
    def __init__(self, data: IndexData, sentences: Sentences) -> None:
        """``sentences`` gives a passage's sentences (the searcher's cache)."""
        self._data = data
        self._sentences = sentences
        self._packaging = np.asarray(data.sent_packaging, dtype=bool)

    def order(
        self,
        candidates: Sequence[int],
        scores: Mapping[int, float],
        weights: Mapping[str, float],
        matches: Matches,
        voices: frozenset[int] = frozenset(),
        names: frozenset[str] = frozenset(),
        origins: Mapping[str, str] | None = None,
    ) -> list[tuple[int, float]]:
        """``candidates`` (passage ids, best first; ``scores``: their BM25 scores) with their new scores,
        best first; the first ``DEPTH`` are scored again (``weights``: query term -> weight; ``matches``:
        where they occur in the candidates' sentences; ``voices``: the speakers the question names;
        ``names``: the question's terms that may be names, which count ``NAME_NEARNESS`` of their weight
        in nearness; ``origins``: where each term came from, as ``QueryTerms.origins`` says: the guesses
        for one word count once in nearness), the rest keep their order after them."""
        head = list(candidates[:DEPTH])
        near = {t: w * NAME_NEARNESS if t in names else w for t, w in weights.items()}
        words = _Words(near, origins or {})
        new = [
            float(scores[pid]) * self._factor(pid, weights, words, matches.of(pid), voices) for pid in head
        ]
        order = sorted(range(len(head)), key=lambda i: -new[i])  # stable: ties keep BM25's order
        ranked = [(head[i], new[i]) for i in order]
        floor = min(new, default=0.0)
        return ranked + [(pid, min(float(scores[pid]), floor)) for pid in candidates[DEPTH:]]

    def _factor(
        self,
        pid: int,
        weights: Mapping[str, float],
        words: _Words,
        matched_terms: Sequence[Terms],
        voices: frozenset[int],
    ) -> float:
        found = {i: set(terms) for i, terms in enumerate(matched_terms) if terms}
        if sum(weights.values()) <= 0 or not found:
            return 1.0
        matched = {i: sum(weights[t] for t in terms) for i, terms in found.items()}
        weight = sum(matched.values())
        lo = int(self._data.pass_lo[pid])
        packaged = sum(m for i, m in matched.items() if self._packaging[lo + i])
        sentences = self._sentences(pid)
        asked = sum(m * self._asking(lo, i, sentences) for i, m in matched.items())
        voiced = sum(m for i, m in matched.items() if int(self._data.sent_speaker[lo + i]) in voices)
        return (
            (1.0 + NEAR_BONUS * _near(found, words))
            * (1.0 + VOICE_BONUS * voiced / weight)
            * (1.0 - PACKAGING_PENALTY * packaged / weight)
            * (1.0 - QUESTION_PENALTY * asked / weight)
        )

    def _asking(self, lo: int, i: int, sentences: Sequence[str]) -> float:
        """How much sentence ``i`` of the passage whose first sentence is ``lo`` asks: 1 for a question,
        ``LEAD_SHARE`` for the one that leads to a question put to someone else, else 0."""
        if _asks(sentences[i]):
            return 1.0
        if i + 2 >= len(sentences) or not _asks(sentences[i + 1]):
            return 0.0
        speakers = self._data.sent_speaker
        who = int(speakers[lo + i])
        if int(speakers[lo + i + 1]) != who:
            return 0.0
        if who >= 0:  # the next turn is the other's
            return LEAD_SHARE if int(speakers[lo + i + 2]) != who else 0.0
        reply = sentences[i + 2]
        return LEAD_SHARE if not _asks(reply) and opens_reply(reply) else 0.0


def _asks(sentence: str) -> bool:
    return sentence.rstrip().endswith("?")


class _Words:
    """The question's terms, the guesses of one origin ("relative of driving", "sounds like tworek", ...)
    counted once, at the best-weighted one's weight; a typed term counts on its own."""

    def __init__(self, weights: Mapping[str, float], origins: Mapping[str, str]) -> None:
        self._weights = weights
        self._groups = {t: t if origins.get(t, _TYPED) == _TYPED else origins[t] for t in weights}
        self.total = self.weight(weights.keys())

    def weight(self, terms: Iterable[str]) -> float:
        best: dict[str, float] = {}
        for t in terms:
            if (w := self._weights.get(t)) is not None:
                group = self._groups[t]
                best[group] = max(best.get(group, 0.0), w)
        return sum(best.values())


def _near(found: Mapping[int, set[str]], words: _Words) -> float:
    """The share of the question's words (its names at ``NAME_NEARNESS``) that the best two neighbouring
    sentences hold between them (``found``: sentence -> the question's terms it holds)."""
    if words.total <= 0:
        return 0.0
    return max(words.weight(terms | found.get(i + 1, _NONE)) for i, terms in found.items()) / words.total
