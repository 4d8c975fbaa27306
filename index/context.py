"""A document's sentences between character offsets, and where a hit's quote sits in its document.

Offsets are in the document's cleaned text, which depends only on the file: with the document's id (a hash
of its name, title, link and text), they name the same words after a restart or a rebuild of the index,
whatever the passages and their ids have become.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .model import Document, Hit
from .quotes import ELLIPSIS
from .searcher import Index

__all__ = ["DocumentText", "Sentence", "quote_span"]


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    char_start: int  # span in the document's cleaned text
    char_end: int
    start: float | None  # seconds into the recording, when the transcript has timings
    end: float | None
    speaker: str | None


class DocumentText:
    """Reads an index's documents by id and character offsets (the ids are looked up once)."""

    def __init__(self, index: Index) -> None:
        self._data = index._data  # the same package: the sentence columns behind the public API
        self._speakers = self._data.speakers

    @cached_property
    def _positions(self) -> dict[str, int]:
        positions: dict[str, int] = {}
        for i, doc in enumerate(self._data.documents):
            positions.setdefault(doc.id, i)
        return positions

    def document(self, document_id: str) -> Document | None:
        position = self._positions.get(document_id)
        return None if position is None else self._data.documents[position]

    def extent(self, document_id: str) -> tuple[int, int]:
        """Where the document's first sentence starts and its last ends ((0, 0) for one not in the index)."""
        lo, hi = self._sentence_range(document_id)
        return (int(self._data.sent_char[lo]), self._sentence(hi - 1).char_end) if hi > lo else (0, 0)

    def sentences(self, document_id: str, start: int, end: int) -> list[Sentence]:
        """The document's sentences that overlap ``[start, end)``, in order."""
        lo, hi = self._sentence_range(document_id)
        chars = self._data.sent_char
        first = max(lo, lo + int(np.searchsorted(chars[lo:hi], start, side="right")) - 1)
        last = lo + int(np.searchsorted(chars[lo:hi], end, side="left"))
        found = [self._sentence(i) for i in range(first, last)]
        return [s for s in found if s.char_end > start and s.char_start < end]

    def _sentence_range(self, document_id: str) -> tuple[int, int]:
        position = self._positions.get(document_id)
        if position is None:
            return 0, 0
        lo, hi = np.searchsorted(self._data.sent_doc, [position, position + 1])
        return int(lo), int(hi)

    def _sentence(self, i: int) -> Sentence:
        d = self._data
        text = bytes(d.text[int(d.sent_offsets[i]) : int(d.sent_offsets[i + 1])]).decode("utf-8")
        char_start = int(d.sent_char[i])
        speaker = int(d.sent_speaker[i])
        return Sentence(
            text=text,
            char_start=char_start,
            char_end=char_start + len(text),
            start=_seconds(float(d.sent_start[i])),
            end=_seconds(float(d.sent_end[i])),
            speaker=self._speakers[speaker] if speaker >= 0 else None,
        )


def quote_span(index: Index, hit: Hit) -> tuple[int, int]:
    """The span of the whole sentences that ``hit.quote`` is made of, in its document's text (the whole
    passage's when the quote cannot be found in it)."""
    passage = hit.passage
    sentences = index.sentences(passage.id)
    core = hit.quote.removeprefix(f"{ELLIPSIS} ").removesuffix(f" {ELLIPSIS}").strip()
    at = passage.text.find(core) if core else -1
    if at < 0:
        return passage.char_start, passage.char_end
    starts = [0]  # of each sentence in the passage's text (sentences joined by one space)
    for sentence in sentences[:-1]:
        starts.append(starts[-1] + len(sentence) + 1)
    first = bisect.bisect_right(starts, at) - 1
    last = bisect.bisect_right(starts, at + len(core) - 1) - 1
    lo = int(index._data.pass_lo[passage.id])  # the passage's first sentence among the index's
    chars = index._data.sent_char
    return int(chars[lo + first]), int(chars[lo + last]) + len(sentences[last])


def _seconds(value: float) -> float | None:
    return None if np.isnan(value) else value
