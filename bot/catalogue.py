"""An index's episodes and speakers by name: what ``episode:`` and ``speaker:`` pick, and the choices
offered as a person types (Discord's autocomplete)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

from onrecord import index
from onrecord.bot.filters import NameMatch, fold, match_name, match_title

__all__ = ["Catalogue", "EpisodeMatch"]

_CHOICE_CHARS = 100  # Discord's limit for a choice's name


@dataclass(frozen=True, slots=True)
class EpisodeMatch:
    """The document an episode filter names, or the titles close to what was typed."""

    document: index.Document | None
    close: tuple[str, ...] = ()


class Catalogue:
    """The names of one index's episodes ("show: title") and speakers (as transcripts spell them)."""

    def __init__(self, idx: index.Index) -> None:
        self.index = idx
        self._documents = {doc.id: doc for doc in idx.documents}
        self._titles = {doc.id: _title(doc) for doc in idx.documents}
        self._sources = {doc.source: doc.id for doc in idx.documents}
        self.speakers: Sequence[str] = idx.speakers

    def title(self, document_id: str) -> str:
        return self._titles.get(document_id, document_id)

    def episode(self, typed: str) -> EpisodeMatch:
        """The episode ``typed`` names: its id, its file name, or text close to one title."""
        typed = typed.strip()
        if typed in self._sources:
            return EpisodeMatch(self._documents[self._sources[typed]])
        found, close = match_title(typed, self._titles)
        if found is None:
            return EpisodeMatch(None, tuple(self._titles[key] for key in close))
        return EpisodeMatch(self._documents[found])

    def speaker(self, typed: str) -> NameMatch:
        return match_name(typed, self.speakers)

    def named_elsewhere(self, typed: str) -> str | None:
        """A person an episode's metadata lists whom ``typed`` names, though no transcript says which
        words are theirs."""
        people = {name for doc in self.index.documents for name in doc.speakers}
        found = match_name(typed, sorted(people))
        return found.names[0] if found.names else None

    def episode_choices(self, typed: str, limit: int) -> list[tuple[str, str]]:
        """Up to ``limit`` (id, "show: title") closest to ``typed``; the first by title when it is empty."""
        if not typed.strip():
            ranked = sorted(self._titles.items(), key=lambda item: item[1].casefold())[:limit]
        else:
            found = process.extract(
                typed, self._titles, scorer=fuzz.WRatio, processor=default_process, limit=limit
            )
            ranked = [(str(key), title) for title, _, key in found]
        return [(key, _clip(title)) for key, title in ranked]

    def speaker_choices(self, typed: str, limit: int) -> list[str]:
        """Up to ``limit`` speakers closest to ``typed``; the first by name when it is empty."""
        if not typed.strip():
            return sorted(self.speakers, key=str.casefold)[:limit]
        matched = match_name(typed, self.speakers).names
        found = process.extract(typed, self.speakers, scorer=fuzz.WRatio, processor=fold, limit=limit)
        return list(dict.fromkeys([*matched, *(str(name) for name, _, _ in found)]))[:limit]


def _title(doc: index.Document) -> str:
    return f"{doc.show}: {doc.title}" if doc.show else doc.title


def _clip(name: str) -> str:
    return name if len(name) <= _CHOICE_CHARS else name[: _CHOICE_CHARS - 1] + "…"
