"""`onrecord serve discord`, and the deploy steps `onrecord discord sync` and `... invite-url`."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import logging

import aiohttp
import discord
import yarl
from discord.gateway import DiscordWebSocket

from onrecord.bot.daily.card import card_channels
from onrecord.bot.discord.answerer import DiscordAnswerer
from onrecord.bot.discord.client import PERMISSIONS, OnRecordClient
from onrecord.bot.discord.daily import DiscordDailyPoster
from onrecord.bot.discord.rest import platform_failure
from onrecord.bot.reconnect import until_reachable
from onrecord.bot.serving import Serving
from onrecord.bot.settings import Settings
from onrecord.bot.startup import StartupError
from onrecord.bot.work import DRAIN_SECONDS, Work

__all__ = ["check", "invite_url", "login", "point_at", "serve", "sync_commands"]

log = logging.getLogger(__name__)


def point_at(settings: Settings) -> None:
    """Send discord.py's REST calls and gateway connection where the settings say (proxies, tests)."""
    discord.http.Route.BASE = settings.discord_api_url
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


def _token(settings: Settings) -> str:
    if settings.discord_token is None:
        raise StartupError("DISCORD_TOKEN is required (the bot token)")
    return settings.discord_token.get_secret_value()


async def serve(serving: Serving) -> None:
    """Answer Discord until cancelled; then let answers under way finish and close the connection."""
    settings = serving.settings
    point_at(settings)
    work = Work(serving.claims, platform_failure)
    shards: dict[str, object] = {}
    if settings.discord_shard_count is not None:
        shards["shard_count"] = settings.discord_shard_count
        shards["shard_ids"] = list(settings.discord_shard_ids or range(settings.discord_shard_count))
    client = OnRecordClient(DiscordAnswerer(serving.service, work), **shards)
    async with client:
        try:
            await login(client, settings, wait=True)
            poster = DiscordDailyPoster(client, card_channels(settings.daily_channels, "discord"))
            async with serving.background_jobs(poster):
                await client.connect()
        finally:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(DRAIN_SECONDS):
                    await work.drain()


async def login(client: discord.Client, settings: Settings, *, wait: bool = False) -> None:
    """Log in with the token; with `wait`, however long Discord takes to be reachable (`serve`)."""
    token = _token(settings)

    async def attempt() -> None:
        try:
            await client.login(token)
        except BaseException:
            # Each login opens a session of its own: close it, and its connector with it (the next
            # login makes a new one), so no unclosed session is left behind.
            await client.http.close()
            client.http.connector = discord.utils.MISSING
            raise

    try:
        if wait:
            await until_reachable(attempt, "Discord", platform_failure)
        else:
            await attempt()
    except discord.LoginFailure as err:
        raise StartupError("DISCORD_TOKEN: Discord refused the token") from err


async def check(settings: Settings) -> str:
    """`serve discord --check`: Discord accepts the token; who the bot is, or a StartupError naming the
    check that failed."""
    point_at(settings)
    async with OnRecordClient(None) as client:
        try:
            await login(client, settings)
        except (discord.HTTPException, aiohttp.ClientError, OSError, TimeoutError) as err:
            reason = platform_failure(err) or f"{type(err).__name__}: {err}"
            raise StartupError(f"cannot reach Discord at {settings.discord_api_url}: {reason}") from err
        return f"Discord ok (bot {client.user})"


async def sync_commands(settings: Settings, guild: int | None) -> list[str]:
    """Register `/ask` and `/quote` (in one server at once, or globally, which Discord spreads within the
    hour); the names registered."""
    point_at(settings)
    async with OnRecordClient(None) as client:
        await login(client, settings)
        target = discord.Object(id=guild) if guild is not None else None
        if target is not None:
            client.tree.copy_global_to(guild=target)
        synced = await client.tree.sync(guild=target)
    return [command.name for command in synced]


def invite_url(settings: Settings, client_id: int | None) -> str:
    """The OAuth2 URL that adds the bot with scopes `bot applications.commands` and only the permissions
    it needs. The application id is the bot token's first part unless given."""
    if client_id is None:
        client_id = _application_id(_token(settings))
    return discord.utils.oauth_url(
        client_id, permissions=PERMISSIONS, scopes=("bot", "applications.commands")
    )


def _application_id(token: str) -> int:
    head = token.split(".", 1)[0]
    try:
        return int(base64.b64decode(head + "=" * (-len(head) % 4), validate=True).decode("ascii"))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise StartupError(
            "DISCORD_TOKEN does not look like a bot token; pass the application id with --client-id"
        ) from None
