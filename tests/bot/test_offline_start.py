"""A bot started while its platform cannot be reached waits for it, with growing pauses and one log line
per try, then connects and answers; nothing is left unclosed and no traceback is logged."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from onrecord.bot import reconnect
from tests.bot.discord_bot import TOKEN, discord_bot
from tests.bot.slack_bot import free_port, slack_bot
from tests.standins.discord_api import DiscordStandIn
from tests.standins.slack import SlackStandIn
from tests.standins.slack_payloads import mention_event


@pytest.fixture(autouse=True)
def short_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reconnect, "FIRST_PAUSE", 0.1)
    monkeypatch.setattr(reconnect, "LONGEST_PAUSE", 0.5)


async def _tries_logged(caplog: pytest.LogCaptureFixture, platform: str, count: int) -> None:
    """Until the bot has said `count` times that it cannot reach the platform (each try takes the SDK's
    own retries, a few seconds: up to two minutes on a loaded machine)."""
    said = f"cannot reach {platform} ("
    for _ in range(2400):
        said_it = [r for r in caplog.records if r.name == "onrecord.bot.reconnect" and said in r.getMessage()]
        if len(said_it) >= count:
            return
        await asyncio.sleep(0.05)
    pytest.fail(f"the bot did not say {count} times that it cannot reach {platform}")


def _assert_quiet(caplog: pytest.LogCaptureFixture, platform: str) -> None:
    assert any(f"reached {platform} after " in r.getMessage() for r in caplog.records)
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert not any("Unclosed" in r.getMessage() for r in caplog.records)


async def test_a_slack_bot_started_offline_connects_when_slack_comes_back(
    seed_index_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    port = free_port()
    slack = SlackStandIn(port=port)
    env = {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_APP_TOKEN": slack.app_token,
        "ONRECORD_SLACK_API_URL": f"http://127.0.0.1:{port}/api/",
        "ONRECORD_INDEX": str(seed_index_dir),
    }
    async with slack_bot(env):
        await _tries_logged(caplog, "Slack", 2)
        async with slack:
            await slack.wait_socket_connections(1, timeout=120)
            event = mention_event("why did Jerry leave OpenAI")
            await slack.wait_ack(await slack.send_envelope("events_api", event))
            [answer] = await slack.wait_calls("chat.postMessage", 1)
    assert answer.args["thread_ts"] == event["event"]["ts"]
    _assert_quiet(caplog, "Slack")


async def test_a_discord_bot_started_offline_connects_when_discord_comes_back(
    seed_index_dir: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.INFO)
    port = free_port()
    env = {
        "DISCORD_TOKEN": TOKEN,
        "ONRECORD_DISCORD_API_URL": f"http://127.0.0.1:{port}/api/v10",
        "ONRECORD_DISCORD_GATEWAY_URL": f"ws://127.0.0.1:{port}/gateway",
        "ONRECORD_INDEX": str(seed_index_dir),
    }
    discord_api = DiscordStandIn(token=TOKEN, port=port)
    try:
        async with discord_bot(env, monkeypatch):
            await _tries_logged(caplog, "Discord", 2)
            await discord_api.__aenter__()  # Discord comes back; it goes away again after the bot stops
            await discord_api.wait_ready()
            event = discord_api.message_create("why did Jerry leave OpenAI")
            await discord_api.dispatch("MESSAGE_CREATE", event)
            [answer] = await discord_api.wait_requests("POST", f"/channels/{event['id']}/messages")
    finally:
        await discord_api.__aexit__(None, None, None)
    assert answer.json["embeds"]
    _assert_quiet(caplog, "Discord")
