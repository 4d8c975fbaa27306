"""The Slack bot while Slack is unwell: server errors, rate limits, dropped connections, a slow auth.test
and replayed clicks. Real slack-bolt over loopback, a real Redis, the Slack stand-in failing on purpose.

"Exactly once" is checked after the bot's own state says the work is over: every claim in Redis is
done (kept for `CLAIM_TTL`) or given back."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from redis.asyncio import Redis

from onrecord.bot.state.claims import WORKING_TTL
from onrecord.bot.wording import CONTEXT_GONE, CONTEXT_SHOWN
from tests.bot.slack_bot import RunningBot, bot_env, slack_bot
from tests.conftest import Poll, RedisServer
from tests.standins.slack import Call, SlackStandIn
from tests.standins.slack_payloads import block_action, mention_event, next_ts, slash_command

QUESTION = "why did Jerry leave OpenAI"


@pytest.fixture
async def redis(redis_server: RedisServer) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_server.url)
    yield client
    await client.aclose()


async def _claims_done(redis: Redis, count: int) -> bool:
    """At least `count` claims, and every one answered (its TTL raised from the working one)."""
    keys = [key async for key in redis.scan_iter("onrecord:claim:*")]
    ttls = [await redis.ttl(key) for key in keys]
    return len(keys) >= count and all(ttl > WORKING_TTL for ttl in ttls)


def _posted(slack: SlackStandIn) -> list[Call]:
    return [c for c in slack.calls_to("chat.postMessage") if c.response.get("ok")]


async def _answered_once(slack: SlackStandIn, redis: Redis, until: Poll, thread: str) -> None:
    await slack.wait_calls("chat.postMessage", 1, timeout=30)
    await until(lambda: _claims_done(redis, 1))
    [answer] = _posted(slack)
    assert answer.args["thread_ts"] == thread and not answer.args["text"].startswith("Sorry")


async def test_two_server_errors_in_a_row_still_answer_once(
    bot: RunningBot, slack: SlackStandIn, redis: Redis, until: Poll
) -> None:
    slack.server_error("chat.postMessage", times=1, status=500)
    slack.server_error("chat.postMessage", times=1, status=503)
    event = mention_event(QUESTION)
    await bot.send(event)
    await _answered_once(slack, redis, until, event["event"]["ts"])
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [500, 503, 200]


async def test_four_rate_limits_are_waited_out_and_answered_once(
    bot: RunningBot, slack: SlackStandIn, redis: Redis, until: Poll
) -> None:
    slack.rate_limit("chat.postMessage", times=4, retry_after=1)
    event = mention_event(QUESTION)
    await bot.send(event)
    calls = await slack.wait_calls("chat.postMessage", 5, timeout=30)
    await _answered_once(slack, redis, until, event["event"]["ts"])
    assert [c.status for c in calls] == [429, 429, 429, 429, 200]


async def test_dropped_connections_are_retried_and_answered_once(
    bot: RunningBot, slack: SlackStandIn, redis: Redis, until: Poll
) -> None:
    slack.drop_connection("chat.postMessage", times=3)
    event = mention_event(QUESTION)
    await bot.send(event)
    await slack.wait_calls("chat.postMessage", 4, timeout=30)  # after backing off 0.5, 1 and 2 s
    await _answered_once(slack, redis, until, event["event"]["ts"])
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [0, 0, 0, 200]


async def test_when_retries_run_out_the_claim_is_kept_with_one_line_each_and_a_retry_is_not_answered(
    bot: RunningBot, slack: SlackStandIn, until: Poll, caplog: pytest.LogCaptureFixture
) -> None:
    """Every try answered HTTP 500 and none found: the last may still show, so it is not posted again."""
    slack.server_error("chat.postMessage", times=8)  # the answer's four tries, then the apology's
    event = mention_event(QUESTION)
    key = f"slack:T0001:C0001:{event['event']['ts']}"
    outcomes = bot.runtime.state.claims.outcomes
    with caplog.at_level(logging.WARNING, logger="onrecord.bot"):
        await bot.send(event)
        await slack.wait_calls("chat.postMessage", 8, timeout=30)
        await until(lambda: outcomes["done"] == 1, seconds=30)  # kept, not given back

        def ours() -> list[logging.LogRecord]:
            return [r for r in caplog.records if r.name.startswith("onrecord.bot.")]

        await until(lambda: len(ours()) == 2, seconds=30)  # the apology's last try is looked for too
    logged = ours()
    failed = "Slack answered HTTP 500 (retries used up) on the last try, and it was not found"
    assert [r.getMessage() for r in logged] == [
        f"{key} may have been answered, and is not answered again: {failed}",
        f"could not send the apology either: {failed}",
    ]
    assert not any(r.exc_info for r in logged) and outcomes["released"] == 0
    await bot.send(event, retry=1)  # Slack's own retry: refused by the claim
    await until(lambda: outcomes["lost"] == 1)
    assert len(slack.calls_to("chat.postMessage")) == 8


async def _no_claims(redis: Redis) -> bool:
    return not [key async for key in redis.scan_iter("onrecord:claim:*")]


async def test_the_first_mention_and_ask_are_acknowledged_while_auth_test_is_slow(
    bot: RunningBot, slack: SlackStandIn, until: Poll
) -> None:
    """Start-up checked the token; after it, auth.test hangs. Nothing Slack sends may wait for it."""
    hold = slack.hold("auth.test", times=2)
    try:
        for body in (mention_event(QUESTION), slash_command(QUESTION, response_url=slack.response_url("r"))):
            sent = asyncio.create_task(bot.send(body))

            async def acked_or_held(sent: asyncio.Task[tuple[int, str]] = sent) -> bool:
                return sent.done() or hold.waiting > 0

            await until(acked_or_held)
            assert sent.done() and hold.waiting == 0, "the ack waited for auth.test"
            assert (await sent)[0] == 200
        await slack.wait_calls("chat.postMessage", 3)  # the answer, "asked:" and the command's answer
    finally:
        hold.release()


async def test_over_socket_mode_too_the_first_mention_and_ask_are_acknowledged_while_auth_test_is_slow(
    slack: SlackStandIn, seed_index_dir: Path, redis_server: RedisServer, until: Poll
) -> None:
    env = bot_env(slack, seed_index_dir, redis_server.url, SLACK_APP_TOKEN=slack.app_token)
    del env["SLACK_SIGNING_SECRET"]
    async with slack_bot(env):
        await slack.wait_socket_connections(1)
        hold = slack.hold("auth.test", times=2)
        try:
            command = dict(parse_qsl(slash_command(QUESTION, response_url=slack.response_url("r"))))
            for kind, payload in (("events_api", mention_event(QUESTION)), ("slash_commands", command)):
                envelope = await slack.send_envelope(kind, payload)

                async def acked_or_held(envelope: str = envelope) -> bool:
                    return envelope in slack.acks or hold.waiting > 0

                await until(acked_or_held)
                assert envelope in slack.acks and hold.waiting == 0, "the ack waited for auth.test"
            await slack.wait_calls("chat.postMessage", 3)
        finally:
            hold.release()


async def test_more_from_this_conversation_clicked_once_and_replayed_twice_posts_once(
    bot: RunningBot, slack: SlackStandIn, redis: Redis, until: Poll
) -> None:
    quote = {"type": "message", "ts": next_ts(), "user": "UBOT", "text": "Quote of the day"}
    value = f"{bot.runtime.service.index.version}:3"
    click = block_action("onrecord_context", value, message=quote, response_url=slack.response_url("r"))
    statuses = await asyncio.gather(*(bot.send(click) for _ in range(3)))
    assert {status for status, _ in statuses} == {200}
    responses = await slack.wait_responses(2)
    await until(lambda: _claims_done(redis, 1))
    [passage] = _posted(slack)
    assert passage.args["thread_ts"] == quote["ts"] and passage.args["text"] == "More from this conversation"
    assert [body["text"] for _, body in responses] == [CONTEXT_SHOWN, CONTEXT_SHOWN]


async def test_more_from_a_conversation_gone_says_so_to_every_click(
    bot: RunningBot, slack: SlackStandIn
) -> None:
    quote = {"type": "message", "ts": next_ts(), "user": "UBOT", "text": "Quote of the day"}
    click = block_action(
        "onrecord_context", "0123456789abcdef:3", message=quote, response_url=slack.response_url("g")
    )
    for _ in range(2):  # one after the other: the second must not be told it was posted
        assert (await bot.send(click))[0] == 200
    responses = await slack.wait_responses(2)
    assert [body["text"] for _, body in responses] == [CONTEXT_GONE, CONTEXT_GONE]
    assert not _posted(slack)
