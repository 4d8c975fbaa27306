"""What a question's filters limit its search to (`AskOptions.speaker` and `.episode`), or why they
cannot: a name that matches nobody is answered with the close names, never searched without it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from onrecord.bot.catalogue import Catalogue
from onrecord.bot.wording import (
    NO_EPISODE,
    NO_SPEAKER,
    SPEAKER_AMBIGUOUS,
    SPEAKER_CLOSE,
    SPEAKER_UNATTRIBUTED,
    SPEAKERS_UNKNOWN,
    TITLES_CLOSE,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["Scope", "scope_of"]


@dataclass(frozen=True, slots=True)
class Scope:
    documents: frozenset[str] | None = None  # document ids; None: every document
    speakers: tuple[str, ...] | None = None  # as the index names them; None: everyone
    description: str = ""  # for people: "Lex Fridman in “Some title”"
    refusal: str | None = None  # why the filters cannot be applied (the whole reply)

    @property
    def key(self) -> str:
        """The scope in a cache key (as it was before speakers could be chosen, when they are not)."""
        documents = ",".join(sorted(self.documents)) if self.documents is not None else "*"
        if self.speakers is None:
            return f"documents={documents}"
        return f"documents={documents}\0speakers={','.join(sorted(self.speakers))}"


def scope_of(catalogue: Catalogue, speaker: str | None, episode: str | None) -> Scope:
    """The scope a `speaker` and an `episode` filter (as typed or chosen) make in `catalogue`'s index."""
    parts: list[str] = []
    speakers: tuple[str, ...] | None = None
    documents: frozenset[str] | None = None
    if speaker:
        found = catalogue.speaker(speaker)
        if not found.names:
            return Scope(refusal=_no_speaker(catalogue, speaker, found.close, found.ambiguous))
        speakers = found.names
        parts.append(max(found.names, key=len))
    if episode:
        named = catalogue.episode(episode)
        if named.document is None:
            close = "; ".join(f"“{title}”" for title in named.close)
            return Scope(
                refusal=NO_EPISODE.format(episode=episode)
                + (" " + TITLES_CLOSE.format(titles=close) if close else "")
            )
        documents = frozenset({named.document.id})
        parts.append(f"in “{catalogue.title(named.document.id)}”")
    return Scope(documents, speakers, " ".join(parts))


def _no_speaker(catalogue: Catalogue, typed: str, close: Sequence[str], ambiguous: bool) -> str:
    if ambiguous:
        return SPEAKER_AMBIGUOUS.format(speaker=typed, names=", ".join(close))
    listed = catalogue.named_elsewhere(typed)
    if listed is not None:
        return SPEAKER_UNATTRIBUTED.format(speaker=listed)
    if not catalogue.speakers:
        return SPEAKERS_UNKNOWN
    said = NO_SPEAKER.format(speaker=typed)
    return f"{said} {SPEAKER_CLOSE.format(names=', '.join(close))}" if close else said
