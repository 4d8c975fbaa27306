"""Who a document's host introduces: the guests named at the start of an episode.

Shows open by naming who is on: "The following is a conversation with Paul Krugman", "I got to sit down
with Jerry", "we're joined by Aaron", "my guest today is …", "And now, here's Joe Rogan". A name said so in
a document's opening (its first ``OPENING_CHARS``) is the document's guest (``Document.guests``): the
document prior sends a question that names the guest to the guest's episode, rather than to every
episode whose intro mentions the name in passing ("… criticises economists, for example Paul
Krugman"). Found when the index is built, once per document (a case-blind search of every opening at
load took 0.3 s for lexicap's 319 episodes).

The cue words are the host's, the name is what follows it: one to three capitalised words, none across
a sentence's end. A transcript in lower case (some caption files) names no guests this way. "Talking to"
is no cue: hosts say it of other conversations too ("I just got back from talking to Joe Rogan on his
podcast", in another guest's intro; the dev and check sets' figures are the same with it or without).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["CLOSING_CHARS", "OPENING_CHARS", "introduced"]

OPENING_CHARS = 2500
"""A document's opening: its sentences that start within its first characters (a cold open, the intro,
the first sponsor read)."""
CLOSING_CHARS = 1500
"""A document's closing: its sentences that start within its last characters (the outro, the thanks)."""

_CUES = (  # what a host says before the guest's name
    "[Cc]onversation (?:with|between me and)",
    "[Ss](?:it|at|itting) down with",
    "[Jj]oined (?:today |again )?by",
    "[Jj]oining (?:us|me)(?: today| again)?(?: is|,)?",
    "[Hh]ave with us(?: today)?",
    "(?:[Mm]y|[Oo]ur) guests? (?:today |this week )?(?:is|are)",
    "[Ii]nterview with",
    "[Ss]peaking with",
    "[Hh]ere with",
    "[Ss]tarting with",
)
_LOOSE_CUES = ("[Ww]elcome back,?", "[Hh]ere's")
"""Cues said before other things too ("Welcome back, everyone", "Here's Joe's take"): a name after them is
taken only when it has two words or more."""
_WORD = r"[^\W\d_][\w'’-]*\.?"  # a word of letters in any script; an initial keeps its dot ("S. James")
_INTRO = re.compile(rf"(?:({'|'.join(_CUES)})|{'|'.join(_LOOSE_CUES)}) ({_WORD}(?: {_WORD}){{0,2}})")


def introduced(sentences: Sequence[str], starts: Sequence[int]) -> tuple[str, ...]:
    """The names the opening of a document introduces, in order, once each; ``starts`` are the
    ``sentences``' offsets in the document."""
    opening = "\n".join(s for s, at in zip(sentences, starts, strict=True) if at < OPENING_CHARS)
    names = (_name(m.group(2), least=1 if m.group(1) else 2) for m in _INTRO.finditer(opening))
    return tuple(dict.fromkeys(name for name in names if name))


def _name(words: str, least: int) -> str | None:
    """The capitalised words that open ``words`` (up to a sentence's end), when there are ``least`` or
    more: a name."""
    name: list[str] = []
    for word in words.split():
        if not word[0].isupper():
            break
        initial = len(word) == 2 and word.endswith(".")
        name.append(word if initial else word.rstrip("."))
        if word.endswith(".") and not initial:
            break
    return " ".join(name) if len(name) >= least else None
