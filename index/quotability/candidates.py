"""The daily quote's candidates: the best excerpt of each passage, found at build time and saved.

An excerpt is a run of one to three of the index's sentences (``scoring``). It must start after a sentence
that ended: not after an unpunctuated one nor an abbreviation, where it would start mid-sentence. It is
one speaker's words: it never runs across a change of speaker, which would credit the first with the
second's words. And sponsor reads, intros and outros are left out whole, as their other sentences ("Cash
App lets you send money to friends…") carry no telling word: nothing within 400 characters of a sponsor,
intro or outro phrase (the first group under **clean** in ``scoring``), nor between two of them less than
2,000 characters apart, is a candidate. The same rule marks the index's packaging sentences (``packaging``),
which the searcher ranks below the conversation.

A phrase alone is no read where the conversation is: a read holds several ("sponsored by", "use code",
"slash", ".com"), an intro or outro sits in the opening or closing. A lone phrase in the middle of an episode,
far from any other, is talk ("I don't subscribe to that", "Changelog.com is open source", "robotics slash AI")
and marks nothing: the check index (lexicap and four Changelog shows) has 231 lone phrases outside openings
and closings, and of 40 drawn at random 38 were talk (the other two a guest's plug and a late intro); each had
marked some fifteen sentences around it for the searcher and the daily quote. In the opening and closing (the
document prior's, ``intros.OPENING_CHARS`` and ``CLOSING_CHARS``; 3,000 characters for the opening measured
the same) one phrase is enough, and so anywhere are two kinds of phrase in one sentence (a word's forms, or
other words for one thing, are one kind): a read said in one breath ("brought to you by X: use code Y for
twenty percent off"). The same phrase twice ("robotics slash AI slash …", "subscribe … unsubscribe") is still
talk: counted phrase by phrase, 16 lone sentences in the check index would have been marked, 13 of them talk;
counted kind by kind, 3 (a late intro and two plugs). Measured (``benchmarks/quality.py``): seeds quote@1
0.567 -> 0.600, lexicap @1 0.500 -> 0.512, the check set's passage@3 0.654 -> 0.692 (a Changelog guest's
answer had been marked around "Changelog.com"), quote@3 and SciFact unchanged.

Passages overlap by half: of two excerpts that share a sentence only the better is kept, and an excerpt
is listed once, with the first passage that holds it. All of this stays inside a document, so the builder
finds each document's candidates where it reads the file (``document_quotes``); the index keeps them best
first (``best_first``) in a ``QUOTES`` array.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..intros import CLOSING_CHARS, OPENING_CHARS
from .features import Features, sentence_features
from .scoring import DEFAULT_MIN_SCORE, MAX_SENTENCES, run_scores

__all__ = ["QUOTES", "QuoteCandidate", "best_first", "candidates", "document_quotes", "packaging"]

_PROMO_RADIUS = 400  # characters around a sponsor or show-opening phrase that belong to the read
_PROMO_GAP = 2000  # two such phrases closer than this: all between them belongs to the read

QUOTES = np.dtype(
    [
        ("passage", "<i4"),
        ("sentence", "<i8"),  # the first, numbered in the index (in its document, before the builder joins)
        ("sentences", "<i4"),
        ("start", "<i4"),  # in the passage's text
        ("end", "<i4"),
        ("score", "<i4"),  # quotability in millionths
        ("key", "S16"),
    ]
)
"""The saved form of the candidates: one record each."""

Bools = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]
Quotes = npt.NDArray[np.void]


@dataclass(frozen=True, slots=True)
class QuoteCandidate:
    passage_id: int
    text: str  # whole sentences, verbatim: the passage's text[start:end]
    start: int
    end: int
    score: float  # quotability in [0, 1], to 6 places
    key: str  # the same in every process and every build of the same files: a hash of document id and text


def candidates(quotes: Quotes, sentences: Callable[[int, int], list[str]]) -> list[QuoteCandidate]:
    """The saved ``quotes`` as candidates; ``sentences(lo, hi)`` reads the index's sentences lo to hi."""
    return [
        QuoteCandidate(
            passage_id=int(q["passage"]),
            text=" ".join(sentences(int(q["sentence"]), int(q["sentence"]) + int(q["sentences"]))),
            start=int(q["start"]),
            end=int(q["end"]),
            score=int(q["score"]) / 1e6,
            key=q["key"].decode(),
        )
        for q in quotes
    ]


def best_first(quotes: Quotes) -> Quotes:
    """Best score first, then by key: equal scores in an order spread over all documents."""
    return quotes[np.lexsort((quotes["key"], -quotes["score"]))]


def packaging(sentences: Sequence[str]) -> Bools:
    """Which of one document's ``sentences`` belong to a sponsor read, intro or outro."""
    return _in_a_read(sentence_features(sentences))


def document_quotes(
    sentences: Sequence[str],
    windows: npt.NDArray[np.int32],
    doc_id: str,
    min_score: float = DEFAULT_MIN_SCORE,
    speakers: npt.NDArray[np.int32] | None = None,
) -> tuple[Bools, Quotes]:
    """One document's packaging sentences (``packaging``) and its candidates scoring at least
    ``min_score``, its passages being the (first, end) sentence ranges ``windows``. With each sentence's
    ``speakers`` (-1: unknown), a candidate is one speaker's: it never runs across a change of speaker."""
    f = sentence_features(sentences)
    in_read = _in_a_read(f)
    n = f.size
    if n == 0 or len(windows) == 0:
        return in_read, np.zeros(0, QUOTES)
    allowed = np.concatenate([[True], f.ended[:-1]]) & ~in_read  # none starts mid-sentence
    blocked = np.concatenate([[0], np.cumsum(~allowed)])
    turns = np.zeros(n, dtype=np.int64)  # how many changes of speaker up to each sentence
    if speakers is not None and n > 1:
        turns[1:] = np.cumsum(speakers[1:] != speakers[:-1])

    # Each run as one integer that orders runs: score (6 places), then earlier start, then fewer sentences.
    width = MAX_SENTENCES * (n + 1)
    keyed: list[Ints] = []
    for size in range(1, MAX_SENTENCES + 1):
        scores = np.zeros(n + 1)  # one more: a run past the end, never chosen
        m = n - size + 1
        if m > 0:
            one_speaker = turns[size - 1 : size - 1 + m] == turns[:m]
            scores[:m] = run_scores(f, size) * ((blocked[size : size + m] == blocked[:m]) & one_speaker)
        run = np.arange(n + 1) * MAX_SENTENCES + size - 1
        key = np.round(scores * 1e6).astype(np.int64) * width + (width - 1 - run)
        key[(scores < min_score) | (scores <= 0)] = -1
        keyed.append(key)

    # The best run inside each passage.
    lo, hi = windows[:, 0].astype(np.int64), windows[:, 1].astype(np.int64)
    best = np.full(len(lo), -1, dtype=np.int64)
    for size, key in enumerate(keyed, 1):
        last_start = np.clip(hi - size + 1, 0, n)
        bounds = np.empty(2 * len(lo), dtype=np.int64)
        bounds[0::2], bounds[1::2] = lo, np.maximum(last_start, lo)
        top = np.maximum.reduceat(key, bounds)[0::2]
        best = np.maximum(best, np.where(last_start > lo, top, -1))

    passages = np.flatnonzero(best >= 0)
    run = width - 1 - best[passages] % width
    run, first = np.unique(run, return_index=True)  # a run chosen by several passages: the first one
    passages, score = passages[first], best[passages[first]] // width
    order = np.lexsort((run, passages, -score))
    return in_read, _distinct(sentences, lo, passages[order], run[order], score[order], doc_id)


def _distinct(
    sentences: Sequence[str], lo: Ints, passages: Ints, runs: Ints, scores: Ints, doc_id: str
) -> Quotes:
    """The runs, better first, that share no sentence with a better one, nor its text."""
    taken = bytearray(len(sentences))
    seen: set[bytes] = set()
    out: list[tuple[int, int, int, int, int, int, bytes]] = []
    for pid, r, q in zip(passages.tolist(), runs.tolist(), scores.tolist(), strict=True):
        i, size = divmod(r, MAX_SENTENCES)
        size += 1
        if any(taken[i : i + size]):
            continue
        taken[i : i + size] = b"\1" * size
        text = " ".join(sentences[i : i + size])
        digest = hashlib.sha1(f"{doc_id}\n{text}".encode()).hexdigest()[:16].encode()
        if digest not in seen:
            seen.add(digest)
            start = sum(len(s) + 1 for s in sentences[int(lo[pid]) : i])
            out.append((pid, i, size, start, start + len(text), q, digest))
    return np.array(out, dtype=QUOTES)


def _in_a_read(f: Features) -> Bools:
    """Sentences of a sponsor read, intro or outro: within ``_PROMO_RADIUS`` of a promo phrase, or
    between two that are close; a phrase counts where another is within ``_PROMO_GAP``, where its
    sentence holds two kinds of them, or in the opening or closing (``_corroborated``)."""
    ends = np.cumsum(f.chars + 1) - 1
    starts = ends - f.chars
    marks = _corroborated(np.flatnonzero(f.promo), f.promo, starts, ends)
    if len(marks) == 0:
        return np.zeros(f.size, dtype=bool)
    at = np.arange(f.size)
    after = np.minimum(np.searchsorted(marks, at, side="left"), len(marks) - 1)
    before = np.maximum(np.searchsorted(marks, at, side="right") - 1, 0)
    has_after, has_before = marks[after] >= at, marks[before] <= at
    near_after = has_after & (starts[marks[after]] - ends <= _PROMO_RADIUS)
    near_before = has_before & (starts - ends[marks[before]] <= _PROMO_RADIUS)
    between = has_after & has_before & (starts[marks[after]] - ends[marks[before]] <= _PROMO_GAP)
    out: Bools = near_after | near_before | between
    out[marks] = True
    return out


def _corroborated(marks: Ints, phrases: Ints, starts: Ints, ends: Ints) -> Ints:
    """The ``marks`` (sentences holding a promo phrase) that hold two kinds of them or more (``phrases``:
    how many kinds each sentence holds), that another is close to, or that lie in the opening or closing of
    the document (``starts``/``ends``: each sentence's characters)."""
    if len(marks) == 0:
        return marks
    gaps = starts[marks[1:]] - ends[marks[:-1]] <= _PROMO_GAP
    paired = np.concatenate([[False], gaps]) | np.concatenate([gaps, [False]])
    framing = (starts[marks] < OPENING_CHARS) | (starts[marks] >= ends[-1] - CLOSING_CHARS)
    kept: Ints = marks[(phrases[marks] > 1) | paired | framing]
    return kept
