"""The Discord bot: real discord.py over loopback to the gateway and REST stand-in, with a real Redis.
Every behaviour is proven from the requests the stand-in received."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from onrecord.bot.discord.render import MAX_EMBED_TEXT, MAX_EMBEDS
from tests.bot.discord_bot import bot_env, discord_bot
from tests.conftest import Poll, RedisServer, claims_settled
from tests.standins.discord_api import DiscordStandIn, Request

QUESTION = "why did Jerry leave OpenAI"
NO_PINGS = {"parse": []}


@pytest.fixture(autouse=True)
def no_errors_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """discord.py and the bot log (rather than raise) what goes wrong in handlers: fail on any."""
    yield
    ours = ("discord", "onrecord.bot")
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR and r.name.startswith(ours)]
    assert not errors, "errors logged:\n" + "\n".join(r.getMessage() for r in errors)


@pytest.fixture
def env(discord_api: DiscordStandIn, seed_index_dir: Path, redis_server: RedisServer) -> dict[str, str]:
    return bot_env(discord_api, seed_index_dir, redis_server.url)


def _sent(discord_api: DiscordStandIn) -> list[Request]:
    """Every message the bot sent: channel messages, interaction responses, their edits and follow-ups."""
    return [
        r
        for r in discord_api.requests
        if (r.method == "POST" or (r.method == "PATCH" and "/webhooks/" in r.path))
        and (r.path.endswith("/messages") or "/webhooks/" in r.path or r.path.endswith("/callback"))
        and isinstance(r.json, dict)
        and (r.json.get("content") is not None or r.json.get("data", {}).get("content") is not None)
    ]


def _message(request: Request) -> dict[str, Any]:
    """The message of a request: the body, or an interaction response's `data`."""
    body: dict[str, Any] = request.json
    return body["data"] if request.path.endswith("/callback") else body


def _embed_text(message: dict[str, Any]) -> int:
    return sum(len(e.get("title", "")) + len(e.get("description", "")) for e in message.get("embeds", []))


def _custom_ids(message: dict[str, Any]) -> dict[str, str]:
    ids = [c["custom_id"] for row in message.get("components", []) for c in row["components"]]
    return {
        custom_id.split(":")[1] + (":" + custom_id.split(":")[2] if "vote" in custom_id else ""): custom_id
        for custom_id in ids
    }


async def test_a_mention_starts_a_thread_on_the_message_and_answers_in_it(
    discord_api: DiscordStandIn, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async with discord_bot(env, monkeypatch):
        await discord_api.wait_ready()
        event = discord_api.message_create(QUESTION)
        await discord_api.dispatch("MESSAGE_CREATE", event)
        [thread] = await discord_api.wait_requests(
            "POST", f"/channels/{discord_api.channel_id}/messages/*/threads"
        )
        [answer] = await discord_api.wait_requests("POST", f"/channels/{event['id']}/messages")
    assert thread.path == f"/channels/{discord_api.channel_id}/messages/{event['id']}/threads"
    assert thread.json["name"] == QUESTION
    assert len(answer.json["embeds"]) == 3 and answer.json["allowed_mentions"] == NO_PINGS
    assert all(e["description"].startswith("> ") for e in answer.json["embeds"])
    assert set(_custom_ids(answer.json)) == {"more", "vote:up", "vote:down"}


async def test_a_mention_inside_a_thread_or_a_dm_is_answered_there(
    discord_api: DiscordStandIn, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async with discord_bot(env, monkeypatch):
        await discord_api.wait_ready()
        first = discord_api.message_create(QUESTION)
        await discord_api.dispatch("MESSAGE_CREATE", first)
        await discord_api.wait_requests("POST", f"/channels/{first['id']}/messages")  # the thread exists now
        inside = discord_api.message_create("cold shower", channel_id=int(first["id"]))
        await discord_api.dispatch("MESSAGE_CREATE", inside)
        answers = await discord_api.wait_requests("POST", f"/channels/{first['id']}/messages", count=2)
        dm = discord_api.message_create("cold shower", guild=False, mentions_bot=False)
        await discord_api.dispatch("MESSAGE_CREATE", dm)
        [private] = await discord_api.wait_requests("POST", f"/channels/{dm['channel_id']}/messages")
    assert (
        len(discord_api.requests_to("POST", "/channels/*/messages/*/threads")) == 1
    )  # no thread in a thread
    assert answers[1].json["embeds"] and private.json["embeds"]
    assert private.json["allowed_mentions"] == NO_PINGS


async def test_ask_defers_then_answers_in_place_of_thinking_and_the_episode_autocompletes(
    discord_api: DiscordStandIn, env: dict[str, str], monkeypatch: pytest.MonkeyPatch, seed_index_dir: Path
) -> None:
    async with discord_bot(env, monkeypatch) as runtime:
        await discord_api.wait_ready()
        await discord_api.dispatch(
            "INTERACTION_CREATE", discord_api.slash_command("ask", {"question": QUESTION})
        )
        [deferred] = await discord_api.wait_requests("POST", "/interactions/*/*/callback")
        [answer] = await discord_api.wait_requests("PATCH", "/webhooks/*/*/messages/@original")
        assert deferred.json["type"] == 5  # "thinking…", then edited into the answer
        assert len(answer.json["embeds"]) == 3 and answer.json["allowed_mentions"] == NO_PINGS
        assert not discord_api.requests_to("POST", "/webhooks/*/*")  # no follow-up: a retry edits again

        typed = discord_api.autocomplete("ask", {"question": "x", "episode": "sutskevr"}, focused="episode")
        await discord_api.dispatch("INTERACTION_CREATE", typed)
        _, choices = await discord_api.wait_requests("POST", "/interactions/*/*/callback", count=2)
        assert choices.json["type"] == 8
        offered = choices.json["data"]["choices"]
        assert 1 <= len(offered) <= 25 and "Ilya Sutskever" in offered[0]["name"]

        chosen = offered[-1]  # the least likely title: its quotes must all come from it
        ask = discord_api.slash_command("ask", {"question": "learning", "episode": chosen["value"]})
        await discord_api.dispatch("INTERACTION_CREATE", ask)
        _, scoped = await discord_api.wait_requests("PATCH", "/webhooks/*/*/messages/@original", count=2)
    titles = {e["title"] for e in scoped.json["embeds"]}
    document = next(d for d in runtime.index.documents if d.id == chosen["value"])
    assert titles and all(document.title[:40] in t.replace("\\", "") for t in titles)


async def test_buttons_work_after_a_restart(
    discord_api: DiscordStandIn, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async with discord_bot(env, monkeypatch):
        await discord_api.wait_ready()
        event = discord_api.message_create(QUESTION)
        await discord_api.dispatch("MESSAGE_CREATE", event)
        [answer] = await discord_api.wait_requests("POST", f"/channels/{event['id']}/messages")
    sent = discord_api.messages[int(answer.response["id"])]
    buttons = _custom_ids(sent)
    async with discord_bot(env, monkeypatch) as runtime:  # a new process: only Redis remembers the answer
        await discord_api.wait_ready(sessions=2)
        # Each click is acknowledged first (deferred); the page goes to the thread (with a nonce), the
        # second click's word to the clicker as a follow-up.
        await discord_api.dispatch("INTERACTION_CREATE", discord_api.component(buttons["more"], message=sent))
        _, more = await discord_api.wait_requests("POST", f"/channels/{event['id']}/messages", count=2)
        await discord_api.dispatch("INTERACTION_CREATE", discord_api.component(buttons["more"], message=sent))
        [again] = await discord_api.wait_requests("POST", "/webhooks/*/*")
        await discord_api.dispatch(
            "INTERACTION_CREATE", discord_api.component(buttons["vote:up"], message=sent)
        )
        *_, thanks = await discord_api.wait_requests("POST", "/interactions/*/*/callback", count=3)
        await runtime.state.questions.settle()
        [voted] = (await runtime.state.questions.report(1))["discord"]  # the vote counts with its question
    deferred = discord_api.requests_to("POST", "/interactions/*/*/callback")[:2]
    assert [r.json["type"] for r in deferred] == [6, 6]
    assert more.json["content"].startswith("Results 4–6 ") and not (more.json.get("flags") or 0) & 64
    assert more.json["nonce"] and more.json["enforce_nonce"]  # a retry cannot show it twice
    first_quotes = {e["description"] for e in answer.json["embeds"]}
    assert not first_quotes & {e["description"] for e in more.json["embeds"]}
    assert again.json["content"] == "Those results are already posted in this thread."
    assert again.json["flags"] & 64  # only the clicker sees it
    assert thanks.json["type"] == 4 and thanks.json["data"]["flags"] & 64  # ephemeral
    assert voted.up == 1


async def test_nothing_sent_can_ping_and_markdown_stays_text(
    discord_api: DiscordStandIn, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    question = "@everyone @here <@123> <@&456> **trust** what about trust"
    async with discord_bot(env, monkeypatch):
        await discord_api.wait_ready()
        await discord_api.dispatch("MESSAGE_CREATE", discord_api.message_create(question))
        await discord_api.dispatch(
            "INTERACTION_CREATE", discord_api.slash_command("ask", {"question": question})
        )
        await discord_api.dispatch(
            "INTERACTION_CREATE", discord_api.slash_command("ask", {"question": "qqxzv"})
        )
        await discord_api.wait_requests("PATCH", "/webhooks/*/*/messages/@original", count=2)
        await discord_api.wait_requests("POST", "/channels/*/messages", count=1)
    sent = _sent(discord_api)
    assert len(sent) >= 3
    for request in sent:
        assert request.json.get("allowed_mentions", _message(request).get("allowed_mentions")) == NO_PINGS
        shown = json.dumps(_message(request), ensure_ascii=False)
        assert "**trust**" not in shown and "@everyone" not in shown.replace("@\u200beveryone", "")
    assert any("Nothing on record about that." in _message(r)["content"] for r in sent)


async def test_a_long_answer_stays_within_discords_limits(
    discord_api: DiscordStandIn,
    seed_index_dir: Path,
    redis_server: RedisServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = bot_env(discord_api, seed_index_dir, redis_server.url, ONRECORD_RESULTS="10")
    async with discord_bot(env, monkeypatch):
        await discord_api.wait_ready()
        event = discord_api.message_create("what do they think about learning and intelligence " * 15)
        await discord_api.dispatch("MESSAGE_CREATE", event)
        [answer] = await discord_api.wait_requests("POST", f"/channels/{event['id']}/messages")
    assert answer.status == 200
    assert len(answer.json["embeds"]) == MAX_EMBEDS and _embed_text(answer.json) <= MAX_EMBED_TEXT
    assert len(answer.json["content"]) <= 2000


async def test_two_clients_receiving_the_same_100_messages_answer_each_once(
    discord_api: DiscordStandIn,
    seed_index_dir: Path,
    redis_server: RedisServer,
    monkeypatch: pytest.MonkeyPatch,
    until: Poll,
) -> None:
    env = bot_env(discord_api, seed_index_dir, redis_server.url, ONRECORD_RATE_LIMIT="1000")  # one asker
    async with discord_bot(env, monkeypatch) as one, discord_bot(env, monkeypatch) as two:
        await discord_api.wait_ready(sessions=2)
        events = [discord_api.message_create(f"{q} {i}") for i, q in enumerate(["trust", "cold shower"] * 50)]
        for event in events:
            await discord_api.dispatch("MESSAGE_CREATE", event)  # to both sessions
        both = (one.state.claims.outcomes, two.state.claims.outcomes)
        await until(lambda: claims_settled(both[0] + both[1], 2 * len(events)), seconds=60)
    assert len(discord_api.requests_to("POST", "/channels/*/messages/*/threads")) == len(events)
    for event in events:
        assert len(discord_api.requests_to("POST", f"/channels/{event['id']}/messages")) == 1


async def test_without_thread_permission_it_replies_and_a_failure_is_apologised_for(
    discord_api: DiscordStandIn,
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    channel = f"/channels/{discord_api.channel_id}/messages"
    async with discord_bot(env, monkeypatch):
        await discord_api.wait_ready()
        discord_api.fail("POST", channel + "/", 403, body={"message": "Missing Permissions", "code": 50013})
        first = discord_api.message_create(QUESTION)
        await discord_api.dispatch("MESSAGE_CREATE", first)
        [reply] = await discord_api.wait_requests("POST", channel)
        assert reply.json["message_reference"]["message_id"] == int(first["id"]) and reply.json["embeds"]

        second = discord_api.message_create("cold shower")
        discord_api.fail("POST", f"/channels/{second['id']}/messages", 400)  # the answer in the new thread
        await discord_api.dispatch("MESSAGE_CREATE", second)
        _, apology = await discord_api.wait_requests("POST", channel, count=2)
    assert apology.json["content"].startswith("Sorry, something went wrong")
    assert apology.json["allowed_mentions"] == NO_PINGS
    traced = [r for r in caplog.records if r.name == "onrecord.bot.work" and r.exc_info]
    assert traced  # the trace went to the log
    caplog.clear()


async def test_quote_gives_one_quotable_passage_on_a_topic_or_at_random(
    discord_api: DiscordStandIn, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async with discord_bot(env, monkeypatch):
        await discord_api.wait_ready()
        on_topic = discord_api.slash_command("quote", {"topic": "trust"})
        await discord_api.dispatch("INTERACTION_CREATE", on_topic)
        await discord_api.dispatch("INTERACTION_CREATE", discord_api.slash_command("quote"))
        followups = await discord_api.wait_requests("PATCH", "/webhooks/*/*/messages/@original", count=2)
    [topical] = [f for f in followups if f"/{on_topic['token']}/" in f.path]
    callbacks = discord_api.requests_to("POST", "/interactions/*/*/callback")
    assert [c.json["type"] for c in callbacks] == [5, 5]
    for followup in followups:
        [embed] = followup.json["embeds"]
        words = embed["description"].removeprefix("> ").split("\n\n")[0]
        assert 80 <= len(words.replace("\\", "")) <= 420 and not words.rstrip().endswith("?")
        assert followup.json["allowed_mentions"] == NO_PINGS
        [row] = followup.json["components"]
        assert row["components"][0]["custom_id"].startswith("onrecord:context:")
    assert "trust" in topical.json["embeds"][0]["description"].casefold()
    assert topical.json["content"] == "A quote on “trust”"
