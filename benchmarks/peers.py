"""Helpers shared by benchmarks/search.py and benchmarks/beir.py (not a benchmark itself).

- running one measurement in a fresh interpreter (`isolated`), so its peak memory is its own;
- memory readings from /proc/self/status, sizes on disk, percentiles;
- the machine, and the versions of OnRecord and its peers (bm25s, tantivy, rank-bm25);
- OnRecord's analyzer tokens for the peers (`TokenTable`: the builder's own word-by-word analysis);
- transcripts made from texts rather than read from files (`text_transcript`).
"""

from __future__ import annotations

import concurrent.futures
import importlib.metadata
import multiprocessing
import os
import platform
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import ParamSpec, TypeVar

import numpy as np

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("ONRECORD_SHARED") or REPO.parent / "shared")  # eval sets and corpora
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from onrecord.index import usable_cores  # noqa: E402
from onrecord.index.analyzer import Analyzer  # noqa: E402
from onrecord.index.transcript import Segment, Transcript  # noqa: E402

__all__ = [
    "REPO",
    "SHARED",
    "TokenTable",
    "dir_mb",
    "evict_from_page_cache",
    "isolated",
    "machine",
    "peak_mb",
    "percentile",
    "rss_mb",
    "text_transcript",
    "versions",
]

P = ParamSpec("P")
R = TypeVar("R")


# -- processes and memory -------------------------------------------------------------------------------


def isolated(work: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """``work(*args)`` in a fresh (spawned) interpreter: its peak RSS and page-ins are its own."""
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(work, *args, **kwargs).result()


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def rss_mb() -> float:
    """Resident memory now (VmRSS): anonymous memory plus the mapped file pages touched so far."""
    return _status_kb("VmRSS") / 1024


def peak_mb() -> float:
    """Peak resident memory of this process so far (VmHWM)."""
    return _status_kb("VmHWM") / 1024


def dir_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def evict_from_page_cache(path: Path) -> None:
    """Drop ``path``'s files from the page cache (POSIX_FADV_DONTNEED), for a cold load without root."""
    for file in (f for f in path.rglob("*") if f.is_file()):
        fd = os.open(file, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), q)) if len(values) else float("nan")


# -- the machine and the versions ---------------------------------------------------------------------


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "?",
    )
    mem_gb = next(
        int(line.split()[1]) / 2**20
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    cores = usable_cores()
    return (
        f"{platform.system()} {platform.release()} {platform.machine()}, {cpu}, {cores} cores usable, "
        f"{mem_gb:.1f} GB RAM; Python {platform.python_version()}"
    )


def versions() -> dict[str, str]:
    def version(package: str) -> str:
        try:
            return importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"

    try:
        commit = subprocess.run(
            ["git", "-C", str(REPO), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "?"
    return {
        "onrecord": f"{version('onrecord')} (git {commit})",
        "bm25s": version("bm25s"),
        "tantivy": version("tantivy"),
        "rank-bm25": version("rank-bm25"),
        "numpy": version("numpy"),
        "PyStemmer": version("PyStemmer"),
        "numba": version("numba"),  # bm25s uses it when installed; otherwise its numpy backend
    }


# -- tokens ---------------------------------------------------------------------------------------------


class TokenTable:
    """OnRecord's analyzer as the builder applies it (word by word, split on white space), as token ids.

    ``vocab[i]`` is the token with id ``i``. Whole texts are remembered too: transcripts repeat sentences,
    and the synthetic corpus repeats them a lot.
    """

    def __init__(self, analyzer: Analyzer | None = None) -> None:
        self.analyzer = analyzer or Analyzer()
        self.vocab: list[str] = []
        self._ids: dict[str, int] = {}
        self._words: dict[str, list[int]] = {}
        self._texts: dict[str, list[int]] = {}

    def ids(self, text: str) -> list[int]:
        found = self._texts.get(text)
        if found is not None:
            return found
        out: list[int] = []
        for word in text.split():
            ids = self._words.get(word)
            if ids is None:
                ids = self._words[word] = [self._id(t) for t in self.analyzer.terms(word)]
            out.extend(ids)
        self._texts[text] = out
        return out

    def _id(self, token: str) -> int:
        tid = self._ids.get(token)
        if tid is None:
            tid = self._ids[token] = len(self.vocab)
            self.vocab.append(token)
        return tid


# -- transcripts from texts --------------------------------------------------------------------------------


def text_transcript(key: str, title: str, pieces: Sequence[str]) -> Transcript:
    """A transcript of ``pieces`` (each starts a turn, so no sentence runs across two pieces)."""
    return Transcript(
        path=key,
        source=key,
        title=title,
        segments=[Segment(text=p, turn=True) for p in pieces if p.strip()],
        language="en",
    )
