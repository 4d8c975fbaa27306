"""Sentence splitting of a transcript, keeping where each sentence sits in time and who said it."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .transcript import Segment

__all__ = ["ABBREVIATIONS", "MAX_SENTENCE_CHARS", "Sentences", "document_text", "split_sentences"]

MAX_SENTENCE_CHARS = 400
"""Longer runs without punctuation (caption files without any) are cut at word boundaries."""

# A sentence ends at . ! ? … (and closing quotes/brackets after them) followed by white space, or right
# after CJK full stops, which need no space. A full stop after an initial ("J. R.") or a common
# abbreviation does not end one.
# (Captured, for re.split; the lookahead lets the regex engine skip to candidates twice as fast.)
_END = re.compile(r"""(?=[.!?…。！？])([.!?…]+["'”’)\]]*\s+|[。！？]+["”’」』）)]*\s*)""")
ABBREVIATIONS = ("Mr", "Ms", "Mrs", "Dr", "St", "vs", "etc", "e.g", "i.e", "Jr", "Sr", "Prof")
_ABBREVIATION = re.compile(rf"\b(?:{'|'.join(map(re.escape, ABBREVIATIONS))})\.$")
# An initial: a capital (not "I") after a capitalised word ("George W. Bush") or before another ("J. R.").
_INITIAL_AFTER_NAME = re.compile(r"\b[A-Z][\w.]*\s+(?!I\.)[A-Z]\.$")
_INITIAL_BEFORE_INITIAL = re.compile(r"\b(?!I\.)[A-Z]\.\s+[A-Z]\.")
_TRIM_STEPS = 8
_Codes = npt.NDArray[np.uint8] | npt.NDArray[np.uint32]
_ASCII_SPACE = np.array([chr(c).isspace() for c in range(128)])


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
    codes = _code_points(text)
    marks = _sentence_ends(text, codes, turns)
    cuts = np.unique(np.concatenate([np.array(turns, np.int64), marks, [len(text)]]))
    starts, ends = _trimmed(text, codes, cuts[:-1], cuts[1:])
    if (ends - starts > MAX_SENTENCE_CHARS).any():
        spans = [
            span
            for lo, hi in zip(starts.tolist(), ends.tolist(), strict=True)
            for span in (_cut_long(text, lo, hi) if hi - lo > MAX_SENTENCE_CHARS else ((lo, hi),))
        ]
        starts, ends = (np.array([span[i] for span in spans], dtype=np.int64) for i in (0, 1))
    seg_at = np.array(offsets, dtype=np.int64)
    first = np.searchsorted(seg_at, starts, side="right") - 1
    last = np.searchsorted(seg_at, ends - 1, side="right") - 1
    return Sentences(
        texts=[text[lo:hi] for lo, hi in zip(starts.tolist(), ends.tolist(), strict=True)],
        char_start=starts,
        start=_carried_starts(segments)[first],
        end=_end_times(segments)[last],
        segment=first,
    )


def _sentence_ends(text: str, codes: _Codes, turns: list[int]) -> npt.NDArray[np.int64]:
    """Where sentences end: after an end mark that does not close an abbreviation or an initial."""
    # re.split with the mark captured gives text, mark, text, mark, ..., text: their lengths place every
    # mark without a match object per sentence.
    pieces = _END.split(text)
    bounds = np.cumsum(np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces)))
    mark_starts, mark_ends = bounds[:-1:2], bounds[1::2]
    keep = np.ones(len(mark_ends), dtype=bool)
    for i in _suspects(codes, mark_starts).tolist():
        dot = int(mark_starts[i])
        lo = turns[bisect.bisect_right(turns, dot) - 1]  # look back no further than the turn
        if _not_an_end(text, max(lo, dot - 30), dot + 1):
            keep[i] = False
    return mark_ends[keep]


def _suspects(codes: _Codes, marks: npt.NDArray[np.int64]) -> npt.NDArray[np.intp]:
    """The marks that start with a full stop after a capital letter or an abbreviation (which may not end
    a sentence), found with array comparisons: a few in a hundred are then checked by the rules."""
    dots = np.flatnonzero((codes[marks] == ord(".")) & (marks > 0))
    at = marks[dots]
    before = codes[at - 1]
    suspect = (before >= ord("A")) & (before <= ord("Z"))
    for word in ABBREVIATIONS:
        fits = at >= len(word)
        for back, char in enumerate(reversed(word), start=1):
            fits &= codes[np.maximum(at - back, 0)] == ord(char)
        suspect |= fits
    return dots[suspect]


def _trimmed(
    text: str, codes: _Codes, lo: npt.NDArray[np.int64], hi: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The pieces ``text[lo:hi]`` without white space at either end (as ``str.strip``); empty ones dropped.

    Pieces rarely start or end with more than a space or two, so the ends move a character at a time,
    for all pieces at once, looking only at the characters at their ends.
    """
    starts, ends = lo.copy(), hi.copy()
    for ahead in (True, False):
        live = np.flatnonzero(starts < ends)
        for _ in range(_TRIM_STEPS):
            at = starts[live] if ahead else ends[live] - 1
            live = live[_is_space(codes[at])]
            if ahead:
                starts[live] += 1
            else:
                ends[live] -= 1
            live = live[starts[live] < ends[live]]
        for i in live.tolist():  # a long run of white space: str.strip finds where it ends
            piece = text[starts[i] : ends[i]]
            if ahead:
                starts[i] += len(piece) - len(piece.lstrip())
            else:
                ends[i] -= len(piece) - len(piece.rstrip())
    kept = starts < ends
    return starts[kept], ends[kept]


def _code_points(text: str) -> _Codes:
    """The text's characters as numbers (one byte each when it is ASCII), to look at many at once."""
    if text.isascii():
        return np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _is_space(codes: _Codes) -> npt.NDArray[np.bool_]:
    """``str.isspace`` of each character, by its code point."""
    spaces = _ASCII_SPACE[np.minimum(codes, 127)]
    wide = np.unique(codes[codes > 127]).tolist()
    wide_spaces = [c for c in wide if chr(c).isspace()]
    return spaces | np.isin(codes, wide_spaces) if wide_spaces else spaces


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
