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

__all__ = ["OPENING_CHARS", "introduced"]

OPENING_CHARS = 2500
"""A document's opening: its sentences that start within its first characters (a cold open, the intro,
the first sponsor read)."""

_CUES = (
    "[Cc]onversation (?:with|between me and)",
    "[Ss](?:it|at|itting) down with",
    "[Jj]oined (?:today |again )?by",
    "[Jj]oining (?:us|me)(?: today| again)?(?: is|,)?",
    "[Hh]ave with us(?: today)?",
    "(?:[Mm]y|[Oo]ur) guests? (?:today |this week )?(?:is|are)",
    "[Ww]elcome back,?",
    "[Hh]ere's",
    "[Ii]nterview with",
    "[Ss]peaking with",
    "[Hh]ere with",
    "[Ss]tarting with",
)
_NAME = r"[A-Z][\w'’-]*(?: [A-Z][\w'’-]*){0,2}"
_INTRO = re.compile(rf"(?:{'|'.join(_CUES)}) ({_NAME})")


def introduced(sentences: Sequence[str], starts: Sequence[int]) -> tuple[str, ...]:
    """The names the opening of a document introduces, in order, once each; ``starts`` are the
    ``sentences``' offsets in the document."""
    opening = "\n".join(s for s, at in zip(sentences, starts, strict=True) if at < OPENING_CHARS)
    return tuple(dict.fromkeys(match.group(1) for match in _INTRO.finditer(opening)))
