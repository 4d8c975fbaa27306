"""One transcript cut for the index, in the process that read it: sentences, words, passages, quotes.

``cut`` turns a ``Transcript`` into a ``CutDocument``, everything the builder needs of the document and
nothing it must ask again: the sentences' text and columns, the passages (``passages.windows``), the
sponsor-read flags and daily-quote candidates (``quotability``), and the words. Words travel as numbers:
each process numbers the words it meets in its own order (``LocalWords``) and sends each word itself only
once, the first time (``CutDocument.new_words``), so a build with worker processes moves numbers, not
strings, and the builder analyses each word once (``vocabulary``).
"""

from __future__ import annotations

import hashlib
import itertools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .analyzer import without_capitals
from .intros import introduced
from .model import Document
from .passages import PASSAGE_CHARS, windows
from .quotability.candidates import document_quotes
from .readers import read_transcript
from .sentences import split_sentences
from .transcript import Transcript, TranscriptError

__all__ = ["CutDocument", "LocalWords", "cut", "read_and_cut"]


class LocalWords(dict[str, int]):
    """The words one process has met (as written), numbered in the order it met them."""

    def __init__(self) -> None:
        super().__init__()
        self._new: list[str] = []

    def __missing__(self, word: str) -> int:
        number = self[word] = len(self)
        self._new.append(word)
        return number

    def take_new(self) -> list[str]:
        """The words met since the last call, in order: their numbers are where this list left off."""
        new, self._new = self._new, []
        return new


_THIS_PROCESS = LocalWords()
"""The words of a worker process (each starts with none: workers are spawned)."""


@dataclass(slots=True)
class CutDocument:
    """One transcript cut into sentences, words and passages, ready to join an index."""

    document: Document
    text: bytes  # the sentences, UTF-8, back to back
    text_sizes: npt.NDArray[np.int64]  # bytes per sentence
    columns: tuple[npt.NDArray[Any], ...]  # per sentence: offset in the document, start and end times
    speakers: list[str]  # who speaks, by name
    sent_speaker: npt.NDArray[np.int32]  # who says each sentence, as a place in ``speakers`` (-1: unknown)
    cut_by: int  # the process (its pid) whose LocalWords numbered the words below
    new_words: list[str]  # the words that process met first in this document, in its order
    distinct: npt.NDArray[np.int64]  # the document's distinct words, by that process's numbers
    word_ids: npt.NDArray[np.int32]  # every word, as its place in ``distinct``
    sent_words: npt.NDArray[np.int32]  # words per sentence
    windows: npt.NDArray[np.int32]  # the passages, as (first, end) sentence ranges
    packaging: npt.NDArray[np.bool_]  # which sentences belong to a sponsor read, intro or outro
    quotes: npt.NDArray[np.void]  # the daily quote's candidates, by passage and sentence in the document


def read_and_cut(path: Path, words: LocalWords = _THIS_PROCESS) -> CutDocument | TranscriptError | None:
    """Read and cut one file (in a worker process): errors come back as values, so one bad file stops
    nothing. None for a file without sentences."""
    try:
        return cut(read_transcript(path), words)
    except TranscriptError as err:
        return err


def cut(transcript: Transcript, words: LocalWords) -> CutDocument | None:
    """``transcript`` cut for the index, its words numbered by ``words``; None when it has no sentences."""
    sentences = split_sentences(transcript.segments)
    texts = sentences.texts
    if not texts:
        return None
    lengths = [len(t) for t in texts]
    text = "".join(texts).encode()
    text_sizes = np.array(lengths, dtype=np.int64)
    if len(text) != text_sizes.sum():  # not all ASCII: count bytes
        text_sizes = np.fromiter((len(t.encode()) for t in texts), dtype=np.int64, count=len(texts))
    # Joined by spaces, the sentences split into the same words as each one split on its own.
    joined = " ".join(map(without_capitals, texts))
    distinct, word_ids = _distinct(joined.split())
    numbers = np.fromiter(map(words.__getitem__, distinct), dtype=np.int64, count=len(distinct))
    names: dict[str, int] = {}
    speaker_of_segment = np.array(
        [-1 if s.speaker is None else names.setdefault(s.speaker, len(names)) for s in transcript.segments],
        dtype=np.int32,
    )
    document = _document(transcript, introduced(texts, sentences.char_start.tolist()))
    passages = np.array(windows(lengths, PASSAGE_CHARS), dtype=np.int32).reshape(-1, 2)
    sent_speaker = speaker_of_segment[sentences.segment]
    packaging, quotes = document_quotes(texts, passages, document.id, speakers=sent_speaker)
    return CutDocument(
        document=document,
        text=text,
        text_sizes=text_sizes,
        columns=(sentences.char_start, sentences.start, sentences.end),
        speakers=list(names),
        sent_speaker=sent_speaker,
        cut_by=os.getpid(),
        new_words=words.take_new(),
        distinct=numbers,
        word_ids=word_ids,
        sent_words=_word_counts(texts, joined),
        windows=passages,
        packaging=packaging,
        quotes=quotes,
    )


def _distinct(words: list[str]) -> tuple[list[str], npt.NDArray[np.int32]]:
    """The distinct words in first-seen order, and every word as its place among them.

    One pass of ``setdefault`` gives each word the position where it first occurs; those positions,
    in increasing order, are the distinct words' places.
    """
    first_at: dict[str, int] = {}
    firsts = np.fromiter(map(first_at.setdefault, words, itertools.count()), dtype=np.int32, count=len(words))
    place = np.empty(len(words), dtype=np.int32)
    place[np.fromiter(first_at.values(), dtype=np.int32, count=len(first_at))] = np.arange(len(first_at))
    return list(first_at), place[firsts]


def _word_counts(texts: list[str], joined: str) -> npt.NDArray[np.int32]:
    """Words per (stripped) sentence: one more than its spaces, unless some white space is not one space."""
    if "  " in joined or not joined.isprintable():  # all white space but " " is unprintable
        return np.fromiter((len(t.split()) for t in texts), dtype=np.int32, count=len(texts))
    return np.fromiter(map(str.count, texts, itertools.repeat(" ")), dtype=np.int32, count=len(texts)) + 1


def _document(t: Transcript, guests: tuple[str, ...]) -> Document:
    digest = hashlib.blake2b(digest_size=8)
    for part in (t.source, t.title, t.url or ""):
        digest.update(part.encode() + b"\0")
    digest.update("".join(seg.text for seg in t.segments).encode())
    return Document(
        id=digest.hexdigest(),
        source=t.source,
        path=t.path,
        title=t.title,
        url=t.url,
        show=t.show,
        language=t.language,
        speakers=tuple(t.speakers),
        date=t.date,
        guests=guests,
    )
