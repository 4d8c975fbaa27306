"""What a quote's page shows: the stretch of the transcript around the quote, in speaker turns.

About two minutes either side of the quote (or, without timings, about as many characters of speech);
"earlier" and "later" pages show the stretch before or after one, twice as long, the quote still marked
where it falls in it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from onrecord.bot.context_link import QuoteSpan
from onrecord.index.context import DocumentText, Sentence
from onrecord.index.model import Document

__all__ = ["Block", "ContextView", "context_view"]

SIDE_SECONDS = 120.0
SIDE_CHARS = 1800  # without timings: about two minutes of speech
MIN_SIDE_CHARS = 700  # whatever the timings say (sparse time marks carry one time over many turns)
MAX_SIDE_CHARS = 6000  # whatever the timings say (a long silence, a wrong cue)
MAX_QUOTE_CHARS = 5000  # a longer span is no quote of ours (quotes are at most 500 characters of sentences)
BLOCK_CHARS = 700  # a longer turn is shown in paragraphs of about this size, each with its own time

Direction = Literal["before", "after"]


@dataclass(frozen=True, slots=True)
class Block:
    """A speaker's turn, or a paragraph of a long one."""

    speaker: str | None
    start: float | None
    sentences: tuple[Sentence, ...]
    continued: bool = False  # the rest of the turn before (a long one, cut)


@dataclass(frozen=True, slots=True)
class ContextView:
    document: Document
    quote: QuoteSpan
    blocks: tuple[Block, ...]
    earlier: int | None  # the offset the stretch before this one ends at; None at the document's start
    later: int | None  # the offset the stretch after this one starts at; None at its end

    def quoted(self, sentence: Sentence) -> bool:
        return sentence.char_end > self.quote.start and sentence.char_start < self.quote.end


def context_view(
    text: DocumentText, quote: QuoteSpan, move: tuple[Direction, int] | None = None
) -> ContextView | None:
    """The page for ``quote``, or the stretch ``move`` names ("before"/"after" an offset); None when the
    document is not in the index or the quote is not in it."""
    document = text.document(quote.document_id)
    first, last = text.extent(quote.document_id)
    if document is None or quote.end > last or quote.end - quote.start > MAX_QUOTE_CHARS:
        return None
    quoted = text.sentences(quote.document_id, quote.start, quote.end)
    if not quoted:
        return None
    if move is None:
        shown = _stretch(text, quote.document_id, quoted, SIDE_SECONDS, SIDE_CHARS)
    else:
        direction, at = move  # kept where a sentence lies on the asked side, however far out it is
        at = min(max(at, first + 1), last) if direction == "before" else max(min(at, last - 1), first)
        shown = _moved(text, quote.document_id, direction, at)
    return ContextView(
        document=document,
        quote=quote,
        blocks=tuple(_blocks(shown)),
        earlier=shown[0].char_start if shown and shown[0].char_start > first else None,
        later=shown[-1].char_end if shown and shown[-1].char_end < last else None,
    )


def _moved(text: DocumentText, document_id: str, direction: Direction, at: int) -> list[Sentence]:
    """The stretch that ends before offset ``at`` or starts from it: the nearest sentence on that side, and
    twice a side's length from it."""
    seconds, chars = 2 * SIDE_SECONDS, 2 * SIDE_CHARS
    if direction == "before":
        core = text.sentences(document_id, at - MAX_SIDE_CHARS, at)[-1:]
        return _stretch(text, document_id, core, seconds, chars, ahead=False)
    core = text.sentences(document_id, at, at + MAX_SIDE_CHARS)[:1]
    return _stretch(text, document_id, core, seconds, chars, back=False)


def _stretch(
    text: DocumentText,
    document_id: str,
    core: list[Sentence],
    seconds: float,
    chars: int,
    *,
    back: bool = True,
    ahead: bool = True,
) -> list[Sentence]:
    """``core`` and the sentences within ``seconds`` of it (``chars`` where a time is unknown)."""
    if not core:
        return []
    lo, hi = core[0].char_start, core[-1].char_end
    before = text.sentences(document_id, lo - MAX_SIDE_CHARS, lo) if back else []
    after = text.sentences(document_id, hi, hi + MAX_SIDE_CHARS) if ahead else []
    kept_before = _within(reversed([s for s in before if s.char_end <= lo]), core[0], seconds, chars)
    kept_after = _within([s for s in after if s.char_start >= hi], core[-1], seconds, chars)
    return [*reversed(kept_before), *core, *kept_after]


def _within(sentences: Iterable[Sentence], edge: Sentence, seconds: float, chars: int) -> list[Sentence]:
    """The sentences, walking away from ``edge``, until one lies further than the limit from it (and more
    than ``MIN_SIDE_CHARS`` away)."""
    kept: list[Sentence] = []
    for sentence in sentences:
        distance = max(sentence.char_start - edge.char_end, edge.char_start - sentence.char_end)
        if sentence.start is not None and edge.start is not None:
            far = abs(sentence.start - edge.start) > seconds
        else:
            far = distance > chars
        if far and distance > MIN_SIDE_CHARS:
            break
        kept.append(sentence)
    return kept


def _blocks(sentences: list[Sentence]) -> list[Block]:
    """Consecutive sentences of one speaker as a block, cut where it grows past ``BLOCK_CHARS``."""
    blocks: list[Block] = []
    run: list[Sentence] = []
    size = 0
    continued = False
    for sentence in sentences:
        if run and (sentence.speaker != run[0].speaker or size >= BLOCK_CHARS):
            blocks.append(Block(run[0].speaker, run[0].start, tuple(run), continued))
            continued = sentence.speaker == run[0].speaker
            run, size = [], 0
        run.append(sentence)
        size += len(sentence.text) + 1
    if run:
        blocks.append(Block(run[0].speaker, run[0].start, tuple(run), continued))
    return blocks
