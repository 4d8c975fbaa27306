"""From a question to weighted index terms, meeting the corpus's own spellings.

People and transcribers spell the same thing differently. Besides the analyzer's own compound
handling, a question's words are matched against the index's vocabulary:
- a word the index lacks is split into two words it has ("alphazero" -> "alpha" "zero");
- two neighbouring words are also tried joined ("alpha zero" -> "alphazero"), for the passages that
  write them as one word, but not counted again for a hyphenated compound of the two (``QueryTerms.joins``);
- a word the index lacks that is close in spelling to one it has (a misspelled name) gets that word,
  at a lower weight;
- a stem also meets the indexed stems that extend it or that it extends by a letter or two, at a lower
  weight (the stemmer leaves "infinity"/"infinitely" and "programmer"/"programming" apart);
- an acronym gets the expansion the corpus uses for it, and an expansion its acronym (see acronyms.py).

Relatives, fuzzy matches and an acronym's expansion are guesses standing in for one typed word, so they
never outweigh it: together they share one weight, a fraction of the word's own (each of n relatives, of
n fuzzy matches or of an expansion's n words gets 1/n of it; a framing word's relatives are scaled down
with it). Weighted each on its own, a stem with many relatives or a three-word expansion would count two
or three times over, more than what the person actually typed. And as a search weighs a term by its IDF
too, a relative rarer than the word itself ("smither" for "smith", "biologo" for "biology") gets its share
scaled down to count, IDF included, no more than that share of the word (measured: seeds quote@1 0.533 ->
0.567, lexicap quote@3 0.562 -> 0.575 and person 0.53 -> 0.60, the check set and SciFact unchanged;
dropping such relatives instead lost 2 seeds and 1 lexicap answers). Likewise a rare sound-alike of a
misspelt word counts no more than the commonest one ("phisics" meets "physics" at least as much as
"phasic"), and a misspelt word of five letters or more is looked up even when its stem is shorter
("lerning" -> "lern" meets "learn"): the check set's quote@5 0.462 -> 0.500, the rest unchanged.
"""

from __future__ import annotations

import bisect
import itertools
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import jellyfish
from rapidfuzz import fuzz, process

from .analyzer import CASED_TERMS, STOP_WORDS, Analyzer, normalize, without_capitals, word_spans

__all__ = ["MAX_QUERY_WORDS", "Acronyms", "QueryTerms", "analyze_question", "same_sound", "sounds_alike"]

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
_FUZZY_CUTOFF = 70.0  # a loose spelling test: the sound-alike test decides
_SOUNDEX_CUTOFF = 85.0
_FUZZY_LOOKS = 8  # the closest spellings looked at for one that also sounds alike
_MIN_FUZZY_LEN = 5
_TITLE_CASE_WORDS = 3  # a question of fewer words after its first is not judged for title case


@dataclass(frozen=True, slots=True)
class QueryTerms:
    weights: dict[str, float]  # term -> query weight
    unknown: tuple[str, ...]  # question words that matched nothing in the index
    typed: frozenset[str] = frozenset()  # the terms of the question's own words (not guesses)
    names: frozenset[str] = frozenset()  # terms of words that may be names (_name_terms), indexed or not
    full_names: tuple[frozenset[str], ...] = ()  # terms of runs of words that may be one name (_full_names)
    cased: bool = True  # the question's capitals tell its names from its other words
    origins: dict[str, str] = field(default_factory=dict)  # term -> where it came from ("typed", ...)
    words: int = 0  # the question's words that are no stop words
    unsure: int = 0  # of those, the words the index lacks (met by sound-alikes at best)
    joins: dict[str, tuple[str, str]] = field(default_factory=dict)
    """A joined pair of words ("alpha zero" -> "alphazero") -> the indexed terms of the two words. A
    hyphenated "breast-cancer" is indexed as "breast", "cancer" and "breastcancer", so in a passage writing
    it the question's two words score already, and the joined term, rarer than either, would count them
    again: the BM25 stage counts the joined term only where it is not the whole of such a compound
    (``joins.JoinedTerms``; SciFact nDCG@10 0.6960 -> 0.7035; the first rule, no joined term in passages
    holding both words, 0.7040, dropped passages that write the word and say both words elsewhere). Only
    the BM25 stage: the re-ranker's nearness and the quote picker still count the joined term."""
    spellings: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (acronym, expansion): one thing said two ways


def analyze_question(
    question: str,
    analyzer: Analyzer,
    vocab: Mapping[str, int],
    terms: Sequence[str],  # the vocabulary, sorted
    acronyms: Mapping[str, Sequence[str]],
    rarity: Callable[[str], float] = lambda term: 1.0,
) -> QueryTerms:
    """``acronyms`` maps an acronym term to its expansion's terms (best an ``Acronyms`` table, made once
    per index); ``rarity`` gives an indexed term's IDF: a relative of a typed word never counts more than
    the word itself would."""
    if not isinstance(acronyms, Acronyms):
        acronyms = Acronyms(acronyms)
    question = without_capitals(question)
    words = _as_written(question, [w for _, _, w in word_spans(normalize(question))])[:MAX_QUERY_WORDS]
    weights: dict[str, float] = {}
    origins: dict[str, str] = {}
    unknown: list[str] = []
    spellings: dict[str, tuple[str, ...]] = {}

    def add(term: str, weight: float, origin: str) -> None:
        if term in vocab and weight > weights.get(term, 0.0):
            weights[term], origins[term] = weight, origin

    content = [w for w in words if analyzer.word_terms(w)]
    unsure = 0
    written = {t for w in content for t in analyzer.word_terms(w)}
    names = written & _name_terms(question, analyzer)
    cased = _is_cased(question)
    # A two-letter word is expanded as an acronym only when written in capitals ("ML", not "la" or "me").
    capitals = {normalize(w) for _, _, w in word_spans(question) if w.isupper()}
    for word in content:
        own = analyzer.word_terms(word)
        typed = FRAME_WEIGHT if word in FRAME_WORDS else 1.0
        for term in own:
            add(term, typed, "typed")
            for related, weight in _shared(_relatives(term, terms, vocab), typed * PREFIX_WEIGHT):
                if term in vocab:
                    weight *= min(1.0, rarity(term) / rarity(related))
                add(related, weight, f"relative of {word}")
        if not any(t in vocab for t in own):
            fuzzy = _fuzzy(word, own[-1], terms, typed * FUZZY_WEIGHT, rarity)
            alternatives = fuzzy or _split(word, analyzer, vocab)
            unsure += 1
            for term, weight in alternatives:
                how = ("sounds like" if same_sound(own[-1], term) else "spelt like") if fuzzy else "split of"
                add(term, weight, f"{how} {word}")
            if not alternatives:
                unknown.append(word)
        if _spells_acronym(word, own[-1]) and (len(word) > 2 or word in capitals):
            for term, weight in _shared(acronyms.get(own[-1], ()), typed * EXPANSION_WEIGHT):
                add(term, weight, f"expansion of {word}")
            _spelling(spellings, own[-1], acronyms.get(own[-1], ()), weights)
    pairs: dict[str, tuple[str, str]] = {}
    for first, second in itertools.pairwise(content):
        joined, origin = analyzer.stem(first + second), f"{first}+{second}"
        add(joined, 1.0, origin)
        words_terms = (analyzer.word_terms(first)[-1], analyzer.word_terms(second)[-1])
        if origins.get(joined) == origin and all(t in vocab for t in words_terms):
            pairs[joined] = words_terms  # where a word is not indexed, no passage holds both
    for acronym, spelt in _acronyms_of(content, analyzer, acronyms):
        add(acronym, EXPANSION_WEIGHT, f"acronym of {spelt}")
        _spelling(spellings, acronym, acronyms[acronym], weights)
    return QueryTerms(
        weights=weights,
        unknown=tuple(unknown),
        typed=frozenset(written & weights.keys()),
        names=frozenset(names),
        cased=cased,
        full_names=_full_names(question, analyzer, cased),
        origins=origins,
        words=len(content),
        unsure=unsure,
        joins=pairs,
        spellings=tuple(spellings.items()),
    )


def _as_written(question: str, normalized: list[str]) -> list[str]:
    """The normalized words of ``question``, but those the analyzer reads by their case (``US``) as
    written."""
    written = [w for _, _, w in word_spans(question)]
    if len(written) != len(normalized):  # normalizing joined or split words: keep them normalized
        return normalized
    return [w if w in CASED_TERMS else n for w, n in zip(written, normalized, strict=True)]


def _name_terms(question: str, analyzer: Analyzer) -> set[str]:
    """The terms of the words that may be names: those written with a capital after the question's first
    word, or every word of a question written all in lower case (chat often is)."""
    written = [w for _, _, w in word_spans(unicodedata.normalize("NFKC", question))][:MAX_QUERY_WORDS]
    lower = question == question.lower()
    return {t for w in written[1 - lower :] if lower or w[:1].isupper() for t in analyzer.word_terms(w)}


def _is_cased(question: str) -> bool:
    """Whether capitals mark the names of ``question``: not when it is all in lower case (chat often is)
    or most of its words after the first are capitalised ("What Does Elon Musk Think About Mars")."""
    if question == question.lower():
        return False
    written = [w for _, _, w in word_spans(unicodedata.normalize("NFKC", question))][1:MAX_QUERY_WORDS]
    return len(written) < _TITLE_CASE_WORDS or 2 * sum(w[:1].isupper() for w in written) <= len(written)


def _full_names(question: str, analyzer: Analyzer, cased: bool) -> tuple[frozenset[str], ...]:
    """The terms of the runs of words that may be one person's name: each run of two or more capitalised
    words after the question's first word ("What would Francis Collins do": francis collins), or in a
    question whose capitals tell nothing (``_is_cased``) each two neighbouring words."""
    written = [w for _, _, w in word_spans(unicodedata.normalize("NFKC", question))][:MAX_QUERY_WORDS]
    if not cased:
        runs = [list(pair) for pair in itertools.pairwise(written)]
    else:
        runs = [[]]
        for word in written[1:]:
            if word[:1].isupper():
                runs[-1].append(word)
            elif runs[-1]:
                runs.append([])
    named = (frozenset(t for w in run for t in analyzer.word_terms(w)) for run in runs if len(run) >= 2)
    return tuple(dict.fromkeys(terms for terms in named if len(terms) >= 2))


def _acronyms_of(words: Sequence[str], analyzer: Analyzer, acronyms: Acronyms) -> list[tuple[str, str]]:
    """The acronyms whose expansions the question spells out ("reinforcement learning" -> "rl"), each
    with the words that spell it."""
    if not acronyms:
        return []
    expansions = acronyms.spelt_out
    stems = [analyzer.word_terms(w)[-1] for w in words]
    return [
        (expansions[gram], " ".join(words[i : i + n]))
        for n in (2, 3)
        for i in range(len(stems) - n + 1)
        if (gram := tuple(stems[i : i + n])) in expansions
    ]


def _spelling(
    found: dict[str, tuple[str, ...]], acronym: str, expansion: Sequence[str], weights: Mapping[str, float]
) -> None:
    """Notes ``acronym`` and ``expansion`` as one thing said two ways, when the question weighs both."""
    if acronym in weights and expansion and all(t in weights for t in expansion):
        found[acronym] = tuple(expansion)


def _spells_acronym(word: str, term: str) -> bool:
    """Whether ``word`` is written as the acronym ``term`` (plural or possessive too: "GANs", "AI's"), not
    a longer word that stems to the same letters ("tried" is no TRI)."""
    return word.replace("’", "'").removesuffix("'s").removesuffix("s") in (term, term.removesuffix("s"))


class Acronyms(dict[str, tuple[str, ...]]):
    """An index's acronyms (acronym term -> its expansion's terms), and the other way round in
    ``spelt_out``: made once per index, as making it took 0.5 ms of every question on lexicap (kept with
    the index, so it goes when the index goes)."""

    def __init__(self, expansions: Mapping[str, Sequence[str]]) -> None:
        super().__init__((acronym, tuple(terms)) for acronym, terms in expansions.items())
        self.spelt_out = {terms: acronym for acronym, terms in self.items()}


_LONGEST_SPLIT = 40  # characters: a longer "word" is pasted noise, and each cut costs two stems


def _split(word: str, analyzer: Analyzer, vocab: Mapping[str, int]) -> list[tuple[str, float]]:
    """Two indexed words that make up ``word``, the more balanced split first."""
    if not word.isalnum() or not 6 <= len(word) <= _LONGEST_SPLIT:
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


def _fuzzy(
    word: str, term: str, terms: Sequence[str], weight: float, rarity: Callable[[str], float]
) -> list[tuple[str, float]]:
    """The (at most two) other indexed terms close in spelling to ``term`` (the stem of ``word``) that
    also sound like it: each gets its share of ``weight``, scaled by its similarity."""
    if len(word) < _MIN_FUZZY_LEN or not term.isalpha():
        return []
    close = process.extract(term, terms, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF, limit=_FUZZY_LOOKS)
    found = [(match, score) for match, score, _ in close if match != term and sounds_alike(term, match)][:2]
    common = min((rarity(match) for match, _ in found), default=1.0)
    return [
        (match, weight * score / 100 / len(found) * min(1.0, common / rarity(match)))
        for match, score in found
    ]


def sounds_alike(a: str, b: str) -> bool:
    """Whether two words sound alike: the same Metaphone code ("Tworek" and "Twerk", "Solomonoff" and
    "Solomonov"; not "Tworek" and "work", nor "silent" and "sent"), or the same Soundex code and a close
    spelling ("netwrok" and "network"; Soundex alone lets "rival" meet "reveal")."""
    if jellyfish.metaphone(a) == jellyfish.metaphone(b):
        return True
    return jellyfish.soundex(a) == jellyfish.soundex(b) and fuzz.ratio(a, b) >= _SOUNDEX_CUTOFF


def same_sound(a: str, b: str) -> bool:
    """Whether two words sound the same beyond doubt: one Metaphone code of three sounds or more (a shorter
    one is shared by too many words: "xyzzy" and "xyz" are both "SS")."""
    code = jellyfish.metaphone(a)
    return len(code) >= 3 and code == jellyfish.metaphone(b)
