"""Where a saved index lives: complete versions side by side and one small pointer file naming the current
one, so replacing an index never leaves a moment when readers find none (LevelDB's ``CURRENT`` file).

  DIR/CURRENT          the name of the current version's folder; replaced by a rename, so always whole
  DIR/v-<version>-<id>/  one complete index (what ``store`` writes)
  DIR/.staging-<id>/   a version being written, which no reader ever looks at
  DIR/.lock            held by a writer while it publishes and cleans up

Writers may run at the same time: each writes its own staging folder, then publishes under the lock.
Old versions are removed when a new one is published, except those a process is opening at that moment
(it holds a shared ``flock`` on the version's folder meanwhile; the next publish removes them). A process
that has loaded a version keeps it after it is removed: its files are memory-mapped, and an unlinked file
stays readable for whoever mapped it. One that read the pointer just before the switch and finds its
version gone opens the new one (``store.load_data``).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

__all__ = ["POINTER", "current", "opening", "publish", "replaceable"]

POINTER = "CURRENT"
_VERSION_PREFIX = "v-"
_STAGING_PREFIX = ".staging-"
_LOCK = ".lock"
_FLAT_INDEX = ("manifest.json", "terms.json", "text.bin")  # an index saved straight into DIR (format 1)


def current(directory: Path) -> Path:
    """The folder holding the current version of the index at ``directory``: the one ``CURRENT`` names,
    else ``directory`` itself (a version folder named directly, or an index saved before versions).

    Raises OSError (PermissionError when the pointer is not readable) and ValueError for a bad pointer.
    """
    try:
        name = (directory / POINTER).read_text("utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return directory
    if not name.startswith(_VERSION_PREFIX) or "/" in name or name in (".", ".."):
        raise ValueError(f"{directory / POINTER} names no version folder ({name[:80]!r})")
    return directory / name


def replaceable(directory: Path) -> bool:
    """Whether ``directory`` may hold a new version: missing, empty, or only OnRecord's own files."""
    if not directory.exists():
        return True
    if not directory.is_dir():
        return False
    return _is_flat_index(directory) or all(_ours(entry.name) for entry in directory.iterdir())


def _is_flat_index(directory: Path) -> bool:
    """Whether ``directory`` holds an index saved before versions: a manifest that says it is one (any
    other folder with a ``manifest.json``, a web app's, say, is not OnRecord's to replace)."""
    try:
        manifest = json.loads((directory / _FLAT_INDEX[0]).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and isinstance(manifest.get("format"), int) and "version" in manifest


def publish(directory: Path, label: str, write: Callable[[Path], None]) -> Path:
    """Write a new version into ``directory`` with ``write(folder)``, make it current and remove the old
    ones no process is opening; returns its folder. Folders and files get the usual modes (the umask
    applies)."""
    directory.mkdir(parents=True, exist_ok=True)
    staging = directory / f"{_STAGING_PREFIX}{secrets.token_hex(8)}"
    staging.mkdir()
    try:
        write(staging)
        _sync_folder(staging, files=True)
        with _writer_lock(directory):
            folder = directory / f"{_VERSION_PREFIX}{label}-{secrets.token_hex(4)}"
            staging.rename(folder)
            _point(directory, folder.name)
            _remove_old(directory, keep=folder.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder


@contextlib.contextmanager
def opening(folder: Path) -> Iterator[None]:
    """Keep writers from removing the version in ``folder`` while this process opens it."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        with contextlib.suppress(OSError):  # a file system without locks: the reader retries instead
            fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)


def _ours(name: str) -> bool:
    return name in (POINTER, _LOCK) or name.startswith((_VERSION_PREFIX, _STAGING_PREFIX, f".{POINTER}."))


@contextlib.contextmanager
def _writer_lock(directory: Path) -> Iterator[None]:
    fd = os.open(directory / _LOCK, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _point(directory: Path, name: str) -> None:
    """Replace ``CURRENT`` in one step: write a new pointer beside it, then rename it over the old one."""
    pending = directory / f".{POINTER}.{secrets.token_hex(4)}"
    with pending.open("w", encoding="utf-8") as out:
        out.write(name + "\n")
        out.flush()
        os.fsync(out.fileno())
    pending.replace(directory / POINTER)
    _sync_folder(directory, files=False)


def _remove_old(directory: Path, keep: str) -> None:
    """Remove every version but ``keep`` and those being opened, and the files of an index saved before
    versions; never the staging folders of writers still at work."""
    for entry in directory.iterdir():
        if entry.name.startswith(_VERSION_PREFIX) and entry.name != keep:
            _remove_unless_opened(entry)
        elif entry.name in _FLAT_INDEX or (entry.suffix == ".npy" and entry.is_file()):
            entry.unlink(missing_ok=True)


def _remove_unless_opened(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)  # a reader is opening it
        return
    try:
        shutil.rmtree(folder, ignore_errors=True)
    finally:
        os.close(fd)


def _sync_folder(folder: Path, *, files: bool) -> None:
    """Flush ``folder`` (and its files) to disk, so a crash never leaves a pointer to a half-written
    version."""
    for path in [*(p for p in folder.iterdir() if p.is_file()), folder] if files else [folder]:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
