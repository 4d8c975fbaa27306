"""Title, URL, show, speakers, language and date of a transcript.

Sources, best first: a sidecar file (``<stem>.meta.json`` or yt-dlp's ``<stem>.info.json``), the folder's
episode table (``episodes.csv``), what the format reader found in the file (front matter, a title line, a
caption header), then guesses from the text and the file name. A URL is kept only when it is a web link
(``index.urls.web_url``): a sidecar's ``url`` is outside text like the transcript itself, and ends up as a
link in chat.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from onrecord.index.readers.cleaning import drop_bidi_controls
from onrecord.index.readers.episodes import episode_keys
from onrecord.index.transcript import Segment, Transcript
from onrecord.index.urls import web_url

logger = logging.getLogger(__name__)

_LANGUAGE_SUFFIX = re.compile(r"\.[a-z]{2}(?:-[A-Za-z0-9]{2,8})?$")
_URL = re.compile(r"https?://[^\s<>()\[\]\"'`]+[^\s<>()\[\]\"'`.,;:!?*]")
# A URL guessed from the text stands on its own: the target of a Markdown link (`[label](url)`) is where
# the text points, not the recording.
_TEXT_URL = re.compile(r"(?<!\]\()" + _URL.pattern)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_NOT_LATIN = re.compile(r"[^A-Za-z]+")
_ENGLISH = re.compile(r"\b(?:the|and|of|to|is|that|you)\b", re.IGNORECASE)
_FRONT_MATTER_LINE = re.compile(r"([A-Za-z][\w-]*)\s*:\s*(.*)")
_LANGUAGE_SAMPLE = 20_000  # characters
_LANGUAGE_SEGMENTS = 500
_ALIASES = {
    "title": ("title",),
    "url": ("url", "webpage_url"),
    "show": ("show", "channel", "uploader"),
    "language": ("language",),
    "date": ("date",),
}


class TranscriptFormatError(ValueError):
    """A file whose content is not a transcript in the format its suffix names; the message says why."""


@dataclass(slots=True)
class Parsed:
    """What a format reader found: the segments and any metadata stated in the file itself."""

    segments: list[Segment]
    title: str | None = None
    url: str | None = None
    show: str | None = None
    language: str | None = None
    date: str | None = None
    extra_speakers: list[str] = field(default_factory=list)


def parse_front_matter(lines: list[str]) -> tuple[dict[str, str], int]:
    """Parse a ``---`` block of ``key: value`` lines at the top; return the keys and the body's first line.

    A list under a key (``- Ann``) becomes a comma-separated value. A block holding anything else is
    not front matter (a Markdown rule), and nothing is taken from it.
    """
    if not lines or lines[0].strip() != "---":
        return {}, 0
    keys: dict[str, str] = {}
    last = ""
    for number, line in enumerate(lines[1:], start=1):
        stripped = line.strip()
        match = _FRONT_MATTER_LINE.fullmatch(stripped)
        if stripped in ("---", "..."):
            return (keys, number + 1) if keys else ({}, 0)
        if match:
            last = match.group(1).lower()
            keys[last] = match.group(2).strip().strip("\"'")
        elif stripped.startswith("- ") and last:
            keys[last] = ", ".join(filter(None, [keys[last], stripped[2:].strip().strip("\"'")]))
        elif stripped:
            return {}, 0
    return {}, 0  # no closing line


def apply_keys(parsed: Parsed, keys: dict[str, Any]) -> None:
    """Fill ``parsed`` from sidecar or front-matter keys (they win over what was found in the text)."""
    for attribute, aliases in _ALIASES.items():
        value = next((keys[a] for a in aliases if isinstance(keys.get(a), str) and keys[a].strip()), None)
        if value is not None:
            setattr(parsed, attribute, drop_bidi_controls(value).strip())
    speakers = keys.get("speakers")
    if isinstance(speakers, str):
        speakers = [name.strip() for name in speakers.strip("[]").split(",")]
    if isinstance(speakers, list):
        names = (drop_bidi_controls(str(name)).strip("\"' ") for name in speakers)
        parsed.extra_speakers = [name for name in names if name]


def find_url(text: str) -> str | None:
    """The first web link standing on its own in the text, if any."""
    match = _TEXT_URL.search(text)
    return web_url(match.group(0)) if match else None


def is_url(line: str) -> bool:
    """Whether a stripped line is nothing but a URL."""
    match = _URL.match(line)
    return match is not None and match.end() == len(line)


def base_stem(path: Path) -> str:
    """The file name without its suffix and without a yt-dlp language suffix (``talk.en.vtt`` -> ``talk``)."""
    return _LANGUAGE_SUFFIX.sub("", path.stem)


def title_from_filename(path: Path) -> str:
    title = " ".join(drop_bidi_controls(base_stem(path)).replace("_", " ").replace("-", " ").split())
    return title or path.name


def read_sidecar(path: Path) -> dict[str, Any]:
    """Keys from ``<stem>.meta.json`` or yt-dlp's ``<stem>.info.json`` next to the file, if any."""
    stems = dict.fromkeys([path.stem, base_stem(path)])
    for stem in stems:
        for suffix in (".meta.json", ".info.json"):
            sidecar = path.with_name(stem + suffix)
            try:
                data = json.loads(sidecar.read_text(encoding="utf-8"))
            except FileNotFoundError:
                continue
            except (OSError, ValueError) as error:
                logger.warning("ignoring unreadable sidecar %s: %s", sidecar, error)
                continue
            if isinstance(data, dict):
                return data
    return {}


def guess_language(segments: list[Segment]) -> str | None:
    """``zh`` for mostly CJK text, ``en`` for text with common English words, else None."""
    sample = " ".join(seg.text for seg in segments[:_LANGUAGE_SEGMENTS])[:_LANGUAGE_SAMPLE]
    cjk = 0 if sample.isascii() else len(_CJK.findall(sample))
    if cjk and cjk >= len(_NOT_LATIN.sub("", sample)) / 3:  # a CJK character carries about a short word
        return "zh"
    enough = max(1, sample.count(" ")) / 20
    for found, _ in enumerate(_ENGLISH.finditer(sample), start=1):  # stops as soon as there are enough
        if found > enough:
            return "en"
    return None


def speakers_of(segments: list[Segment], extra: list[str]) -> list[str]:
    names = dict.fromkeys(seg.speaker for seg in segments if seg.speaker)
    names.update(dict.fromkeys(extra))
    return list(names)


def build_transcript(path: Path, given: str, text: str, parsed: Parsed) -> Transcript:
    """Assemble the transcript; sidecar keys override what the reader found."""
    stems = dict.fromkeys([path.name, path.stem, base_stem(path)])
    apply_keys(parsed, episode_keys(path.parent, list(stems)))
    apply_keys(parsed, read_sidecar(path))  # field by field over the table: a sidecar wins where it speaks
    url = web_url(parsed.url)
    if parsed.url and url is None:
        logger.warning(
            "%s: ignoring the url %.200r: not an http(s) link with a host and no spaces", given, parsed.url
        )
    return Transcript(
        path=given,
        source=path.name,
        title=parsed.title or title_from_filename(path),
        segments=parsed.segments,
        url=url or find_url(text),
        show=parsed.show,
        language=parsed.language or guess_language(parsed.segments),
        date=parsed.date,
        speakers=speakers_of(parsed.segments, parsed.extra_speakers),
    )
