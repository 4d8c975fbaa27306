"""Answers as Discord messages: a short content line and one embed per quote, within Discord's limits.

Transcript text and echoed questions are escaped (Markdown and mention syntax), so a quote renders as it
was said; the messages also go out with no allowed mentions, so nothing can ping anyone whatever it holds.
Limits: content ≤ 2000 characters, embed title ≤ 256, description ≤ 4096, ≤ 10 embeds and ≤ 6000
characters of embed text per message.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import discord

from bot.answer import Answer, Result
from bot.wording import format_time

__all__ = [
    "MAX_CONTENT",
    "MAX_EMBEDS",
    "MAX_EMBED_TEXT",
    "DiscordMessage",
    "answer_message",
    "daily_message",
    "escape",
    "notice",
]

MAX_CONTENT = 2000
MAX_TITLE = 256
MAX_DESCRIPTION = 4096
MAX_EMBEDS = 10
MAX_EMBED_TEXT = 6000
_COLOUR = discord.Colour(0x5865F2)
NO_MENTIONS = discord.AllowedMentions.none()


@dataclass(frozen=True, slots=True)
class DiscordMessage:
    content: str
    embeds: list[discord.Embed] = field(default_factory=list)


def escape(text: str) -> str:
    """Outside text rendered as written: Markdown and mention syntax escaped."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text, ignore_links=False))


def _clip(text: str, limit: int) -> str:
    """At most `limit` characters, "…" where cut, never right after a lone escaping backslash."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if (len(cut) - len(cut.rstrip("\\"))) % 2:
        cut = cut[:-1]
    return cut.rstrip() + "…"


def _http(url: str | None) -> str | None:
    return url if url is not None and url.startswith(("http://", "https://")) and len(url) <= 2000 else None


def _embed(result: Result, room: int) -> discord.Embed:
    """One quote: the words, then the moment (a deep link when known) and the speaker; the title links
    to the recording. `room` bounds title plus description."""
    title = result.title if not result.show else f"{result.show}: {result.title}"
    title = _clip(escape(title), min(MAX_TITLE, room // 3))
    source: list[str] = []
    when = format_time(result.start)
    if when is not None:
        url = _http(result.url)
        source.append(f"[▶ {when}]({url})" if url else f"▶ {when}")
    if result.speaker:
        source.append(escape(_clip(result.speaker, 80)))
    tail = "\n\n" + " · ".join(source) if source else ""
    quote = "\n".join("> " + line for line in escape(result.quote).splitlines())
    room_for_quote = min(MAX_DESCRIPTION, room - len(title)) - len(tail)
    return discord.Embed(
        title=title,
        url=_http(result.link or result.url),
        description=_clip(quote, room_for_quote) + tail,
        colour=_COLOUR,
    )


def answer_message(answer: Answer) -> DiscordMessage:
    """The reply to a question: where the page stands, then a quote per embed; a notice when none."""
    if answer.status != "ok" or not answer.results:
        return notice(answer.message)
    results = answer.results[:MAX_EMBEDS]
    first = answer.page * answer.page_size + 1
    question = escape(_clip(answer.question, 300))
    content = f"Results {first}–{first + len(results) - 1} of {answer.total} on record for “{question}”"
    room = MAX_EMBED_TEXT // len(results)
    return DiscordMessage(content=_clip(content, MAX_CONTENT), embeds=[_embed(r, room) for r in results])


def daily_message(result: Result) -> DiscordMessage:
    """The daily quote: the quote and its source."""
    return DiscordMessage(content="Quote of the day", embeds=[_embed(result, MAX_EMBED_TEXT)])


def notice(message: str) -> DiscordMessage:
    """A short message (no match, a refusal, an apology), escaped."""
    return DiscordMessage(content=_clip(escape(message), MAX_CONTENT))
