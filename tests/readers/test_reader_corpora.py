"""Every real file in the shared seeds and corpora (about 140 MB) reads into non-empty segments (how
soon: benchmarks/suite_timings.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from onrecord.index.readers import SUPPORTED_SUFFIXES, read_transcript

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"


@pytest.mark.timeout(600)  # only for a read that never ends
def test_every_shared_file_reads() -> None:
    folders = [SHARED / "seeds", SHARED / "corpora"]
    if not all(folder.is_dir() for folder in folders):
        pytest.skip(f"{SHARED.resolve()} is not here")
    files = [
        path
        for folder in folders
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES
    ]
    assert len(files) > 1000
    for path in files:
        transcript = read_transcript(path)
        assert transcript.segments, path
        assert all(seg.text for seg in transcript.segments), path
