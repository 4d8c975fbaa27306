"""Exactly once when Slack made the message and its answer was lost (HTTP 5xx, a dropped connection):
the bot looks for the post by its metadata before posting again. Real slack-bolt and slack_sdk over
loopback, a real Redis, the Slack stand-in making the message and then failing the call."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import aiohttp
import pytest
from aiohttp.client_reqrep import ConnectionKey
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.state import RetryState

from onrecord.bot.keys import message_key
from onrecord.bot.slack.posting import _maybe_made
from onrecord.bot.slack.web import CALL_TIMEOUT, _ConnectionErrorRetryHandler
from tests.bot.slack_bot import RunningBot, bot_env, slack_bot
from tests.conftest import Poll, RedisServer, claims_settled
from tests.standins.slack import SlackStandIn
from tests.standins.slack_payloads import block_action, mention_event, slash_command

QUESTION = "why did Jerry leave OpenAI"
CHANNEL = "C0001"
EVENT_TYPE = "onrecord_post"  # the metadata every post carries


async def _posted(running: RunningBot, until: Poll, day: dt.date) -> None:
    """Wait until the ledger records the day as posted: nothing the bot does can still post it."""

    async def recorded() -> bool:
        return await running.runtime.state.daily.status("slack", "C0042", day) == "posted"

    await until(recorded, seconds=30)


async def _answered(bot: RunningBot, until: Poll, claimed: int = 1) -> None:
    """Wait until the bot's claims are settled: nothing it does can still post."""
    await until(lambda: claims_settled(bot.runtime.state.claims.outcomes, claimed), seconds=30)


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (500, "internal_error"),
        (503, "internal_error"),
        (0, ""),
        (200, "fatal_error"),
        (200, "internal_error"),
    ],
    ids=["500", "503", "dropped", "fatal_error", "internal_error"],
)
async def test_an_answer_slack_made_before_its_answer_was_lost_shows_once(
    bot: RunningBot, slack: SlackStandIn, until: Poll, status: int, error: str
) -> None:
    slack.fail_after("chat.postMessage", status=status, error=error)
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


async def test_a_message_listed_late_is_found_by_a_look_made_after_the_backoff(
    bot: RunningBot, slack: SlackStandIn, until: Poll
) -> None:
    """Slack may list a message it just made a moment later: the bot waits before it looks."""
    slack.fail_after("chat.postMessage", status=503, listed_after=0.2)  # within the first backoff
    event = mention_event(QUESTION)
    await bot.send(event)
    await _answered(bot, until)
    assert len(slack.posted(CHANNEL, event["event"]["ts"])) == 1
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [503]


async def test_a_post_is_found_beyond_the_first_page_of_its_thread(
    bot: RunningBot, slack: SlackStandIn, until: Poll
) -> None:
    """The thread is read oldest first, so a long one puts the post on a later page."""
    event = mention_event(QUESTION)
    thread = event["event"]["ts"]
    for n in range(250):  # a busy thread, all of it newer than the question
        slack.add_message(CHANNEL, f"{float(thread) + 0.001 * (n + 1):.6f}", f"chatter {n}")["thread_ts"] = (
            thread
        )
    slack.fail_after("chat.postMessage", status=500)
    await bot.send(event)
    await _answered(bot, until)
    assert len([m for m in slack.posted(CHANNEL, thread) if m.get("metadata")]) == 1
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [500]
    assert len(slack.calls_to("conversations.replies")) == 2


async def test_a_mention_whose_post_cannot_be_looked_for_keeps_its_claim_and_gets_the_apology_once(
    bot: RunningBot, slack: SlackStandIn, until: Poll, caplog: pytest.LogCaptureFixture
) -> None:
    slack.fail_after("chat.postMessage", status=500)
    slack.server_error("conversations.replies", times=4)  # the call and slack_sdk's three retries
    event = mention_event(QUESTION)
    thread = event["event"]["ts"]
    with caplog.at_level(logging.WARNING, logger="onrecord.bot"):
        await bot.send(event)
        await _answered(bot, until)
        await until(lambda: len(slack.posted(CHANNEL, thread)) == 2)
    [line] = [r.getMessage() for r in caplog.records if r.name.startswith("onrecord.bot.")]
    assert line.endswith(
        "may have been answered, and is not answered again: Slack answered HTTP 500 (retries used up),"
        " and the post could not be looked for (Slack answered HTTP 500 (retries used up))"
    )
    answer, apology = slack.posted(CHANNEL, thread)
    assert not answer["text"].startswith("Sorry")
    assert apology["text"].startswith("Sorry") and "If no answer shows above, ask again." in apology["text"]
    assert apology["metadata"]["event_payload"] != answer["metadata"]["event_payload"]
    outcomes = bot.runtime.state.claims.outcomes
    assert (outcomes["done"], outcomes["released"]) == (1, 0)
    await bot.send(event, retry=1)  # Slack's own retry: refused by the claim
    await until(lambda: outcomes["lost"] == 1)
    assert len(slack.posted(CHANNEL, thread)) == 2
    assert len(slack.calls_to("chat.postMessage")) == 2


async def test_a_mention_whose_last_try_may_have_been_made_keeps_its_claim(
    bot: RunningBot, slack: SlackStandIn, until: Poll
) -> None:
    """Every try answered HTTP 500 and none found: the last one may yet show, so a retried event is not
    answered again."""
    slack.server_error("chat.postMessage", times=4)  # the four tries (slack_sdk leaves posts alone)
    event = mention_event(QUESTION)
    await bot.send(event)
    await _answered(bot, until)
    outcomes = bot.runtime.state.claims.outcomes
    assert (outcomes["done"], outcomes["released"]) == (1, 0)
    [apology] = slack.posted(CHANNEL, event["event"]["ts"])
    assert apology["text"].endswith("If no answer shows above, ask again.")
    await bot.send(event, retry=1)
    await until(lambda: outcomes["lost"] == 1)
    assert len(slack.calls_to("conversations.replies")) == 4


@pytest.mark.parametrize("command", ["/ask", "/quote"])
async def test_a_command_whose_post_cannot_be_looked_for_sends_it_privately(
    bot: RunningBot, slack: SlackStandIn, until: Poll, command: str
) -> None:
    """The channel may show it or not: a private copy is the one thing that cannot show twice there."""
    slack.fail_after("chat.postMessage", status=500)
    slack.server_error("conversations.history", times=4)
    text = QUESTION if command == "/ask" else ""
    await bot.send(slash_command(text, response_url=slack.response_url("r"), command=command))
    await _answered(bot, until)
    await until(lambda: len(slack.responses) == 1)
    [posted] = slack.posted(CHANNEL)
    [(_, private)] = slack.responses
    assert private["response_type"] == "ephemeral" and private["blocks"]
    assert not private["text"].startswith("Sorry")  # the answer, not the apology
    if command == "/quote":
        assert private["blocks"] == posted["blocks"]
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
    slack: SlackStandIn, seed_index_dir: Path, redis_server: RedisServer, until: Poll
) -> None:
    slack.fail_after("chat.postMessage", status=503)
    due = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    env = bot_env(slack, seed_index_dir, redis_server.url, ONRECORD_DAILY_SLACK=f"C0042@{due:%H:%M}@UTC")
    async with slack_bot(env) as running:
        await _posted(running, until, due.date())
    [post] = slack.posted("C0042")
    first, looked = slack.calls_to("conversations.history")
    assert first.response["messages"] == [] and looked.response["messages"] == [post]
    assert post["metadata"]["event_type"] == EVENT_TYPE
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [503]


async def test_a_daily_quote_an_earlier_try_made_is_found_before_posting(
    slack: SlackStandIn, seed_index_dir: Path, redis_server: RedisServer, until: Poll
) -> None:
    """A try made long before (its answer lost, the day given back), even before the day's due time (by
    `onrecord daily post`, run at any hour), is found from the start of the day."""
    due = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=40)
    day_start = dt.datetime.combine(due.date(), dt.time(), dt.UTC)
    made = max(due - dt.timedelta(minutes=10), day_start + dt.timedelta(seconds=1))
    key = message_key("slack:daily", "C0042", due.date().isoformat())
    earlier = slack.add_message(
        "C0042",
        f"{made.timestamp():.6f}",
        "the quote",
        {"event_type": EVENT_TYPE, "event_payload": {"key": key}},
    )
    env = bot_env(slack, seed_index_dir, redis_server.url, ONRECORD_DAILY_SLACK=f"C0042@{due:%H:%M}@UTC")
    async with slack_bot(env) as running:
        await _posted(running, until, due.date())
    assert slack.posted("C0042") == [earlier] and not slack.calls_to("chat.postMessage")
    [looked] = slack.calls_to("conversations.history")
    assert float(looked.args["oldest"]) <= day_start.timestamp()


async def test_a_daily_quote_is_posted_once_by_an_app_without_the_history_scopes(
    slack: SlackStandIn, seed_index_dir: Path, redis_server: RedisServer, until: Poll
) -> None:
    """Slack refuses the look (missing_scope) for good: the quote is posted without it, not given back."""
    slack.scopes = [s for s in slack.scopes if s != "channels:history"]
    due = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    env = bot_env(slack, seed_index_dir, redis_server.url, ONRECORD_DAILY_SLACK=f"C0042@{due:%H:%M}@UTC")
    async with slack_bot(env) as running:
        await _posted(running, until, due.date())
    [post] = slack.posted("C0042")
    [looked] = slack.calls_to("conversations.history")
    assert looked.response["error"] == "missing_scope"
    assert post["metadata"]["event_type"] == EVENT_TYPE and len(slack.calls_to("chat.postMessage")) == 1


async def test_a_bot_without_the_history_scopes_says_so_at_start(
    slack: SlackStandIn,
    seed_index_dir: Path,
    redis_server: RedisServer,
    until: Poll,
    caplog: pytest.LogCaptureFixture,
) -> None:
    slack.scopes = ["app_mentions:read", "chat:write", "commands", "files:write", "im:history"]
    with caplog.at_level(logging.ERROR, logger="onrecord.bot"):
        async with slack_bot(bot_env(slack, seed_index_dir, redis_server.url)):
            await until(lambda: any(r.levelno == logging.ERROR for r in caplog.records), seconds=30)
    [line] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert "channels:history, groups:history, mpim:history" in line


async def test_an_answer_slack_makes_after_the_timeout_is_found_by_a_second_look(
    bot: RunningBot, slack: SlackStandIn, until: Poll
) -> None:
    """Past the call's timeout the post may still be on its way: not seen at first, the bot waits the
    call's timeout and looks again before it posts again."""
    hold = slack.hold("chat.postMessage")
    event = mention_event(QUESTION)
    thread = event["event"]["ts"]
    await bot.send(event)
    await slack.wait_held(hold)
    [first] = await slack.wait_calls("conversations.replies", 1, timeout=CALL_TIMEOUT + 10)
    hold.release()  # Slack makes the post, late
    await _answered(bot, until)
    [answer] = slack.posted(CHANNEL, thread)
    assert first.response["messages"] == []
    assert slack.calls_to("conversations.replies")[-1].response["messages"] == [answer]
    assert len(slack.calls_to("chat.postMessage")) == 1 and not answer["text"].startswith("Sorry")


async def test_an_answer_slack_never_made_after_a_timeout_is_posted_again_after_two_looks(
    bot: RunningBot, slack: SlackStandIn, until: Poll
) -> None:
    hold = slack.hold("chat.postMessage")
    event = mention_event(QUESTION)
    thread = event["event"]["ts"]
    await bot.send(event)
    await slack.wait_held(hold)
    await slack.wait_calls("chat.postMessage", 1, timeout=3 * CALL_TIMEOUT)  # the second try
    await _answered(bot, until)
    [answer] = slack.posted(CHANNEL, thread)  # the held try never reached Slack
    assert not answer["text"].startswith("Sorry")
    assert [c.response["messages"] for c in slack.calls_to("conversations.replies")] == [[], []]
    hold.release()


async def test_an_ephemeral_message_slack_may_have_made_is_not_sent_again_blindly(
    bot: RunningBot, slack: SlackStandIn, until: Poll
) -> None:
    """slack_sdk's server-error retries leave alone every method that makes something."""
    await bot.send(mention_event(QUESTION))
    await _answered(bot, until)
    [answer] = slack.calls_to("chat.postMessage")
    message = answer.response["message"]
    [vote] = [
        e["value"]
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "onrecord_vote_up"
    ]
    slack.fail_after("chat.postEphemeral", status=500)
    url = slack.response_url("buttons")
    await bot.send(block_action("onrecord_vote_up", vote, message=message, response_url=url))
    [(_, apology)] = await slack.wait_responses(1)
    assert apology["text"].startswith("Sorry")
    assert [c.status for c in slack.calls_to("chat.postEphemeral")] == [500]


_NOT_CONNECTED = aiohttp.ClientConnectorError(
    ConnectionKey("slack.com", 443, True, True, None, None, None), OSError()
)


@pytest.mark.parametrize(
    ("err", "maybe"),
    [
        (aiohttp.ClientConnectionResetError(), True),  # reset mid-call (not a ClientOSError in 3.14)
        (aiohttp.ClientPayloadError(), True),
        (aiohttp.ServerDisconnectedError(), True),
        (aiohttp.SocketTimeoutError(), True),
        (TimeoutError(), True),
        (aiohttp.ConnectionTimeoutError(), False),  # never connected: nothing sent
        (
            aiohttp.ClientConnectorError(
                ConnectionKey("slack.com", 443, True, True, None, None, None), OSError()
            ),
            False,
        ),
        (SlackApiError("The request to the Slack API failed (unreadable body)", None), True),
        (ValueError(), False),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, Exception) else str(v),
)
def test_which_failures_may_have_made_the_message(err: Exception, maybe: bool) -> None:
    assert _maybe_made(err) is maybe


@pytest.mark.parametrize(
    ("method", "error", "retried"),
    [
        ("chat.postEphemeral", _NOT_CONNECTED, True),  # nothing was sent
        ("files.completeUploadExternal", _NOT_CONNECTED, True),
        ("chat.postMessage", _NOT_CONNECTED, False),  # bot.slack.posting counts its tries
        ("chat.postEphemeral", aiohttp.ServerDisconnectedError(), False),  # it may have been made
        ("conversations.replies", aiohttp.ServerDisconnectedError(), True),
    ],
)
async def test_which_connection_failures_slack_sdk_retries(
    method: str, error: Exception, retried: bool
) -> None:
    handler = _ConnectionErrorRetryHandler(
        error_types=[aiohttp.ServerDisconnectedError, aiohttp.ClientConnectorError]
    )
    request = HttpRequest(method="POST", url=f"https://slack.com/api/{method}", headers={})
    assert await handler.can_retry_async(state=RetryState(), request=request, error=error) is retried
