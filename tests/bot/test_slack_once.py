"""Exactly once when Slack made the message and its answer was lost (HTTP 5xx, a dropped connection):
the bot looks for the post by its metadata before posting again. Real slack-bolt and slack_sdk over
loopback, a real Redis, the Slack stand-in making the message and then failing the call."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from onrecord.bot.slack.web import CALL_TIMEOUT
from tests.bot.slack_bot import RunningBot, bot_env, slack_bot
from tests.conftest import Poll, RedisServer, claims_settled
from tests.standins.slack import SlackStandIn
from tests.standins.slack_payloads import mention_event, slash_command

QUESTION = "why did Jerry leave OpenAI"
CHANNEL = "C0001"
EVENT_TYPE = "onrecord_post"  # the metadata every post carries


@pytest.fixture
async def bot(
    slack: SlackStandIn, seed_index_dir: Path, redis_server: RedisServer
) -> AsyncIterator[RunningBot]:
    async with slack_bot(bot_env(slack, seed_index_dir, redis_server.url)) as running:
        yield running


async def _answered(bot: RunningBot, until: Poll, claimed: int = 1) -> None:
    """Wait until the bot's claims are settled: nothing it does can still post."""
    await until(lambda: claims_settled(bot.runtime.state.claims.outcomes, claimed), seconds=30)


@pytest.mark.parametrize("status", [500, 503, 0], ids=["500", "503", "dropped"])
async def test_an_answer_slack_made_before_its_answer_was_lost_shows_once(
    bot: RunningBot, slack: SlackStandIn, until: Poll, status: int
) -> None:
    slack.fail_after("chat.postMessage", status=status)
    event = mention_event(QUESTION)
    thread = event["event"]["ts"]
    await bot.send(event)
    await _answered(bot, until)
    [answer] = slack.posted(CHANNEL, thread)
    assert not answer["text"].startswith("Sorry")
    assert answer["metadata"]["event_type"] == EVENT_TYPE
    [looked] = slack.calls_to("conversations.replies")
    assert looked.args["ts"] == thread and looked.response["messages"] == [answer]
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [status]


async def test_a_post_slack_did_not_make_is_looked_for_then_posted_once(
    bot: RunningBot, slack: SlackStandIn, until: Poll
) -> None:
    slack.server_error("chat.postMessage", times=2)
    slack.drop_connection("chat.postMessage")
    event = mention_event(QUESTION)
    await bot.send(event)
    await _answered(bot, until)
    [answer] = slack.posted(CHANNEL, event["event"]["ts"])
    assert not answer["text"].startswith("Sorry")
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [500, 500, 0, 200]
    assert [c.response["messages"] for c in slack.calls_to("conversations.replies")] == [[], [], []]


async def test_a_post_that_cannot_be_looked_for_keeps_its_claim_and_a_retried_event_posts_nothing(
    bot: RunningBot, slack: SlackStandIn, until: Poll, caplog: pytest.LogCaptureFixture
) -> None:
    slack.fail_after("chat.postMessage", status=500)
    slack.server_error("conversations.replies", times=4)  # the call and slack_sdk's three retries
    event = mention_event(QUESTION)
    with caplog.at_level(logging.WARNING, logger="onrecord.bot"):
        await bot.send(event)
        await _answered(bot, until)
    [line] = [r.getMessage() for r in caplog.records if r.name.startswith("onrecord.bot.")]
    assert line.endswith(
        "may have been answered, and is not answered again: Slack answered HTTP 500 (retries used up),"
        " and the post could not be looked for (internal_error)"
    )
    outcomes = bot.runtime.state.claims.outcomes
    assert (outcomes["done"], outcomes["released"]) == (1, 0)
    await bot.send(event, retry=1)  # Slack's own retry: refused by the claim
    await until(lambda: outcomes["lost"] == 1)
    assert len(slack.posted(CHANNEL, event["event"]["ts"])) == 1  # the answer, no apology
    assert len(slack.calls_to("chat.postMessage")) == 1


async def test_an_asked_line_made_before_its_answer_was_lost_gets_the_answer_in_its_thread(
    bot: RunningBot, slack: SlackStandIn, until: Poll
) -> None:
    slack.fail_after("chat.postMessage", status=0)  # the "asked:" line
    await bot.send(slash_command(QUESTION, response_url=slack.response_url("r")))
    await _answered(bot, until)
    asked, answer = slack.posted(CHANNEL)
    assert asked["text"] == f"<@U0001> asked: {QUESTION}" and "thread_ts" not in asked
    assert answer["thread_ts"] == asked["ts"]
    assert answer["blocks"] and not slack.responses
    [looked] = slack.calls_to("conversations.history")
    assert looked.args["channel"] == CHANNEL


async def test_a_daily_quote_made_before_its_answer_was_lost_is_posted_once(
    slack: SlackStandIn, seed_index_dir: Path, redis_server: RedisServer
) -> None:
    slack.fail_after("chat.postMessage", status=503)
    due = f"{dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1):%H:%M}@UTC"
    env = bot_env(slack, seed_index_dir, redis_server.url, ONRECORD_DAILY_SLACK=f"C0042@{due}")
    async with slack_bot(env):
        [looked] = await slack.wait_calls("conversations.history", 1, timeout=30)
    [post] = slack.posted("C0042")
    assert looked.response["messages"] == [post] and post["metadata"]["event_type"] == EVENT_TYPE
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [503]


async def test_an_answer_slack_does_not_answer_in_time_is_not_tried_again_nor_apologised_for(
    bot: RunningBot, slack: SlackStandIn, until: Poll
) -> None:
    """Past the call's timeout the post may still be on its way: not seen in the thread, it is left
    unconfirmed (the claim kept) rather than posted a second time."""
    hold = slack.hold("chat.postMessage")
    event = mention_event(QUESTION)
    thread = event["event"]["ts"]
    await bot.send(event)
    await slack.wait_held(hold)
    await slack.wait_calls("conversations.replies", 1, timeout=CALL_TIMEOUT + 10)
    await _answered(bot, until)
    hold.release()  # Slack makes the post, late
    await slack.wait_calls("chat.postMessage", 1)
    assert len(slack.posted(CHANNEL, thread)) == 1  # the answer; no apology, no second try
    await bot.send(event, retry=1)
    outcomes = bot.runtime.state.claims.outcomes
    await until(lambda: outcomes["lost"] == 1)
    assert (outcomes["done"], outcomes["released"]) == (1, 0)
    assert len(slack.calls_to("chat.postMessage")) == 1
