"""One episode, one document: files with the same stem in one folder hold the same episode.

yt-dlp and similar tools leave ``talk.en.srt``, ``talk.en.vtt`` and ``talk.en.txt`` side by side; indexed
as they are, every quote would come back once per file. Only the richest of them is indexed: speakers
beat none, timings beat none, then the one with the most text, then the first by name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from onrecord.index.readers import read_transcript
from onrecord.index.transcript import TranscriptError

__all__ = ["Merged", "one_per_episode"]


@dataclass(frozen=True, slots=True)
class Merged:
    """An episode found in several files: the one indexed, and the others left out."""

    kept: Path
    left_out: tuple[Path, ...]

    def __str__(self) -> str:
        return f"{self.kept} (also in {', '.join(p.name for p in self.left_out)})"


def one_per_episode(files: Sequence[Path]) -> tuple[list[Path], list[Merged]]:
    """``files`` with one file per episode, in their order, and the episodes that were in several."""
    episodes: dict[tuple[Path, str], list[Path]] = {}
    for path in files:
        episodes.setdefault((path.parent, path.stem), []).append(path)
    merged = [m for same in episodes.values() if len(same) > 1 and (m := _richest(same)) is not None]
    left_out = {path for m in merged for path in m.left_out}
    return [path for path in files if path not in left_out], merged


def _richest(same: list[Path]) -> Merged | None:
    """The richest of ``same`` and the others; None when none can be read (the build reports each)."""
    richness = {path: _richness(path) for path in same}
    kept = max(same, key=richness.__getitem__)  # the first of equals
    if richness[kept][2] < 0:
        return None
    return Merged(kept, tuple(path for path in same if path != kept))


def _richness(path: Path) -> tuple[bool, bool, int]:
    """Whether the file names its speakers, whether it is timed, and how much text it holds (-1: it
    cannot be read)."""
    try:
        segments = read_transcript(path).segments
    except TranscriptError:
        return (False, False, -1)
    return (
        any(s.speaker for s in segments),
        any(s.start is not None for s in segments),
        sum(len(s.text) for s in segments),
    )
