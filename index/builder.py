"""Building an index from transcript files: the path of a document from its file to the postings.

1. **Find** the files (``readers.find_transcripts``), one per episode (``readers.one_per_episode``).
2. **Read and cut** each file, in worker processes when asked (``_cut_documents``): ``cut.read_and_cut``
   reads the transcript and cuts it into a ``cut.CutDocument``: its sentences, passages, daily-quote
   candidates, and its words as numbers the worker gave them (``cut.LocalWords``).
3. **Join** the documents in file order (``_Joined.add``): sentences and passages are numbered for the
   whole index, the words get the index's ids and become tokens (term ids) through the ``Vocabulary``,
   which analyses each word once.
4. **Assemble** (``_assemble``): terms renumbered in sorted order, each passage's tokens gathered from its
   sentences and counted into BM25 postings (``bm25.build_postings``), acronyms mined meanwhile, all into
   the arrays of ``store.IndexData``.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
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
from .cut import CutDocument, LocalWords, cut, read_and_cut
from .model import Document
from .quotability.candidates import QUOTES, best_first
from .readers import find_transcripts
from .readers.one_per_episode import Merged, one_per_episode
from .store import FORMAT, RULES, IndexData
from .transcript import Transcript, TranscriptError
from .vocabulary import GrowingInts, Vocabulary

__all__ = ["BuildReport", "build_data", "build_transcripts", "usable_cores"]

log = logging.getLogger(__name__)

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
    joined = _Joined(Vocabulary(Analyzer()))
    found = find_transcripts(paths)
    files, report.merged = one_per_episode(found.files)
    report.passed_over = found.passed_over
    for link in found.links_outside:
        skipped = f"{link}: a link to {link.resolve()}, outside the folders given"
        log.warning("skipped %s", skipped)
        report.skipped.append(skipped)
    report.links_outside = len(found.links_outside)
    for done, (path, doc) in enumerate(zip(files, _cut_documents(files, workers), strict=True)):
        if progress:
            progress(path, done, len(files))
        if isinstance(doc, TranscriptError):
            log.warning("skipped %s", doc)
            report.skipped.append(str(doc))
            continue
        joined.add(doc)
        report.files += 1
    return _assemble(joined, params), report


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, where the system tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def build_transcripts(transcripts: Iterable[Transcript], params: BM25Params = BM25Params()) -> IndexData:
    """An index of transcripts already read (or made) in memory."""
    joined = _Joined(Vocabulary(Analyzer()))
    words = LocalWords()
    for transcript in transcripts:
        joined.add(cut(transcript, words))
    return _assemble(joined, params)


def _cut_documents(files: list[Path], workers: int) -> Iterator[CutDocument | TranscriptError | None]:
    """Each file read and cut, in file order; in ``workers`` processes, each numbering words its own way."""
    if workers <= 1 or len(files) <= 1:
        words = LocalWords()  # this build's own, in this process
        yield from (read_and_cut(path, words) for path in files)
        return
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(min(workers, len(files)), mp_context=context) as pool:
        yield from pool.map(read_and_cut, files, chunksize=max(1, min(16, len(files) // (workers * 8))))


@dataclass(slots=True)
class _Joined:
    """The documents joined so far, in file order: their sentences, passages and quotes numbered for the
    whole index, their words as the index's tokens (term ids), their speakers as the index's."""

    vocabulary: Vocabulary
    docs: list[Document] = field(default_factory=list)
    speakers: dict[str, int] = field(default_factory=dict)
    texts: list[bytes] = field(default_factory=list)
    text_sizes: list[npt.NDArray[np.int64]] = field(default_factory=list)
    columns: list[tuple[npt.NDArray[Any], ...]] = field(default_factory=list)  # per document, as _COLUMNS
    tokens: list[npt.NDArray[np.int64]] = field(default_factory=list)  # term ids, in text order
    word_starts: list[npt.NDArray[np.bool_]] = field(default_factory=list)  # each token starts a word
    sent_tokens: list[npt.NDArray[np.int64]] = field(default_factory=list)  # tokens per sentence
    passages: list[npt.NDArray[np.int32]] = field(default_factory=list)  # (first, end), per document
    packaging: list[npt.NDArray[np.bool_]] = field(default_factory=list)  # per document
    quotes: list[npt.NDArray[np.void]] = field(default_factory=list)  # per document
    word_ids_by_process: dict[int, GrowingInts] = field(default_factory=dict)
    """For each process that cut documents (by pid): the word id here of each of its local word numbers."""
    sentences: int = 0
    passage_count: int = 0

    def add(self, doc: CutDocument | None) -> None:
        if doc is None:
            return
        doc_index = len(self.docs)
        self.docs.append(doc.document)
        self.texts.append(doc.text)
        self.text_sizes.append(doc.text_sizes)
        count = len(doc.text_sizes)
        known_speakers = [self.speakers.setdefault(name, len(self.speakers)) for name in doc.speakers]
        speakers = np.array([*known_speakers, -1], dtype=np.int32)[doc.sent_speaker]  # -1 stays -1
        self.columns.append((np.full(count, doc_index, dtype=np.int32), *doc.columns, speakers))
        # The process's local numbers continue where its last document left off: extend its table with
        # the words it met first in this one, then read every distinct word's id in it.
        word_ids = self.word_ids_by_process.setdefault(doc.cut_by, GrowingInts())
        word_ids.extend(list(map(self.vocabulary.__getitem__, doc.new_words)))
        distinct = word_ids.array()[doc.distinct]
        tokens, word_starts, per_sentence = self.vocabulary.tokens(distinct, doc.word_ids, doc.sent_words)
        self.tokens.append(tokens)
        self.word_starts.append(word_starts)
        self.sent_tokens.append(per_sentence)
        quotes = doc.quotes.copy()
        quotes["passage"] += self.passage_count
        quotes["sentence"] += self.sentences
        self.quotes.append(quotes)
        self.passages.append(doc.windows + self.sentences)
        self.packaging.append(doc.packaging)
        self.sentences += count
        self.passage_count += len(doc.windows)

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


def _assemble(c: _Joined, params: BM25Params) -> IndexData:
    """The index's arrays from the joined documents: sorted terms, passage postings, acronyms."""
    # Number the terms in sorted order, so the vocabulary can be searched by prefix.
    terms = list(c.vocabulary.vocab)
    order = np.argsort(np.array(terms, dtype=object)).astype(np.int64) if terms else np.zeros(0, np.int64)
    new_id = np.empty(len(order), dtype=np.int32)  # (int32 halves the arrays of tokens below)
    new_id[order] = np.arange(len(order))
    tokens, tok_ptr = c.all_tokens()
    flat = new_id[tokens]
    sorted_terms = [terms[i] for i in order]
    # Acronyms are mined in a second thread while the postings are counted: both are mostly numpy sorts,
    # which let go of the interpreter lock.
    capitals = [terms[i] for i in c.vocabulary.capitals]
    passages = np.concatenate(c.passages) if c.passages else np.zeros((0, 2), dtype=np.int32)
    lo, hi = passages.T.copy()
    with concurrent.futures.ThreadPoolExecutor(1) as helper:
        word_starts = np.concatenate(c.word_starts) if c.word_starts else np.zeros(0, dtype=bool)
        acronyms = helper.submit(mine_acronyms, flat, sorted_terms, capitals, word_starts)
        postings = _passage_postings(flat, tok_ptr, lo, hi, len(terms), params)
    version = hashlib.blake2b(
        f"{FORMAT}.{RULES}|{params}|{'|'.join(d.id for d in c.docs)}".encode(), digest_size=8
    ).hexdigest()
    return IndexData(
        version=version,
        params=params,
        documents=c.docs,
        speakers=list(c.speakers),
        acronyms=acronyms.result(),
        terms=sorted_terms,
        surface=[c.vocabulary.surface[i] for i in order],
        text=b"".join(c.texts),
        sent_offsets=c.text_offsets(),
        **c.sentence_columns(),
        pass_lo=lo,
        pass_hi=hi,
        postings=postings,
        sent_packaging=np.concatenate(c.packaging) if c.packaging else np.zeros(0, dtype=bool),
        quotes=best_first(np.concatenate(c.quotes) if c.quotes else np.zeros(0, QUOTES)),
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
