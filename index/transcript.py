"""What a reader makes of one transcript file: cleaned text pieces with their timings and speakers."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of cleaned transcript text.

    Segments are joined with a single space to form the document's text. ``turn`` marks the start of a
    new paragraph or speaker turn: the passage splitter never lets a sentence run across it.
    """

    text: str
    start: float | None = None  # seconds from the start of the recording
    end: float | None = None
    speaker: str | None = None
    turn: bool = False


@dataclass(slots=True)
class Transcript:
    """One transcript file, read and cleaned."""

    path: str  # as given to the reader
    source: str  # file name, shown to users
    title: str
    segments: list[Segment]
    url: str | None = None
    show: str | None = None
    language: str | None = None
    speakers: list[str] = field(default_factory=list)
    date: str | None = None  # as the sidecar or episode table gives it, e.g. 2026-11-30


class TranscriptError(Exception):
    """A file that cannot be read as a transcript (binary, unreadable, unsupported)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason

    def __reduce__(self) -> tuple[type[TranscriptError], tuple[str, str]]:
        return type(self), (self.path, self.reason)  # picklable: build workers send it back
