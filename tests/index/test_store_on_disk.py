"""A saved index on disk: the modes it gets, and replacing it while others read and write it."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from onrecord import index

DATA = Path(__file__).parent.parent / "data" / "transcripts"

# Saves two indexes, in turn, into one directory until told to stop; says when the first save is done.
_SAVER = """
import sys, pathlib, index
sources = [index.load(sys.argv[1]), index.load(sys.argv[2])]
target, stop = pathlib.Path(sys.argv[3]), pathlib.Path(sys.argv[4])
saves = 0
while saves == 0 or not stop.exists():
    sources[saves % 2].save(target)
    saves += 1
    if saves == 1:
        print("saved", flush=True)
print(saves, flush=True)
"""


@pytest.mark.parametrize(("umask", "folders", "files"), [(0o022, 0o755, 0o644), (0o027, 0o750, 0o640)])
def test_a_saved_index_gets_the_usual_modes_under_the_umask(
    seed_index: index.Index, tmp_path: Path, umask: int, folders: int, files: int
) -> None:
    before = os.umask(umask)
    try:
        seed_index.save(tmp_path / "idx")
        seed_index.save(tmp_path / "idx")  # and again, replacing it
    finally:
        os.umask(before)
    saved = [tmp_path / "idx", *(tmp_path / "idx").rglob("*")]
    assert len(saved) > 10
    for path in saved:
        expected = folders if path.is_dir() else files
        assert stat.S_IMODE(path.stat().st_mode) == expected, f"{path}: {oct(path.stat().st_mode)}"


def test_loads_never_fail_while_two_writers_replace_the_index_again_and_again(
    seed_index: index.Index, tmp_path: Path
) -> None:
    small = index.build([DATA])
    seed_index.save(tmp_path / "a")
    small.save(tmp_path / "b")
    target, stop = tmp_path / "served", tmp_path / "stop"
    seed_index.save(target)
    savers = [
        subprocess.Popen(
            [sys.executable, "-c", _SAVER, str(tmp_path / "a"), str(tmp_path / "b"), str(target), str(stop)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        for saver in savers:  # both are saving
            assert saver.stdout is not None and saver.stdout.readline() == "saved\n", saver.stderr
        with ThreadPoolExecutor(4) as pool:
            loads = list(pool.map(_load, [target] * 201))
    finally:
        stop.touch()
        outcomes = [saver.communicate(timeout=120) for saver in savers]
    assert [saver.returncode for saver in savers] == [0, 0], [err for _, err in outcomes]
    assert sum(int(out.split()[-1]) for out, _ in outcomes) >= 4
    failures = [load for load in loads if isinstance(load, str)]
    assert failures == [], f"{len(failures)} of {len(loads)} loads failed, e.g. {failures[0]}"
    loaded = [load for load in loads if isinstance(load, index.Index)]
    assert {idx.version for idx in loaded} <= {seed_index.version, small.version}
    # Old versions were removed meanwhile (one a loader was opening, by a later save): the processes that
    # loaded them still read them.
    seed_index.save(target)
    assert len([p for p in target.iterdir() if p.is_dir()]) == 1
    for idx in loaded:  # every passage's words, from the files: a search that finds each first passage
        first = idx.passage(0)
        assert idx.search(first.text[:200], k=1, documents={first.doc.id})[0].passage.id == 0


def _load(directory: Path) -> index.Index | str:
    try:
        return index.load(directory)
    except Exception as err:  # every failure is counted, whatever it is
        return f"{type(err).__name__}: {err}"
