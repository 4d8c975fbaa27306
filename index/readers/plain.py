"""Plain-text transcripts: wrapped caption lines, roll-up repeats and ``>>`` speaker changes.

A line break is a soft break (captions are often wrapped mid-sentence), a blank line starts a new
paragraph (``turn=True``), and so do list items and short title-like lines such as ``Full Transcript``.
Text that looks like Markdown goes to the Markdown reader.
"""

from __future__ import annotations

import re

from index.readers.cleaning import (
    clean_text,
    drop_rollup,
    fix_asr_hyphens,
    is_debris,
    split_speaker_changes,
)
from index.readers.markdown import looks_like_markdown, read_markdown
from index.readers.metadata import Parsed, is_url
from index.transcript import Segment

_MAX_TITLE = 150
_MAX_HEADING = 60
_MAX_HEADING_WORDS = 8
_ROLLUP_MEMORY = 100  # words
_BULLET = re.compile(r"(?:[-*•]|\d{1,3}[.)])\s+(?=\S)")
_ENDS_SENTENCE = tuple(".!?:…\"'”)")
_ENDS_CLAUSE = tuple(".,;:!?…-—")


def _title_case(line: str) -> bool:
    """Whether every word of four letters or more is capitalised (``The Limits of Scaling RL``)."""
    words = [word for word in line.split() if len(word) >= 4 and word[0].isalpha()]
    return bool(words) and all(word[0].isupper() for word in words)


def _is_heading(line: str, previous: str) -> bool:
    """A short title-like line after a finished sentence: ``Summary``, ``Topics Covered``."""
    return (
        len(line) <= _MAX_HEADING
        and len(line.split()) <= _MAX_HEADING_WORDS
        and not line.endswith(_ENDS_CLAUSE)
        and (not previous or previous.endswith(_ENDS_SENTENCE) or _is_heading(previous, ""))
        and _title_case(line)
    )


def _title(lines: list[str]) -> tuple[str | None, int]:
    """A short first line that is followed by more text and reads like a title; and the body's first line."""
    first = next((i for i, line in enumerate(lines) if line), len(lines))
    if first == len(lines):
        return None, first
    line = lines[first]
    rest = lines[first + 1 :]
    if is_debris(line) or len(line) > _MAX_TITLE or not any(rest):
        return None, first
    if _title_case(line) or not rest[0]:
        return clean_text(line) or None, first + 1
    return None, first


def read_plain(text: str) -> Parsed:
    """Read a plain-text transcript (or Markdown content saved as ``.txt``)."""
    if looks_like_markdown(text):
        return read_markdown(text)
    lines = [line.strip() for line in text.split("\n")]
    title, body = _title(lines)
    parsed = Parsed([], title=title)
    said: list[str] = []  # the last words said, to spot roll-up repeats
    new_block = True
    previous = ""
    for line in lines[body:]:
        if is_debris(line):
            continue
        if not line or is_url(line):  # a bare URL line is metadata, not speech
            parsed.url = parsed.url or line or None
            new_block, previous = True, ""
            continue
        bullet = _BULLET.match(line)
        heading = bullet is None and _is_heading(line, previous)
        cleaned = clean_text(line[bullet.end() :] if bullet else line, fix_hyphens=False)
        if bullet or heading:
            new_block = True
        else:
            cleaned = drop_rollup(said, cleaned)
        recent = cleaned.rsplit(maxsplit=_ROLLUP_MEMORY)  # the last words, and the rest before them
        said = (recent if len(recent) > _ROLLUP_MEMORY else [*said, *recent])[-_ROLLUP_MEMORY:]
        new_block = _emit(parsed.segments, cleaned, new_block) or bool(bullet or heading)
        previous = line
    return parsed


def _emit(segments: list[Segment], text: str, turn: bool) -> bool:
    """Append the pieces of one line; return whether the next line still starts a new paragraph."""
    for number, piece in enumerate(split_speaker_changes(text)):
        piece = fix_asr_hyphens(piece.strip())
        if piece:
            segments.append(Segment(piece, turn=turn or number > 0))
            turn = False
    return turn
