"""OnRecord's search engine: transcripts in, quoted passages out. No chat code, no network.

idx = index.build(["transcripts/"])      # or index.load("my-index/")
idx.save("my-index/")
for hit in idx.search("why did she leave?", k=3):
    print(hit.score, hit.quote, hit.passage.doc.title)
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .bm25 import BM25Params
from .builder import BuildReport, Progress, build_data, build_transcripts, usable_cores
from .model import Document, Hit, Passage
from .searcher import Index
from .store import IndexLoadError, current_folder, load_data
from .transcript import Transcript, TranscriptError

__all__ = [
    "BM25Params",
    "BuildReport",
    "Document",
    "Hit",
    "Index",
    "IndexLoadError",
    "Passage",
    "Progress",
    "Transcript",
    "TranscriptError",
    "build",
    "build_from_transcripts",
    "build_with_report",
    "current_folder",
    "load",
    "usable_cores",
]


def build(paths: Iterable[str | Path], params: BM25Params = BM25Params(), *, workers: int = 1) -> Index:
    """An index of the transcripts at ``paths`` (files or folders); unreadable files are skipped.

    With ``workers`` > 1, that many processes read and split the files (call it under
    ``if __name__ == "__main__":``); the index is the same.
    """
    return build_with_report(paths, params, workers=workers)[0]


def build_with_report(
    paths: Iterable[str | Path],
    params: BM25Params = BM25Params(),
    progress: Progress | None = None,
    *,
    workers: int = 1,
) -> tuple[Index, BuildReport]:
    data, report = build_data(paths, params, progress, workers)
    return Index(data), report


def build_from_transcripts(transcripts: Iterable[Transcript], params: BM25Params = BM25Params()) -> Index:
    """An index of transcripts read or made in memory (see ``index.transcript``)."""
    return Index(build_transcripts(transcripts, params))


def load(directory: str | Path) -> Index:
    """A saved index, memory-mapped. Raises IndexLoadError when it is missing, corrupt or incompatible."""
    return Index(load_data(directory))
