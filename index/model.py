"""The engine's public data: documents, passages and search hits."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["Document", "Hit", "Passage", "link_at"]


@dataclass(frozen=True, slots=True)
class Document:
    id: str  # stable: a hash of the file's name and content
    source: str  # file name
    path: str
    title: str
    url: str | None = None
    show: str | None = None
    language: str | None = None
    speakers: tuple[str, ...] = ()
    date: str | None = None  # of the recording, as its metadata gives it
    guests: tuple[str, ...] = ()  # the names its opening introduces ("a conversation with …", ``intros``)


@dataclass(frozen=True, slots=True)
class Passage:
    id: int
    doc: Document
    text: str
    char_start: int  # span in the document's cleaned text
    char_end: int
    start: float | None  # seconds into the recording, when the transcript has timings
    end: float | None
    speaker: str | None


@dataclass(frozen=True, slots=True)
class Hit:
    rank: int
    score: float
    passage: Passage
    quote: str  # whole sentences of the passage, at most 500 characters, "…" where cut
    matched: tuple[str, ...]  # words of the quote that match the question, for highlighting
    start: float | None  # when the quote starts in the recording
    end: float | None
    speaker: str | None

    @property
    def doc(self) -> Document:
        return self.passage.doc

    @property
    def url(self) -> str | None:
        """The document's link, at the quote's moment when both are known."""
        return link_at(self.passage.doc.url, self.start)


def link_at(url: str | None, seconds: float | None) -> str | None:
    if url is None or seconds is None:
        return url
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "t"]
    query.append(("t", f"{int(seconds)}s" if "youtu" in parts.netloc else str(int(seconds))))
    return urlunsplit(parts._replace(query=urlencode(query)))
