"""The saved form of an index: a directory with a JSON manifest and NumPy arrays, loaded by memory map.

Layout (no pickle anywhere):
  manifest.json   format, version hash, BM25 parameters, documents, speakers, array shapes
  terms.json      the vocabulary (index terms, sorted), for each a word it was seen as, and acronyms
  text.bin        every sentence, UTF-8, back to back (``sent_offsets`` slices it)
  *.npy           sentences (document, offset, times, speaker), passages (sentence ranges), postings
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .bm25 import BM25Params, Postings
from .model import Document

__all__ = ["FORMAT", "IndexData", "IndexLoadError", "load_data", "save_data"]

FORMAT = 2
_ARRAYS = (
    "sent_offsets",
    "sent_doc",
    "sent_char",
    "sent_start",
    "sent_end",
    "sent_speaker",
    "pass_lo",
    "pass_hi",
    "sent_packaging",
)
_POSTINGS = ("ptr", "ids", "weights")


class IndexLoadError(Exception):
    """A saved index that is missing, corrupt or from an incompatible version; the message says which."""


@dataclass(slots=True)
class IndexData:
    version: str
    params: BM25Params
    documents: list[Document]
    speakers: list[str]
    terms: list[str]
    surface: list[str]
    acronyms: dict[str, list[str]]  # acronym term -> its expansion's terms
    text: bytes | npt.NDArray[np.uint8]
    sent_offsets: npt.NDArray[np.int64]
    sent_doc: npt.NDArray[np.int32]
    sent_char: npt.NDArray[np.int64]
    sent_start: npt.NDArray[np.float64]
    sent_end: npt.NDArray[np.float64]
    sent_speaker: npt.NDArray[np.int32]
    pass_lo: npt.NDArray[np.int32]
    pass_hi: npt.NDArray[np.int32]
    postings: Postings
    sent_packaging: npt.NDArray[np.bool_]  # the sentence belongs to a sponsor read, intro or outro


def save_data(data: IndexData, directory: str | Path) -> None:
    """Write to a temporary directory beside ``directory``, then move it into place.

    An existing ``directory`` is replaced only when it is an index or empty, never a folder of other files.
    """
    target = Path(directory).resolve()
    if target.exists() and not (target.is_dir() and _replaceable(target)):
        raise FileExistsError(
            f"{directory} exists and is not an OnRecord index; choose another place to save it"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for name in _ARRAYS:
            np.save(tmp / f"{name}.npy", getattr(data, name))
        for name in _POSTINGS:
            np.save(tmp / f"postings_{name}.npy", getattr(data.postings, name))
        (tmp / "text.bin").write_bytes(bytes(data.text))
        (tmp / "terms.json").write_text(
            json.dumps({"terms": data.terms, "surface": data.surface, "acronyms": data.acronyms}), "utf-8"
        )
        (tmp / "manifest.json").write_text(json.dumps(_manifest(data), ensure_ascii=False, indent=1), "utf-8")
        if target.exists():
            old = target.with_name(f".{target.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            target.replace(old)
            tmp.replace(target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.replace(target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _replaceable(folder: Path) -> bool:
    return (folder / "manifest.json").is_file() or not any(folder.iterdir())


def load_data(directory: str | Path) -> IndexData:
    path = Path(directory)
    manifest = _read_manifest(path)
    try:
        arrays = {name: _array(path / f"{name}.npy") for name in _ARRAYS}
        terms = json.loads((path / "terms.json").read_text("utf-8"))
        text = np.memmap(path / "text.bin", dtype=np.uint8, mode="r") if manifest["text_bytes"] else b""
        data = IndexData(
            version=manifest["version"],
            params=BM25Params(**manifest["params"]),
            documents=[Document(**{**d, "speakers": tuple(d["speakers"])}) for d in manifest["documents"]],
            speakers=list(manifest["speakers"]),
            terms=terms["terms"],
            surface=terms["surface"],
            acronyms=terms["acronyms"],
            text=text,
            postings=_load_postings(path, int(manifest["passages"])),
            **arrays,
        )
        _check(data, manifest, path)
    except (OSError, ValueError, KeyError, TypeError, IndexError) as err:
        raise IndexLoadError(f"{path} is not a usable OnRecord index ({err}); rebuild it") from err
    return data


def _manifest(data: IndexData) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": data.version,
        "params": asdict(data.params),
        "passages": int(data.postings.size),
        "sentences": len(data.sent_doc),
        "text_bytes": len(data.text),
        "documents": [asdict(d) for d in data.documents],
        "speakers": data.speakers,
    }


def _array(path: Path) -> npt.NDArray[Any]:
    return np.load(path, mmap_mode="r", allow_pickle=False)  # type: ignore[no-any-return]


def _load_postings(path: Path, size: int) -> Postings:
    arrays = {
        name: np.load(path / f"postings_{name}.npy", mmap_mode="r", allow_pickle=False) for name in _POSTINGS
    }
    return Postings(size=size, **arrays)


def _read_manifest(path: Path) -> dict[str, Any]:
    if not path.is_dir():
        raise IndexLoadError(f"no index at {path}: build one with `onrecord index build PATH --out {path}`")
    try:
        manifest: dict[str, Any] = json.loads((path / "manifest.json").read_text("utf-8"))
    except FileNotFoundError as err:
        raise IndexLoadError(f"{path} is not an OnRecord index (no manifest.json)") from err
    except (OSError, ValueError) as err:
        raise IndexLoadError(f"{path} has a corrupt manifest.json ({err}); rebuild it") from err
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise IndexLoadError(
            f"{path} was built by another version of OnRecord (format {found}, this one reads {FORMAT}); "
            "rebuild it"
        )
    return manifest


def _check(data: IndexData, manifest: dict[str, Any], path: Path) -> None:
    """Cheap consistency checks, so a truncated or mixed-up index fails at load, not mid-search."""
    n_sent, n_pass, n_terms = int(manifest["sentences"]), data.postings.size, len(data.terms)
    post = data.postings
    checks: tuple[tuple[str, Callable[[], bool]], ...] = (
        ("array shapes", lambda: all(np.ndim(a) == 1 for a in (*_arrays(data), *_arrays(post)))),
        ("sentences", lambda: all(len(getattr(data, a)) == n_sent for a in _ARRAYS[1:6])),
        ("sentence offsets", lambda: len(data.sent_offsets) == n_sent + 1
         and int(data.sent_offsets[-1]) == len(data.text) == int(manifest["text_bytes"])),
        ("passages", lambda: len(data.pass_lo) == len(data.pass_hi) == n_pass
         and bool(np.all((data.pass_lo >= 0) & (data.pass_lo < data.pass_hi) & (data.pass_hi <= n_sent)))),
        ("sentence packaging", lambda: len(data.sent_packaging) == n_sent),
        ("sentence documents", lambda: n_sent == 0 or int(np.max(data.sent_doc)) < len(data.documents)),
        ("sentence speakers", lambda: n_sent == 0 or int(np.max(data.sent_speaker)) < len(data.speakers)),
        ("terms", lambda: len(data.surface) == n_terms and len(post.ptr) == n_terms + 1),
        ("postings", lambda: np.issubdtype(post.ids.dtype, np.integer)
         and len(post.ids) == len(post.weights) == int(post.ptr[-1])
         and bool(np.all(np.diff(post.ptr) >= 0))
         and (len(post.ids) == 0 or 0 <= int(np.min(post.ids)) <= int(np.max(post.ids)) < n_pass)),
    )  # fmt: skip
    for name, ok in checks:
        if not ok():
            raise IndexLoadError(f"{path} is corrupt ({name} do not agree); rebuild it")


def _arrays(data: IndexData | Postings) -> list[npt.NDArray[Any]]:
    names = _ARRAYS if isinstance(data, IndexData) else _POSTINGS
    return [getattr(data, name) for name in names]
