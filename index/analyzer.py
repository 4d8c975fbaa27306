"""Turning text into index terms: the same analyzer for passages and questions.

Unicode NFKC normalization and case folding, English stop words, Snowball stemming (PyStemmer),
and Chinese/Japanese text split into overlapping character bigrams (plus single characters), the
usual way to match CJK text without a dictionary. Compounds are indexed in both forms: ``pre-training``
gives ``pre``, ``train`` and ``pretrain``; ``GPT-4`` gives ``gpt``, ``4`` and ``gpt4``, so a question
spelling either form meets the other.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

import Stemmer

__all__ = [
    "CASED_TERMS",
    "STOP_WORDS",
    "Analyzer",
    "Token",
    "is_cjk",
    "without_capitals",
    "word_spans",
    "words",
]

# English stop words: Lucene's classic list, the function words of the Glasgow IR list (not its content
# words such as "system" or "fire"), contractions, and the fillers of speech.
STOP_WORDS = frozenset(
    """
    a about above after again against all am an and any are aren't as at be because been before
    being below between both but by can can't cannot could couldn't did didn't do does doesn't doing
    don't down during each few for from further had hadn't has hasn't have haven't having he he'd
    he'll he's her here here's hers herself him himself his how how's i i'd i'll i'm i've if in into
    is isn't it it's its itself let's me more most mustn't my myself no nor not of off on once only
    or other ought our ours ourselves out over own same shan't she she'd she'll she's should
    shouldn't so some such than that that's the their theirs them themselves then there there's
    these they they'd they'll they're they've this those through to too under until up very was
    wasn't we we'd we'll we're we've were weren't what what's when when's where where's which while
    who who's whom why why's with won't would wouldn't you you'd you'll you're you've your yours
    yourself yourselves s t d ll m re ve just also uh um yeah oh like really gonna wanna kinda
    across afterwards almost along already although always among another anyhow anyone anything
    anyway anywhere around either else elsewhere enough even ever every everyone everything
    everywhere however indeed less least many may might much must neither never nevertheless often
    otherwise perhaps rather several since somehow someone something sometimes somewhere still
    though thus together toward towards upon whatever whenever wherever whether whoever whose will
    within without yet okay us
    """.split()
)
# Stop words that name something when written in capitals: the pronoun "us" is no term, the "US" is.
CASED_TERMS = {"US": ("us",)}
_CASED = re.compile(r"\bUS\b")

_CJK_RANGES = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
# A word: letters/digits joined by inner hyphens, apostrophes or dots (GPT-4, don't, e.g, 3.5),
# or a run of CJK characters.
_WORD = re.compile(rf"[{_CJK_RANGES}]+|[^\W_{_CJK_RANGES}]+(?:['’\-.][^\W_{_CJK_RANGES}]+)*")
# The same pattern matched as ASCII: the same words in ASCII text (its classes hold the same ASCII
# characters either way), found faster.
_ASCII_WORD = re.compile(_WORD.pattern, _WORD.flags & ~re.UNICODE | re.ASCII)
_JOINERS = re.compile(r"['’\-.]")
_CJK = re.compile(rf"[{_CJK_RANGES}]")
_LETTER_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")

Token = str


def without_capitals(text: str) -> str:
    """``text`` as its words are analysed: where it has no lower-case letter (an ALL-CAPS transcript or
    question) capitals tell nothing, so its ``US`` is the pronoun."""
    return _CASED.sub("us", text) if "US" in text and text == text.upper() else text


def is_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def word_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, word) for every word of ``text``, in order; offsets index ``text`` itself."""
    for match in _WORD.finditer(text):
        yield match.start(), match.end(), match.group()


def words(text: str) -> list[str]:
    """The words ``word_spans`` finds, without their offsets (cheaper: no match objects)."""
    return (_ASCII_WORD if text.isascii() else _WORD).findall(text)


class Analyzer:
    """Text to terms. ``terms`` is what the index stores; ``word_terms`` analyzes one surface word."""

    def __init__(self, language: str = "english") -> None:
        # No cache in the stemmer: ours below keep whole words, and its own costs more than it saves
        # (1.1 us a word with it, 0.3 without, over a corpus's vocabulary).
        self._stemmer = Stemmer.Stemmer(language, 0)
        self._word_cache = lru_cache(maxsize=200_000)(self._analyze_word)
        self._surface_cache = lru_cache(maxsize=200_000)(self.word_terms)

    def terms(self, text: str) -> list[Token]:
        out: list[Token] = []
        if _CASED.search(text):  # rare: words one by one, as written
            for word in words(text):
                out.extend(self.word_terms(word))
            return out
        for word in words(normalize(text)):
            out.extend(self._word_cache(word))
        return out

    def word_terms(self, word: str) -> tuple[Token, ...]:
        """The terms of one word, as written (``US`` is a term, ``us`` a stop word)."""
        cased = CASED_TERMS.get(word)
        return cased if cased is not None else self._word_cache(normalize(word))

    def surface_terms(self, word: str) -> tuple[Token, ...]:
        """`word_terms`, remembered per word as written (quotes look up the same words again and again)."""
        return self._surface_cache(word)

    def stem(self, word: str) -> str:
        return str(self._stemmer.stemWord(word))

    def _analyze_word(self, word: str) -> tuple[Token, ...]:
        if _CJK.match(word):
            return _cjk_terms(word)
        word = word.replace("’", "'")
        if word.endswith("'s"):
            word = word[:-2]
        if word in STOP_WORDS:
            return ()
        if word.isalpha():  # most words: no joiner and no digit (the splits below are the slow part)
            return (self.stem(word),)
        parts = [p for p in _JOINERS.split(word) if p]
        if len(parts) == 1:
            parts = [p for p in _LETTER_DIGIT.split(word) if p]
            if len(parts) == 1:
                return (self.stem(word),)
        joined = "".join(parts)
        terms = [self.stem(p) for p in parts if p not in STOP_WORDS]
        if "'" not in word and not word.replace(".", "").isdigit():
            terms.append(self.stem(joined))
        return tuple(terms)


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _cjk_terms(run: str) -> tuple[Token, ...]:
    if len(run) == 1:
        return (run,)
    chars = list(run)
    bigrams = [a + b for a, b in itertools.pairwise(chars)]
    return (*chars, *bigrams)
