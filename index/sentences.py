"""Sentence splitting of a transcript, keeping where each sentence sits in time and who said it."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from .transcript import Segment

__all__ = ["MAX_SENTENCE_CHARS", "Sentence", "document_text", "split_sentences"]

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


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    char_start: int  # offset in the document's text
    start: float | None
    end: float | None
    speaker: str | None


def document_text(segments: list[Segment]) -> tuple[str, list[int]]:
    """The document's text (segments joined by one space) and each segment's offset in it."""
    offsets: list[int] = []
    pos = 0
    for seg in segments:
        offsets.append(pos)
        pos += len(seg.text) + 1
    return " ".join(seg.text for seg in segments), offsets


def split_sentences(segments: list[Segment]) -> list[Sentence]:
    text, offsets = document_text(segments)
    times = _carried_times(segments)
    out: list[Sentence] = []
    for lo, hi in _turn_blocks(segments, offsets, len(text)):
        for s, e in _sentence_bounds(text, lo, hi):
            first = bisect.bisect_right(offsets, s) - 1
            last = bisect.bisect_right(offsets, e - 1) - 1
            out.append(
                Sentence(
                    text=text[s:e],
                    char_start=s,
                    start=times[first],
                    end=_end_time(segments, last),
                    speaker=segments[first].speaker,
                )
            )
    return out


def _turn_blocks(segments: list[Segment], offsets: list[int], total: int) -> Iterator[tuple[int, int]]:
    """Character ranges between turn boundaries: no sentence runs across a change of speaker."""
    starts = [offsets[i] for i, seg in enumerate(segments) if seg.turn or i == 0]
    for i, lo in enumerate(starts):
        hi = starts[i + 1] - 1 if i + 1 < len(starts) else total
        yield lo, hi


def _sentence_bounds(text: str, lo: int, hi: int) -> Iterator[tuple[int, int]]:
    start = lo
    for match in _END.finditer(text, lo, hi):
        if _not_an_end(text, max(lo, match.start() - 30), match.start() + 1):
            continue
        yield from _cut_long(text, start, match.end())
        start = match.end()
    yield from _cut_long(text, start, hi)


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


def _carried_times(segments: list[Segment]) -> list[float | None]:
    """Each segment's start, or the last start before it: sparse time marks (Markdown) carry forward."""
    out: list[float | None] = []
    last: float | None = None
    for seg in segments:
        last = seg.start if seg.start is not None else last
        out.append(last)
    return out


def _end_time(segments: list[Segment], i: int) -> float | None:
    if segments[i].end is not None:
        return segments[i].end
    return segments[i + 1].start if i + 1 < len(segments) else None
