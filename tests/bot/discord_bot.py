"""The real Discord bot, run in this process against the Discord stand-in, for the adapter tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

import discord
import pytest
from discord.gateway import DiscordWebSocket

from onrecord.bot.app import Runtime, build_runtime, serving
from onrecord.bot.discord import serve
from tests.bot.environment import settings_from
from tests.standins.discord_api import DiscordStandIn

TOKEN = "test-bot-token"


def bot_env(
    discord_api: DiscordStandIn, index_dir: Path, redis_url: str | None, **extra: str
) -> dict[str, str]:
    env = {
        "DISCORD_TOKEN": TOKEN,
        "ONRECORD_DISCORD_API_URL": discord_api.api_url,
        "ONRECORD_DISCORD_GATEWAY_URL": discord_api.gateway_url,
        "ONRECORD_INDEX": str(index_dir),
    }
    if redis_url is not None:
        env["REDIS_URL"] = redis_url
    return {**env, **extra}


@contextlib.asynccontextmanager
async def discord_bot(env: Mapping[str, str], monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Runtime]:
    """`onrecord serve discord` in this process (without the health port), until the block ends.

    The bot points discord.py's class-level URLs at the stand-in; the test's monkeypatch restores them.
    """
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", DiscordWebSocket.DEFAULT_GATEWAY)
    settings = settings_from(env)
    settings.require_discord()
    async with build_runtime(settings, health=False) as runtime:
        task = asyncio.create_task(serve(serving(runtime, "discord")))
        try:
            yield runtime
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
