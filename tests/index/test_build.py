from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from onrecord.index import builder, store
from onrecord.index.builder import build_data
from onrecord.index.store import IndexData

DATA = Path(__file__).parent.parent / "data" / "transcripts"
SEEDS = Path(__file__).parent.parent.parent / "seeds"


def _same(a: IndexData, b: IndexData) -> None:
    for name in IndexData.__slots__:
        x, y = getattr(a, name), getattr(b, name)
        if name == "postings":
            for part in ("ptr", "ids", "weights"):
                assert np.array_equal(getattr(x, part), getattr(y, part)), f"postings {part}"
        elif isinstance(x, np.ndarray):
            assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), name
        else:
            assert x == y, name


def test_worker_processes_build_the_same_index_and_report_the_same_bad_files(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(DATA, corpus)
    shutil.copytree(SEEDS, corpus / "seeds", ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (corpus / "broken.srt").write_bytes(b"\x00\xff\x00binary" * 100)
    (corpus / "empty.txt").write_text("   \n", "utf-8")
    alone, alone_report = build_data([corpus])
    shared, shared_report = build_data([corpus], workers=2)
    _same(alone, shared)
    assert alone_report == shared_report
    assert alone_report.files >= 25 and len(alone_report.skipped) == 2
    assert len(alone.documents) == alone_report.files and len(alone.pass_lo) > 500


def test_a_build_under_new_rules_is_a_new_version_of_the_same_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(next(SEEDS.glob("*.txt")), tmp_path)
    first, _ = build_data([tmp_path])
    assert build_data([tmp_path])[0].version == first.version
    monkeypatch.setattr(builder, "RULES", store.RULES + 1)
    assert build_data([tmp_path])[0].version != first.version
