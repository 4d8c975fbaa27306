"""JSON transcripts: the Podcasting 2.0 format and the output of Whisper and WhisperX.

Podcasting 2.0 (``<podcast:transcript type="application/json">``)::

    {"version": "1.0.0", "segments": [{"speaker": "Ann", "startTime": 0.5, "endTime": 0.75, "body": "I"}]}

Its segments are often single words: consecutive ones of one speaker are joined up to a sentence's end.
Whisper (``--output_format json``) and WhisperX::

    {"language": "en", "segments": [{"start": 0.0, "end": 3.2, "text": " Hello.", "speaker": "SPEAKER_00"}]}

Any other JSON (a sidecar, a configuration file) is not a transcript.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

from onrecord.index.readers.cleaning import clean_text
from onrecord.index.readers.metadata import Parsed, TranscriptFormatError
from onrecord.index.readers.times import parse_time, plausible
from onrecord.index.transcript import Segment

_SENTENCE_END = tuple(".!?…")
_CLOSING_QUOTES = "\"'”’)]"
_ATTACHED = tuple(",.!?;:…%)]”’'")  # a piece that starts with these joins the word before it
_MAX_JOINED = 300  # characters: a longer run of words without a sentence end is cut


def read_json(text: str) -> Parsed:
    """Read a Podcasting 2.0 or Whisper JSON transcript; other JSON raises :class:`TranscriptFormatError`."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise TranscriptFormatError(f"malformed JSON: {error}") from error
    except RecursionError:
        raise TranscriptFormatError("malformed JSON: nested too deeply") from None
    segments = data.get("segments") if isinstance(data, dict) else None
    if not isinstance(segments, list):
        raise TranscriptFormatError(
            "JSON without a list of segments (neither a Podcasting 2.0 nor a Whisper transcript)"
        )
    for number, item in enumerate(segments, start=1):
        if not isinstance(item, dict):
            raise TranscriptFormatError(f"JSON segment {number} is not an object")
    reader = _reader(segments)
    language = data.get("language")
    return Parsed(reader(segments), language=language if isinstance(language, str) and language else None)


def _reader(items: list[dict[str, Any]]) -> Callable[[list[dict[str, Any]]], list[Segment]]:
    if all("body" in item for item in items):
        return _podcasting
    if all("text" in item for item in items):
        return _whisper
    number = next(
        (n for n, item in enumerate(items, start=1) if "body" not in item and "text" not in item), 0
    )
    if number:
        raise TranscriptFormatError(
            f"JSON segment {number} has neither a body (Podcasting 2.0) nor a text (Whisper)"
        )
    raise TranscriptFormatError("JSON segments that mix Podcasting 2.0 and Whisper fields")


def _field(item: dict[str, Any], key: str, number: int) -> str:
    value = item.get(key)
    if not isinstance(value, str):
        raise TranscriptFormatError(f"JSON segment {number}: {key} is not a string")
    return value


def _speaker(item: dict[str, Any], number: int) -> str | None:
    value = item.get("speaker")
    if value is None:
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise TranscriptFormatError(f"JSON segment {number}: speaker is not a string")
    return str(value).strip() or None


def _time(item: dict[str, Any], key: str, number: int) -> float | None:
    """Seconds: a number, or one written as a string (``"1.5"``, ``"00:01:02.500"``); None when missing
    or beyond 48 hours."""
    value = item.get(key)
    if value is None:
        return None
    try:
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, str) and ":" in value:
            return parse_time(value)
        seconds = float(value)
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError
    except (TypeError, ValueError, OverflowError):
        raise TranscriptFormatError(f"JSON segment {number}: {key} is not a number of seconds") from None
    return plausible(seconds)


def _whisper(items: list[dict[str, Any]]) -> list[Segment]:
    """One segment per Whisper segment; a change of (diarised) speaker starts a turn."""
    segments: list[Segment] = []
    speaker: str | None = None
    for number, item in enumerate(items, start=1):
        text = clean_text(_field(item, "text", number))
        start, end = _time(item, "start", number), _time(item, "end", number)
        who = _speaker(item, number)
        if text:
            segments.append(Segment(text, start, end, who, who is not None and who != speaker))
            speaker = who
    return segments


def _podcasting(items: list[dict[str, Any]]) -> list[Segment]:
    """Podcasting 2.0 segments, consecutive ones of one speaker joined up to a sentence's end."""
    segments: list[Segment] = []
    joined = ""
    start = end = None
    speaker: str | None = None  # of the words joined so far
    said_last: str | None = None  # the speaker of the last segment made

    def flush() -> None:
        nonlocal joined, said_last
        text = clean_text(joined)
        if text:
            segments.append(Segment(text, start, end, speaker, speaker is not None and speaker != said_last))
            said_last = speaker
        joined = ""

    for number, item in enumerate(items, start=1):
        body = _field(item, "body", number)
        who = _speaker(item, number)
        if joined and who != speaker:
            flush()
        if not joined:
            start, speaker = _time(item, "startTime", number), who
        joined = joined + body if not joined or body.startswith(_ATTACHED) else f"{joined} {body}"
        end = _time(item, "endTime", number)
        stripped = body.rstrip().rstrip(_CLOSING_QUOTES)
        if stripped.endswith(_SENTENCE_END) or body.endswith("\n") or len(joined) >= _MAX_JOINED:
            flush()
    flush()
    return segments
