"""Slack: `speaker:` and `episode:` in `/ask` and in a mention, and "who said …?", against the stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.bot.slack_bot import RunningBot, bot_env, slack_bot
from tests.conftest import RedisServer
from tests.standins.slack import Call, SlackStandIn
from tests.standins.slack_payloads import mention_event, slash_command


@pytest.fixture
async def bot(slack: SlackStandIn, talks_dir: Path, redis_server: RedisServer) -> AsyncIterator[RunningBot]:
    async with slack_bot(bot_env(slack, talks_dir, redis_server.url)) as running:
        yield running


def _quotes(call: Call) -> list[str]:
    return [b["text"]["text"] for b in call.args["blocks"] if b["type"] == "section"]


def _footer(call: Call) -> str:
    return str(call.args["blocks"][-1]["elements"][0]["text"])


async def test_ask_with_a_speaker_quotes_only_them(bot: RunningBot, slack: SlackStandIn) -> None:
    url = slack.response_url("r")
    await bot.send(slash_command('speaker:"renee dubois" sourdough bread', response_url=url))
    asked, answer = await slack.wait_calls("chat.postMessage", 2)
    assert asked.args["text"] == "<@U0001> asked: sourdough bread"
    quotes = _quotes(answer)
    assert quotes and all(q.endswith("Renée Dubois") for q in quotes)
    assert _footer(answer).endswith("on record for “sourdough bread” (only Renée Dubois)")


async def test_a_mention_takes_the_same_filters(bot: RunningBot, slack: SlackStandIn) -> None:
    event = mention_event("episode:“Tomatoes in Winter” speaker:Maya sourdough bread")
    await bot.send(event)
    [answer] = await slack.wait_calls("chat.postMessage", 1)
    [quote] = _quotes(answer)
    assert "where I bake sourdough bread on Sundays" in quote and quote.endswith("Maya Lindqvist")
    assert _footer(answer).endswith("(only Maya Lindqvist in “Garden Hour: Tomatoes in Winter”)")


async def test_a_filter_that_matches_nobody_is_told_privately_with_close_names(
    bot: RunningBot, slack: SlackStandIn
) -> None:
    await bot.send(slash_command("speaker:oskar tomatoes", response_url=slack.response_url("r")))
    [(_, told)] = await slack.wait_responses(1)
    assert told["response_type"] == "ephemeral"
    assert told["text"] == "“oskar” could be Oskar Berg, Oskar Nilsson; say which one, with more of the name."
    await bot.send(mention_event("speaker:Zorro bread"))
    [reply] = await slack.wait_calls("chat.postMessage", 1)
    assert reply.args["text"] == "No speaker on record is named “Zorro”."


async def test_who_said_it_puts_the_speaker_first(bot: RunningBot, slack: SlackStandIn) -> None:
    await bot.send(mention_event("who said a starter that is fed forgives you?"))
    [answer] = await slack.wait_calls("chat.postMessage", 1)
    assert _quotes(answer)[0].startswith("*Renée Dubois said:*\n>")
