"""What OnRecord says to people, in one place for every adapter and the command line."""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence

__all__ = [
    "ALREADY_SHOWN",
    "APOLOGY",
    "CONTEXT_GONE",
    "CONTEXT_SHOWN",
    "EMPTY",
    "FEEDBACK_THANKS",
    "MORE_GONE",
    "NOTHING_QUOTABLE",
    "NO_EPISODE",
    "NO_MATCH",
    "NO_SPEAKER",
    "QUOTE_GONE",
    "QUOTE_LINK_BAD",
    "RATE_LIMITED",
    "SAID",
    "SLACK_INVITE",
    "SPEAKERS_UNKNOWN",
    "SPEAKER_AMBIGUOUS",
    "SPEAKER_CLOSE",
    "SPEAKER_UNATTRIBUTED",
    "SPEAKER_UNNAMED",
    "TITLES_CLOSE",
    "TOO_LONG",
    "UNCONFIRMED_APOLOGY",
    "format_span",
    "format_time",
    "no_match_hint",
    "other_language_hint",
    "said_by",
]

EMPTY = "Ask me something about the transcripts, for example: what did they say about trust?"
TOO_LONG = "That question is too long for me; please ask it in at most {limit} characters."
RATE_LIMITED = "You are asking faster than I can answer; please wait a minute and ask again."
NO_MATCH = "Nothing on record about that."
CONTEXT_GONE = "That conversation is no longer in the transcripts I have."
FEEDBACK_THANKS = "Thanks, your vote is noted."
MORE_GONE = "Those results are no longer available; please ask the question again."
QUOTE_GONE = (
    "This quote is no longer on record: its episode has left the transcripts, or changed since the link "
    "was made. Ask the bot again to find it."
)
QUOTE_LINK_BAD = "That is not the address of a quote. Links from the bot's answers look like /q/…/120-480."
NOTHING_QUOTABLE = "There is nothing quotable on record yet."
NO_EPISODE = "No episode matches “{episode}”."
TITLES_CLOSE = "Close titles: {titles}."
NO_SPEAKER = "No speaker on record is named “{speaker}”."
SPEAKER_CLOSE = "Close names: {names}."
SPEAKER_AMBIGUOUS = "“{speaker}” could be {names}; say which one, with more of the name."
SPEAKER_UNATTRIBUTED = (
    "The transcripts list {speaker} among an episode's speakers, but do not say which words are theirs."
)
SAID = "{speaker} said:"
SPEAKER_UNNAMED = "The transcript does not say who said:"
SPEAKERS_UNKNOWN = "These transcripts do not say who speaks when, so I cannot quote one speaker alone."
SLACK_INVITE = (
    "I can't post in this channel, so here is your answer privately. "
    "To have me answer in the channel, invite me with `/invite @OnRecord`."
)
ALREADY_SHOWN = "Those results are already posted in this thread."
CONTEXT_SHOWN = "That conversation is already posted in this thread."
APOLOGY = "Sorry, something went wrong while looking that up. Please try again in a moment."
# where the answer's post may have been made after all (it usually shows just above)
UNCONFIRMED_APOLOGY = (
    "Sorry, something went wrong while sending the answer. If no answer shows above, ask again."
)


def no_match_hint(close_words: Sequence[str]) -> str:
    """What to try when nothing matched: the indexed words closest to the question's, if any."""
    if close_words:
        return f"Words in the transcripts close to yours: {', '.join(close_words)}."
    return "Try other words, or fewer of them."


_LANGUAGES = {
    "ar": "Arabic", "de": "German", "en": "English", "es": "Spanish", "fr": "French", "hi": "Hindi",
    "it": "Italian", "ja": "Japanese", "ko": "Korean", "nl": "Dutch", "pl": "Polish", "pt": "Portuguese",
    "ru": "Russian", "sv": "Swedish", "tr": "Turkish", "uk": "Ukrainian", "zh": "Chinese",
}  # fmt: skip


def other_language_hint(asked: str, languages: Collection[str]) -> str:
    """What to say when a question is in a language none of the transcripts is in."""
    have = " and ".join(sorted(_LANGUAGES.get(code, code) for code in languages))
    return f"Your question looks like {_LANGUAGES.get(asked, asked)}, but the transcripts are in {have}."


def format_span(start: float | None, end: float | None) -> str | None:
    """When a quote is said, ``12:04–12:41`` (or ``12:04`` when its end is unknown or the same second);
    None without timings: never a made-up time."""
    first, last = format_time(start), format_time(end)
    if first is None:
        return None
    return first if last is None or last == first or (end or 0) < (start or 0) else f"{first}–{last}"


def format_time(seconds: float | None) -> str | None:
    """A moment in a recording as m:ss or h:mm:ss."""
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return None
    s = int(seconds)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def said_by(speaker: str | None) -> str:
    """What heads a quote that answers "who said …?": the speaker's name first."""
    return SAID.format(speaker=speaker) if speaker else SPEAKER_UNNAMED
