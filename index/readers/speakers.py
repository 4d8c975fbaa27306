"""Speaker labels that caption and transcript exports write into the text itself.

Zoom and Otter start a cue or line with the name (``Dan Ott: If you don't…``); Rev and Descript write
``Speaker 1 (00:01:02):`` or ``[00:01:02] Dan Ott:``, often on a line of its own above the text; Otter's
text export writes ``Dan Ott  0:00`` above it. A label usually stands only on the first cue or line of a
turn, so the speaker carries on until the next label.

Label-shaped lines are taken as labels only when they recur through a file: at least three of them, one
name among them used again, and either several names or labels on most lines. So a ``Note: …`` or a list
of chapters (``Intro 0:00``) in prose stays text. In a labelled file too, a name labels only when it is
used at least twice or is a speaker the file names otherwise (a ``**Name:**`` in Markdown): a one-off
``Update:`` or ``Producer:`` stays text, but starts a turn of an unknown speaker rather than going on with
the one before. A label's time is kept only when it can be one: within 48 hours and
not before the time of the label before it (a turn would end before it starts).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

from onrecord.index.readers.times import parse_time
from onrecord.index.transcript import Segment

__all__ = ["Label", "label_segments", "match_label", "recurring_labels"]

_TIME = r"\d{1,2}(?::\d{1,2}){1,2}(?:[.,]\d{1,3})?"
_STAMP = rf"[\[(]({_TIME})[\])]"  # (00:01:02) or [00:01:02]
_NAME = r"(?P<name>[^\W\d_][\w'’.-]*(?: [\w'’.-]+){0,3})"
_LABEL = re.compile(
    rf"(?:{_STAMP}\s*)?{_NAME}"
    rf"(?:\s*{_STAMP}\s*:?|:|\s\s*({_TIME})$)"  # Name (00:01): | Name: | Name  0:00 (a line of its own)
    rf"(?:\s*{_STAMP})?"  # Name: (00:01)
    r"(?:\s+|$)"
)
_NAME_GROUP = _LABEL.groupindex["name"]
_MAX_NAME = 40
_PARTICLES = frozenset({"van", "von", "de", "der", "den", "da", "di", "du", "del", "la", "le", "bin", "al"})
_MIN_LABELS = 3


@dataclass(frozen=True, slots=True)
class Label:
    """A label at the start of a line: who speaks (None: unknown, the line being text), from when (if it
    says), and where the text begins."""

    name: str | None
    start: float | None
    end: int


def _is_name(name: str) -> bool:
    """A name or a numbered speaker: ``Dan Ott``, ``Speaker 1``, ``SPEAKER_00``, ``Ludwig van Beethoven``."""
    return len(name) <= _MAX_NAME and all(
        word[0].isupper() or word[0].isdigit() or word in _PARTICLES for word in name.split(" ")
    )


def match_label(line: str) -> Label | None:
    """The speaker label that ``line`` (stripped) starts with, if it has the shape of one."""
    # Every shape opens with a letter or a bracketed time, and has a colon (after the name, or in a time).
    if not (line[:1].isalpha() or line[:1] in "[(") or ":" not in line:
        return None
    found = _LABEL.match(line)
    if found is None or not _is_name(found.group("name")):
        return None
    times = (value for group, value in enumerate(found.groups(), 1) if value and group != _NAME_GROUP)
    time = next(times, None)
    return Label(found.group("name"), parse_time(time) if time else None, found.end())


def recurring_labels(lines: Sequence[str], known: Collection[str] = ()) -> dict[int, Label]:
    """The labels that open ``lines`` (stripped lines or cue texts), by line number, if they recur through
    the file; else none. A name used once labels only if it is among the ``known`` speakers: else its line
    starts an unknown speaker's turn (a label without name, ending where the line begins)."""
    found = {n: label for n, line in enumerate(lines) if ":" in line and (label := match_label(line))}
    uses = Counter(label.name for label in found.values())
    labels = {n: label for n, label in found.items() if uses[label.name] > 1 or label.name in known}
    names = {label.name for label in labels.values()}
    if len(labels) < _MIN_LABELS or len(names) == len(labels):  # no name used again
        return {}
    if len(names) < 2 and len(labels) * 2 < sum(1 for line in lines if line):
        return {}
    unknown = Label(None, None, 0)
    return _ordered_times({n: labels.get(n, unknown) for n in found})


def _ordered_times(labels: dict[int, Label]) -> dict[int, Label]:
    """The labels (in line order) without the times that run backwards: earlier than a label's before."""
    ordered: dict[int, Label] = {}
    last = 0.0
    for number, label in labels.items():
        if label.start is not None and label.start < last:
            label = replace(label, start=None)
        last = max(last, label.start or 0.0)
        ordered[number] = label
    return ordered


def label_segments(segments: list[Segment]) -> list[Segment]:
    """Segments whose texts open with recurring labels, said by the labelled speaker (who holds until the
    next label) and without the label; unchanged when there are none."""
    labels = recurring_labels([seg.text for seg in segments])
    if not labels:
        return segments
    out: list[Segment] = []
    speaker: str | None = None
    start: float | None = None  # of a label that stood alone, for the text after it
    for number, seg in enumerate(segments):
        text, who, turn = seg.text, seg.speaker or speaker, seg.turn
        if (label := labels.get(number)) is not None:
            speaker = who = label.name or seg.speaker  # a one-off label: the segment's own speaker, if any
            start, turn, text = label.start, True, text[label.end :]
        if text:
            out.append(Segment(text, seg.start if seg.start is not None else start, seg.end, who, turn))
            start = None
    return out
