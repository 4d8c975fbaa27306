"""What each sentence brings to a quotability score, for all the sentences of a document at once.

The sentences are the index's (``index.sentences``): each one is taken whole. The features are found with
array operations over the text's bytes: characters as ASCII (curly quotes as straight ones, "…" as a byte
of its own, any other character as a byte that is neither a letter nor punctuation), words as runs of
letters, digits and ', lower-cased.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .words import (
    CODE,
    DOTTED_ABBREVIATIONS,
    FILLER_PHRASES,
    HEAD_CODES,
    PROMO_PHRASE_KINDS,
    PROMO_PHRASES,
    SHOW_PHRASES,
    Tables,
)

__all__ = ["FRAGMENT_WORDS", "Features", "sentence_features"]

FRAGMENT_WORDS = 3  # a sentence of fewer words is a fragment ("Right.", "Yeah, yeah.")
_STUTTER = 1.0  # filler for a word said twice in a row

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Bytes = npt.NDArray[np.uint8]

_NOT_ASCII = 1
_ELLIPSIS = 2
_AS_BYTE = {0x2019: ord("'"), 0x2018: ord("'"), 0x201C: ord('"'), 0x201D: ord('"'), 0x2026: _ELLIPSIS}


def _byte_set(chars: bytes | list[int]) -> Bools:
    table = np.zeros(256, dtype=bool)
    table[list(chars)] = True
    return table


_CAPITAL_OR_DIGIT = _byte_set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_INITIALS = _byte_set(b"ABCDEFGHJKLMNOPQRSTUVWXYZ")  # "W." in "George W. Bush"; not "I."
_OPENERS = _byte_set(b"\"'([")
_CLOSERS = _byte_set(b"\"')]")
_NOISE = _byte_set(b"[]<>#*|&{}_\\~^")
_DIGITS = _byte_set(b"0123456789")
_LOWER = _byte_set(b"abcdefghijklmnopqrstuvwxyz")
_LETTERS = _byte_set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
# Word bytes lower-cased; every other byte is a space between words.
_WORD_BYTES = np.full(256, 32, dtype=np.uint8)
_WORD_BYTES[list(b"abcdefghijklmnopqrstuvwxyz0123456789'")] = list(b"abcdefghijklmnopqrstuvwxyz0123456789'")
_WORD_BYTES[list(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ")] = list(b"abcdefghijklmnopqrstuvwxyz")


@dataclass(frozen=True, slots=True)
class Features:
    """Per sentence, what the score of an excerpt made of it needs."""

    chars: Ints
    start_ok: Bools  # starts with a capital or a digit (an opening quote or bracket may come first)
    lead: Floats  # the opening factor of its first word
    end_ok: Bools  # ends with "." or "!": not "...", a question, nor an abbreviation or initial ("Dr.")
    ended: Bools  # ends a thought at all: "?" and "..." too
    question: Bools  # ends with "?" or starts like a question
    promo: Ints  # how many kinds of promo word and phrase it holds (a sponsor read, intro or outro)
    signature: Floats  # equal for sentences of the same words
    words: Floats
    stop: Floats  # stop words and fillers
    fill: Floats  # filler, weighted
    references: Floats  # third-person pronouns
    past: Floats  # past-tense words
    fragment: Bools  # fewer than FRAGMENT_WORDS words
    bad: Ints  # noise, promo and show words and phrases

    @property
    def size(self) -> int:
        return len(self.chars)


def sentence_features(sentences: Sequence[str]) -> Features:
    """The features of each of ``sentences``."""
    text = "\0".join(sentences)
    if text.count("\0") != max(len(sentences) - 1, 0):  # a NUL inside a sentence: read it as a space
        text = "\0".join(s.replace("\0", " ") for s in sentences)
    byte = _Bytes(text)
    breaks = np.flatnonzero(byte.data == 0)
    starts = np.concatenate([[0], breaks + 1]).astype(np.int64)[: len(sentences)]
    ends = np.concatenate([breaks, [len(byte.data)]]).astype(np.int64)[: len(sentences)]
    chars = ends - starts
    words = _Words(_WORD_BYTES[byte.data], starts)

    mark = ends - 1 - (_CLOSERS[byte[ends - 1]] & (chars > 1))  # the last character before any closer
    good = ((byte[mark] == ord(".")) | (byte[mark] == ord("!"))) & ~_abbreviated(byte, words, ends)
    trailing = (byte[mark] == _ELLIPSIS) | ((byte[mark] == ord(".")) & (byte[mark - 1] == ord(".")))
    first, second, third = words.heads(3)
    question = (
        (byte[mark] == ord("?"))
        | (Tables.auxiliary[first] & Tables.subject[second])
        | (Tables.question_word[first] & Tables.auxiliary[second] & Tables.subject[third])
    )
    ed = np.flatnonzero(
        (words.ends - words.starts > 3)
        & (byte[words.ends - 2] | 32 == ord("e"))
        & (byte[words.ends - 1] | 32 == ord("d"))
    )
    promo = words.per_sentence(Tables.promo[words.codes]) + words.phrases(PROMO_PHRASES)
    show = words.per_sentence(Tables.show[words.codes]) + words.phrases(SHOW_PHRASES)
    count = words.per_sentence()
    hashes = (words.hashes >> np.uint64(11)).astype(np.float64)  # 53 bits: a float holds them exactly
    return Features(
        chars=chars,
        start_ok=(chars > 0)
        & (_CAPITAL_OR_DIGIT[byte[starts]] | (_OPENERS[byte[starts]] & _CAPITAL_OR_DIGIT[byte[starts + 1]])),
        lead=Tables.lead[first],
        end_ok=good & ~trailing & ~question,
        ended=good | trailing | question,
        question=question,
        promo=words.kinds(Tables.promo_kind[words.codes], PROMO_PHRASE_KINDS),
        signature=words.per_sentence(hashes) + count,
        words=count,
        stop=words.per_sentence(Tables.stop[words.codes]),
        fill=_filler(words),
        references=words.per_sentence(Tables.reference[words.codes]),
        past=words.per_sentence(Tables.past[words.codes]) + words.per_sentence(at=ed),
        fragment=count < FRAGMENT_WORDS,
        bad=(_flagged(text, byte, starts) + promo + show).astype(np.int64),
    )


class _Bytes:
    """The text as bytes (see the module's doc); read past either end, a space."""

    def __init__(self, text: str) -> None:
        if text.isascii():
            self.data = np.frombuffer(text.encode("ascii"), dtype=np.uint8).copy()
        else:
            points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
            self.data = points.astype(np.uint8)
            wide = np.flatnonzero(points >= 128)
            self.data[wide] = _NOT_ASCII
            for point, value in _AS_BYTE.items():
                self.data[wide[points[wide] == point]] = value
        self._padded = np.concatenate([[32] * 5, self.data, [32] * 2]).astype(np.uint8)

    def __getitem__(self, at: Ints) -> Bytes:
        return self._padded[at + 5]


def _abbreviated(byte: _Bytes, words: _Words, ends: Ints) -> Bools:
    """The sentences that end with an abbreviation ("Dr.", "e.g.") or an initial ("W."), as the index's
    sentences may at a change of speaker: they end no thought."""
    out = np.zeros(len(ends), dtype=bool)
    if len(words.codes):
        last = np.maximum(np.searchsorted(words.starts, ends) - 1, 0)  # the last word: right before a "."?
        dotted = (words.ends[last] == ends - 1) & (byte[ends - 1] == ord("."))
        initial = (words.ends[last] - words.starts[last] == 1) & _INITIALS[byte[words.starts[last]]]
        out = dotted & (Tables.abbreviation[words.codes[last]] | initial)
    for latin in DOTTED_ABBREVIATIONS:
        out |= np.logical_and.reduce([byte[ends - len(latin) + k] == c for k, c in enumerate(latin)])
    return out


def _filler(words: _Words) -> Floats:
    """Per sentence, its filler: words and phrases, weighted, and each word said twice in a row."""
    same_sentence = words.sentence[1:] == words.sentence[:-1]
    stutter = np.flatnonzero((words.hashes[1:] == words.hashes[:-1]) & same_sentence) + 1
    fill = words.per_sentence(Tables.fill[words.codes]) + _STUTTER * words.per_sentence(at=stutter)
    for phrase, weight in FILLER_PHRASES.items():
        fill += weight * words.phrases([phrase])
    return fill


def _flagged(text: str, byte: _Bytes, starts: Ints) -> Floats:
    """Per sentence, the marks of what a quote must not hold: markup and bracketed noise, clock times
    (12:30), domains (rejuve.io) and "% off"."""
    data = byte.data
    colons = np.flatnonzero(data == ord(":"))
    clock = colons[_DIGITS[byte[colons - 1]] & _DIGITS[byte[colons + 1]]]
    dots = np.flatnonzero(data == ord("."))
    domains = dots[_LETTERS[byte[dots - 1]] & _LOWER[byte[dots + 1]]]  # rejuve.io, indeed.com, e.g.
    percent_off = np.array([m.start() for m in re.finditer(r"%\s*off\b", text)], dtype=np.int64)
    flagged = np.concatenate([np.flatnonzero(_NOISE[data]), clock, domains, percent_off]).astype(np.int64)
    owner = np.searchsorted(starts, flagged, side="right") - 1
    return np.bincount(owner, minlength=len(starts)).astype(np.float64)


class _Words:
    """The words of the text: code (0 for a word of no list), hash, start and end, and sentence."""

    def __init__(self, mapped: Bytes, sentence_starts: Ints) -> None:
        inside = mapped != 32
        self.starts = np.flatnonzero(inside & ~np.concatenate([[False], inside[:-1]]))
        self.ends = np.flatnonzero(inside & ~np.concatenate([inside[1:], [False]])) + 1
        found = mapped.tobytes().split()  # the same words, in the same order
        self.codes = np.fromiter(map(CODE.get, found, itertools.repeat(0)), dtype=np.int64, count=len(found))
        # Python's hash of each word (salted per process: compared only within this text).
        self.hashes = np.fromiter(map(hash, found), dtype=np.int64, count=len(found)).view(np.uint64)
        self.sentence = np.searchsorted(sentence_starts, self.starts, side="right") - 1
        self._sentence_starts = sentence_starts
        self._n = len(sentence_starts)
        heads = np.flatnonzero(Tables.head[self.codes])
        self._starting = {c: heads[self.codes[heads] == c] for c in HEAD_CODES}  # where each phrase may start

    def per_sentence(self, weights: Floats | None = None, at: Ints | None = None) -> Floats:
        """The sum of ``weights`` (one per word; 1 when None) over each sentence's words, or over those at
        the places ``at``."""
        owner = self.sentence if at is None else self.sentence[at]
        return np.bincount(owner, weights=weights, minlength=self._n).astype(np.float64)

    def kinds(self, kind: Floats, phrase_kinds: Sequence[Sequence[tuple[str, ...]]]) -> Ints:
        """How many different kinds of word (``kind``: one per word, 0 for none) and of phrase (the
        phrases of one of ``phrase_kinds`` are one kind) each sentence holds."""
        at = np.flatnonzero(kind)
        found = [np.stack([self.sentence[at], kind[at].astype(np.int64)])]
        for number, phrases in enumerate(phrase_kinds, 1):
            for phrase in phrases:
                starts = self._phrase_at(phrase)
                found.append(np.stack([self.sentence[starts], np.full(len(starts), -number)]))
        sentences = np.unique(np.concatenate(found, axis=1), axis=1)[0]
        return np.bincount(sentences, minlength=self._n).astype(np.int64)

    def heads(self, k: int) -> list[Ints]:
        """The codes of the first ``k`` words of each sentence (0 past a sentence's end)."""
        n = self._n
        head = np.searchsorted(self.starts, self._sentence_starts)
        codes = np.concatenate([self.codes, np.zeros(k, dtype=np.int64)])
        sentence = np.concatenate([self.sentence, np.full(k, -1)])
        return [np.where(sentence[head + i] == np.arange(n), codes[head + i], 0) for i in range(k)]

    def phrases(self, phrases: Iterable[tuple[str, ...]]) -> Floats:
        """How many of ``phrases`` each sentence holds (a phrase within one sentence)."""
        return self.per_sentence(at=np.concatenate([self._phrase_at(p) for p in phrases]))

    def _phrase_at(self, phrase: tuple[str, ...]) -> Ints:
        at: Ints = self._starting[CODE[phrase[0].encode()]]
        for k, word in enumerate(phrase[1:], 1):
            at = at[at + k < len(self.codes)]
            at = at[
                (self.codes[at + k] == CODE[word.encode()]) & (self.sentence[at + k] == self.sentence[at])
            ]
        return at
