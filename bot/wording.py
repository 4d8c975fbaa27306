"""What OnRecord says to people, in one place for every adapter and the command line."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["APOLOGY", "EMPTY", "NO_MATCH", "RATE_LIMITED", "TOO_LONG", "no_match_hint"]

EMPTY = "Ask me something about the transcripts, for example: what did they say about trust?"
TOO_LONG = "That question is too long for me; please ask it in at most {limit} characters."
RATE_LIMITED = "You are asking faster than I can answer; please wait a minute and ask again."
NO_MATCH = "Nothing on record about that."
APOLOGY = "Sorry, something went wrong while looking that up. Please try again in a moment."


def no_match_hint(close_words: Sequence[str]) -> str:
    """What to try when nothing matched: the indexed words closest to the question's, if any."""
    if close_words:
        return f"Words in the transcripts close to yours: {', '.join(close_words)}."
    return "Try other words, or fewer of them."
