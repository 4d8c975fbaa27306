"""Exactly once when Discord did the work and its answer was lost (a 503 after the message was made,
which `rest()` tries again): a command's answer is an edit of its "thinking…" response and the next
page a channel message with a nonce, so the retry shows nothing twice. Real discord.py over loopback, a
real Redis, the Discord stand-in carrying requests out and then failing them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from onrecord.bot.discord.rest import CALL_TIMEOUT
from tests.bot.discord_bot import bot_env, discord_bot
from tests.conftest import Poll, RedisServer, claims_settled
from tests.standins.discord_api import DiscordStandIn

QUESTION = "why did Jerry leave OpenAI"


@pytest.fixture
def env(discord_api: DiscordStandIn, seed_index_dir: Path, redis_server: RedisServer) -> dict[str, str]:
    return bot_env(discord_api, seed_index_dir, redis_server.url)


def _shown(discord_api: DiscordStandIn, interaction: dict[str, Any]) -> list[dict[str, Any]]:
    """The messages made for an interaction that show something (not a bare "thinking…")."""
    return [
        m
        for m in discord_api.messages.values()
        if (m.get("interaction_metadata") or {}).get("id") == interaction["id"] and m["embeds"]
    ]


@pytest.mark.parametrize("command", ["ask", "quote"])
async def test_a_commands_answer_made_before_its_answer_was_lost_shows_once(
    discord_api: DiscordStandIn,
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    until: Poll,
    command: str,
) -> None:
    discord_api.fail("*", "/webhooks/", 503, lost=True)  # the answer, however it is sent
    async with discord_bot(env, monkeypatch) as runtime:
        await discord_api.wait_ready()
        asked = discord_api.slash_command(command, {"question": QUESTION} if command == "ask" else {})
        await discord_api.dispatch("INTERACTION_CREATE", asked)
        lost, retried = await discord_api.wait_requests("*", "/webhooks/**", count=2, timeout=30)
        await until(lambda: claims_settled(runtime.state.claims.outcomes, 1), seconds=30)
    assert (lost.status, retried.status) == (503, 200)
    [answer] = _shown(discord_api, asked)
    assert answer["id"] == retried.response["id"]


async def test_an_answer_discord_did_not_make_is_tried_again_and_shown_once(
    discord_api: DiscordStandIn, env: dict[str, str], monkeypatch: pytest.MonkeyPatch, until: Poll
) -> None:
    discord_api.fail("*", "/webhooks/", 503)  # refused: nothing made
    async with discord_bot(env, monkeypatch) as runtime:
        await discord_api.wait_ready()
        asked = discord_api.slash_command("ask", {"question": QUESTION})
        await discord_api.dispatch("INTERACTION_CREATE", asked)
        await until(lambda: claims_settled(runtime.state.claims.outcomes, 1), seconds=30)
    assert [r.status for r in discord_api.requests_to("*", "/webhooks/**")] == [503, 200]
    assert len(_shown(discord_api, asked)) == 1


async def test_a_next_page_made_before_its_answer_was_lost_shows_once(
    discord_api: DiscordStandIn, env: dict[str, str], monkeypatch: pytest.MonkeyPatch, until: Poll
) -> None:
    async with discord_bot(env, monkeypatch) as runtime:
        await discord_api.wait_ready()
        event = discord_api.message_create(QUESTION)
        await discord_api.dispatch("MESSAGE_CREATE", event)
        thread = f"/channels/{event['id']}/messages"  # the answer's thread, named after the question
        [answer] = await discord_api.wait_requests("POST", thread)
        sent = discord_api.messages[int(answer.response["id"])]
        [more] = [
            c["custom_id"]
            for row in sent["components"]
            for c in row["components"]
            if c["custom_id"].startswith("onrecord:more:")
        ]
        discord_api.fail("POST", "/webhooks/", 503, lost=True)  # the page, however it is sent
        discord_api.fail("POST", thread, 503, lost=True)
        await discord_api.dispatch("INTERACTION_CREATE", discord_api.component(more, message=sent))
        await until(lambda: claims_settled(runtime.state.claims.outcomes, 2), seconds=30)
    pages = [m for m in discord_api.messages.values() if m["content"].startswith("Results 4–6 ")]
    assert len(pages) == 1


@pytest.mark.parametrize(
    ("status", "code"), [(404, 10003), (400, 50083)], ids=["channel gone", "thread archived"]
)
async def test_a_next_page_the_thread_refuses_is_a_follow_up(
    discord_api: DiscordStandIn,
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    until: Poll,
    status: int,
    code: int,
) -> None:
    async with discord_bot(env, monkeypatch) as runtime:
        await discord_api.wait_ready()
        event = discord_api.message_create(QUESTION)
        await discord_api.dispatch("MESSAGE_CREATE", event)
        thread = f"/channels/{event['id']}/messages"
        [answer] = await discord_api.wait_requests("POST", thread)
        sent = discord_api.messages[int(answer.response["id"])]
        discord_api.fail("POST", thread, status, body={"message": "refused", "code": code})
        await discord_api.dispatch("INTERACTION_CREATE", discord_api.component(_more(sent), message=sent))
        await until(lambda: claims_settled(runtime.state.claims.outcomes, 2), seconds=30)
    [page] = discord_api.requests_to("POST", "/webhooks/**")
    assert page.status == 200 and page.json["content"].startswith("Results 4–6 ")


async def test_a_next_page_in_a_channel_replies_to_the_buttons_message(
    discord_api: DiscordStandIn, env: dict[str, str], monkeypatch: pytest.MonkeyPatch, until: Poll
) -> None:
    async with discord_bot(env, monkeypatch) as runtime:
        await discord_api.wait_ready()
        asked = discord_api.slash_command("ask", {"question": QUESTION})
        await discord_api.dispatch("INTERACTION_CREATE", asked)
        [edit] = await discord_api.wait_requests("PATCH", "/webhooks/**")
        sent = discord_api.messages[int(edit.response["id"])]
        await discord_api.dispatch("INTERACTION_CREATE", discord_api.component(_more(sent), message=sent))
        await until(lambda: claims_settled(runtime.state.claims.outcomes, 2), seconds=30)
    [page] = discord_api.requests_to("POST", f"/channels/{discord_api.channel_id}/messages")
    assert page.json["content"].startswith("Results 4–6 ")
    assert str(page.json["message_reference"]["message_id"]) == str(sent["id"])


async def test_a_next_page_whose_buttons_message_was_deleted_is_posted_without_the_reply(
    discord_api: DiscordStandIn, env: dict[str, str], monkeypatch: pytest.MonkeyPatch, until: Poll
) -> None:
    async with discord_bot(env, monkeypatch) as runtime:
        await discord_api.wait_ready()
        asked = discord_api.slash_command("ask", {"question": QUESTION})
        await discord_api.dispatch("INTERACTION_CREATE", asked)
        [edit] = await discord_api.wait_requests("PATCH", "/webhooks/**")
        sent = discord_api.messages.pop(int(edit.response["id"]))  # deleted before the click arrives
        await discord_api.dispatch("INTERACTION_CREATE", discord_api.component(_more(sent), message=sent))
        await until(lambda: claims_settled(runtime.state.claims.outcomes, 2), seconds=30)
    [page] = discord_api.requests_to("POST", f"/channels/{discord_api.channel_id}/messages")
    assert page.status == 200 and page.json["content"].startswith("Results 4–6 ")
    assert not discord_api.requests_to("POST", "/webhooks/**")


def _more(sent: dict[str, Any]) -> str:
    [more] = [
        c["custom_id"]
        for row in sent["components"]
        for c in row["components"]
        if c["custom_id"].startswith("onrecord:more:")
    ]
    return more


async def test_a_commands_answer_not_answered_in_time_is_edited_again(
    discord_api: DiscordStandIn, env: dict[str, str], monkeypatch: pytest.MonkeyPatch, until: Poll
) -> None:
    """The answer is an edit, the same however often it is made: a try that timed out is tried again."""
    hold = discord_api.hold("PATCH", "/webhooks/")
    async with discord_bot(env, monkeypatch) as runtime:
        await discord_api.wait_ready()
        asked = discord_api.slash_command("ask", {"question": QUESTION})
        await discord_api.dispatch("INTERACTION_CREATE", asked)
        [edit] = await discord_api.wait_requests("PATCH", "/webhooks/**", timeout=CALL_TIMEOUT + 20)
        await until(lambda: claims_settled(runtime.state.claims.outcomes, 1), seconds=30)
        hold.release()
    assert edit.status == 200 and len(_shown(discord_api, asked)) == 1
    assert runtime.state.claims.outcomes["released"] == 0
