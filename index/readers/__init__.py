"""Transcript readers: turn a caption, text, Markdown, JSON or HTML file into a cleaned ``Transcript``."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from onrecord.index.readers.captions import read_captions
from onrecord.index.readers.cleaning import collapse_repeats, decode
from onrecord.index.readers.episodes import TABLE_NAME
from onrecord.index.readers.html_transcript import read_html
from onrecord.index.readers.json_transcript import read_json
from onrecord.index.readers.markdown import read_markdown
from onrecord.index.readers.metadata import Parsed, TranscriptFormatError, build_transcript
from onrecord.index.readers.plain import read_plain
from onrecord.index.transcript import Segment, Transcript, TranscriptError

__all__ = [
    "NOT_A_TRANSCRIPT",
    "NOT_A_TRANSCRIPT_FORMAT",
    "SUPPORTED_SUFFIXES",
    "TranscriptFiles",
    "find_transcripts",
    "read_transcript",
]

SUPPORTED_SUFFIXES: frozenset[str] = frozenset({".txt", ".md", ".vtt", ".srt", ".json", ".html", ".htm"})

_READERS: dict[str, Callable[[str], Parsed]] = {
    ".txt": read_plain,
    ".md": read_markdown,
    ".vtt": read_captions,
    ".srt": read_captions,
    ".json": read_json,
    ".html": read_html,
    ".htm": read_html,
}
# Metadata beside a transcript (see ``metadata.read_sidecar``), never a transcript itself.
_SIDECAR = re.compile(r".+\.(?:meta|info)\.json", re.IGNORECASE)
# Files that describe a folder rather than hold a transcript; skipped when walking folders.
_NOT_TRANSCRIPTS = re.compile(
    r"(?:source_)?readme(?:[_.-].*)?|licen[cs]e|copying|notice|contributing|sources?", re.IGNORECASE
)


def read_transcript(path: str | Path) -> Transcript:
    """Read and clean one transcript file.

    Raises :class:`TranscriptError` for an unsupported suffix, an unreadable or binary file, or a file
    with no text left after cleaning.
    """
    file = Path(path)
    suffix = file.suffix.lower()
    reader = _READERS.get(suffix)
    if reader is None:
        raise TranscriptError(str(path), f"unsupported file type {suffix or '(no suffix)'!r}")
    if _SIDECAR.fullmatch(file.name):
        raise TranscriptError(str(path), "a metadata sidecar (.meta.json or .info.json), not a transcript")
    try:
        text = decode(file.read_bytes())
    except OSError as error:
        raise TranscriptError(str(path), f"cannot read file: {error.strerror or error}") from error
    except ValueError as error:
        raise TranscriptError(str(path), str(error)) from error
    if reader is read_captions and "-->" not in text:  # no cues at all: a text with a caption suffix
        reader = read_plain
    try:
        parsed = reader(text)
    except TranscriptFormatError as error:
        raise TranscriptError(str(path), str(error)) from error
    parsed.segments = _finish(parsed.segments)
    if not parsed.segments:
        raise TranscriptError(str(path), "no transcript text after cleaning")
    return build_transcript(file, str(path), text, parsed)


def _finish(segments: list[Segment]) -> list[Segment]:
    """Collapse repeat loops, make the first segment start a turn, and drop the times of a segment that
    ends before it starts (which of the two is wrong cannot be told)."""
    segments = collapse_repeats(segments)
    for number, seg in enumerate(segments):
        backwards = seg.end is not None and seg.start is not None and seg.end < seg.start
        if backwards or (number == 0 and not seg.turn):
            start, end = (None, None) if backwards else (seg.start, seg.end)
            segments[number] = Segment(seg.text, start, end, seg.speaker, seg.turn or number == 0)
    return segments


NOT_A_TRANSCRIPT_FORMAT = "not a transcript format"
NOT_A_TRANSCRIPT = "a README, licence or source note"


@dataclass(slots=True)
class TranscriptFiles:
    """What :func:`find_transcripts` found: the files to read, the links it would not follow, and the
    other files it passed over with the reason (:data:`NOT_A_TRANSCRIPT_FORMAT`, :data:`NOT_A_TRANSCRIPT`).
    Hidden files and metadata (sidecars, ``episodes.csv``) are not counted as passed over."""

    files: list[Path] = field(default_factory=list)
    # Links in the folders to files outside every folder given (`passwd.txt -> /etc/passwd`): not read.
    links_outside: list[Path] = field(default_factory=list)
    passed_over: list[tuple[Path, str]] = field(default_factory=list)


def find_transcripts(paths: Iterable[str | Path]) -> TranscriptFiles:
    """The transcript files among ``paths``; folders are walked recursively.

    Files given directly are kept if their suffix is supported. In folders, hidden files and folders,
    unsupported suffixes, sidecars (``.meta.json``, ``.info.json``) and README/LICENSE/SOURCE-style files
    are skipped, and so are links to files outside the folders given (links to folders are not followed);
    a file reached twice is listed once, and each folder's files come sorted. Raises
    ``FileNotFoundError`` for a path that does not exist.
    """
    given = [Path(raw) for raw in paths]
    for path in given:
        if not path.is_dir() and not path.is_file():
            raise FileNotFoundError(f"no such transcript file or folder: {path}")
    roots = [path.resolve() for path in given if path.is_dir()]
    found: dict[Path, Path] = {}  # each file read once, under the first name it is reached by
    outside: dict[Path, None] = {}
    passed_over: dict[Path, str] = {}
    for path in given:
        if path.is_dir():
            files, links, others = _walk(path, roots)
            outside.update(dict.fromkeys(links))
            passed_over.update(others)
        elif path.suffix.lower() in SUPPORTED_SUFFIXES:
            files = [path]
        else:
            files, passed_over[path] = [], NOT_A_TRANSCRIPT_FORMAT
        for file in files:
            found.setdefault(file.resolve(), file)
    return TranscriptFiles(list(found.values()), list(outside), list(passed_over.items()))


def _walk(folder: Path, roots: list[Path]) -> tuple[list[Path], list[Path], dict[Path, str]]:
    """The transcript files in ``folder``, the links among them that point outside every root, and the
    other files passed over with the reason."""
    files: list[Path] = []
    outside: list[Path] = []
    others: dict[Path, str] = {}
    for root, dirs, names in os.walk(folder):
        dirs[:] = [name for name in dirs if not name.startswith(".")]
        for name in sorted(names):
            path = Path(root, name)
            if name.startswith(".") or _SIDECAR.fullmatch(name) or name.lower() == TABLE_NAME:
                continue
            if _NOT_TRANSCRIPTS.fullmatch(path.stem):
                others[path] = NOT_A_TRANSCRIPT
            elif path.suffix.lower() not in SUPPORTED_SUFFIXES:
                others[path] = NOT_A_TRANSCRIPT_FORMAT
            else:
                (outside if _points_outside(path, roots) else files).append(path)
    return sorted(files), sorted(outside), others


def _points_outside(path: Path, roots: list[Path]) -> bool:
    """Whether ``path`` is a link whose target lies outside every root."""
    if not path.is_symlink():
        return False
    target = path.resolve()
    return not any(target.is_relative_to(root) for root in roots)
