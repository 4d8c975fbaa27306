"""Plain-text transcripts: wrapped caption lines, roll-up repeats and ``>>`` speaker changes.

A line break is a soft break (captions are often wrapped mid-sentence), a blank line starts a new
paragraph (``turn=True``), and so do list items and short title-like lines such as ``Full Transcript``.
Speaker labels that recur through the file (``Dan Ott: …``, a ``Speaker 1 (00:01:02):`` line) start a
turn of that speaker, at the time they give.
Text that looks like Markdown goes to the Markdown reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from onrecord.index.readers.cleaning import (
    clean_text,
    drop_rollup,
    fix_asr_hyphens,
    is_debris,
    split_speaker_changes,
)
from onrecord.index.readers.markdown import looks_like_markdown, read_markdown
from onrecord.index.readers.metadata import Parsed, is_url
from onrecord.index.readers.speakers import recurring_labels
from onrecord.index.transcript import Segment

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
    labels = recurring_labels(lines)
    title, body = _title(lines)
    if title is not None and body - 1 in labels and labels[body - 1].name:  # a speaker label, not a title
        title, body = None, body - 1
    parsed = Parsed([], title=title)
    out = _Paragraphs(parsed.segments)
    said: list[str] = []  # the last words said, to spot roll-up repeats
    previous = ""
    for number, line in enumerate(lines[body:], start=body):
        if is_debris(line):
            continue
        if number in labels:
            label = labels[number]
            out.speaker, out.start, out.new_block = label.name, label.start, True
            line, previous = line[label.end :], ""
            if not line:
                continue
        if not line or is_url(line):  # a bare URL line is metadata, not speech
            parsed.url = parsed.url or line or None
            out.new_block, previous = True, ""
            continue
        bullet = _BULLET.match(line)
        heading = bullet is None and _is_heading(line, previous)
        cleaned = clean_text(line[bullet.end() :] if bullet else line, fix_hyphens=False)
        if bullet or heading:
            out.new_block = True
        else:
            cleaned = drop_rollup(said, cleaned)
        recent = cleaned.rsplit(maxsplit=_ROLLUP_MEMORY)  # the last words, and the rest before them
        said = (recent if len(recent) > _ROLLUP_MEMORY else [*said, *recent])[-_ROLLUP_MEMORY:]
        out.add(cleaned)
        out.new_block = out.new_block or bool(bullet or heading)
        previous = line
    return parsed


@dataclass(slots=True)
class _Paragraphs:
    """The segments so far, who speaks (from the last label), and whether the next line starts a paragraph."""

    segments: list[Segment]
    speaker: str | None = None
    start: float | None = None  # the time a label gave to the text after it
    new_block: bool = True

    def add(self, line: str) -> None:
        """Append the pieces of one line (a ``>>`` starts a turn of an unknown speaker)."""
        for number, piece in enumerate(split_speaker_changes(line)):
            if number:
                self.new_block, self.speaker = True, None
            text = fix_asr_hyphens(piece.strip())
            if text:
                self.segments.append(Segment(text, self.start, None, self.speaker, self.new_block))
                self.new_block, self.start = False, None
