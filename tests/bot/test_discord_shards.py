"""`onrecord serve discord` split over shards as operators split it: one process per shard, one Redis.

Each process reaches the stand-in by URLs of its own name, so every gateway session and REST request
says which process it came from."""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from pathlib import Path

import aiohttp

from tests.bot.discord_bot import bot_env
from tests.bot.processes import serving
from tests.bot.slack_bot import free_port
from tests.conftest import Poll, RedisServer, claims_settled
from tests.standins.discord_api import DiscordStandIn, Payload, shard_of

GUILD_ON_SHARD_0 = DiscordStandIn.guild_id + (1 << 22)  # the stand-in's own guild is on shard 1 of 2


async def claims(session: aiohttp.ClientSession, env: dict[str, str]) -> Counter[str]:
    """A process's claims by outcome, from its own /metrics."""
    async with session.get(f"http://127.0.0.1:{env['ONRECORD_HEALTH_PORT']}/metrics") as response:
        page = await response.text()
    return Counter(
        {
            m[1]: int(float(m[2]))
            for m in re.finditer(r'^onrecord_claims_total\{outcome="(\w+)"\} (\S+)$', page, re.M)
        }
    )


def answers_to(discord_api: DiscordStandIn, message: Payload) -> list[str | None]:
    """Which process posted each answer to `message`: in the thread started on it, or in its DM."""
    channel = message["id"] if "guild_id" in message else message["channel_id"]
    return [r.client for r in discord_api.requests_to("POST", f"/channels/{channel}/messages")]


async def test_two_processes_with_a_shard_each_answer_their_own_guilds_once_and_dms_on_shard_0(
    discord_api: DiscordStandIn,
    seed_index_dir: Path,
    redis_server: RedisServer,
    tmp_path: Path,
    until: Poll,
) -> None:
    other_channel = discord_api.add_guild(GUILD_ON_SHARD_0)
    assert [shard_of(GUILD_ON_SHARD_0, 2), shard_of(discord_api.guild_id, 2)] == [0, 1]
    envs = [
        bot_env(
            discord_api,
            seed_index_dir,
            redis_server.url,
            ONRECORD_DISCORD_API_URL=discord_api.api_url_for(f"process{shard}"),
            ONRECORD_DISCORD_GATEWAY_URL=discord_api.gateway_url_for(f"process{shard}"),
            ONRECORD_DISCORD_SHARD_COUNT="2",
            ONRECORD_DISCORD_SHARD_IDS=str(shard),
            ONRECORD_HEALTH_PORT=str(free_port()),
        )
        for shard in (0, 1)
    ]
    with contextlib.ExitStack() as stack:
        for shard, env in enumerate(envs):
            stack.enter_context(serving("discord", env, tmp_path / f"shard{shard}.log"))
        await discord_api.wait_ready(sessions=2, timeout=60)
        assert discord_api.connected_shards() == [("process0", (0, 2)), ("process1", (1, 2))]

        in_guild_0 = discord_api.message_create("why did Jerry leave OpenAI", channel_id=other_channel)
        in_guild_1 = discord_api.message_create("cold shower")
        direct = discord_api.message_create("trust", guild=False, mentions_bot=False)
        assert await discord_api.dispatch("MESSAGE_CREATE", in_guild_0) == [("process0", (0, 2))]
        assert await discord_api.dispatch("MESSAGE_CREATE", in_guild_1) == [("process1", (1, 2))]
        assert await discord_api.dispatch("MESSAGE_CREATE", direct) == [("process0", (0, 2))]

        async with aiohttp.ClientSession() as session:

            async def settled() -> bool:
                outcomes = [await claims(session, env) for env in envs]
                return claims_settled(outcomes[0], 2) and claims_settled(outcomes[1], 1)

            await until(settled, seconds=60)
            outcomes = [await claims(session, env) for env in envs]
    assert answers_to(discord_api, in_guild_0) == ["process0"]
    assert answers_to(discord_api, in_guild_1) == ["process1"]
    assert answers_to(discord_api, direct) == ["process0"]
    threads = discord_api.requests_to("POST", "/channels/*/messages/*/threads")
    assert sorted((r.path, r.client) for r in threads) == sorted(
        [
            (f"/channels/{other_channel}/messages/{in_guild_0['id']}/threads", "process0"),
            (f"/channels/{discord_api.channel_id}/messages/{in_guild_1['id']}/threads", "process1"),
        ]
    )
    # each process claimed only what its shard received, and answered it
    assert outcomes == [Counter(won=2, done=2), Counter(won=1, done=1)]
