"""The Discord deploy steps and start-up checks, run as an operator runs them."""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import discord

from onrecord.bot.discord.client import PERMISSIONS
from tests.bot.discord_bot import TOKEN
from tests.conftest import RedisServer
from tests.standins.discord_api import DiscordStandIn

ONRECORD = shutil.which("onrecord", path=str(Path(sys.executable).parent)) or "onrecord"


def onrecord(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ONRECORD, *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=60, check=False
    )


def test_invite_url_asks_for_the_two_scopes_and_only_the_permissions_needed() -> None:
    token = base64.b64encode(b"123456789012345678").decode().rstrip("=") + ".G1abcd.secret"
    proc = onrecord("discord", "invite-url", env={"DISCORD_TOKEN": token})
    assert proc.returncode == 0, proc.stderr
    query = parse_qs(urlsplit(proc.stdout.strip()).query)
    assert query["client_id"] == ["123456789012345678"]
    assert query["scope"] == ["bot applications.commands"]
    granted = discord.Permissions(int(query["permissions"][0]))
    assert {name for name, on in granted if on} == {
        "read_messages",
        "send_messages",
        "send_messages_in_threads",
        "create_public_threads",
        "embed_links",
        "attach_files",
        "read_message_history",
    }  # fmt: skip (discord.py names view_channel read_messages)
    assert granted == PERMISSIONS

    explicit = onrecord("discord", "invite-url", "--client-id", "42", env={"DISCORD_TOKEN": ""})
    assert explicit.returncode == 0 and "client_id=42" in explicit.stdout
    unusable = onrecord("discord", "invite-url", env={"DISCORD_TOKEN": "not-a-token"})
    assert unusable.returncode == 1 and "--client-id" in unusable.stderr


async def test_sync_registers_ask_and_quote_in_a_guild() -> None:
    async with DiscordStandIn(token=TOKEN) as discord_api:
        env = {"DISCORD_TOKEN": TOKEN, "ONRECORD_DISCORD_API_URL": discord_api.api_url}
        args = ("discord", "sync", "--guild", str(discord_api.guild_id))
        proc = await asyncio.to_thread(onrecord, *args, env=env)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip() == f"registered /ask, /quote in server {discord_api.guild_id}"
        [put] = discord_api.requests_to("PUT", f"/applications/*/guilds/{discord_api.guild_id}/commands")
        ask = next(c for c in put.json if c["name"] == "ask")
        assert [(o["name"], o["required"], o.get("autocomplete", False)) for o in ask["options"]] == [
            ("question", True, False),
            ("episode", False, True),
            ("speaker", False, True),
        ]
        refused = await asyncio.to_thread(onrecord, *args, env={**env, "DISCORD_TOKEN": "wrong"})
        assert refused.returncode == 1
        assert refused.stderr.strip() == "onrecord: DISCORD_TOKEN: Discord refused the token"


async def test_serve_discord_check_asks_discord_about_the_token(
    seed_index_dir: Path, redis_server: RedisServer
) -> None:
    async with DiscordStandIn(token=TOKEN) as discord_api:
        env = {
            "DISCORD_TOKEN": TOKEN,
            "ONRECORD_DISCORD_API_URL": discord_api.api_url,
            "ONRECORD_INDEX": str(seed_index_dir),
            "REDIS_URL": redis_server.url,
        }
        ok = await asyncio.to_thread(onrecord, "serve", "discord", "--check", env=env)
        assert ok.returncode == 0, ok.stderr
        assert ok.stdout.startswith("ok: index ") and "; Discord ok (bot " in ok.stdout
        wrong = {**env, "DISCORD_TOKEN": "wrong"}
        refused = await asyncio.to_thread(onrecord, "serve", "discord", "--check", env=wrong)
        assert refused.returncode == 1
        assert refused.stderr.splitlines()[-1] == "onrecord: DISCORD_TOKEN: Discord refused the token"
        offline = await asyncio.to_thread(onrecord, "serve", "discord", "--check", "--offline", env=wrong)
        assert offline.returncode == 0 and "Discord" not in offline.stdout
    gone = await asyncio.to_thread(onrecord, "serve", "discord", "--check", env=env)  # the stand-in is closed
    assert gone.returncode == 1
    assert gone.stderr.splitlines()[-1].startswith(f"onrecord: cannot reach Discord at {discord_api.api_url}")


def test_serve_discord_needs_a_token(seed_index_dir: Path, redis_server: RedisServer) -> None:
    env = {"DISCORD_TOKEN": TOKEN, "ONRECORD_INDEX": str(seed_index_dir), "REDIS_URL": redis_server.url}
    missing = onrecord("serve", "discord", env={**env, "DISCORD_TOKEN": ""})
    assert missing.returncode == 2
    assert missing.stderr.strip() == "onrecord: DISCORD_TOKEN is required to serve Discord (the bot token)"
