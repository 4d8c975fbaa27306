"""Building an index from transcript files: read, split into sentences and passages, count terms.

Each file becomes a ``_Part`` (its sentences, its words as the cutting process numbers them, its passages),
in worker processes when asked; the parts then join in file order, their words numbered for the whole index
and analysed once each, and everything is assembled into the arrays of ``IndexData`` with array operations.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import itertools
import logging
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .acronyms import mine_acronyms
from .analyzer import Analyzer
from .bm25 import BM25Params, Postings, build_postings
from .model import Document
from .passages import PASSAGE_CHARS, windows
from .quotable import packaging
from .readers import find_transcripts, read_transcript
from .readers.one_per_episode import Merged, one_per_episode
from .sentences import split_sentences
from .store import FORMAT, IndexData
from .transcript import Transcript, TranscriptError

__all__ = ["BuildReport", "build_data", "build_transcripts", "usable_cores"]

log = logging.getLogger(__name__)

_PUNCTUATION = ".,!?;:\"'()[]{}…“”‘’"
_COLUMNS = (
    ("sent_doc", np.int32),
    ("sent_char", np.int64),
    ("sent_start", np.float64),
    ("sent_end", np.float64),
    ("sent_speaker", np.int32),
)
Progress = Callable[[Path, int, int], None]
"""Called before each file with (path, files done, files in all)."""


@dataclass(slots=True)
class BuildReport:
    files: int = 0
    skipped: list[str] = field(default_factory=list)  # "path: reason" for files that could not be read
    links_outside: int = 0  # links to files outside the folders given (also in `skipped`)
    passed_over: list[tuple[Path, str]] = field(default_factory=list)  # not transcripts, and why
    merged: list[Merged] = field(default_factory=list)  # episodes found in several files: one was indexed


class _Words(dict[str, int]):
    """Raw words (split on white space, as written) to word ids, each analysed once, on first sight.

    Word ``w``'s term ids are ``terms[ptr[w]:ptr[w + 1]]``. Terms are numbered in the order first seen;
    ``surface`` holds the word each term was first seen as, ``capitals`` the terms once written as an
    acronym (RL, AGI).
    """

    def __init__(self, analyzer: Analyzer) -> None:
        super().__init__()
        self.analyzer = analyzer
        self.vocab: dict[str, int] = {}
        self.surface: list[str] = []
        self.capitals: set[int] = set()
        self.terms = _Growing()
        self.ptr = _Growing()
        self.ptr.extend([0])

    def __missing__(self, word: str) -> int:
        ids = [self._term_id(term, word) for term in self.analyzer.terms(word)]
        bare = word.strip(_PUNCTUATION)
        if len(ids) == 1 and 2 <= len(bare) <= 3 and bare.isalpha() and bare.isupper():
            self.capitals.add(ids[0])
        self.terms.extend(ids)
        self.ptr.extend([len(self.terms)])
        wid = self[word] = len(self.ptr) - 2
        return wid

    def _term_id(self, term: str, word: str) -> int:
        tid = self.vocab.get(term)
        if tid is None:
            tid = self.vocab[term] = len(self.surface)
            self.surface.append(word.strip(_PUNCTUATION).lower() or term)
        return tid

    def tokens(
        self, known: npt.NDArray[np.int64], word_ids: npt.NDArray[np.int32], sent_words: npt.NDArray[np.int32]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_], npt.NDArray[np.int64]]:
        """The term ids of a document's words back to back, which of them start a word, and how many
        each sentence has.

        The document's words are ``word_ids``, places in its table of distinct words, whose ids here are
        ``known``; its sentences have ``sent_words`` words each (one at least). Most words give one term
        or none (stop words): each word becomes its first term, or -1, through the small table; the later
        terms of the few words with several (``pre-training``) are inserted after it.
        """
        ptr, terms = self.ptr.array(), self.terms.array()
        starts = ptr[known]
        per_word = ptr[known + 1] - starts
        first = np.full(len(known), -1, dtype=np.int64)
        first[per_word > 0] = terms[starts[per_word > 0]]
        counts = per_word[word_ids]  # terms per word, word by word
        tokens = first[word_ids]
        word_start = np.ones(len(tokens), dtype=bool)
        several = np.flatnonzero(counts > 1)
        if several.size:
            more = counts[several] - 1
            done = np.cumsum(more) - more  # later terms inserted before each of these words
            later = np.repeat(starts[word_ids[several]] + 1 - done, more) + np.arange(int(more.sum()))
            tokens = np.insert(tokens, np.repeat(several + 1, more), terms[later])
            word_start = np.insert(word_start, np.repeat(several + 1, more), False)
        per_sentence = np.add.reduceat(counts, np.cumsum(sent_words) - sent_words)
        return tokens[tokens >= 0], word_start[tokens >= 0], per_sentence


class _Growing:
    """A list of integers kept in a numpy array that doubles when full (appends cost O(1) on average)."""

    def __init__(self) -> None:
        self._data = np.zeros(1024, dtype=np.int64)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def extend(self, values: list[int]) -> None:
        end = self._size + len(values)
        if end > len(self._data):
            self._data = np.resize(self._data, max(end, 2 * len(self._data)))
        self._data[self._size : end] = values
        self._size = end

    def array(self) -> npt.NDArray[np.int64]:
        """The values, as a view (valid until the next ``extend``)."""
        return self._data[: self._size]


@dataclass(slots=True)
class _Part:
    """One transcript cut into sentences and words, ready to join an index (made where it was read)."""

    document: Document
    text: bytes  # the sentences, UTF-8, back to back
    text_sizes: npt.NDArray[np.int64]  # bytes per sentence
    columns: tuple[npt.NDArray[Any], ...]  # offset in the document, start and end times
    speakers: list[str]  # who speaks, by name
    sent_speaker: npt.NDArray[np.int32]  # who says each sentence, as a place in ``speakers`` (-1: unknown)
    cutter: int  # the process that cut it, which numbers the words it sees (as written) in its own order
    fresh: list[str]  # the words that process saw first in this document, in that order
    distinct: npt.NDArray[np.int64]  # the document's distinct words, by that process's numbers
    word_ids: npt.NDArray[np.int32]  # every word, as its place in ``distinct``
    sent_words: npt.NDArray[np.int32]  # words per sentence
    windows: npt.NDArray[np.int32]  # the passages, as (first, end) sentence ranges
    packaging: npt.NDArray[np.bool_]  # which sentences belong to a sponsor read, intro or outro


class _Numbering(dict[str, int]):
    """Words numbered in the order a process first sees them; ``fresh`` holds those not yet handed on.

    Each word then travels to the collector once from each process (not once per document), and the
    collector looks up only those.
    """

    def __init__(self) -> None:
        super().__init__()
        self.fresh: list[str] = []

    def __missing__(self, word: str) -> int:
        number = self[word] = len(self)
        self.fresh.append(word)
        return number

    def take_fresh(self) -> list[str]:
        fresh, self.fresh = self.fresh, []
        return fresh


_WORKER_WORDS = _Numbering()
"""The words of a worker process (fresh in each, as workers are spawned)."""


def _cut(transcript: Transcript, numbering: _Numbering) -> _Part | None:
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
    joined = " ".join(texts)
    words = joined.split()
    distinct, word_ids = _distinct(words)
    numbers = np.fromiter(map(numbering.__getitem__, distinct), dtype=np.int64, count=len(distinct))
    names: dict[str, int] = {}
    speaker_of_segment = np.array(
        [-1 if s.speaker is None else names.setdefault(s.speaker, len(names)) for s in transcript.segments],
        dtype=np.int32,
    )
    return _Part(
        document=_document(transcript),
        text=text,
        text_sizes=text_sizes,
        columns=(sentences.char_start, sentences.start, sentences.end),
        speakers=list(names),
        sent_speaker=speaker_of_segment[sentences.segment],
        cutter=os.getpid(),
        fresh=numbering.take_fresh(),
        distinct=numbers,
        word_ids=word_ids,
        sent_words=_word_counts(texts, joined),
        windows=np.array(windows(lengths, PASSAGE_CHARS), dtype=np.int32).reshape(-1, 2),
        packaging=packaging(texts),
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


def _read_and_cut(path: Path, numbering: _Numbering = _WORKER_WORDS) -> _Part | TranscriptError | None:
    """Run in a worker process: errors come back as values, so one bad file stops nothing."""
    try:
        return _cut(read_transcript(path), numbering)
    except TranscriptError as err:
        return err


@dataclass(slots=True)
class _Collector:
    """The parts added so far, their terms and speakers numbered for the whole index."""

    words: _Words
    docs: list[Document] = field(default_factory=list)
    speakers: dict[str, int] = field(default_factory=dict)
    texts: list[bytes] = field(default_factory=list)
    text_sizes: list[npt.NDArray[np.int64]] = field(default_factory=list)
    columns: list[tuple[npt.NDArray[Any], ...]] = field(default_factory=list)  # per document, as _COLUMNS
    tokens: list[npt.NDArray[np.int64]] = field(default_factory=list)  # term ids, in text order
    word_starts: list[npt.NDArray[np.bool_]] = field(default_factory=list)  # each token starts a word
    sent_tokens: list[npt.NDArray[np.int64]] = field(default_factory=list)  # tokens per sentence
    passages: list[npt.NDArray[np.int32]] = field(default_factory=list)  # per document, as _Part.windows
    packaging: list[npt.NDArray[np.bool_]] = field(default_factory=list)  # per document, as _Part's
    cutters: dict[int, _Growing] = field(default_factory=dict)  # per cutting process, its words' ids here
    sentences: int = 0

    def add(self, part: _Part | None) -> None:
        if part is None:
            return
        doc_index = len(self.docs)
        self.docs.append(part.document)
        self.texts.append(part.text)
        self.text_sizes.append(part.text_sizes)
        count = len(part.text_sizes)
        known_speakers = [self.speakers.setdefault(name, len(self.speakers)) for name in part.speakers]
        speakers = np.array([*known_speakers, -1], dtype=np.int32)[part.sent_speaker]  # -1 stays -1
        self.columns.append((np.full(count, doc_index, dtype=np.int32), *part.columns, speakers))
        ids = self.cutters.setdefault(part.cutter, _Growing())
        ids.extend(list(map(self.words.__getitem__, part.fresh)))
        known = ids.array()[part.distinct]
        tokens, word_starts, per_sentence = self.words.tokens(known, part.word_ids, part.sent_words)
        self.tokens.append(tokens)
        self.word_starts.append(word_starts)
        self.sent_tokens.append(per_sentence)
        self.passages.append(part.windows + self.sentences)
        self.packaging.append(part.packaging)
        self.sentences += count

    def sentence_columns(self) -> dict[str, npt.NDArray[Any]]:
        """Each sentence's document, offset in it, start and end times, and speaker."""
        return {
            name: np.concatenate([doc[i] for doc in self.columns]) if self.columns else np.zeros(0, dtype)
            for i, (name, dtype) in enumerate(_COLUMNS)
        }

    def text_offsets(self) -> npt.NDArray[np.int64]:
        offsets = np.zeros(self.sentences + 1, dtype=np.int64)
        if self.text_sizes:
            np.cumsum(np.concatenate(self.text_sizes), out=offsets[1:])
        return offsets

    def all_tokens(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Every sentence's term ids back to back, and where each sentence starts among them."""
        tokens = np.concatenate(self.tokens) if self.tokens else np.zeros(0, np.int64)
        tok_ptr = np.zeros(self.sentences + 1, dtype=np.int64)
        if self.sent_tokens:
            np.cumsum(np.concatenate(self.sent_tokens), out=tok_ptr[1:])
        return tokens, tok_ptr


def build_data(
    paths: Iterable[str | Path],
    params: BM25Params = BM25Params(),
    progress: Progress | None = None,
    workers: int = 1,
) -> tuple[IndexData, BuildReport]:
    """Read and index the transcript files at ``paths``; ``workers`` processes read and split them.

    Worker processes are started fresh (spawn), so a script that builds with ``workers > 1`` must do so
    under ``if __name__ == "__main__":``. The index is the same whatever the number of workers.
    """
    report = BuildReport()
    collector = _Collector(_Words(Analyzer()))
    found = find_transcripts(paths)
    files, report.merged = one_per_episode(found.files)
    report.passed_over = found.passed_over
    for link in found.links_outside:
        skipped = f"{link}: a link to {link.resolve()}, outside the folders given"
        log.warning("skipped %s", skipped)
        report.skipped.append(skipped)
    report.links_outside = len(found.links_outside)
    for done, (path, part) in enumerate(zip(files, _parts(files, workers), strict=True)):
        if progress:
            progress(path, done, len(files))
        if isinstance(part, TranscriptError):
            log.warning("skipped %s", part)
            report.skipped.append(str(part))
            continue
        collector.add(part)
        report.files += 1
    return _assemble(collector, params), report


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, where the system tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def build_transcripts(transcripts: Iterable[Transcript], params: BM25Params = BM25Params()) -> IndexData:
    """An index of transcripts already read (or made) in memory."""
    collector = _Collector(_Words(Analyzer()))
    numbering = _Numbering()
    for transcript in transcripts:
        collector.add(_cut(transcript, numbering))
    return _assemble(collector, params)


def _parts(files: list[Path], workers: int) -> Iterator[_Part | TranscriptError | None]:
    if workers <= 1 or len(files) <= 1:
        numbering = _Numbering()  # this build's own, in this process
        yield from (_read_and_cut(path, numbering) for path in files)
        return
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(min(workers, len(files)), mp_context=context) as pool:
        yield from pool.map(_read_and_cut, files, chunksize=max(1, min(16, len(files) // (workers * 8))))


def _document(t: Transcript) -> Document:
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
    )


def _assemble(c: _Collector, params: BM25Params) -> IndexData:
    # Number the terms in sorted order, so the vocabulary can be searched by prefix.
    terms = list(c.words.vocab)
    order = np.argsort(np.array(terms, dtype=object)).astype(np.int64) if terms else np.zeros(0, np.int64)
    new_id = np.empty(len(order), dtype=np.int32)  # (int32 halves the arrays of tokens below)
    new_id[order] = np.arange(len(order))
    tokens, tok_ptr = c.all_tokens()
    flat = new_id[tokens]
    sorted_terms = [terms[i] for i in order]
    # Acronyms are mined in a second thread while the postings are counted: both are mostly numpy sorts,
    # which let go of the interpreter lock.
    capitals = [terms[i] for i in c.words.capitals]
    passages = np.concatenate(c.passages) if c.passages else np.zeros((0, 2), dtype=np.int32)
    lo, hi = passages.T.copy()
    with concurrent.futures.ThreadPoolExecutor(1) as helper:
        word_starts = np.concatenate(c.word_starts) if c.word_starts else np.zeros(0, dtype=bool)
        acronyms = helper.submit(mine_acronyms, flat, sorted_terms, capitals, word_starts)
        postings = _passage_postings(flat, tok_ptr, lo, hi, len(terms), params)
    version = hashlib.blake2b(
        f"{FORMAT}|{params}|{'|'.join(d.id for d in c.docs)}".encode(), digest_size=8
    ).hexdigest()
    return IndexData(
        version=version,
        params=params,
        documents=c.docs,
        speakers=list(c.speakers),
        acronyms=acronyms.result(),
        terms=sorted_terms,
        surface=[c.words.surface[i] for i in order],
        text=b"".join(c.texts),
        sent_offsets=c.text_offsets(),
        **c.sentence_columns(),
        pass_lo=lo,
        pass_hi=hi,
        postings=postings,
        sent_packaging=np.concatenate(c.packaging) if c.packaging else np.zeros(0, dtype=bool),
        sent_tokens=flat,
        sent_token_ptr=tok_ptr,
    )


def _passage_postings(
    flat: npt.NDArray[np.int32],
    tok_ptr: npt.NDArray[np.int64],
    lo: npt.NDArray[np.int32],
    hi: npt.NDArray[np.int32],
    n_terms: int,
    params: BM25Params,
) -> Postings:
    """The postings of the passages, whose tokens are their sentences' tokens, in order."""
    sizes = tok_ptr[hi] - tok_ptr[lo]
    before = np.zeros(len(lo) + 1, dtype=np.int64)
    np.cumsum(sizes, out=before[1:])
    gather = np.repeat(tok_ptr[lo] - before[:-1], sizes) + np.arange(before[-1])
    passage_ids = np.repeat(np.arange(len(lo), dtype=np.int32), sizes)
    return build_postings(flat[gather], passage_ids, n_terms, len(lo), params)
