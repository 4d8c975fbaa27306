"""Question normalization: what remains of a chat message once mentions and markup are gone."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["is_meaningful", "normalize", "who_said"]

# Any <…> token of Slack or Discord markup: mentions <@U1>, <@!1>, <@&1>, channels <#C1|x>, specials
# <!here>, <!subteam^S1|@team>, emoji <:name:1>, timestamps <t:1:R>, links <https://x|label>.
_ANGLE = re.compile(r"<([^<>\s][^<>]*)>")
_MASKED_LINK = re.compile(r"\[([^\[\]]*)\]\((?:https?://|mailto:)[^()\s]*\)")
_BROADCAST = re.compile(r"(?<![\w@])@(?:everyone|here|channel)\b", re.IGNORECASE)
_INNER_UNDERSCORE = re.compile(r"(?<=[^\W_])_+(?=[^\W_])")  # snake_case: two words
_MARKERS = re.compile(r"[*_~`|]+|^\s*>+", re.MULTILINE)
_SPACE = re.compile(r"\s+")
_DROPPED = {"Cf", "Cs", "Co", "Cn"}  # zero-width and bidi controls, surrogates, private, unassigned
_WHO_SAID = re.compile(
    r"(?:who|which\s+(?:speaker|guest|host|person|one))(?:\s+(?:was\s+it|is\s+it)\s+that|'s\s+the\s+one\s+who)?"
    r"\s+(?:said|says|say|was\s+saying|mentioned|mentions|talked\s+about|talks\s+about|spoke\s+about)"
    r"\b[\s,:–—-]*(?P<rest>.*)",
    re.IGNORECASE | re.DOTALL,
)


def _angle(match: re.Match[str]) -> str:
    inner = match.group(1)
    target, _, label = inner.partition("|")
    if "://" in target or target.startswith("mailto:"):
        return label or target
    if target[:1] in ("@", "!", "#", ":") or target.startswith(("a:", "t:")):
        return ""  # a mention, channel, broadcast, emoji or timestamp: not part of the question
    return match.group(0)


def _clean_char(char: str) -> str:
    category = unicodedata.category(char)
    if category in _DROPPED:
        return ""
    return " " if category == "Cc" and not char.isspace() else char


def normalize(text: str) -> str:
    """Strip mentions, chat markup and invisible characters; NFKC; collapse whitespace."""
    text = "".join(map(_clean_char, text))
    text = unicodedata.normalize("NFKC", text)
    text = _ANGLE.sub(_angle, text)
    text = _MASKED_LINK.sub(r"\1", text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    text = _BROADCAST.sub(" ", text)
    text = _INNER_UNDERSCORE.sub(" ", text)
    text = _MARKERS.sub("", text)
    return _SPACE.sub(" ", text).strip()


def is_meaningful(text: str) -> bool:
    """Whether the text has a letter or a digit (not only punctuation, symbols or emoji)."""
    return any(unicodedata.category(char)[0] in "LN" for char in text)


def who_said(text: str) -> str | None:
    """What a "who said …?" question asks about ("who said the map is not the territory?" -> "the map is
    not the territory?"); None for any other question, or when nothing follows."""
    match = _WHO_SAID.fullmatch(text.strip())
    if match is None or not is_meaningful(match["rest"]):
        return None
    return match["rest"].strip()
