"""Discord: `/ask`'s speaker option, its autocomplete over the index's speakers, and "who said …?", through
real discord.py against the gateway and REST stand-in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.bot.discord_bot import bot_env, discord_bot
from tests.conftest import RedisServer
from tests.standins.discord_api import DiscordStandIn


@pytest.fixture
def env(discord_api: DiscordStandIn, talks_dir: Path, redis_server: RedisServer) -> dict[str, str]:
    return bot_env(discord_api, talks_dir, redis_server.url)


async def _choices(discord_api: DiscordStandIn, typed: str, count: int) -> list[dict[str, Any]]:
    options = {"question": "bread", "speaker": typed}
    await discord_api.dispatch(
        "INTERACTION_CREATE", discord_api.autocomplete("ask", options, focused="speaker")
    )
    replies = await discord_api.wait_requests("POST", "/interactions/*/*/callback", count=count)
    assert replies[-1].json["type"] == 8
    choices: list[dict[str, Any]] = replies[-1].json["data"]["choices"]
    return choices


async def _ask(discord_api: DiscordStandIn, options: dict[str, str], count: int) -> dict[str, Any]:
    await discord_api.dispatch("INTERACTION_CREATE", discord_api.slash_command("ask", options))
    answers = await discord_api.wait_requests("PATCH", "/webhooks/*/*/messages/@original", count=count)
    body: dict[str, Any] = answers[-1].json
    return body


async def test_the_speaker_option_autocompletes_and_quotes_only_them(
    discord_api: DiscordStandIn, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async with discord_bot(env, monkeypatch):
        await discord_api.wait_ready()
        everyone = await _choices(discord_api, "", 1)
        assert [c["name"] for c in everyone] == [
            "Maya Lindqvist",
            "Oskar Berg",
            "Oskar Nilsson",
            "Renée Dubois",
        ]
        typed = await _choices(discord_api, "renee", 2)
        assert typed[0] == {"name": "Renée Dubois", "value": "Renée Dubois"} and len(typed) <= 25

        chosen = await _ask(discord_api, {"question": "sourdough bread", "speaker": typed[0]["value"]}, 1)
        assert chosen["embeds"] and all(e["description"].endswith("Renée Dubois") for e in chosen["embeds"])
        assert chosen["content"].endswith("(only Renée Dubois)")
        typed_in = await _ask(discord_api, {"question": "sourdough bread", "speaker": "lindquist"}, 2)
        assert all(e["description"].endswith("Maya Lindqvist") for e in typed_in["embeds"])


async def test_a_speaker_nobody_matches_is_said_with_close_names(
    discord_api: DiscordStandIn, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async with discord_bot(env, monkeypatch):
        await discord_api.wait_ready()
        told = await _ask(discord_api, {"question": "tomatoes", "speaker": "Oskar Bergman-Nilsen"}, 1)
    assert told["content"] == (
        "No speaker on record is named “Oskar Bergman-Nilsen”. Close names: Oskar Berg, Oskar Nilsson."
    )
    assert not told.get("embeds")


async def test_who_said_it_names_the_speaker_first(
    discord_api: DiscordStandIn, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async with discord_bot(env, monkeypatch):
        await discord_api.wait_ready()
        answer = await _ask(discord_api, {"question": "Who said a starter that is fed forgives you?"}, 1)
    assert answer["embeds"][0]["description"].startswith("**Renée Dubois said:**\n> ")
