"""WebVTT and SRT captions, including YouTube's rolling auto-captions and Whisper's off-spec timings.

Each cue becomes one segment (or several when it holds a ``>>`` change of speaker) with the cue's
start and end. A caption line already shown by the cue before is not repeated: YouTube rolling
captions show every line three times, and Whisper sometimes loops on one line for minutes. A speaker
comes from a ``<v Name>`` voice or, when they recur through the file, ``Name:`` labels opening the cues
(Zoom, Otter), and carries on to the cues after it.

Not read with webvtt-py: it gives the same cues on every real file tried (Whisper's hour-less and
one-digit-hour timings included), but it silently drops cues timed ``00:00:01,000``, ``00:01``,
``100:08.000`` or ``00:75:00.000`` in WebVTT (and SRT ones without hours), refuses a WebVTT file without
its ``WEBVTT`` line, and reads three times slower.
"""

from __future__ import annotations

import re

from onrecord.index.readers.cleaning import clean_text, split_speaker_changes
from onrecord.index.readers.metadata import Parsed
from onrecord.index.readers.speakers import match_label, recurring_labels
from onrecord.index.readers.times import parse_time
from onrecord.index.transcript import Segment

_TIME = r"(?:\d+:)?\d+:\d{1,2}(?:[.,]\d+)?"
# Splitting at timing lines gives: header, start, end, cue body, start, end, cue body...
_TIMING_LINE = re.compile(rf"^[ \t]*({_TIME})[ \t]*-->[ \t]*({_TIME})[^\n]*\n?", re.MULTILINE)
_TAG = re.compile(r"<\d[\d:.,]*>|</?(?:c|i|b|u|v|lang|ruby|rt|font|span)\b[^<>]*>|\{\\[^{}]*\}")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^<>]+)>")
_LANGUAGE = re.compile(r"Language:\s*([\w-]+)", re.IGNORECASE)
_BLOCK_KEYWORDS = ("NOTE", "STYLE", "REGION")
_COLON_OPENING = re.compile(r"-->[^\n]*\n[^\n:]*:")  # a cue whose first line has a colon: a label, maybe


def _cue_lines(body: str, *, last: bool, blocks: bool) -> list[str]:
    """The text lines of a cue body, without the next cue's identifier and NOTE/STYLE/REGION blocks."""
    lines = body.split("\n")
    while lines and not lines[-1]:
        lines.pop()
    if not last and len(lines) > 1 and (not lines[-2] or lines[-1].strip().isdigit()):
        lines.pop()  # the identifier of the next cue
    if blocks and "\n\n" in body:
        kept: list[str] = []
        skipping = False
        for index, line in enumerate(lines):
            if not line:
                skipping = False
            elif line.startswith(_BLOCK_KEYWORDS) and index and not lines[index - 1]:
                skipping = True
            if not skipping:
                kept.append(line)
        lines = kept
    return lines


def _new_lines(lines: list[str], shown: list[str]) -> tuple[list[str], str | None]:
    """The cue's lines not already shown by the cue before, and the voice (``<v Name>``) if any."""
    voice = None
    new: list[str] = []
    for raw in lines:
        line = raw
        if "<" in line or "{" in line:
            found = _VOICE.search(line)
            voice = found.group(1).strip() if found else voice
            line = _TAG.sub("", line)
        line = " ".join(line.split())
        if line and line not in shown:
            new.append(line)
    if new:
        shown[:] = new
    return new, voice


def _opening(body: str) -> str:
    """A cue's first line, without markup and a ``>>`` change of speaker: where a speaker label would be."""
    end = body.find("\n")
    line = body if end < 0 else body[:end]
    if ":" not in line:
        return ""
    if "<" in line or "{" in line:
        line = _TAG.sub("", _VOICE.sub("", line))
    return line.strip().removeprefix("&gt;&gt;").removeprefix(">>").lstrip()


def read_captions(text: str) -> Parsed:
    """Read WebVTT or SRT text into one segment per cue (rolled-up repeats removed)."""
    parts = _TIMING_LINE.split(text)
    blocks = any(keyword in text for keyword in _BLOCK_KEYWORDS)
    labelled = _COLON_OPENING.search(text) is not None and bool(
        recurring_labels([_opening(parts[index]) for index in range(3, len(parts), 3)])
    )
    segments: list[Segment] = []
    shown: list[str] = []
    speaker: str | None = None
    turn = False  # the next segment starts a turn (a label can stand alone in a cue)
    end: float | None = 0.0
    for index in range(1, len(parts), 3):
        same = index > 1 and parts[index] == parts[index - 2]  # starts when the cue before ends
        start = end if same else parse_time(parts[index])
        end = parse_time(parts[index + 1])
        lines = _cue_lines(parts[index + 2], last=index + 3 >= len(parts), blocks=blocks)
        new, voice = _new_lines(lines, shown)
        if not new:
            prev = segments[-1] if segments else None
            if lines and prev and prev.end is not None and end is not None and end > prev.end:  # a repeat
                segments[-1] = Segment(prev.text, prev.start, end, prev.speaker, prev.turn)
            continue
        turn = turn or (voice is not None and voice != speaker)
        speaker = voice or speaker
        for number, piece in enumerate(split_speaker_changes(" ".join(new))):
            if number:
                turn, speaker = True, None
            if labelled and (label := match_label(piece.lstrip())):
                piece = piece.lstrip()[label.end :]
                turn, speaker = turn or label.name != speaker, label.name
            cleaned = clean_text(piece)
            if cleaned:
                segments.append(Segment(cleaned, start, end, speaker, turn))
                turn = False
    found = _LANGUAGE.search(parts[0]) if len(parts) > 1 else None
    return Parsed(segments, language=found.group(1) if found else None)
