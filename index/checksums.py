"""SHA-256 of every file of a saved index, recorded in its manifest and checked when it is loaded.

SHA-256 because the standard library computes it at about 1 GB/s on CPUs with SHA extensions, without the
interpreter lock (so files are hashed on several cores at once), and anyone can check a file by hand with
``sha256sum``.
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

__all__ = ["digests", "first_damage"]

FileDigests = dict[str, dict[str, int | str]]


def digests(folder: Path, *, skip: str) -> FileDigests:
    """Size and SHA-256 of every file in ``folder`` but ``skip`` (the manifest that records them)."""
    return {
        path.name: {"bytes": path.stat().st_size, "sha256": _sha256(path)} for path in _files(folder, skip)
    }


def first_damage(folder: Path, recorded: FileDigests, *, skip: str) -> str | None:
    """What is wrong with the first file that does not match ``recorded``, or None when all match and
    every file in ``folder`` but ``skip`` is recorded (hidden files aside, such as a desktop's ``.DS_Store``).

    Sizes are compared first, so a truncated file is named without reading the others.
    """
    unrecorded = [path.name for path in _files(folder, skip) if path.name not in recorded]
    if unrecorded:
        return f"{unrecorded[0]} is not in the manifest"
    for name, expected in recorded.items():
        if "/" in name or name.startswith("."):
            return f"the manifest lists an unexpected file {name!r}"
        try:
            size = (folder / name).stat().st_size
        except FileNotFoundError:
            return f"{name} is missing"
        if size != expected["bytes"]:
            return f"{name} has {size} bytes instead of {expected['bytes']}"
    with ThreadPoolExecutor(max(1, min(len(recorded), os.cpu_count() or 1))) as pool:
        found = pool.map(_sha256, [folder / name for name in recorded])
        for (name, expected), digest in zip(recorded.items(), found, strict=True):
            if digest != expected["sha256"]:
                return f"{name} does not match its checksum"
    return None


def _files(folder: Path, skip: str) -> list[Path]:
    return sorted(
        path
        for path in folder.iterdir()
        if path.is_file() and path.name != skip and not path.name.startswith(".")
    )


def _sha256(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()
