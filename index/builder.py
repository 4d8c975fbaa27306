"""Building an index from transcript files: read, split into sentences and passages, count terms."""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .acronyms import mine_acronyms
from .analyzer import Analyzer
from .bm25 import BM25Params, build_postings
from .model import Document
from .passages import PASSAGE_CHARS, windows
from .readers import find_transcripts, read_transcript
from .sentences import split_sentences
from .store import FORMAT, IndexData
from .transcript import Transcript, TranscriptError

__all__ = ["BuildReport", "build_data"]

log = logging.getLogger(__name__)

_PUNCTUATION = ".,!?;:\"'()[]{}…“”‘’"
Progress = Callable[[Path, int, int], None]
"""Called before each file with (path, files done, files in all)."""


@dataclass(slots=True)
class BuildReport:
    files: int = 0
    skipped: list[str] = field(default_factory=list)  # "path: reason" for files that could not be read


@dataclass(slots=True)
class _Collector:
    analyzer: Analyzer
    vocab: dict[str, int] = field(default_factory=dict)
    surface: list[str] = field(default_factory=list)
    capitals: set[int] = field(default_factory=set)  # terms seen written as an acronym (RL, AGI)
    docs: list[Document] = field(default_factory=list)
    speakers: dict[str, int] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)
    sent_doc: list[int] = field(default_factory=list)
    sent_char: list[int] = field(default_factory=list)
    sent_start: list[float] = field(default_factory=list)
    sent_end: list[float] = field(default_factory=list)
    sent_speaker: list[int] = field(default_factory=list)
    sent_tokens: list[list[int]] = field(default_factory=list)
    passages: list[tuple[int, int]] = field(default_factory=list)
    _word_terms: dict[str, list[int]] = field(default_factory=dict)

    def add(self, transcript: Transcript) -> None:
        sentences = split_sentences(transcript.segments)
        if not sentences:
            return
        doc_index = len(self.docs)
        self.docs.append(_document(transcript))
        base = len(self.texts)
        for s in sentences:
            self.texts.append(s.text)
            self.sent_doc.append(doc_index)
            self.sent_char.append(s.char_start)
            self.sent_start.append(math.nan if s.start is None else s.start)
            self.sent_end.append(math.nan if s.end is None else s.end)
            self.sent_speaker.append(
                -1 if s.speaker is None else self.speakers.setdefault(s.speaker, len(self.speakers))
            )
            self.sent_tokens.append(self._token_ids(s.text))
        self.passages.extend(
            (base + lo, base + hi) for lo, hi in windows([len(s.text) for s in sentences], PASSAGE_CHARS)
        )

    def _token_ids(self, text: str) -> list[int]:
        out: list[int] = []
        for word in text.split():
            ids = self._word_terms.get(word)
            if ids is None:
                ids = [self._term_id(term, word) for term in self.analyzer.terms(word)]
                self._word_terms[word] = ids
                bare = word.strip(_PUNCTUATION)
                if len(ids) == 1 and 2 <= len(bare) <= 3 and bare.isalpha() and bare.isupper():
                    self.capitals.add(ids[0])
            out.extend(ids)
        return out

    def _term_id(self, term: str, word: str) -> int:
        tid = self.vocab.get(term)
        if tid is None:
            tid = self.vocab[term] = len(self.surface)
            self.surface.append(word.strip(_PUNCTUATION).lower() or term)
        return tid


def build_data(
    paths: Iterable[str | Path], params: BM25Params = BM25Params(), progress: Progress | None = None
) -> tuple[IndexData, BuildReport]:
    report = BuildReport()
    collector = _Collector(Analyzer())
    files = find_transcripts(paths)
    for done, path in enumerate(files):
        if progress:
            progress(path, done, len(files))
        try:
            collector.add(read_transcript(path))
            report.files += 1
        except TranscriptError as err:
            log.warning("skipped %s", err)
            report.skipped.append(str(err))
    return _assemble(collector, params), report


def _document(t: Transcript) -> Document:
    digest = hashlib.blake2b(digest_size=8)
    for part in (t.source, t.title, t.url or ""):
        digest.update(part.encode() + b"\0")
    for seg in t.segments:
        digest.update(seg.text.encode())
    return Document(
        id=digest.hexdigest(),
        source=t.source,
        path=t.path,
        title=t.title,
        url=t.url,
        show=t.show,
        language=t.language,
        speakers=tuple(t.speakers),
    )


def _assemble(c: _Collector, params: BM25Params) -> IndexData:
    encoded = [t.encode() for t in c.texts]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    tok_len = np.fromiter((len(t) for t in c.sent_tokens), dtype=np.int64, count=len(c.sent_tokens))
    tok_ptr = np.zeros(len(tok_len) + 1, dtype=np.int64)
    np.cumsum(tok_len, out=tok_ptr[1:])
    # Number the terms in sorted order, so the vocabulary can be searched by prefix.
    terms = list(c.vocab)
    order = np.argsort(np.array(terms, dtype=object)).astype(np.int64) if terms else np.zeros(0, np.int64)
    new_id = np.empty_like(order)
    new_id[order] = np.arange(len(order))
    flat = new_id[np.fromiter((i for t in c.sent_tokens for i in t), dtype=np.int64, count=int(tok_ptr[-1]))]
    sent_doc = np.array(c.sent_doc, dtype=np.int32)
    sorted_terms = [terms[i] for i in order]
    lo = np.array([p[0] for p in c.passages], dtype=np.int64)
    hi = np.array([p[1] for p in c.passages], dtype=np.int64)
    term_ids = (
        np.concatenate([flat[tok_ptr[a] : tok_ptr[b]] for a, b in c.passages]) if c.passages else flat[:0]
    )
    passage_ids = np.repeat(np.arange(len(lo), dtype=np.int64), tok_ptr[hi] - tok_ptr[lo])
    postings = build_postings(term_ids, passage_ids, len(terms), len(lo), params)
    version = hashlib.blake2b(
        f"{FORMAT}|{params}|{'|'.join(d.id for d in c.docs)}".encode(), digest_size=8
    ).hexdigest()
    return IndexData(
        version=version,
        params=params,
        documents=c.docs,
        speakers=list(c.speakers),
        acronyms=mine_acronyms(flat, sorted_terms, (terms[i] for i in c.capitals)),
        terms=sorted_terms,
        surface=[c.surface[i] for i in order],
        text=b"".join(encoded),
        sent_offsets=offsets,
        sent_doc=sent_doc,
        sent_char=np.array(c.sent_char, dtype=np.int64),
        sent_start=np.array(c.sent_start, dtype=np.float64),
        sent_end=np.array(c.sent_end, dtype=np.float64),
        sent_speaker=np.array(c.sent_speaker, dtype=np.int32),
        pass_lo=lo.astype(np.int32),
        pass_hi=hi.astype(np.int32),
        postings=postings,
    )
