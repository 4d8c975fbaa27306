"""Who and where a question is about: ``speaker:`` and ``episode:`` in its text, and the names they match.

Names match forgivingly: case and accents do not count, a first or last name alone will do, and a
transcriber's spelling ("Friedman" for "Fridman") is close enough. A name that fits several people is
not guessed at: the answer names them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

__all__ = ["Filters", "NameMatch", "fold", "match_name", "match_title", "split_filters"]

_FILTER = re.compile(
    r"(?<!\S)(?P<key>speaker|episode):\s*"
    r"(?:\"(?P<dq>[^\"]*)\"|“(?P<cq>[^”]*)”|'(?P<sq>[^']*)'|‘(?P<lq>[^’]*)’|(?P<word>[^\s\"“]+))",
    re.IGNORECASE,
)
_CLOSE_TOKEN = 80  # rapidfuzz ratio of two words taken for one name spelt two ways
_CLOSE_NAME = 88  # of two whole names
_SUGGESTED = 50  # a name worth listing as close when nothing matched
_EPISODE = 85  # WRatio of typed text to an episode's title


@dataclass(frozen=True, slots=True)
class Filters:
    """What a question is limited to, as typed (None: not limited)."""

    speaker: str | None = None
    episode: str | None = None


def split_filters(text: str) -> tuple[str, Filters]:
    """The question without its ``speaker:Name`` / ``episode:"Some title"`` parts, and those parts (the
    first of each kind). A name with spaces is quoted; a bare name is one word."""
    found: dict[str, str] = {}

    def take(match: re.Match[str]) -> str:
        value = next(v for v in match.group("dq", "cq", "sq", "lq", "word") if v is not None).strip()
        if value:
            found.setdefault(match["key"].casefold(), value)
        return " "

    rest = " ".join(_FILTER.sub(take, text).split())
    return rest, Filters(found.get("speaker"), found.get("episode"))


def fold(name: str) -> str:
    """A name as compared: case, accents and punctuation dropped (``Jérôme`` is ``jerome``)."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.split())


@dataclass(frozen=True, slots=True)
class NameMatch:
    """The names a typed name stands for; when none, the close ones to list instead."""

    names: tuple[str, ...] = ()
    close: tuple[str, ...] = ()
    ambiguous: bool = False  # the typed name fits several people (listed in `close`)


def match_name(typed: str, names: Iterable[str]) -> NameMatch:
    """The ``names`` (speakers, as transcripts spell them) that ``typed`` stands for, up to case and
    accents: those whose words it is part of or that are part of it (a first or last name, a transcript's
    label "Lex" for "Lex Fridman"), each word up to a transcriber's spelling, when they can be one person
    (else the one spelt as typed, if any); failing those, the one whole name close in spelling."""
    folded = {name: fold(name) for name in names}
    wanted = fold(typed)
    if not wanted:
        return NameMatch()
    words = wanted.split()
    parts = tuple(
        name for name, f in folded.items() if _within(words, f.split()) or _within(f.split(), words)
    )
    if parts:
        if _one_person([folded[name] for name in parts]):
            return NameMatch(parts)
        same = tuple(name for name in parts if folded[name] == wanted)
        return NameMatch(same) if same else NameMatch(close=parts, ambiguous=True)
    best = process.extractOne(wanted, folded, scorer=fuzz.ratio, score_cutoff=_CLOSE_NAME)
    if best is not None:
        return NameMatch((str(best[2]),))
    close = process.extract(wanted, folded, scorer=fuzz.WRatio, score_cutoff=_SUGGESTED, limit=5)
    return NameMatch(close=tuple(str(key) for _, _, key in close))


def match_title(typed: str, titles: Mapping[str, str]) -> tuple[str | None, tuple[str, ...]]:
    """The key of the title in ``titles`` (key -> title) that ``typed`` names, a key itself or text close
    to one title; else None and the keys of the close titles."""
    if typed in titles:
        return typed, ()
    best = process.extractOne(typed, titles, scorer=fuzz.WRatio, processor=fold, score_cutoff=_EPISODE)
    if best is not None:
        return str(best[2]), ()
    close = process.extract(
        typed, titles, scorer=fuzz.WRatio, processor=fold, score_cutoff=_SUGGESTED, limit=3
    )
    return None, tuple(str(key) for _, _, key in close)


def _same_word(a: str, b: str) -> bool:
    return a == b or (min(len(a), len(b)) >= 4 and fuzz.ratio(a, b) >= _CLOSE_TOKEN)


def _within(part: Sequence[str], whole: Sequence[str]) -> bool:
    """Whether each word of ``part`` is a different word of ``whole``, up to spelling."""
    left = list(whole)
    for word in part:
        found = next((w for w in left if _same_word(word, w)), None)
        if found is None:
            return False
        left.remove(found)
    return True


def _one_person(names: Sequence[str]) -> bool:
    """Whether the folded ``names`` can be one person: the longest holds every other's words."""
    longest = max(names, key=lambda n: len(n.split())).split()
    return all(_within(name.split(), longest) for name in names)
