"""A timed two-speaker episode (WebVTT with voices, a YouTube link) for the tests of quotes' pages.

Cue ``i`` starts at ``10 * i`` seconds; the speaker changes every three cues. Cue ``QUOTED_CUE`` holds the
line the tests ask about, and cue ``HOSTILE_CUE`` text that would run script if it reached the page raw.
"""

from __future__ import annotations

import json
from pathlib import Path

CUES = 90
QUOTED_CUE = 45  # at 7:30, the first cue of a turn
HOSTILE_CUE = 47
QUOTE = "The lighthouse keeper counted every ship that passed the cape."
QUESTION = "lighthouse keeper counted ships"
HOSTILE = '<script>window.pwned=1</script> and "><img src=x onerror="window.pwned=2"> &amp; done.'
VIDEO = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
TITLE = "Harbour nights <b>live</b>"
SPEAKERS = ("Ann Example", "Bob Sample")


def cue_text(i: int) -> str:
    if i == QUOTED_CUE:
        return QUOTE
    if i == HOSTILE_CUE:
        return f"Cue {i} is hostile: {HOSTILE}"
    return (
        f"Cue {i} goes on for a while about the harbour, the tides, the weather on the coast and "
        "the boats that come and go through the long winter nights."
    )


def speaker(i: int) -> str:
    return SPEAKERS[i // 3 % 2]


def write_episode(folder: Path, stem: str = "harbour") -> Path:
    """The episode's captions and sidecar in ``folder``; the captions' path."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["WEBVTT", ""]
    for i in range(CUES):
        lines += [f"{_clock(10 * i)} --> {_clock(10 * i + 10)}", f"<v {speaker(i)}>{cue_text(i)}", ""]
    path = folder / f"{stem}.vtt"
    path.write_text("\n".join(lines), encoding="utf-8")
    meta = {"title": TITLE, "show": "Coast & Sea", "url": VIDEO, "speakers": list(SPEAKERS)}
    (folder / f"{stem}.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return path


def _clock(seconds: int) -> str:
    return f"00:{seconds // 60:02d}:{seconds % 60:02d}.000"
