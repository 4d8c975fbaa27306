"""Answers as Discord messages: a short content line and one embed per quote, within Discord's limits.

Transcript text, titles, speakers and echoed questions are escaped (Markdown and mention syntax), so a quote
renders as it was said and no masked link can come out of it; links are checked and percent-encoded
(`index.urls.web_url`) before they go in. The messages also go out with no allowed mentions, so nothing
can ping anyone whatever it holds.
Limits: content ≤ 2000 characters, embed title ≤ 256, description ≤ 4096, ≤ 10 embeds and ≤ 6000
characters of embed text per message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import discord

from onrecord.bot.answer import Answer, Result
from onrecord.bot.wording import format_span, said_by
from onrecord.index.urls import web_url

__all__ = [
    "MAX_CONTENT",
    "MAX_EMBEDS",
    "MAX_EMBED_TEXT",
    "DiscordMessage",
    "answer_message",
    "daily_message",
    "escape",
    "notice",
    "quote_message",
]

MAX_CONTENT = 2000
MAX_TITLE = 256
MAX_DESCRIPTION = 4096
MAX_EMBEDS = 10
MAX_EMBED_TEXT = 6000
MAX_URL = 500  # a longer link is left out: it would crowd out the words
_COLOUR = discord.Colour(0x5865F2)
NO_MENTIONS = discord.AllowedMentions.none()
# Escaped with a backslash: inline markup and link brackets anywhere, block markup (headings, quotes,
# lists) at the start of a line, and the colon of `scheme://` (no automatic link). Every `[` and `]` is
# escaped, so no masked link can form, however the brackets nest (discord.py's `escape_markdown` escapes
# only the first `[` of a line holding two links).
_MARKDOWN = re.compile(r"[\\*_~`|\[\]<]|^[ \t]*(?:[#>-]|[0-9]+\.)|:(?=//)", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class DiscordMessage:
    content: str
    embeds: list[discord.Embed] = field(default_factory=list)


def escape(text: str) -> str:
    """Outside text rendered as written: Markdown, link and mention syntax escaped."""
    return discord.utils.escape_mentions(_MARKDOWN.sub(_escaped, text))


def _escaped(match: re.Match[str]) -> str:
    """The match with a backslash before its last character (the one that is markup)."""
    return f"{match[0][:-1]}\\{match[0][-1]}"


def _clip(text: str, limit: int) -> str:
    """At most `limit` characters, "…" where cut, never right after a lone escaping backslash."""
    if len(text) <= limit:
        return text
    if limit <= 1:
        return ""
    cut = text[: limit - 1]
    if (len(cut) - len(cut.rstrip("\\"))) % 2:
        cut = cut[:-1]
    return cut.rstrip() + "…"


def _http(url: str | None) -> str | None:
    """A web link that is safe in Markdown and worth its room, or None."""
    safe = web_url(url)
    return safe if safe is not None and len(safe) <= MAX_URL else None


def _embed(result: Result, room: int, who: bool = False) -> discord.Embed:
    """One quote: the words, then the moment (a deep link when known) and the speaker; the title links
    to the recording. `room` bounds title plus description (the embed text Discord counts). Answering
    "who said …?", the speaker's name comes first."""
    title = result.title if not result.show else f"{result.show}: {result.title}"
    title = _clip(escape(title.strip() or result.source or "Untitled"), min(MAX_TITLE, room // 4))
    tail = _source(result, link=True)
    if len(title) + len(tail) > room // 2:  # a long deep link would crowd out the words: show the time only
        tail = _source(result, link=False)
    quote = "\n".join("> " + line for line in escape(result.quote).splitlines())
    if who:
        quote = f"**{escape(_clip(said_by(result.speaker), 120))}**\n{quote}"
    room_for_quote = max(0, min(MAX_DESCRIPTION, room - len(title)) - len(tail))
    return discord.Embed(
        title=title,
        url=_http(result.link or result.url),
        description=_clip(quote, room_for_quote) + tail,
        colour=_COLOUR,
    )


def _source(result: Result, *, link: bool) -> str:
    """The moment (a deep link when `link` and known) and the speaker, after a blank line; or nothing."""
    source: list[str] = []
    when = format_span(result.start, result.end)
    if when is not None:
        url = _http(result.url) if link else None
        source.append(f"[▶ {when}]({url})" if url else f"▶ {when}")
    if result.speaker:
        source.append(escape(_clip(result.speaker, 80)))
    context = _http(result.context_url) if link else None
    if context:
        source.append(f"[Read in context]({context})")
    return "\n\n" + " · ".join(source) if source else ""


def answer_message(answer: Answer) -> DiscordMessage:
    """The reply to a question: where the page stands, then a quote per embed; a notice when none."""
    if answer.status != "ok" or not answer.results:
        return notice(answer.message)
    results = answer.results[:MAX_EMBEDS]
    first = answer.page * answer.page_size + 1
    question = escape(_clip(answer.question, 300))
    content = f"Results {first}–{first + len(results) - 1} of {answer.total} on record for “{question}”"
    if answer.scope:
        content += f" (only {escape(_clip(answer.scope, 300))})"
    room = MAX_EMBED_TEXT // len(results)
    embeds = [_embed(r, room, answer.who) for r in results]
    return DiscordMessage(content=_clip(content, MAX_CONTENT), embeds=embeds)


def daily_message(result: Result) -> DiscordMessage:
    """The daily quote: the quote and its source."""
    return DiscordMessage(content="Quote of the day", embeds=[_embed(result, MAX_EMBED_TEXT)])


def quote_message(answer: Answer) -> DiscordMessage:
    """A /quote: the one quote, headed by its topic."""
    if answer.status != "ok" or not answer.results:
        return notice(answer.message)
    heading = (
        f"A quote on “{escape(_clip(answer.question, 300))}”"
        if answer.question
        else "A quote from the transcripts"
    )
    return DiscordMessage(content=heading, embeds=[_embed(answer.results[0], MAX_EMBED_TEXT)])


def notice(message: str) -> DiscordMessage:
    """A short message (no match, a refusal, an apology), escaped."""
    return DiscordMessage(content=_clip(escape(message), MAX_CONTENT))
