"""Sentence splitting of a transcript, keeping where each sentence sits in time and who said it."""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .transcript import Segment

__all__ = ["MAX_SENTENCE_CHARS", "Sentences", "document_text", "split_sentences"]

MAX_SENTENCE_CHARS = 400
"""Longer runs without punctuation (caption files without any) are cut at word boundaries."""

# A sentence ends at . ! ? … (and closing quotes/brackets after them) followed by white space, or right
# after CJK full stops, which need no space. A full stop after an initial ("J. R.") or a common
# abbreviation does not end one.
_END = re.compile(r"""[.!?…]+["'”’)\]]*\s+|[。！？]+["”’」』）)]*\s*""")
_ABBREVIATION = re.compile(r"\b(?:Mr|Ms|Mrs|Dr|St|vs|etc|e\.g|i\.e|Jr|Sr|Prof)\.$")
# An initial: a capital (not "I") after a capitalised word ("George W. Bush") or before another ("J. R.").
_INITIAL_AFTER_NAME = re.compile(r"\b[A-Z][\w.]*\s+(?!I\.)[A-Z]\.$")
_INITIAL_BEFORE_INITIAL = re.compile(r"\b(?!I\.)[A-Z]\.\s+[A-Z]\.")
# Where a full stop might not end a sentence (a superset of the two rules above, found in one pass).
_SUSPECT = re.compile(r"(?:[A-Z]|Mrs|Mr|Ms|Dr|St|vs|etc|e\.g|i\.e|Jr|Sr|Prof)\.")


@dataclass(frozen=True, slots=True)
class Sentences:
    """A document's sentences, column by column (no object per sentence: documents have thousands)."""

    texts: list[str]
    char_start: npt.NDArray[np.int64]  # offset in the document's text
    start: npt.NDArray[np.float64]  # seconds; NaN when unknown
    end: npt.NDArray[np.float64]
    segment: npt.NDArray[np.int64]  # the segment each sentence starts in (whose speaker said it)


def document_text(segments: list[Segment]) -> tuple[str, list[int]]:
    """The document's text (segments joined by one space) and each segment's offset in it."""
    offsets: list[int] = []
    pos = 0
    for seg in segments:
        offsets.append(pos)
        pos += len(seg.text) + 1
    return " ".join(seg.text for seg in segments), offsets


def split_sentences(segments: list[Segment]) -> Sentences:
    text, offsets = document_text(segments)
    turns = [offsets[i] for i, seg in enumerate(segments) if seg.turn or i == 0]
    cuts = sorted({*turns, *_sentence_ends(text, turns), len(text)})
    texts: list[str] = []
    starts: list[int] = []
    for lo, hi in itertools.pairwise(cuts):
        piece = text[lo:hi]
        stripped = piece.strip()
        if len(stripped) <= MAX_SENTENCE_CHARS:
            if stripped:
                texts.append(stripped)
                starts.append(lo + len(piece) - len(piece.lstrip()))
            continue
        for s, e in _cut_long(text, lo, hi):
            texts.append(text[s:e])
            starts.append(s)
    char_start = np.array(starts, dtype=np.int64)
    char_end = char_start + np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    seg_at = np.array(offsets, dtype=np.int64)
    first = np.searchsorted(seg_at, char_start, side="right") - 1
    last = np.searchsorted(seg_at, char_end - 1, side="right") - 1
    return Sentences(
        texts=texts,
        char_start=char_start,
        start=_carried_starts(segments)[first],
        end=_end_times(segments)[last],
        segment=first,
    )


def _sentence_ends(text: str, turns: list[int]) -> Iterable[int]:
    """Where sentences end: after an end mark that does not close an abbreviation or an initial."""
    ends = {match.start(): match.end() for match in _END.finditer(text)}
    for suspect in _SUSPECT.finditer(text):
        dot = suspect.end() - 1
        if dot in ends:
            lo = turns[bisect.bisect_right(turns, dot) - 1]  # look back no further than the turn
            if _not_an_end(text, max(lo, dot - 30), dot + 1):
                del ends[dot]
    return ends.values()


def _not_an_end(text: str, lo: int, dot: int) -> bool:
    """Whether the full stop ending at ``dot`` closes an abbreviation or an initial, not a sentence."""
    return bool(
        _ABBREVIATION.search(text, lo, dot)
        or _INITIAL_AFTER_NAME.search(text, lo, dot)
        or _INITIAL_BEFORE_INITIAL.match(text, dot - 2)
    )


def _cut_long(text: str, lo: int, hi: int) -> Iterator[tuple[int, int]]:
    """Trim white space at both ends; cut a run longer than MAX_SENTENCE_CHARS at word boundaries."""
    while lo < hi and text[lo].isspace():
        lo += 1
    while hi > lo and text[hi - 1].isspace():
        hi -= 1
    while hi - lo > MAX_SENTENCE_CHARS:
        cut = text.rfind(" ", lo + MAX_SENTENCE_CHARS // 2, lo + MAX_SENTENCE_CHARS)
        if cut <= lo:
            cut = lo + MAX_SENTENCE_CHARS
        yield lo, cut
        lo = cut
        while lo < hi and text[lo].isspace():
            lo += 1
    if hi > lo:
        yield lo, hi


def _carried_starts(segments: list[Segment]) -> npt.NDArray[np.float64]:
    """Each segment's start, or the last start before it: sparse time marks (Markdown) carry forward."""
    starts = np.array([seg.start for seg in segments], dtype=np.float64)  # None becomes NaN
    known = np.where(np.isnan(starts), 0, np.arange(len(starts)))
    return starts[np.maximum.accumulate(known)] if len(starts) else starts


def _end_times(segments: list[Segment]) -> npt.NDArray[np.float64]:
    """Each segment's end, or else the next segment's start (NaN when neither is known)."""
    ends = np.array([seg.end for seg in segments], dtype=np.float64)
    next_starts = np.array([seg.start for seg in segments[1:]] + [None], dtype=np.float64)
    return np.where(np.isnan(ends), next_starts, ends)
