"""From a question to weighted index terms, meeting the corpus's own spellings.

People and transcribers spell the same thing differently. Besides the analyzer's own compound
handling, a question's words are matched against the index's vocabulary:
- a word the index lacks is split into two words it has ("alphazero" -> "alpha" "zero");
- two neighbouring words are also tried joined ("alpha zero" -> "alphazero");
- a word the index lacks that is close in spelling to one it has (a misspelled name) gets that word,
  at a lower weight;
- a stem also meets the indexed stems that extend it or that it extends by a letter or two, at a lower
  weight (the stemmer leaves "infinity"/"infinitely" and "programmer"/"programming" apart);
- an acronym gets the expansion the corpus uses for it, and an expansion its acronym (see acronyms.py).

Relatives, fuzzy matches and an acronym's expansion are guesses standing in for one typed word, so they
never outweigh it: together they share one weight, a fraction of the word's own (each of n relatives, of
n fuzzy matches or of an expansion's n words gets 1/n of it; a framing word's relatives are scaled down
with it). Weighted each on its own, a stem with many relatives or a three-word expansion would count two
or three times over, more than what the person actually typed.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from .analyzer import STOP_WORDS, Analyzer, normalize, word_spans

__all__ = ["MAX_QUERY_WORDS", "QueryTerms", "analyze_question"]

MAX_QUERY_WORDS = 64
"""Longer questions are cut to their first 64 words: a search stays fast whatever is pasted in."""
FRAME_WEIGHT = 0.3
# Words that frame a question about a conversation rather than say what it is about.
FRAME_WORDS = frozenset(
    """
    according ask asked describe described describes discuss discussed explain explained explains
    happen happened happens mean meant means mention mentioned opinion say said says talk talked
    talks tell think thinks thought view
    """.split()
)
FUZZY_WEIGHT = 0.6
PREFIX_WEIGHT = 0.6
_MIN_PREFIX_LEN = 5
EXPANSION_WEIGHT = 0.7
_FUZZY_CUTOFF = 80.0
_MIN_FUZZY_LEN = 5


@dataclass(frozen=True, slots=True)
class QueryTerms:
    weights: dict[str, float]  # term -> query weight
    unknown: tuple[str, ...]  # question words that matched nothing in the index


def analyze_question(
    question: str,
    analyzer: Analyzer,
    vocab: Mapping[str, int],
    terms: Sequence[str],  # the vocabulary, sorted
    acronyms: Mapping[str, Sequence[str]],
) -> QueryTerms:
    words = [w for _, _, w in word_spans(normalize(question))][:MAX_QUERY_WORDS]
    weights: dict[str, float] = {}
    unknown: list[str] = []

    def add(term: str, weight: float) -> None:
        if term in vocab:
            weights[term] = max(weights.get(term, 0.0), weight)

    content = [w for w in words if analyzer.word_terms(w)]
    for word in content:
        own = analyzer.word_terms(word)
        typed = FRAME_WEIGHT if word in FRAME_WORDS else 1.0
        for term in own:
            add(term, typed)
            for related, weight in _shared(_relatives(term, terms, vocab), typed * PREFIX_WEIGHT):
                add(related, weight)
        if not any(t in vocab for t in own):
            found = _split(word, analyzer, vocab) or _fuzzy(own[-1], terms, typed * FUZZY_WEIGHT)
            for term, weight in found:
                add(term, weight)
            if not found:
                unknown.append(word)
        for term, weight in _shared(acronyms.get(own[-1], ()), typed * EXPANSION_WEIGHT):
            add(term, weight)
    for first, second in itertools.pairwise(content):
        add(analyzer.stem(first + second), 1.0)
    for acronym in _acronyms_of(content, analyzer, acronyms):
        add(acronym, EXPANSION_WEIGHT)
    return QueryTerms(weights=weights, unknown=tuple(unknown))


def _acronyms_of(
    words: Sequence[str], analyzer: Analyzer, acronyms: Mapping[str, Sequence[str]]
) -> list[str]:
    """The acronyms whose expansions the question spells out ("reinforcement learning" -> "rl")."""
    if not acronyms:
        return []
    expansions = {tuple(terms): acronym for acronym, terms in acronyms.items()}
    stems = [analyzer.word_terms(w)[-1] for w in words]
    return [
        expansions[gram]
        for n in (2, 3)
        for i in range(len(stems) - n + 1)
        if (gram := tuple(stems[i : i + n])) in expansions
    ]


def _split(word: str, analyzer: Analyzer, vocab: Mapping[str, int]) -> list[tuple[str, float]]:
    """Two indexed words that make up ``word``, the more balanced split first."""
    if not word.isalnum() or len(word) < 6:
        return []
    for cut in sorted(range(3, len(word) - 2), key=lambda c: abs(len(word) / 2 - c)):
        left, right = word[:cut], word[cut:]
        if left in STOP_WORDS or right in STOP_WORDS:
            continue
        lt, rt = analyzer.stem(left), analyzer.stem(right)
        if lt in vocab and rt in vocab:
            return [(lt, 1.0), (rt, 1.0)]
    return []


def _shared(alternatives: Sequence[str], weight: float) -> list[tuple[str, float]]:
    """``weight`` shared evenly among ``alternatives``: together they count as one."""
    return [(term, weight / len(alternatives)) for term in alternatives]


def _relatives(term: str, terms: Sequence[str], vocab: Mapping[str, int]) -> list[str]:
    """Indexed stems that extend ``term`` or that it extends, by at most two letters.

    Letters only: a stem with a number glued on ("cancer1") is indexed beside the word itself (the
    analyzer splits letters from digits), so a passage holding it matches ``term`` already.
    """
    if len(term) < _MIN_PREFIX_LEN or not term.isalpha():
        return []
    shorter = [term[:cut] for cut in (len(term) - 1, len(term) - 2) if cut >= _MIN_PREFIX_LEN]
    out = [t for t in shorter if t in vocab]
    i = bisect.bisect_right(terms, term)
    while i < len(terms) and terms[i].startswith(term):  # on past longer ones: "cancer100" < "cancerou"
        if len(terms[i]) <= len(term) + 2 and terms[i].isalpha():
            out.append(terms[i])
        i += 1
    return out


def _fuzzy(term: str, terms: Sequence[str], weight: float) -> list[tuple[str, float]]:
    """The (at most two) indexed terms closest in spelling to ``term``: each gets its share of ``weight``,
    scaled by its similarity."""
    if len(term) < _MIN_FUZZY_LEN or not term.isalpha():
        return []
    found = process.extract(term, terms, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF, limit=2)
    return [(match, weight * score / 100 / len(found)) for match, score, _ in found]
