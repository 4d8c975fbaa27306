"""Where the index comes from: a saved one, a folder of transcripts, or the bundled seeds (cached)."""

from __future__ import annotations

import hashlib
import importlib
import logging
from pathlib import Path

import platformdirs

from onrecord import index
from onrecord.index.store import FORMAT, RULES

__all__ = ["default_index", "seed_files", "seeds_cache_dir"]

log = logging.getLogger(__name__)


def seed_files() -> list[Path]:
    """The transcripts bundled with OnRecord (the package ``onrecord.seeds``: data files only, so a
    namespace package whose folder is found through its path)."""
    seeds = importlib.import_module("onrecord.seeds")
    for entry in seeds.__path__:
        folder = Path(entry)
        if folder.is_dir():
            return sorted(p for p in folder.iterdir() if p.suffix == ".txt")
    raise FileNotFoundError("the bundled seed transcripts are missing from this installation")


def seeds_cache_dir(cache_root: Path | None = None) -> Path:
    """The cached index of the seeds; its name changes with their content, the index format and the rules
    its build follows."""
    digest = hashlib.blake2b(digest_size=8)
    digest.update(f"{FORMAT}.{RULES}".encode())
    for path in seed_files():
        sidecar = path.with_suffix(".meta.json")
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
        digest.update(sidecar.read_bytes() if sidecar.is_file() else b"\0")
    root = cache_root or Path(platformdirs.user_cache_dir("onrecord"))
    return root / f"seeds-{digest.hexdigest()}"


def default_index(cache_root: Path | None = None) -> index.Index:
    """The seeds' index: loaded from the user's cache, built there on first use or when the seeds change."""
    target = seeds_cache_dir(cache_root)
    try:
        return index.load(target)
    except index.IndexLoadError:
        log.info("building the index of the bundled transcripts in %s", target)
    built = index.build(seed_files())
    try:
        built.save(target)
    except OSError as err:  # a read-only cache is no reason not to answer
        log.warning("could not cache the index in %s: %s", target, err)
    return built
