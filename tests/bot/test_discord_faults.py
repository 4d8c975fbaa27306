"""The Discord bot while Discord is unwell (5xx), with interactions acknowledged before Redis is asked,
and a button clicked again. Real discord.py over loopback, a real Redis, the Discord stand-in.

"Exactly once" is checked after the bot's own state says the work is over: every claim in Redis is
done (kept for `CLAIM_TTL`)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from onrecord.bot.state.claims import WORKING_TTL
from onrecord.bot.wording import CONTEXT_SHOWN
from tests.bot.discord_bot import bot_env, discord_bot
from tests.conftest import Poll, RedisServer
from tests.standins.discord_api import DiscordStandIn

QUESTION = "why did Jerry leave OpenAI"


@pytest.fixture
def env(discord_api: DiscordStandIn, seed_index_dir: Path, redis_server: RedisServer) -> dict[str, str]:
    return bot_env(discord_api, seed_index_dir, redis_server.url)


@pytest.fixture
async def redis(redis_server: RedisServer) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_server.url)
    yield client
    await client.aclose()


async def _claims(redis: Redis) -> list[int]:
    """The TTL of every claim in Redis."""
    return [await redis.ttl(key) async for key in redis.scan_iter("onrecord:claim:*")]


async def _claims_done(redis: Redis, count: int) -> bool:
    ttls = await _claims(redis)
    return len(ttls) >= count and all(ttl > WORKING_TTL for ttl in ttls)


@pytest.mark.parametrize(("status", "times"), [(503, 2), (500, 6)])
async def test_a_mention_is_answered_once_through_server_errors(
    discord_api: DiscordStandIn,
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    redis: Redis,
    until: Poll,
    status: int,
    times: int,
) -> None:
    """discord.py gives up at once on a 503 and after five 500s (sleeping 1 + 3 + 5 + 7 + 9 s)."""
    async with discord_bot(env, monkeypatch):
        await discord_api.wait_ready()
        event = discord_api.message_create(QUESTION)
        answers = f"/channels/{event['id']}/messages"  # in the thread started on the question
        discord_api.fail("POST", answers, status, times=times)
        await discord_api.dispatch("MESSAGE_CREATE", event)
        await discord_api.wait_requests("POST", answers, count=times + 1, timeout=60)
        await until(lambda: _claims_done(redis, 1))
    statuses = [r.status for r in discord_api.requests_to("POST", answers)]
    assert statuses == [status] * times + [200]
    [answer] = [r for r in discord_api.requests_to("POST", answers) if r.status == 200]
    assert answer.json["embeds"]
    assert discord_api.requests_to("POST", f"/channels/{discord_api.channel_id}/messages") == []  # no apology


async def test_a_mention_answer_made_before_its_answer_was_lost_is_posted_once(
    discord_api: DiscordStandIn,
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    redis: Redis,
    until: Poll,
) -> None:
    """Discord made the answer, then the way back failed with a 503, which `rest()` tries again: the
    answer's nonce has Discord return the message it made instead of making a second."""
    async with discord_bot(env, monkeypatch):
        await discord_api.wait_ready()
        event = discord_api.message_create(QUESTION)
        answers = f"/channels/{event['id']}/messages"
        discord_api.fail("POST", answers, 503, lost=True)
        await discord_api.dispatch("MESSAGE_CREATE", event)
        await discord_api.wait_requests("POST", answers, count=2, timeout=30)
        await until(lambda: _claims_done(redis, 1))
    lost, retried = discord_api.requests_to("POST", answers)
    assert (lost.status, retried.status) == (503, 200)
    assert lost.json["nonce"] == retried.json["nonce"]
    made = [m for m in discord_api.messages.values() if m["channel_id"] == str(event["id"])]
    assert [m["id"] for m in made] == [retried.response["id"]]


async def test_a_thread_made_before_its_answer_was_lost_gets_the_answer(
    discord_api: DiscordStandIn,
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    redis: Redis,
    until: Poll,
) -> None:
    """The thread on the question was made but the answer lost: trying again is refused (160004), and the
    answer goes to that thread, not to the channel."""
    async with discord_bot(env, monkeypatch):
        await discord_api.wait_ready()
        event = discord_api.message_create(QUESTION)
        threads = f"/channels/{discord_api.channel_id}/messages/{event['id']}/threads"
        discord_api.fail("POST", threads, 502, lost=True)
        await discord_api.dispatch("MESSAGE_CREATE", event)
        [answer] = await discord_api.wait_requests("POST", "/channels/*/messages", timeout=30)
        await until(lambda: _claims_done(redis, 1))
    assert [r.status for r in discord_api.requests_to("POST", threads)] == [502, 400]
    assert answer.path == f"/channels/{event['id']}/messages"  # in the thread, not the channel
    assert answer.status == 200 and answer.json["embeds"]


async def test_ask_is_deferred_before_redis_is_asked_anything(
    discord_api: DiscordStandIn,
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    redis: Redis,
) -> None:
    async with discord_bot(env, monkeypatch):
        await discord_api.wait_ready()
        hold = discord_api.hold("POST", "/interactions/")
        await discord_api.dispatch(
            "INTERACTION_CREATE", discord_api.slash_command("ask", {"question": QUESTION})
        )
        await discord_api.wait_held(hold)
        claims_before_the_ack = await _claims(redis)
        hold.release()
        [answer] = await discord_api.wait_requests("PATCH", "/webhooks/*/*/messages/@original")
    assert claims_before_the_ack == []
    [deferred] = discord_api.requests_to("POST", "/interactions/*/*/callback")
    assert deferred.json["type"] == 5 and deferred.status == 200
    assert answer.json["embeds"]


def _daily_env(
    discord_api: DiscordStandIn, seed_index_dir: Path, redis_server: RedisServer
) -> dict[str, str]:
    """A bot whose daily quote in the stand-in's channel was due a minute ago: it posts at start."""
    a_minute_ago = f"{dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1):%H:%M}@UTC"
    daily = f"{discord_api.channel_id}@{a_minute_ago}"
    return bot_env(discord_api, seed_index_dir, redis_server.url, ONRECORD_DAILY_DISCORD=daily)


async def _daily_post(discord_api: DiscordStandIn) -> tuple[dict[str, Any], dict[str, Any]]:
    """The daily post as the stand-in keeps it, and its "More from this conversation" button."""
    [daily] = await discord_api.wait_requests("POST", f"/channels/{discord_api.channel_id}/messages")
    [button] = daily.json["components"][0]["components"]
    await discord_api.wait_ready()
    return discord_api.messages[int(daily.response["id"])], button


async def test_more_from_this_conversation_clicked_three_times_posts_once(
    discord_api: DiscordStandIn, seed_index_dir: Path, redis_server: RedisServer, redis: Redis,
    monkeypatch: pytest.MonkeyPatch, until: Poll,
) -> None:  # fmt: skip
    channel = discord_api.channel_id
    async with discord_bot(_daily_env(discord_api, seed_index_dir, redis_server), monkeypatch):
        sent, button = await _daily_post(discord_api)
        clicks = [discord_api.component(button["custom_id"], message=sent) for _ in range(3)]
        await asyncio.gather(*(discord_api.dispatch("INTERACTION_CREATE", click) for click in clicks))
        notices = await discord_api.wait_requests("POST", "/webhooks/*/*", count=2)
        await discord_api.wait_requests("POST", f"/channels/{sent['id']}/messages")
        await until(lambda: _claims_done(redis, 1))
    assert len(discord_api.requests_to("POST", f"/channels/{channel}/messages/{sent['id']}/threads")) == 1
    [passage] = discord_api.requests_to("POST", f"/channels/{sent['id']}/messages")
    assert passage.json["content"] == "More from this conversation"
    assert [(n.json["content"], n.json["flags"] & 64) for n in notices] == [(CONTEXT_SHOWN, 64)] * 2


async def test_more_from_this_conversation_goes_to_the_thread_made_before_its_answer_was_lost(
    discord_api: DiscordStandIn, seed_index_dir: Path, redis_server: RedisServer, redis: Redis,
    monkeypatch: pytest.MonkeyPatch, until: Poll,
) -> None:  # fmt: skip
    channel = discord_api.channel_id
    async with discord_bot(_daily_env(discord_api, seed_index_dir, redis_server), monkeypatch):
        sent, button = await _daily_post(discord_api)
        threads = f"/channels/{channel}/messages/{sent['id']}/threads"
        discord_api.fail("POST", threads, 502, lost=True)
        await discord_api.dispatch(
            "INTERACTION_CREATE", discord_api.component(button["custom_id"], message=sent)
        )
        [passage] = await discord_api.wait_requests("POST", f"/channels/{sent['id']}/messages")
        await until(lambda: _claims_done(redis, 1))
    assert [r.status for r in discord_api.requests_to("POST", threads)] == [502, 400]
    assert passage.status == 200 and passage.json["content"] == "More from this conversation"
