"""Quotability: how well a run of whole sentences stands on its own as a quote, for the "daily quote".

A quotable excerpt is one to three whole sentences, 80–400 characters, that makes sense without what came
before, ends a thought, is not a question, carries little filler and is no sponsor read, intro or outro.
``quotability(text)`` scores an excerpt in [0, 1] as the product of the factors below, each 1 for an
ideal excerpt, so that one flaw is enough to sink it. Words are counted lower-cased, as ASCII.

- **length**: 0 outside 80–400 characters; 0.7 at 80, rising to 1 at 120, 1 up to 280, falling to 0.6
  at 400.
- **opening**: 0 unless the excerpt starts with a capital letter or a digit (an opening quote or bracket
  may come first): a lower-case start is a sentence cut at its start. Then by the first word: a
  conjunction that goes on with a thought (and, but, or, because, which, then, however…) 0.35; a
  discourse marker or bare answer (so, well, now, yeah, yes, no, exactly, right, indeed…) 0.5; a word
  pointing back (that, this, these, those, he, she, they, his…) 0.6; it 0.75; a first-person statement
  or general claim (I, we, you, people, everyone, nobody, if, when, every, all, always, never, life…) 1;
  any other word 0.9.
- **ending**: 0 unless the last sentence ends with "." or "!" (a closing quote or bracket may follow),
  does not trail off ("..." or "…"), is not cut after an abbreviation or an initial ("Dr.", "W."), and
  is not a question.
- **questions**: 0.6 for each question in the excerpt. A question ends with "?" or starts like one,
  whatever punctuation the transcriber gave it: an auxiliary then a subject ("Do you think…", "Is it…"),
  or a question word, an auxiliary and a subject ("Why did they…").
- **fluency**: 1 − filler density / 0.15 (at least 0), times 0.75 for each sentence of fewer than three
  words ("Right.", "Yeah, yeah."). The density is filler per word; filler counts 1 for um, uh, er, ah,
  hmm, mm, oh, yeah, yep, okay, "or something", "and stuff", "or whatever" and a word said twice in a
  row ("the the", "go, go"), and ½ for like, right, just, actually, basically, literally, totally,
  really, "you know", "I mean", "sort of", "kind of", "I guess".
- **content**: by the share of words that are not ``analyzer.STOP_WORDS`` (nor fillers): 0.5 with none,
  0.9 at 0.3, 1 at 0.5 or more (half the sentences of the lexicap collection have 0.4 or less). Mild, as
  aphorisms are made of short words.
- **references**: 1 − 1.5 × the share of third-person pronouns (he, she, they, him, her, his, them,
  their…), at least 0.5: who "he" is is seldom in the excerpt.
- **timeless**: 1 − 2 × the share of past-tense words (was, were, did, had and words ending in "ed"), at
  least 0.6: a claim about how things are outlasts an account of what happened.
- **clean**: 0 for an excerpt that holds the same sentence twice or any of: a sponsor, intro or outro
  phrase (sponsor, promo, coupon, discount, patreon, subscribe, "brought to you by", "presented by",
  "use the code", "free trial", "percent off", "% off", "dot com slash", "support this podcast", "the
  following is a conversation", "my conversation with", "thanks for listening", "leave you with",
  "welcome to the", "five stars"…), a show word (podcast, episode, "this conversation", "the show",
  "check out", "sign up"), a host's aside ("let me ask", "ask you", "heard you", "you mentioned", "you
  said", "you wrote"…), profanity, a URL or domain (http, www, rejuve.io), a clock time (12:30) or
  markup and bracketed noise ([ ] < > # * | & { } _ \\ ~ ^); 1 otherwise.
- **sentences**: 0.95 for each sentence after the first (a longer run risks a change of speaker, which
  a transcript without speakers does not show), and 0.8 for each beyond three on top.

``quote_candidates`` adds what only the text around an excerpt shows. It must start after a sentence that
ended: not after an unpunctuated one nor an abbreviation, where it would start mid-sentence. And sponsor
reads, intros and outros are left out whole, as their other sentences ("Cash App lets you send money to
friends…") carry no telling word: nothing within 400 characters of a sponsor, intro or outro phrase
(the first group under **clean**), nor between two of them less than 2,000 characters apart, is a
candidate.

Scripts without capitals (Chinese, Japanese) score 0: nothing tells a whole sentence from a cut one.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .analyzer import STOP_WORDS
from .model import Passage
from .searcher import Index

__all__ = [
    "DEFAULT_MIN_SCORE",
    "MAX_CHARS",
    "MAX_SENTENCES",
    "MIN_CHARS",
    "QuoteCandidate",
    "best_excerpt",
    "packaging",
    "quotability",
    "quote_candidates",
]

MIN_CHARS = 80
MAX_CHARS = 400
MAX_SENTENCES = 3  # the excerpts of quote_candidates are one to three whole sentences
DEFAULT_MIN_SCORE = 0.5

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Hashes = npt.NDArray[np.uint64]


@dataclass(frozen=True, slots=True)
class QuoteCandidate:
    passage_id: int
    text: str  # whole sentences, verbatim: the passage's text[start:end]
    start: int
    end: int
    score: float  # quotability in [0, 1], to 6 places
    key: str  # the same in every process and every build of the same files: a hash of document id and text


# -- the factors ---------------------------------------------------------------------------------------

_LENGTH_KNOTS = ([MIN_CHARS, 120, 280, MAX_CHARS], [0.7, 1.0, 1.0, 0.6])
_QUESTION_FACTOR = 0.6
_FILLER_DENSITY_ZERO = 0.15
_FRAGMENT_WORDS = 3  # a sentence of fewer words is a fragment
_FRAGMENT_FACTOR = 0.75
_CONTENT_KNOTS = ([0.0, 0.3, 0.5], [0.5, 0.9, 1.0])
_REFERENCE_WEIGHT, _REFERENCE_FLOOR = 1.5, 0.5
_PAST_WEIGHT, _PAST_FLOOR = 2.0, 0.6
_SENTENCE_FACTOR = 0.95  # for each sentence after the first: a longer run risks a change of speaker
_EXTRA_SENTENCE_FACTOR = 0.8  # for each sentence beyond MAX_SENTENCES, on top
_PROMO_RADIUS = 400  # characters around a sponsor or show-opening phrase that belong to the read
_PROMO_GAP = 2000  # two such phrases closer than this: all between them belongs to the read

_LEADS: dict[str, float] = {
    **dict.fromkeys(
        "i i'm i've i'd i'll we we're we've we'd you people everyone everybody nobody life love if when"
        " whenever every all most many sometimes often always never nothing everything humans human".split(),
        1.0,
    ),
    **dict.fromkeys("it it's its".split(), 0.75),
    **dict.fromkeys(
        "that this these those he she they them him her his their that's they're he's she's".split(), 0.6
    ),
    **dict.fromkeys(
        "so well now okay ok yes yeah yep no nope oh um uh like right exactly sure absolutely true anyway"
        " anyways actually basically indeed instead otherwise meanwhile".split(),
        0.5,
    ),
    **dict.fromkeys(
        "and but or nor because cause 'cause which whereas although though then plus also too except unless"
        " therefore hence thus however".split(),
        0.35,
    ),
}
_OTHER_LEAD = 0.9

_FILLERS: dict[str, float] = {
    **dict.fromkeys("um umm uh uhh er erm ah hmm mm mhm oh yeah yep okay ok".split(), 1.0),
    **dict.fromkeys("like right just actually basically literally totally really".split(), 0.5),
}
_FILLER_PHRASES: dict[tuple[str, ...], float] = {
    ("or", "something"): 1.0,
    ("and", "stuff"): 1.0,
    ("or", "whatever"): 1.0,
    ("you", "know"): 0.5,
    ("i", "mean"): 0.5,
    ("sort", "of"): 0.5,
    ("kind", "of"): 0.5,
    ("i", "guess"): 0.5,
}
_STUTTER = 1.0  # filler for a word said twice in a row
_PAST = "was were wasn't weren't did didn't had hadn't"  # and any word ending in "ed"
_REFERENCES = "he she they him her his hers them their theirs himself herself themselves he's she's they're"

# Sponsor reads, intros and outros. The promo words and phrases mark a read, and the text around them is
# left out too; the show words and phrases only make the excerpt that holds one unquotable.
_PROMO_WORDS = (
    "sponsor sponsors sponsored sponsoring sponsorship patreon promo coupon discount discounts subscribe"
    " subscribed subscribing unsubscribe slash com lexpodcast"
)
_PROMO_PHRASES = [
    ("brought", "to", "you", "by"),
    ("presented", "by"),
    ("made", "possible", "by"),
    ("use", "the", "code"),
    ("in", "the", "description"),
    ("free", "trial"),
    ("percent", "off"),
    ("use", "code"),
    ("support", "this", "podcast"),
    ("supporting", "this", "podcast"),
    ("support", "the", "podcast"),
    ("following", "is", "a", "conversation"),
    ("my", "conversation", "with"),
    ("thanks", "for", "listening"),
    ("thank", "you", "for", "listening"),
    ("leave", "you", "with"),
    ("apple", "podcasts"),
    ("five", "stars"),
    ("welcome", "to", "the"),
]
_SHOW_WORDS = "http https www podcast podcasts episode episodes"
# Words a bot should not post to a team's channel unasked.
_PROFANITY = (
    "fuck fucks fucked fucking fucker motherfucker motherfucking shit shits shitty bullshit asshole assholes"
    " bitch bitches cunt dick dicks pussy"
)
# A sentence that starts like a question is one, whatever punctuation the transcriber gave it: an auxiliary
# then a subject ("Do you think…"), or a question word, an auxiliary and a subject ("Why did they…").
_AUXILIARIES = "do does did are is was were can could would will should shall have has had may might must am"
_SUBJECTS = "you i we they he she it there that this people anyone anybody someone somebody"
_QUESTION_WORDS = "what why how where who when which"
# As in index.sentences, a full stop after one of these (or after an initial) ends no sentence.
_ABBREVIATIONS = "mr ms mrs dr st vs etc jr sr prof"
_SHOW_PHRASES = [
    ("let", "me", "ask"),
    ("ask", "you"),
    ("heard", "you"),
    ("let's", "talk", "about"),
    ("you", "mentioned"),
    ("you've", "mentioned"),
    ("you", "said"),
    ("you've", "said"),
    ("you", "wrote"),
    ("you've", "written"),
    ("you", "talked"),
    ("you've", "talked"),
    ("check", "out"),
    ("sign", "up"),
    ("this", "conversation"),
    ("today's", "show"),
    ("the", "show"),
    ("this", "show"),
    ("our", "show"),
    ("my", "show"),
]


# -- what each sentence brings to a score ---------------------------------------------------------------

# Every word the features look at has a code; any other word is 0.
_WORDS = sorted(
    STOP_WORDS
    | set(_LEADS)
    | set(_FILLERS)
    | {w for p in [*_FILLER_PHRASES, *_PROMO_PHRASES, *_SHOW_PHRASES] for w in p}
    | set(_REFERENCES.split())
    | set(_PAST.split())
    | set(_PROMO_WORDS.split())
    | set(_SHOW_WORDS.split())
    | set(_PROFANITY.split())
    | set(_ABBREVIATIONS.split())
    | set(f"{_AUXILIARIES} {_SUBJECTS} {_QUESTION_WORDS}".split())
)
_CODE: dict[str, int] = {w: i for i, w in enumerate(_WORDS, 1)}


def _by_code(values: dict[str, float], default: float = 0.0) -> Floats:
    table = np.full(len(_CODE) + 1, default)
    for word, value in values.items():
        table[_CODE[word]] = value
    return table


_IS_STOP = _by_code(dict.fromkeys(STOP_WORDS | set(_FILLERS), 1.0))
_FILL = _by_code(_FILLERS)
_IS_REFERENCE = _by_code(dict.fromkeys(_REFERENCES.split(), 1.0))
_IS_PAST = _by_code(dict.fromkeys(_PAST.split(), 1.0))
_IS_PROMO = _by_code(dict.fromkeys(_PROMO_WORDS.split(), 1.0))
_IS_SHOW = _by_code(dict.fromkeys(f"{_SHOW_WORDS} {_PROFANITY}".split(), 1.0))
_LEAD = _by_code(_LEADS, _OTHER_LEAD)
_IS_AUXILIARY = _by_code(dict.fromkeys(_AUXILIARIES.split(), 1.0)).astype(bool)
_IS_SUBJECT = _by_code(dict.fromkeys(_SUBJECTS.split(), 1.0)).astype(bool)
_IS_QUESTION_WORD = _by_code(dict.fromkeys(_QUESTION_WORDS.split(), 1.0)).astype(bool)
_IS_ABBREVIATION = _by_code(dict.fromkeys(_ABBREVIATIONS.split(), 1.0)).astype(bool)
_HEAD_CODES = sorted({_CODE[p[0]] for p in [*_FILLER_PHRASES, *_PROMO_PHRASES, *_SHOW_PHRASES]})
_IS_HEAD = _by_code({w: 1.0 for w in _CODE if _CODE[w] in _HEAD_CODES}).astype(bool)

# Words are found by a polynomial hash mod 2**64 of their bytes, computed for all words at once with numpy:
# hash(b0 b1 … bk) = b0 + b1·P + … + bk·P**k. A word outside the table (code 0) meets the hash of a word
# in it with a chance of about 1e-16.
_P = 1_000_003
_P_INVERSE = pow(_P, -1, 2**64)
_TABLE_BITS = 16


def _word_hash(word: str) -> int:
    return sum(b * pow(_P, k, 2**64) for k, b in enumerate(word.encode())) % 2**64


def _hash_table() -> tuple[int, Hashes, Ints]:
    """A perfect hash of the words: a multiplier that gives each word a slot of its own (the top bits of
    its hash times the multiplier, mod 2**64), and the table of each word's hash and code by slot."""
    hashes = np.array([_word_hash(w) for w in _CODE], dtype=np.uint64)
    mix = 0x9E3779B97F4A7C15  # 2**64 / golden ratio; odd numbers after it until one fits
    while len(np.unique((hashes * np.uint64(mix)) >> np.uint64(64 - _TABLE_BITS))) < len(hashes):
        mix += 2
    slots = (hashes * np.uint64(mix)) >> np.uint64(64 - _TABLE_BITS)
    table, codes = np.zeros(2**_TABLE_BITS, dtype=np.uint64), np.zeros(2**_TABLE_BITS, dtype=np.int64)
    table[slots], codes[slots] = hashes, list(_CODE.values())
    return mix, table, codes


_MIX, _TABLE, _TABLE_CODES = _hash_table()
_POWERS: list[tuple[Hashes, Hashes]] = []  # P**i and P**-i (mod 2**64) for i = 0, 1, …, grown as needed

# Characters are read as bytes: ASCII as itself, curly quotes as straight ones, "…" as 2 and any other
# character as 1, a byte that is neither a letter nor punctuation.
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
_ENDS = _byte_set([*b".!?", _ELLIPSIS])
_NOISE = _byte_set(b"[]<>#*|&{}_\\~^")
_DIGITS = _byte_set(b"0123456789")
_LOWER = _byte_set(b"abcdefghijklmnopqrstuvwxyz")
_LETTERS = _byte_set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
# Words: runs of letters, digits and ', lower-cased; every other byte is a space between them.
_WORD_BYTES = np.full(256, 32, dtype=np.uint8)
_WORD_BYTES[list(b"abcdefghijklmnopqrstuvwxyz0123456789'")] = list(b"abcdefghijklmnopqrstuvwxyz0123456789'")
_WORD_BYTES[list(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ")] = list(b"abcdefghijklmnopqrstuvwxyz")
_CHUNK_CHARS = 1 << 20  # characters at a time: bounds the memory of the arrays


@dataclass(slots=True)
class _Features:
    """What the score needs of each sentence; ``cum_*`` are prefix sums (one longer), for runs."""

    start_ok: Bools  # starts with a capital or a digit
    lead: Floats  # the opening factor of its first word
    end_ok: Bools  # ends with "." or "!", not "..."
    ended: Bools  # ends with any sentence end: "?" and "..." too
    promo: Bools  # holds a promo word or phrase
    signature: Floats  # equal for sentences of the same words
    cum_chars: Ints
    cum_words: Floats
    cum_stop: Floats
    cum_fill: Floats
    cum_references: Floats
    cum_past: Floats
    cum_questions: Ints
    cum_fragments: Ints
    cum_bad: Ints  # noise, promo and show words

    @property
    def size(self) -> int:
        return len(self.start_ok)


def _sentences(parts: Sequence[str]) -> tuple[Ints, _Features]:
    """Where the sentences of ``" ".join(parts)`` start, and their features. Each part ends a sentence;
    inside one, a sentence ends at a space after ".", "?", "!" or "…" (closing quotes or brackets may come
    between), as in index.sentences."""
    chunks: list[dict[str, npt.NDArray[np.generic]]] = []
    base = first = size = 0
    for i, part in enumerate(parts):
        size += len(part) + 1
        if size >= _CHUNK_CHARS or i == len(parts) - 1:
            chunk = _chunk(parts[first : i + 1])
            chunk["start"] = chunk["start"] + base
            chunks.append(chunk)
            base, first, size = base + size, i + 1, 0

    def cat(name: str) -> npt.NDArray[np.generic]:
        return np.concatenate([c[name] for c in chunks])

    def cum(name: str) -> npt.NDArray[np.generic]:
        return np.concatenate([[0], np.cumsum(cat(name))])

    return cat("start").astype(np.int64), _Features(
        start_ok=cat("start_ok").astype(bool),
        lead=cat("lead").astype(np.float64),
        end_ok=cat("end_ok").astype(bool),
        ended=cat("ended").astype(bool),
        promo=cat("promo").astype(bool),
        signature=cat("signature").astype(np.float64),
        cum_chars=cum("chars").astype(np.int64),
        cum_words=cum("words").astype(np.float64),
        cum_stop=cum("stop").astype(np.float64),
        cum_fill=cum("fill").astype(np.float64),
        cum_references=cum("references").astype(np.float64),
        cum_past=cum("past").astype(np.float64),
        cum_questions=cum("question").astype(np.int64),
        cum_fragments=cum("fragment").astype(np.int64),
        cum_bad=cum("bad").astype(np.int64),
    )


def _chunk(parts: Sequence[str]) -> dict[str, npt.NDArray[np.generic]]:
    """The sentences of some parts (at least one) and their features, all from the text's characters."""
    text = "\0".join(parts)
    if text.count("\0") != len(parts) - 1:  # a NUL inside a part: read it as a space
        text = "\0".join(p.replace("\0", " ") for p in parts)
    if text.isascii():
        data = np.frombuffer(text.encode("ascii"), dtype=np.uint8).copy()
    else:
        points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        data = points.astype(np.uint8)
        wide = np.flatnonzero(points >= 128)
        data[wide] = _NOT_ASCII
        for point, value in _AS_BYTE.items():
            data[wide[points[wide] == point]] = value
    padded = np.concatenate([[32, 32, 32, 32, 32], data, [32, 32]]).astype(np.uint8)

    def byte(at: Ints) -> npt.NDArray[np.uint8]:
        return padded[at + 5]

    # Sentence ends: the NULs between parts, and each space after an end mark (and any closers). A piece
    # ending in an abbreviation ("Dr.") or an initial ("W.") has not ended: no excerpt ends there or starts
    # after it, as index.sentences does not end sentences there.
    marks = np.flatnonzero(_ENDS[data])
    closed = marks + 1 + _CLOSERS[byte(marks + 1)]
    breaks = closed[(byte(closed) == 32) & (closed < len(data))]
    breaks = np.sort(np.concatenate([breaks, np.flatnonzero(data == 0)])).astype(np.int64)
    starts = np.concatenate([[0], breaks + 1]).astype(np.int64)
    ends = np.concatenate([breaks, [len(data)]]).astype(np.int64)
    n, chars = len(starts), ends - starts
    codes, hashes, word_starts, word_ends = _words(_WORD_BYTES[data])
    abbreviated = np.zeros(n, dtype=bool)
    if len(codes):
        last = np.maximum(np.searchsorted(word_starts, ends) - 1, 0)  # the last word: right before a "."?
        dotted = (word_ends[last] == ends - 1) & (byte(ends - 1) == ord("."))
        initial = (word_ends[last] - word_starts[last] == 1) & _INITIALS[byte(word_starts[last])]
        abbreviated = dotted & (_IS_ABBREVIATION[codes[last]] | initial)
    for latin in (b"e.g.", b"i.e."):
        abbreviated |= np.logical_and.reduce([byte(ends - 4 + k) == c for k, c in enumerate(latin)])

    start_ok = (chars > 0) & (
        _CAPITAL_OR_DIGIT[byte(starts)] | (_OPENERS[byte(starts)] & _CAPITAL_OR_DIGIT[byte(starts + 1)])
    )
    mark = ends - 1 - (_CLOSERS[byte(ends - 1)] & (chars > 1))  # the last character before any closer
    good = ((byte(mark) == ord(".")) | (byte(mark) == ord("!"))) & ~abbreviated
    trailing = (byte(mark) == _ELLIPSIS) | ((byte(mark) == ord(".")) & (byte(mark - 1) == ord(".")))
    question = byte(mark) == ord("?")

    def sentence_of(at: Ints) -> Ints:
        return np.searchsorted(starts, at, side="right") - 1

    colons = np.flatnonzero(data == ord(":"))
    clock = colons[_DIGITS[byte(colons - 1)] & _DIGITS[byte(colons + 1)]]  # 12:30
    dots = np.flatnonzero(data == ord("."))
    domains = dots[_LETTERS[byte(dots - 1)] & _LOWER[byte(dots + 1)]]  # rejuve.io, indeed.com, e.g.
    percent_off = np.array([m.start() for m in re.finditer(r"%\s*off\b", text)], dtype=np.int64)
    flagged = np.concatenate([np.flatnonzero(_NOISE[data]), clock, domains, percent_off]).astype(np.int64)
    bad = np.bincount(sentence_of(flagged), minlength=n)

    sentence = sentence_of(word_starts)

    def per_sentence(weights: Floats) -> Floats:
        return np.bincount(sentence, weights=weights, minlength=n).astype(np.float64)

    heads = np.flatnonzero(_IS_HEAD[codes])
    head_codes = codes[heads]
    starting = {c: heads[head_codes == c] for c in _HEAD_CODES}  # where each phrase's first word is

    def phrases_in(phrases: Iterable[tuple[str, ...]]) -> Floats:
        found = [_phrase_at(codes, sentence, starting[_CODE[p[0]]], p) for p in phrases]
        return np.bincount(sentence[np.concatenate(found)], minlength=n).astype(np.float64)

    words = np.bincount(sentence, minlength=n).astype(np.float64)
    long = word_ends - word_starts > 3
    ed = np.flatnonzero(
        long & (byte(word_ends - 2) | 32 == ord("e")) & (byte(word_ends - 1) | 32 == ord("d"))
    )
    stutter = np.flatnonzero((hashes[1:] == hashes[:-1]) & (sentence[1:] == sentence[:-1])) + 1
    fill = per_sentence(_FILL[codes]) + _STUTTER * np.bincount(sentence[stutter], minlength=n)
    for phrase, weight in _FILLER_PHRASES.items():
        fill += weight * phrases_in([phrase])
    promo = per_sentence(_IS_PROMO[codes]) + phrases_in(_PROMO_PHRASES)
    show = per_sentence(_IS_SHOW[codes]) + phrases_in(_SHOW_PHRASES)
    # The first three words of each sentence (code 0 past its end).
    head = np.searchsorted(word_starts, starts)
    padded_codes = np.concatenate([codes, [0, 0, 0]])
    padded_sentence = np.concatenate([sentence, [-1, -1, -1]])
    first, second, third = (
        np.where(padded_sentence[head + k] == np.arange(n), padded_codes[head + k], 0) for k in range(3)
    )
    lead = _LEAD[first]
    question |= (_IS_AUXILIARY[first] & _IS_SUBJECT[second]) | (
        _IS_QUESTION_WORD[first] & _IS_AUXILIARY[second] & _IS_SUBJECT[third]
    )
    return {
        "start": starts,
        "chars": chars,
        "start_ok": start_ok,
        "lead": lead,
        "end_ok": good & ~trailing & ~question,
        "ended": good | trailing | question,
        "question": question,
        "promo": promo > 0,
        "signature": per_sentence((hashes >> np.uint64(11)).astype(np.float64)) + words,
        "words": words,
        "stop": per_sentence(_IS_STOP[codes]),
        "fill": fill,
        "references": per_sentence(_IS_REFERENCE[codes]),
        "past": per_sentence(_IS_PAST[codes]) + np.bincount(sentence[ed], minlength=n),
        "fragment": (words < _FRAGMENT_WORDS) & ~abbreviated & ~np.concatenate([[False], abbreviated[:-1]]),
        "bad": bad + (promo > 0) + (show > 0),
    }


def _words(data: npt.NDArray[np.uint8]) -> tuple[Ints, Hashes, Ints, Ints]:
    """The code, hash, start and end of each word of ``data`` (lower-case ASCII words between spaces)."""
    inside = data != 32
    starts = np.flatnonzero(inside & ~np.concatenate([[False], inside[:-1]]))
    ends = np.flatnonzero(inside & ~np.concatenate([inside[1:], [False]])) + 1
    powers, inverses = _powers(len(data))
    prefix = np.zeros(len(data) + 1, dtype=np.uint64)
    np.cumsum(data * powers[: len(data)], out=prefix[1:])
    hashes = (prefix[ends] - prefix[starts]) * inverses[starts]  # mod 2**64
    slots = (hashes * np.uint64(_MIX)) >> np.uint64(64 - _TABLE_BITS)
    return np.where(_TABLE[slots] == hashes, _TABLE_CODES[slots], 0), hashes, starts, ends


def _powers(n: int) -> tuple[Hashes, Hashes]:
    """P**i and P**-i (mod 2**64) for i = 0 … n at least."""
    tables = _POWERS[-1] if _POWERS else None
    if tables is None or len(tables[0]) <= n:
        size = max(n + 1, 1 << 12, 2 * len(tables[0]) if tables else 0)
        grown = []
        for base in (_P, _P_INVERSE):
            factors = np.full(size, base, dtype=np.uint64)
            factors[0] = 1
            grown.append(np.cumprod(factors))  # wraps around: mod 2**64
        tables = (grown[0], grown[1])
        _POWERS[:] = [tables]
    return tables


def _phrase_at(codes: Ints, sentence: Ints, at: Ints, phrase: tuple[str, ...]) -> Ints:
    """Where in ``codes`` the words of ``phrase`` start, all in one sentence; ``at`` is where its first
    word is."""
    for k, word in enumerate(phrase[1:], 1):
        at = at[at + k < len(codes)]
        at = at[(codes[at + k] == _CODE[word]) & (sentence[at + k] == sentence[at])]
    return at


# -- scores --------------------------------------------------------------------------------------------


def _factors(f: _Features, size: int) -> dict[str, Floats]:
    """Each factor of every run of ``size`` sentences: element i is for sentences i to i + size - 1."""
    m = f.size - size + 1
    first, last = np.arange(m), np.arange(size - 1, f.size)

    def total(cum: Ints | Floats) -> Floats:
        return (cum[size:] - cum[:m]).astype(np.float64)

    chars = total(f.cum_chars) + size - 1
    words = np.maximum(total(f.cum_words), 1.0)
    clean = total(f.cum_bad) == 0
    for a in range(size):
        for b in range(a + 1, size):
            clean &= f.signature[a : a + m] != f.signature[b : b + m]
    fluency = np.clip(1 - total(f.cum_fill) / words / _FILLER_DENSITY_ZERO, 0.0, 1.0)
    references = 1 - _REFERENCE_WEIGHT * total(f.cum_references) / words
    return {
        "length": np.interp(chars, *_LENGTH_KNOTS) * ((chars >= MIN_CHARS) & (chars <= MAX_CHARS)),
        "opening": f.lead[first] * f.start_ok[first],
        "ending": f.end_ok[last].astype(np.float64),
        "questions": _QUESTION_FACTOR ** total(f.cum_questions),
        "fluency": fluency * _FRAGMENT_FACTOR ** total(f.cum_fragments),
        "content": np.interp(1 - total(f.cum_stop) / words, *_CONTENT_KNOTS),
        "references": np.maximum(references, _REFERENCE_FLOOR),
        "timeless": np.maximum(1 - _PAST_WEIGHT * total(f.cum_past) / words, _PAST_FLOOR),
        "clean": clean.astype(np.float64),
        "sentences": np.full(
            m, _SENTENCE_FACTOR ** (size - 1) * _EXTRA_SENTENCE_FACTOR ** max(size - MAX_SENTENCES, 0)
        ),
    }


def _run_scores(f: _Features, size: int) -> Floats:
    """The quotability of every run of ``size`` sentences: element i is for sentences i to i + size - 1."""
    if not 0 < size <= f.size:
        return np.zeros(0)
    score = np.ones(f.size - size + 1)
    for factor in _factors(f, size).values():
        score *= factor
    return score


def quotability(text: str) -> float:
    """How quotable ``text`` is on its own, in [0, 1]: the product of the factors in the module's doc."""
    text = " ".join(text.split())
    if not text:
        return 0.0
    f = _sentences([text])[1]
    return float(np.round(_run_scores(f, f.size)[0] * 1e6)) / 1e6  # as quote_candidates rounds


def best_excerpt(
    sentences: Sequence[str],
    keep: Callable[[str], bool] | None = None,
    *,
    min_score: float = DEFAULT_MIN_SCORE,
) -> tuple[int, int, float] | None:
    """The most quotable run of one to MAX_SENTENCES whole sentences among `sentences` (for which `keep`
    holds, when given): its start and end in ``" ".join(sentences)`` and its score; None below
    `min_score`."""
    starts = [0]
    for sentence in sentences:
        starts.append(starts[-1] + len(sentence) + 1)
    best: tuple[int, int, float] | None = None
    for i in range(len(sentences)):
        for j in range(i + 1, min(i + MAX_SENTENCES, len(sentences)) + 1):
            text = " ".join(sentences[i:j])
            if len(text) > MAX_CHARS:
                break
            if len(text) < MIN_CHARS or (keep is not None and not keep(text)):
                continue
            score = quotability(text)
            if score >= min_score and (best is None or score > best[2]):
                best = (starts[i], starts[j] - 1, score)
    return best


# -- candidates over an index --------------------------------------------------------------------------


@dataclass(slots=True)
class _Stream:
    """The text of all passages, each stretch once and in order (a passage overlaps the one before it):
    ``" ".join(parts)``. Offsets are in that text."""

    parts: list[str]  # each passage's text after the end of the one before
    part_start: list[int]
    sentence_start: Ints
    sentence_end: Ints
    doc: Ints  # each sentence's document, numbered in passage order
    passage_start: Ints
    passage_end: Ints
    passage_doc: list[str]  # each passage's document id

    def text(self, start: int, end: int) -> str:
        """The text from ``start`` to ``end``."""
        k = bisect.bisect_right(self.part_start, start) - 1
        pieces = []
        while start < end:
            at = self.part_start[k]
            pieces.append(self.parts[k][start - at : end - at])
            start, k = at + len(self.parts[k]) + 1, k + 1
        return " ".join(pieces)


def _stream(passages: Iterable[Passage]) -> tuple[_Stream, _Features]:
    parts: list[str] = []
    part_start: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    docs: list[str] = []
    doc_starts: list[int] = []
    end = -1  # the end of the text so far
    previous: Passage | None = None
    for p in passages:
        same_doc = previous is not None and previous.doc.id == p.doc.id
        overlap = _overlap(previous, p) if previous is not None and same_doc else None
        if not same_doc:
            doc_starts.append(end + 1)
        if overlap is None:
            start = end + 1
            parts.append(p.text)
        else:
            start = end - overlap
            parts.append(p.text[overlap + 1 :])
        part_start.append(end + 1)
        end = start + len(p.text)
        starts.append(start)
        ends.append(end)
        docs.append(p.doc.id)
        previous = p
    sentence_start, f = _sentences(parts)
    sentence_end = sentence_start + np.diff(f.cum_chars)
    stream = _Stream(
        parts=parts,
        part_start=part_start,
        sentence_start=sentence_start,
        sentence_end=sentence_end,
        doc=np.searchsorted(np.array(doc_starts, dtype=np.int64), sentence_start, side="right") - 1,
        passage_start=np.array(starts, dtype=np.int64),
        passage_end=np.array(ends, dtype=np.int64),
        passage_doc=docs,
    )
    return stream, f


def _overlap(before: Passage, after: Passage) -> int | None:
    """How many characters at the start of ``after``'s text repeat the end of ``before``'s, when ``after``
    starts inside ``before`` at a sentence and ends after it; None when it does not."""
    head, tail = before.text, after.text

    def fits(at: int) -> bool:
        size = len(head) - at
        return (
            0 < at < len(head)
            and head[at - 1] == " "
            and len(tail) > size + 1
            and tail[size] == " "
            and tail.startswith(head[at:])
        )

    guess = after.char_start - before.char_start  # right when the document's text has single spaces
    if fits(guess):
        return len(head) - guess
    probe = tail[: min(40, len(tail))]
    at = head.find(probe, 1)
    while at >= 0:
        if fits(at):
            return len(head) - at
        at = head.find(probe, at + 1)
    return None


def quote_candidates(index: Index, *, min_score: float = DEFAULT_MIN_SCORE) -> list[QuoteCandidate]:
    """The best excerpt of each passage that scores at least ``min_score``, best first.

    An excerpt is one to three whole sentences of the passage, 80–400 characters, that does not start
    mid-sentence and is no part of a sponsor read, intro or outro (see the module's doc). Passages
    overlap: of two excerpts that share a sentence only the better is kept, and an excerpt is listed once,
    with the first passage that holds it. The order is by score, then by key (equal scores spread over all
    documents); it and the keys depend only on the index: every process that loads it agrees.
    """
    if len(index.passages) == 0:
        return []
    s, f = _stream(index.passages)
    n = f.size
    allowed = _after_an_end(f, s) & ~_in_a_read(f, s)
    blocked = np.concatenate([[0], np.cumsum(~allowed)])

    # Each run as one integer that orders runs: score (6 places), then earlier start, then fewer sentences.
    width = MAX_SENTENCES * (n + 1)
    keyed: list[Ints] = []
    for size in range(1, MAX_SENTENCES + 1):
        scores = np.zeros(n + 1)  # one more: a run past the end, never chosen
        m = n - size + 1
        if m > 0:
            scores[:m] = _run_scores(f, size) * (blocked[size : size + m] == blocked[:m])
        run = np.arange(n + 1) * MAX_SENTENCES + size - 1
        key = np.round(scores * 1e6).astype(np.int64) * width + (width - 1 - run)
        key[(scores < min_score) | (scores <= 0)] = -1
        keyed.append(key)

    # The best run inside each passage: from its first whole sentence to its last.
    lo = np.searchsorted(s.sentence_start, s.passage_start, side="left")
    hi = np.searchsorted(s.sentence_end, s.passage_end, side="right")
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
    taken = bytearray(n)
    seen: set[str] = set()
    out: list[QuoteCandidate] = []
    for pid, r, q in zip(passages[order].tolist(), run[order].tolist(), score[order].tolist(), strict=True):
        i, size = divmod(r, MAX_SENTENCES)
        size += 1
        if any(taken[i : i + size]):
            continue
        taken[i : i + size] = b"\1" * size
        start, end = int(s.sentence_start[i]), int(s.sentence_end[i + size - 1])
        text = s.text(start, end)
        digest = hashlib.sha1(f"{s.passage_doc[pid]}\n{text}".encode()).hexdigest()[:16]
        if digest not in seen:
            seen.add(digest)
            start -= int(s.passage_start[pid])
            out.append(QuoteCandidate(pid, text, start, start + len(text), q / 1e6, digest))
    out.sort(key=lambda c: (-c.score, c.key))  # equal scores in an order spread over all documents
    return out


def _after_an_end(f: _Features, s: _Stream) -> Bools:
    """Sentences that start after one that ended, or start a document: none starts mid-sentence."""
    return np.concatenate([[True], f.ended[:-1] | (s.doc[1:] != s.doc[:-1])])


def _in_a_read(f: _Features, s: _Stream) -> Bools:
    """Sentences of a sponsor read, intro or outro: near a promo phrase, or between two that are close."""
    return _near_promo(f.promo, s.doc, s.sentence_start, s.sentence_end)


def _near_promo(promo: Bools, doc: Ints, starts: Ints, ends: Ints) -> Bools:
    """``_in_a_read`` from each sentence's promo flag, document, start and end."""
    marks = np.flatnonzero(promo)
    if len(marks) == 0:
        return promo.copy()
    at = np.arange(len(promo))
    after = np.minimum(np.searchsorted(marks, at, side="left"), len(marks) - 1)
    before = np.maximum(np.searchsorted(marks, at, side="right") - 1, 0)
    has_after = (marks[after] >= at) & (doc[marks[after]] == doc)
    has_before = (marks[before] <= at) & (doc[marks[before]] == doc)
    near_after = has_after & (starts[marks[after]] - ends <= _PROMO_RADIUS)
    near_before = has_before & (starts - ends[marks[before]] <= _PROMO_RADIUS)
    between = has_after & has_before & (starts[marks[after]] - ends[marks[before]] <= _PROMO_GAP)
    out: Bools = promo | near_after | near_before | between
    return out


def packaging(sentences: Sequence[str]) -> Bools:
    """Which of one document's ``sentences`` belong to a sponsor read, intro or outro, by the rule that
    keeps them out of ``quote_candidates`` (the searcher ranks them below the conversation)."""
    if not sentences:
        return np.zeros(0, dtype=bool)
    starts, f = _sentences(sentences)  # it may cut a sentence in more pieces: each piece flags its sentence
    ends = starts + np.diff(f.cum_chars)
    pieces = _near_promo(f.promo, np.zeros(f.size, dtype=np.int64), starts, ends)
    sentence_starts = np.cumsum([0] + [len(t) + 1 for t in sentences[:-1]])
    owner = np.searchsorted(sentence_starts, starts, side="right") - 1
    return np.bincount(owner[pieces], minlength=len(sentences)).astype(bool)
