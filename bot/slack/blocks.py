"""Answers as Slack messages: Block Kit within Slack's limits, every piece of outside text escaped.

Slack reads `&`, `<` and `>` as markup (`<!channel>`, `<@U1>`, links), so transcript text, titles,
speakers and echoed questions are escaped once, before any markup of ours (the `>` quote prefix,
links) is added. Limits: a section's text ≤ 3000 characters, ≤ 50 blocks, a `text` fallback always.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from onrecord.bot.answer import Answer, Result
from onrecord.bot.wording import format_span, said_by
from onrecord.index.urls import web_url

__all__ = [
    "MAX_BLOCKS",
    "MAX_SECTION",
    "SlackMessage",
    "answer_message",
    "daily_message",
    "escape",
    "more_value",
    "notice_message",
    "parse_value",
    "passage_message",
]

MAX_SECTION = 3000
MAX_BLOCKS = 50
MAX_VALUE = 2000  # a button's value
_TITLE_CHARS = 150
_SPEAKER_CHARS = 80
_URL_CHARS = 500
_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,3}$")

MORE = "onrecord_more"
VOTE_UP = "onrecord_vote_up"
VOTE_DOWN = "onrecord_vote_down"
CONTEXT = "onrecord_context"

Block = dict[str, Any]


@dataclass(frozen=True, slots=True)
class SlackMessage:
    text: str  # the notification and screen-reader fallback (mrkdwn, escaped)
    blocks: list[Block]


def escape(text: str) -> str:
    """Outside text made inert in mrkdwn: no mention, broadcast or link can come out of it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str, limit: int) -> str:
    """At most `limit` characters, "…" where cut, never inside an entity (`&amp;`)."""
    if len(text) <= limit:
        return text
    return _PARTIAL_ENTITY.sub("", text[: limit - 1]).rstrip() + "…"


def _link(url: str | None, label: str) -> str:
    """`<url|label>` for a web link (percent-encoded: no <, > or | breaks out of it); else the label."""
    safe = web_url(url)
    if safe is None or len(safe) > _URL_CHARS:
        return label
    return f"<{safe.replace('&', '&amp;')}|{label}>"


def _section(text: str) -> Block:
    # verbatim: Slack must not turn outside text into links, channel names or mentions by itself.
    return {"type": "section", "text": {"type": "mrkdwn", "text": _clip(text, MAX_SECTION), "verbatim": True}}


def _context(text: str) -> Block:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": _clip(text, MAX_SECTION), "verbatim": True}],
    }


def _quote_block(result: Result, who: bool = False) -> Block:
    """The quote and its source; answering "who said …?", the speaker's name first."""
    quoted = "\n".join(">" + escape(line) for line in result.quote.splitlines())
    if who:
        quoted = f"*{escape(_clip(said_by(result.speaker), _SPEAKER_CHARS))}*\n{quoted}"
    title = escape(_clip(result.title, _TITLE_CHARS))
    if result.show:
        title = f"{escape(_clip(result.show, _TITLE_CHARS))}: {title}"
    source = [f"*{_link(result.link or result.url, title)}*"]
    when = format_span(result.start, result.end)
    if when is not None:
        source.append(_link(result.url, when))
    if result.speaker:
        source.append(escape(_clip(result.speaker, _SPEAKER_CHARS)))
    if result.context_url:
        source.append(_link(result.context_url, "Read in context"))
    room = MAX_SECTION - len(" — ".join(source)) - 4  # never clip the source line away
    return _section(_clip(quoted, room) + "\n— " + " · ".join(source))


def more_value(answer: Answer) -> str:
    """The "More results" button's value: the answer, its next page, and the question to search again
    with when the stored pages are gone (left out when it would not fit in a button)."""
    value: dict[str, Any] = {
        "a": answer.id,
        "p": answer.page + 1,
        "k": answer.page_size,
        "q": answer.question,
    }
    value.update({key: v for key, v in (("s", answer.speaker), ("e", answer.episode)) if v})
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if len(text) > MAX_VALUE:
        text = json.dumps({**value, "q": None}, separators=(",", ":"))
    return text


def parse_value(value: str) -> dict[str, Any]:
    """A button's value as we wrote it; empty when it is not ours."""
    try:
        data = json.loads(value)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _actions(answer: Answer) -> Block:
    vote = json.dumps({"a": answer.id}, separators=(",", ":"))
    buttons: list[Block] = []
    if answer.has_more:
        buttons.append(
            {
                "type": "button",
                "action_id": MORE,
                "text": {"type": "plain_text", "text": "More results"},
                "value": more_value(answer),
            }
        )
    for action_id, label in ((VOTE_UP, "👍"), (VOTE_DOWN, "👎")):
        buttons.append(
            {
                "type": "button",
                "action_id": action_id,
                "text": {"type": "plain_text", "text": label},
                "value": vote,
            }
        )
    return {"type": "actions", "block_id": f"onrecord_{answer.id}_{answer.page}", "elements": buttons}


def answer_message(answer: Answer) -> SlackMessage:
    """The reply to a question: a quote block per result, then buttons, then where the page stands;
    a plain notice when there are no results."""
    if answer.status != "ok" or not answer.results:
        return notice_message(answer.message)
    question = escape(_clip(answer.question, 200))
    first = answer.page * answer.page_size + 1
    last = first + len(answer.results) - 1
    blocks = [_quote_block(result, answer.who) for result in answer.results]
    blocks = blocks[: MAX_BLOCKS - 2]
    blocks.append(_actions(answer))
    only = f" (only {escape(_clip(answer.scope, 300))})" if answer.scope else ""
    blocks.append(_context(f"Results {first}–{last} of {answer.total} on record for “{question}”{only}"))
    count = len(answer.results)
    text = f"{count} {'quote' if count == 1 else 'quotes'} on record for “{question}”"
    return SlackMessage(text=text, blocks=blocks)


def notice_message(message: str) -> SlackMessage:
    """A short message (no match, a refusal, an apology), escaped."""
    text = escape(_clip(message, MAX_SECTION))
    return SlackMessage(text=text, blocks=[_section(text)])


def daily_message(result: Result, context: str, heading: str = "Quote of the day") -> SlackMessage:
    """The daily quote (or a /quote): the quote and its source, and a button for the passage around it."""
    button = {
        "type": "button",
        "action_id": CONTEXT,
        "text": {"type": "plain_text", "text": "More from this conversation"},
        "value": context,
    }
    blocks = [_context(heading), _quote_block(result), {"type": "actions", "elements": [button]}]
    return SlackMessage(text=f"{heading}: “{escape(_clip(result.quote, 200))}”", blocks=blocks)


def passage_message(result: Result) -> SlackMessage:
    """The passage around a daily quote."""
    return SlackMessage(text="More from this conversation", blocks=[_quote_block(result)])
