"""Picking the quote inside a passage: the run of whole sentences that best carries the question.

The run covers as much of the question's weight as fits in ``MAX_QUOTE_CHARS``; among equal runs it
fills the room, preferring what follows the matching sentence, since answers often come a sentence
after the words that match the question.

Quotes follow the conversation: a run never spans two speakers, and a question that matches counts for
the reply that follows it (the next speaker's turn, or where speakers are unknown the next sentences that
are not questions), so that when the words that match are the interviewer's, the quote is the answer; the
question itself is quoted too when it fits beside the reply (only where speakers are unknown).

Among runs of equal weight, before the room they fill: the one whose statements (not its questions) carry
more of the question, then the one holding the heaviest single sentence (where the question's words come
together, rather than the same words scattered over a longer run), then one whose last matching question
is answered inside it rather than left hanging at its end. Measured on the dev sets (quote recall@3):
lexicap 0.613 -> 0.637, seeds (0.667), check (0.462) and SciFact unchanged; the heaviest sentence alone
traded a question for another on lexicap and lost one on check, which the statements' weight before it
keeps (it moves no quote by itself). Picking the runs of the 110 dev questions' top 10 takes 0.38 ms of
CPU a question instead of 0.36 (a run that already weighs less than the best is not scored further).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, KeysView, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import reduce
from itertools import accumulate, chain
from operator import or_

from .analyzer import Analyzer, words

__all__ = [
    "ELLIPSIS",
    "LEAD_SENTENCES",
    "MAX_QUOTE_CHARS",
    "MIN_REPLY_CHARS",
    "Quote",
    "QuotePicker",
    "Terms",
    "is_question",
    "opens_reply",
    "questions_of",
    "said_both_ways",
]

MAX_QUOTE_CHARS = 500
ELLIPSIS = "…"
MIN_REPLY_CHARS = 30
LEAD_SENTENCES = 2
"""Where speakers are unknown, what a reply answers counts the two sentences before the questions too
(measured: none, lexicap's dev set quote@3 0.575; one, 0.588; two, 0.600; three or five, a question lost
on a dev set)."""
"""A shorter turn after a question ("Yes.", "It is.", "Right.") is taken for an acknowledgement, not the
answer: the question's own words are quoted instead."""

Terms = tuple[str, ...]  # the index terms of a sentence's words, each once


@dataclass(frozen=True, slots=True)
class Quote:
    text: str
    first: int  # index of the first and last sentence used
    last: int
    matched: tuple[str, ...]


class QuotePicker:
    """Picks the best run of a passage's sentences for a question: it remembers the terms of the words
    it has met, and takes the terms of a passage's sentences from a caller that keeps them (they do not
    depend on the question)."""

    def __init__(self, analyzer: Analyzer, max_words: int = 1 << 17) -> None:
        self._word_terms = _WordTerms(analyzer, max_words)
        self._token_terms = _TokenTerms(self._word_terms, max_words)
        self._query: tuple[list[tuple[str, float]], dict[str, int], _MaskWeights] = ([], {}, _MaskWeights({}))

    def sentence_terms(self, sentence: str) -> Terms:
        """Every term the words of ``sentence`` analyze to, once each."""
        # No word spans white space: the terms of the sentence are those of its space-separated tokens.
        return tuple(set().union(*map(self._token_terms.__getitem__, sentence.split())))

    def pick(
        self,
        sentences: Sequence[str],
        weights: Mapping[str, float],
        limit: int = MAX_QUOTE_CHARS,
        *,
        terms: Sequence[Terms] | None = None,
        speakers: Sequence[int] | None = None,
    ) -> Quote:
        """The best run of ``sentences``; ``weights`` maps each query term to its importance, ``terms``
        are the sentences' ``sentence_terms`` when the caller has them, and ``speakers`` who says each
        sentence (a number; -1 or None: unknown)."""
        if terms is None:
            terms = [self.sentence_terms(s) for s in sentences]
        run = self.run(sentences, weights, limit, terms=terms, speakers=speakers)
        return self.render(sentences, run, weights, limit, terms=terms)

    def run(
        self,
        sentences: Sequence[str],
        weights: Mapping[str, float],
        limit: int = MAX_QUOTE_CHARS,
        *,
        terms: Sequence[Terms] | None = None,
        speakers: Sequence[int] | None = None,
        questions: Sequence[bool] | None = None,
        only: Collection[int] | None = None,
        taken: AbstractSet[int] = frozenset(),
    ) -> tuple[int, int] | None:
        """The first and last sentence ``pick`` quotes (None: the passage is empty), without the text;
        ``questions`` says which sentences are questions (``questions_of``), when the caller has it; with
        ``only``, the run is one of these speakers' turns that says or answers something of the question
        (None when they say nothing of it here); with ``taken`` (sentences another quote holds), the run
        keeps clear of them and says something of the question (None when nothing else here does)."""
        if terms is None:
            terms = [self.sentence_terms(s) for s in sentences]
        bits, mask_weights = self._bits(weights)
        query = bits.keys()
        masks = [
            0 if k in taken or query.isdisjoint(ts) else sum(bits[t] for t in query & ts)
            for k, ts in enumerate(terms)
        ]  # a taken sentence counts for nothing, not even for the reply to it
        turns = list(speakers) if speakers is not None else [-1] * len(sentences)
        budget = limit - 2 * (len(ELLIPSIS) + 1)
        lengths = [len(s) for s in sentences]
        if questions is None:
            questions = questions_of(sentences)
        asked = _asked(questions, masks, turns, lengths)
        allowed = None if only is None else [speaker in only for speaker in turns]
        runs = turns
        if taken:  # a taken sentence is a turn of its own that no run may start at
            allowed = [(allowed is None or allowed[k]) and k not in taken for k in range(len(turns))]
            runs = [-2 - k if k in taken else speaker for k, speaker in enumerate(turns)]
        return _best_run(lengths, masks, asked, questions, runs, mask_weights, budget, allowed)

    def weight(self, terms: Sequence[Terms], run: tuple[int, int], weights: Mapping[str, float]) -> float:
        """The weight of the query terms (``weights``) that sentences ``run`` hold (``terms``: each
        sentence's), each counted once, to 6 places."""
        bits, mask_weights = self._bits(weights)
        mask = 0
        for sentence in terms[run[0] : run[1] + 1]:
            for term in sentence:
                mask |= bits.get(term, 0)
        return mask_weights[mask]

    def _bits(self, weights: Mapping[str, float]) -> tuple[dict[str, int], _MaskWeights]:
        """The query terms as the bits of an int (those of a run are the OR of its sentences' masks), and
        the weight of each mask; kept for the next passage of the same question, which reuses both (read
        and replaced as one tuple: a search in another thread never mixes its question's bits with ours)."""
        items = list(weights.items())
        kept = self._query
        if items != kept[0]:
            kept = self._query = (
                items,
                {term: 1 << k for k, term in enumerate(weights)},
                _MaskWeights(weights),
            )
        return kept[1], kept[2]

    def render(
        self,
        sentences: Sequence[str],
        run: tuple[int, int] | None,
        weights: Mapping[str, float],
        limit: int = MAX_QUOTE_CHARS,
        *,
        terms: Sequence[Terms] | None = None,
    ) -> Quote:
        """The quote of sentences ``run`` (from ``run``), with the words that match ``weights``."""
        if run is None:
            return Quote("", 0, -1, ())
        i, j = run
        query = weights.keys()
        quoted = range(i, j + 1)
        matching = [
            sentences[k]
            for k in quoted
            if not query.isdisjoint(terms[k] if terms is not None else self.sentence_terms(sentences[k]))
        ]
        return Quote(_render(sentences, i, j, limit), i, j, self._matched(matching, query))

    def _matched(self, sentences: Sequence[str], query: KeysView[str]) -> tuple[str, ...]:
        """The words of ``sentences`` that carry a query term, as written, once each, in order (words are
        found only in the space-separated tokens that carry one)."""
        terms, tokens = self._word_terms, self._token_terms
        return tuple(
            dict.fromkeys(
                w
                for s in sentences
                for token in s.split()
                if not query.isdisjoint(tokens[token])
                for w in words(token)
                if not query.isdisjoint(terms[w])
            )
        )


class _WordTerms(dict[str, Terms]):
    """``Analyzer.surface_terms`` of each word met, as a dict: looking up the hundreds of words of a passage
    costs a fraction of as many calls. Emptied when it holds ``size`` words, to stay bounded."""

    def __init__(self, analyzer: Analyzer, size: int) -> None:
        super().__init__()
        self._analyzer, self._size = analyzer, size

    def __missing__(self, word: str) -> Terms:
        if len(self) >= self._size:
            self.clear()
        self[word] = terms = self._analyzer.surface_terms(word)
        return terms


class _TokenTerms(dict[str, Terms]):
    """The terms of the words of each space-separated token met (``"learning,"``, ``"GPT-4."``), in the
    order of its words, as a dict: a sentence's tokens are looked up at once, without finding its words.
    Kept in order, so that a sentence's set of terms is built in the same order as from its words (the
    order a set iterates in, and so the order float weights are added up in, depends on it). Bounded like
    ``_WordTerms``."""

    def __init__(self, word_terms: _WordTerms, size: int) -> None:
        super().__init__()
        self._word_terms, self._size = word_terms, size

    def __missing__(self, token: str) -> Terms:
        if len(self) >= self._size:
            self.clear()
        self[token] = terms = tuple(chain.from_iterable(map(self._word_terms.__getitem__, words(token))))
        return terms


class _MaskWeights(dict[int, float]):
    """The weight of each set of query terms (a mask of ``QuotePicker.pick``'s bits), to 6 places."""

    def __init__(self, weights: Mapping[str, float]) -> None:
        super().__init__()
        self._weights = list(weights.values())

    def __missing__(self, mask: int) -> float:
        weight = 0.0
        for k, w in enumerate(self._weights):
            if mask >> k & 1:
                weight += w
        self[mask] = rounded = round(weight, 6)
        return rounded


def said_both_ways(
    terms: Sequence[Terms],
    spellings: Sequence[tuple[str, Terms]],
    in_a_row: Callable[[int, Terms], bool] = lambda sentence, expansion: True,
) -> Sequence[Terms]:
    """``terms`` (each sentence's) with each acronym of ``spellings`` (acronym, its expansion's terms)
    added where a sentence spells it out (``in_a_row``: whether sentence k says the terms one after
    another, not "learn by reinforcement" for RL), and its expansion where it says the acronym: "machine
    learning" answers a question about ML as well as "ML" does, and weighs as much in a quote (seeds
    quote@3 0.700 -> 0.733, lexicap, check and SciFact unchanged; the same in the re-ranker's nearness
    cost lexicap an answer at @1 and SciFact 0.6960 -> 0.6935)."""
    if not spellings:
        return terms
    said = set().union(*((*expansion, acronym) for acronym, expansion in spellings))
    out = list(terms)
    for k, ts in enumerate(terms):
        if said.isdisjoint(ts):
            continue  # most sentences say neither
        extra: set[str] = set()
        for acronym, expansion in spellings:
            if acronym in ts:
                extra.update(expansion)
            elif all(t in ts for t in expansion) and in_a_row(k, expansion):
                extra.add(acronym)
        if extra := extra.difference(ts):
            out[k] = ts + tuple(sorted(extra))
    return out


_CLOSERS = " \"'”’)]»…"


def is_question(sentence: str) -> bool:
    """Whether ``sentence`` ends with a question mark (before any closing quote or bracket)."""
    last = sentence[-1:]
    if last in _CLOSERS:  # rare: look past them
        last = sentence.rstrip(_CLOSERS)[-1:]
    return last == "?" or last == "？"


_REPLY_WORDS = ("yes", "yeah", "yep", "no", "nope", "well", "sure", "absolutely", "exactly", "right")
_REPLY_OPENING = re.compile(rf"(?i:{'|'.join(_REPLY_WORDS)})\b")
_REPLY_PREFIXES = frozenset(p for w in _REPLY_WORDS for p in (w[:2], w[:2].capitalize(), w[:2].upper()))
_ASKING_WORDS = frozenset(("what", "what's", "what’s", "why", "how", "who", "which", "where", "when"))
_PUNCTUATION = str.maketrans(dict.fromkeys(',.;:!?"“”()[]…—', " "))
_ASKING_PHRASES = ("do you", "did you", "is there", "are there", "can you", "could you", "would you")


def opens_reply(sentence: str) -> bool:
    """Whether ``sentence`` opens the way a reply to a question does ("Yes, ...", "Well, ...", "Right.")."""
    return _REPLY_OPENING.match(sentence) is not None


def questions_of(sentences: Sequence[str]) -> list[bool]:
    """Which of ``sentences`` are questions: those that end with a question mark (``is_question``), and
    those a transcript wrote with a full stop that ask something (an interrogative word) and are answered
    by the next sentence ("Yes, ...", "Well, ...")."""
    asking = list(map(is_question, sentences))
    # The first two letters first: most sentences open otherwise, and a comprehension is quick.
    for k in [k for k, s in enumerate(sentences) if s[:2] in _REPLY_PREFIXES]:
        if (
            k
            and not asking[k - 1]
            and not asking[k]
            and _REPLY_OPENING.match(sentences[k])
            and _asks_something(sentences[k - 1].lower())
        ):
            asking[k - 1] = True
    return asking


def _asks_something(sentence: str) -> bool:
    """Whether ``sentence`` (in lower case) has an interrogative word or phrase."""
    return not _ASKING_WORDS.isdisjoint(sentence.translate(_PUNCTUATION).split()) or any(
        phrase in sentence for phrase in _ASKING_PHRASES
    )


def _asked(is_asking: Sequence[bool], masks: list[int], speakers: list[int], lengths: list[int]) -> list[int]:
    """For each sentence that replies to a question, the query terms of what was asked (else 0).

    Where speakers are known, a reply starts a turn of at least ``MIN_REPLY_CHARS`` after a turn that ends
    with questions, and what was asked is those questions and the sentence before them (which often says
    what they are about). Where they are not (-1), a reply is a sentence that is not a question right
    after one or more that are, and what was asked is those questions and the ``LEAD_SENTENCES`` before
    them (the lead-in: "You told the story of ... How did that happen?"), as far back as the last reply.
    """
    turn_chars = lengths.copy()  # from each sentence to the end of its speaker's turn
    for k in range(len(lengths) - 2, -1, -1):
        if speakers[k + 1] == speakers[k]:
            turn_chars[k] += turn_chars[k + 1]
    asked = [0] * len(is_asking)
    questions: int | None = None  # the terms of the questions right before the current sentence, if any
    lead: list[int] = []  # the terms of the (at most LEAD_SENTENCES) sentences before those questions
    for k, question in enumerate(is_asking):
        if k == 0 or speakers[k] != speakers[k - 1]:
            if k > 0 and speakers[k] >= 0 and questions is not None and turn_chars[k] >= MIN_REPLY_CHARS:
                asked[k] = questions | (lead[-1] if lead else 0)
            questions, lead = None, []
        elif speakers[k] < 0 and questions is not None and not question:
            asked[k] = reduce(or_, lead, questions)
        if question:
            questions = (questions or 0) | masks[k]
        else:
            if questions is not None:  # a new lead-in starts after the questions
                questions, lead = None, []
            lead = [*lead, masks[k]][-LEAD_SENTENCES:]
    return asked


def _best_run(
    lengths: list[int],
    masks: list[int],
    asked: list[int],
    questions: Sequence[bool],
    speakers: list[int],
    weight: _MaskWeights,
    budget: int,
    allowed: Sequence[bool] | None = None,
) -> tuple[int, int] | None:
    """The first run of one speaker's sentences (first and last index) that fits ``budget`` with the most
    weight (a run that starts with a reply counts the questions' terms, ``asked``), then that takes in a
    reply to a matching question, then with the most weight in its sentences that are not ``questions``,
    then with the most weight of its own (the question as well as the reply, when both fit), then with the
    heaviest single sentence, then whose last matching question is answered inside it (or that has none),
    then the most characters of context, counting those after its first matching sentence (or the reply it
    starts with) double.

    Only runs that can be the first best are looked at. A run from i that also fits from i - 1 does no
    better than that one, unless sentence i - 1 matches or i replies: same weight, less fill. And from a
    given start, a run that ends later has more fill, and the same weight unless it takes in a matching
    sentence: only runs that end right before a matching (or empty) sentence, or as far as the budget
    allows, count. With ``allowed``, only runs that start at an allowed sentence (and so are an allowed
    speaker's) count, and only when they carry some weight.
    """
    n = len(lengths)
    ends = list(accumulate(lengths, initial=0))  # prefix sums: a run's size and fill are O(1)
    next_match = [n] * (n + 1)  # the first matching sentence at or after each one
    next_reply = [n] * (n + 1)  # the first reply to a matching question at or after each one
    for k in range(n - 1, -1, -1):
        next_match[k] = k if masks[k] else next_match[k + 1]
        next_reply[k] = k if asked[k] else next_reply[k + 1]
    best: tuple[float, bool, float, float, float, bool, int] | None = None
    run: tuple[int, int] | None = None
    last = 0  # the furthest a run from the current start can end: one sentence always fits
    for i in range(n):
        if allowed is not None and not allowed[i]:  # a whole turn: the next allowed one starts afresh
            continue
        turn = i == 0 or speakers[i - 1] != speakers[i]
        shortest = i if turn or masks[i - 1] or asked[i] else last + 1  # shorter runs fit from i - 1 too
        last = max(last, i)
        while (
            last + 1 < n
            and speakers[last + 1] == speakers[i]
            and ends[last + 2] - ends[i] + last + 1 - i <= budget
        ):
            last += 1
        if shortest > last:
            continue
        said, stated, heaviest, asking = 0, 0, 0.0, -1  # asking: the run's last matching question
        match, reply = i if asked[i] else next_match[i], next_reply[i]
        for j in range(i, last + 1):
            mask = masks[j]
            if mask:
                said |= mask
                if weight[mask] > heaviest:
                    heaviest = weight[mask]
                if questions[j]:
                    asking = j
                else:
                    stated |= mask
            if j < shortest or (j < last and lengths[j + 1] and not masks[j + 1]):
                continue
            total = weight[said | asked[i]]
            if best is not None and total < best[0]:
                continue  # the rest of the key cannot make up for less weight
            first = match if match <= j else i
            # 2 * (ends[j + 1] - ends[first]) + (ends[first] - ends[i])
            fill = 2 * ends[j + 1] - ends[first] - ends[i]
            answered = asking < 0 or next_reply[asking + 1] <= j
            candidate = (total, reply <= j, weight[stated], weight[said], heaviest, answered, fill)
            if best is None or candidate > best:
                best, run = candidate, (i, j)
    if allowed is not None and best is not None and not best[0]:
        return None
    return run


def _render(sentences: Sequence[str], i: int, j: int, limit: int) -> str:
    text = " ".join(sentences[i : j + 1])
    cut = len(text) > limit - 4  # a single sentence longer than the room: cut at a word
    if cut:
        text = text[: limit - 4].rsplit(" ", 1)[0]
    prefix = f"{ELLIPSIS} " if i > 0 else ""
    suffix = f" {ELLIPSIS}" if cut or j < len(sentences) - 1 else ""
    return prefix + text + suffix
