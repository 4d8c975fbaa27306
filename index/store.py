"""The saved form of an index: a folder with a JSON manifest and NumPy arrays, loaded by memory map.

Layout of one version (``layout`` keeps versions side by side and points at the current one; no pickle):
  manifest.json   format, version hash, BM25 parameters, documents, speakers, and every other file's size
                  and SHA-256 (checked at each load, so damage is found before a question meets it)
  terms.json      the vocabulary (index terms, sorted), for each a word it was seen as, and acronyms
  text.bin        every sentence, UTF-8, back to back (``sent_offsets`` slices it)
  *.npy           sentences (document, offset, times, speaker, terms), passages (sentence ranges),
                  postings, and the daily quote's candidates (``quotability.candidates``)
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from . import checksums, layout
from .bm25 import BM25Params, Postings
from .model import Document
from .quotability.candidates import QUOTES

__all__ = ["FORMAT", "RULES", "IndexData", "IndexLoadError", "current_folder", "load_data", "save_data"]

FORMAT = 6  # 2: versions under a CURRENT pointer, checksums in the manifest; 3: sentence packaging;
# 4: the daily quote's candidates; 5: each sentence's terms; 6: each document's guests
RULES = 1  # what a build finds in the same layout (packaging, guests, the daily quote's candidates): a new
# number gives a rebuilt index a new version (a running bot switches to it, cached answers are not reused)
# and the cached seeds index a new folder, while an index built under older rules still loads
_MANIFEST = "manifest.json"
_OPEN_ATTEMPTS = 20  # a reader whose version is replaced while it opens it tries the newer one
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
    "quotes",
    "sent_tokens",
    "sent_token_ptr",
)
_POSTINGS = ("ptr", "ids", "weights")
_HEADER_LOCK = threading.Lock()


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
    quotes: npt.NDArray[np.void]  # the daily quote's candidates, best first (``quotability.QUOTES`` records)
    # The term ids of each sentence's words, in order (those its passages' postings count): sentence s
    # has ``sent_tokens[sent_token_ptr[s]:sent_token_ptr[s + 1]]``.
    sent_tokens: npt.NDArray[np.int32]
    sent_token_ptr: npt.NDArray[np.int64]


def save_data(data: IndexData, directory: str | Path) -> None:
    """Save as a new version in ``directory`` and make it the current one in a single step: readers find
    the old version or the new one, never none (see ``layout``). Several saves may run at once.

    An existing ``directory`` is used only when it holds an index or is empty, never a folder of other files.
    """
    target = Path(directory).resolve()
    if not layout.replaceable(target):
        raise FileExistsError(
            f"{directory} exists and is not an OnRecord index; choose another place to save it"
        )
    layout.publish(target, data.version, partial(_write, data))


def _write(data: IndexData, folder: Path) -> None:
    for name in _ARRAYS:
        np.save(folder / f"{name}.npy", getattr(data, name))
    for name in _POSTINGS:
        np.save(folder / f"postings_{name}.npy", getattr(data.postings, name))
    (folder / "text.bin").write_bytes(bytes(data.text))
    (folder / "terms.json").write_text(
        json.dumps({"terms": data.terms, "surface": data.surface, "acronyms": data.acronyms}), "utf-8"
    )
    manifest = {**_manifest(data), "files": checksums.digests(folder, skip=_MANIFEST)}
    (folder / _MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), "utf-8")


def load_data(directory: str | Path) -> IndexData:
    """The current version at ``directory``, its files checked against their checksums."""
    path = Path(directory)
    try:
        if not path.is_dir():
            raise IndexLoadError(
                f"no index at {path}: build one with `onrecord index build PATH --out {path}`"
            )
        folder = _current(path)
        for _ in range(_OPEN_ATTEMPTS):
            try:
                return _load_version(folder)
            except IndexLoadError:
                newer = _current(path)
                if newer == folder:
                    raise
                folder = newer  # replaced (and the old one removed) while this process opened it
        return _load_version(folder)
    except PermissionError as err:
        raise _denied(path, err) from err


def _denied(path: Path, err: PermissionError) -> IndexLoadError:
    return IndexLoadError(
        f"{path}: permission denied reading {err.filename or 'the index'}; the index must be readable "
        f"by the user running OnRecord (e.g. `chmod -R a+rX {path}`)"
    )


def current_folder(directory: str | Path) -> Path:
    """The folder of the version that loading ``directory`` opens now; it changes when the index is rebuilt
    into ``directory``."""
    path = Path(directory)
    try:
        return _current(path)
    except PermissionError as err:
        raise _denied(path, err) from err


def _current(path: Path) -> Path:
    try:
        return layout.current(path)
    except PermissionError:
        raise
    except (OSError, ValueError) as err:
        raise IndexLoadError(f"{path} has a corrupt {layout.POINTER} file ({err}); rebuild it") from err


def _load_version(path: Path) -> IndexData:
    try:
        with layout.opening(path):
            return _read_version(path)
    except FileNotFoundError as err:  # removed by a writer before this process got to it
        raise IndexLoadError(f"{path} is missing ({err}); rebuild it") from err


def _read_version(path: Path) -> IndexData:
    manifest = _read_manifest(path)
    try:
        damage = checksums.first_damage(path, manifest["files"], skip=_MANIFEST)
        if damage is not None:
            raise IndexLoadError(f"{path} is damaged ({damage}); rebuild it")
        arrays = {name: _array(path / f"{name}.npy") for name in _ARRAYS}
        terms = json.loads((path / "terms.json").read_text("utf-8"))
        text = np.memmap(path / "text.bin", dtype=np.uint8, mode="r") if manifest["text_bytes"] else b""
        data = IndexData(
            version=manifest["version"],
            params=BM25Params(**manifest["params"]),
            documents=[
                Document(**{**d, "speakers": tuple(d["speakers"]), "guests": tuple(d["guests"])})
                for d in manifest["documents"]
            ],
            speakers=list(manifest["speakers"]),
            terms=terms["terms"],
            surface=terms["surface"],
            acronyms=terms["acronyms"],
            text=text,
            postings=_load_postings(path, int(manifest["passages"])),
            **arrays,
        )
        _check(data, manifest, path)
    except PermissionError:
        raise
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError) as err:
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
    # numpy reads an array's header with ast.literal_eval, and CPython 3.11's AST constructor is not safe
    # from several threads at once ("AST constructor recursion depth mismatch"): loads in threads take turns.
    with _HEADER_LOCK:
        return np.load(path, mmap_mode="r", allow_pickle=False)  # type: ignore[no-any-return]


def _load_postings(path: Path, size: int) -> Postings:
    arrays = {name: _array(path / f"postings_{name}.npy") for name in _POSTINGS}
    return Postings(size=size, **arrays)


def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((path / _MANIFEST).read_text("utf-8"))
    except FileNotFoundError as err:
        raise IndexLoadError(f"{path} is not an OnRecord index (no {_MANIFEST})") from err
    except PermissionError:
        raise
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
        ("array shapes do not agree", lambda: all(np.ndim(a) == 1 for a in (*_arrays(data), *_arrays(post)))),
        ("sentences do not agree", lambda: all(len(getattr(data, a)) == n_sent for a in _ARRAYS[1:6])),
        ("sentence offsets do not agree", lambda: len(data.sent_offsets) == n_sent + 1
         and int(data.sent_offsets[-1]) == len(data.text) == int(manifest["text_bytes"])),
        ("passages do not agree", lambda: len(data.pass_lo) == len(data.pass_hi) == n_pass
         and bool(np.all((data.pass_lo >= 0) & (data.pass_lo < data.pass_hi) & (data.pass_hi <= n_sent)))),
        ("sentence packaging does not agree", lambda: len(data.sent_packaging) == n_sent),
        ("quotes do not agree", lambda: data.quotes.dtype == QUOTES and _quotes_fit(data)),
        ("sentence terms do not agree", lambda: _integers(data.sent_tokens, data.sent_token_ptr)
         and len(data.sent_token_ptr) == n_sent + 1
         and int(data.sent_token_ptr[0]) == 0 and int(data.sent_token_ptr[-1]) == len(data.sent_tokens)
         and bool(np.all(np.diff(data.sent_token_ptr) >= 0))
         and (len(data.sent_tokens) == 0
              or 0 <= int(np.min(data.sent_tokens)) <= int(np.max(data.sent_tokens)) < n_terms)),
        ("sentence documents do not agree", lambda: _integers(data.sent_doc) and (n_sent == 0
         or 0 <= int(np.min(data.sent_doc)) <= int(np.max(data.sent_doc)) < len(data.documents))),
        ("sentence speakers do not agree", lambda: _integers(data.sent_speaker) and (n_sent == 0
         or -1 <= int(np.min(data.sent_speaker)) <= int(np.max(data.sent_speaker)) < len(data.speakers))),
        ("terms do not agree", lambda: len(data.surface) == n_terms and len(post.ptr) == n_terms + 1),
        ("documents' names are not lists of names", lambda: all(
            isinstance(name, str) for d in manifest["documents"] for name in (*d["speakers"], *d["guests"])
        ) and not any(isinstance(d[k], str) for d in manifest["documents"] for k in ("speakers", "guests"))),
        ("postings do not agree", lambda: np.issubdtype(post.ids.dtype, np.integer)
         and len(post.ids) == len(post.weights) == int(post.ptr[-1])
         and bool(np.all(np.diff(post.ptr) >= 0))
         and (len(post.ids) == 0 or 0 <= int(np.min(post.ids)) <= int(np.max(post.ids)) < n_pass)),
        ("weights are not all finite numbers", lambda: np.issubdtype(post.weights.dtype, np.floating)
         and bool(np.isfinite(post.weights).all())
         and all(math.isfinite(v) for v in asdict(data.params).values())),
    )  # fmt: skip
    for problem, ok in checks:
        if not ok():
            raise IndexLoadError(f"{path} is corrupt ({problem}); rebuild it")


def _integers(*arrays: npt.NDArray[Any]) -> bool:
    return all(np.issubdtype(a.dtype, np.integer) for a in arrays)


def _quotes_fit(data: IndexData) -> bool:
    """Whether each quote is a run of sentences inside its passage, with its text from start to end."""
    q = data.quotes
    passage, first, count = q["passage"], q["sentence"], q["sentences"]
    if not bool(np.all((passage >= 0) & (passage < len(data.pass_lo)) & (first >= 0) & (count >= 1))):
        return False
    inside = (data.pass_lo[passage] <= first) & (first + count <= data.pass_hi[passage])
    return bool(np.all(inside & (q["start"] >= 0) & (q["start"] < q["end"])))


def _arrays(data: IndexData | Postings) -> list[npt.NDArray[Any]]:
    names = _ARRAYS if isinstance(data, IndexData) else _POSTINGS
    return [getattr(data, name) for name in names]
