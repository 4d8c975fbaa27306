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
from .builder import BuildReport, Progress, build_data
from .model import Document, Hit, Passage
from .searcher import Index
from .store import IndexLoadError, load_data
from .transcript import TranscriptError

__all__ = [
    "BM25Params",
    "BuildReport",
    "Document",
    "Hit",
    "Index",
    "IndexLoadError",
    "Passage",
    "Progress",
    "TranscriptError",
    "build",
    "build_with_report",
    "load",
]


def build(paths: Iterable[str | Path], params: BM25Params = BM25Params()) -> Index:
    """An index of the transcripts at ``paths`` (files or folders); unreadable files are skipped."""
    return build_with_report(paths, params)[0]


def build_with_report(
    paths: Iterable[str | Path], params: BM25Params = BM25Params(), progress: Progress | None = None
) -> tuple[Index, BuildReport]:
    data, report = build_data(paths, params, progress)
    return Index(data), report


def load(directory: str | Path) -> Index:
    """A saved index, memory-mapped. Raises IndexLoadError when it is missing, corrupt or incompatible."""
    return Index(load_data(directory))
