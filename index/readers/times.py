"""Times written in transcripts: ``1:02:03.400``, ``02:03``, ``00:00:00,240``, ``100:08``, ``00:44:03:20``.

One parser for every reader (speaker labels, Markdown time marks, HTML ``<time>``, JSON strings), and one
range: a time beyond :data:`MAX_TIME` is a typo or not a time, so it is taken as unknown.
"""

from __future__ import annotations

import re

__all__ = ["MAX_TIME", "parse_time", "plausible"]

MAX_TIME = 48 * 3600.0  # seconds: longer than any recording a transcript is made of
# [hours:]minutes:seconds[.fraction], minutes past 59 when there are no hours; a fourth field is frames.
_TIME = re.compile(r"(?:(\d+):)?(\d+):(\d+(?:[.,]\d+)?)(?::\d+(?:[.,]\d+)?)?")


def plausible(seconds: float | None) -> float | None:
    """``seconds`` when it can be a time inside a recording (0 to 48 hours), else None."""
    return seconds if seconds is not None and 0 <= seconds <= MAX_TIME else None


def parse_time(value: str) -> float | None:
    """Seconds from a written time (frames ignored); None when it is beyond :data:`MAX_TIME`.

    Raises ``ValueError`` when ``value`` is not a time at all.
    """
    found = _TIME.fullmatch(value.strip())
    if found is None:
        raise ValueError(f"not a time: {value!r}")
    hours, minutes, seconds = found.groups()
    return plausible(int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds.replace(",", ".")))
