"""What the answering service returns: plain frozen data, serialisable to JSON for the cache."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any, Literal

from onrecord import index

__all__ = ["Answer", "Result", "Status"]

# ok: results; no_match: none (see suggestion); empty / too_long: refused input; unknown_filter: a
# speaker or episode filter that names nobody (the message lists close names); rate_limited: too many
# questions (say `message` only when `notify`); error: an unexpected failure, apologised for.
Status = Literal["ok", "no_match", "empty", "too_long", "unknown_filter", "rate_limited", "error"]


@dataclass(frozen=True, slots=True)
class Result:
    """One quoted passage and where it comes from."""

    rank: int
    score: float
    quote: str
    matched: tuple[str, ...]  # words of the quote that match the question, for highlighting
    passage_id: int
    passage_text: str
    document_id: str
    source: str  # file name
    title: str
    show: str | None
    link: str | None  # the recording or page
    url: str | None  # the link at the quote's moment when the transcript has timings
    start: float | None  # seconds into the recording
    end: float | None
    speaker: str | None
    char_start: int | None = None  # the quote's span in its document's text, which names its page
    char_end: int | None = None
    context_url: str | None = None  # that page, when ONRECORD_PUBLIC_URL is set (never cached)
    context: str = ""  # names the passage for `AnswerService.context` ("More from this conversation")
    passage_start: float | None = None  # the passage's times (`start`/`end` are the quote's)
    passage_end: float | None = None
    date: str | None = None  # of the recording, as its metadata gives it

    @classmethod
    def from_hit(cls, hit: index.Hit, span: tuple[int, int] | None = None, context: str = "") -> Result:
        """The hit as a result; ``span`` is its quote's (``index.context.quote_span``)."""
        doc = hit.passage.doc
        return cls(
            rank=hit.rank,
            score=hit.score,
            quote=hit.quote,
            matched=tuple(hit.matched),
            passage_id=hit.passage.id,
            passage_text=hit.passage.text,
            document_id=doc.id,
            source=doc.source,
            title=doc.title,
            show=doc.show,
            link=doc.url,
            url=hit.url,
            start=hit.start,
            end=hit.end,
            speaker=hit.speaker,
            char_start=None if span is None else span[0],
            char_end=None if span is None else span[1],
            context=context,
            passage_start=hit.passage.start,
            passage_end=hit.passage.end,
            date=doc.date,
        )


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer to one question: a page of results, or a status with a message safe to show."""

    id: str  # stable: the same question on the same index gives the same id, in every process
    question: str  # as normalized
    status: Status
    results: tuple[Result, ...] = ()
    message: str = ""  # the whole reply for a person when status is not "ok"
    suggestion: str | None = None  # for "no_match": the hint part of `message` (close words)
    suggestions: tuple[str, ...] = ()
    index_version: str = ""
    page: int = 0
    page_size: int = 0
    total: int = 0  # results over all pages
    cached: bool = False
    notify: bool = True  # False: a refusal the person was already told about; reply nothing
    speaker: str | None = None  # the filters as asked (`AskOptions`), for asking again
    episode: str | None = None
    scope: str = ""  # whom and what the results are limited to, for people: "Lex Fridman in “Title”"
    who: bool = False  # the question asked who said something: each quote's speaker comes first

    @property
    def has_more(self) -> bool:
        return (self.page + 1) * self.page_size < self.total

    def page_of(self, page: int) -> Answer:
        """Page `page` (from 0) of an answer that holds all of its results."""
        size = self.page_size or len(self.results) or 1
        chosen = self.results[page * size : (page + 1) * size]
        return dataclasses.replace(self, results=chosen, page=page, page_size=size, total=len(self.results))

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Answer:
        """The answer `to_json` wrote; raises ValueError (or KeyError/TypeError) on anything else."""
        data: dict[str, Any] = json.loads(text)
        results = tuple(Result(**{**item, "matched": tuple(item["matched"])}) for item in data.pop("results"))
        return cls(**{**data, "results": results, "suggestions": tuple(data["suggestions"])})
