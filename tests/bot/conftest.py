"""The platform stand-ins most bot tests talk to (one fresh per test), a Slack bot on the seeds talking
to the Slack one, and an index whose turns name their speakers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from onrecord import index
from tests.bot.discord_bot import TOKEN
from tests.bot.slack_bot import RunningBot, bot_env, slack_bot
from tests.conftest import RedisServer
from tests.standins.discord_api import DiscordStandIn
from tests.standins.slack import SlackStandIn


@pytest.fixture
async def slack() -> AsyncIterator[SlackStandIn]:
    async with SlackStandIn() as stand_in:
        yield stand_in


@pytest.fixture
async def discord_api() -> AsyncIterator[DiscordStandIn]:
    async with DiscordStandIn(token=TOKEN) as stand_in:
        yield stand_in


@pytest.fixture
async def bot(
    slack: SlackStandIn, seed_index_dir: Path, redis_server: RedisServer
) -> AsyncIterator[RunningBot]:
    """A Slack bot on the seeds (a module's own ``slack`` fixture, if it has one, is the one it talks to)."""
    async with slack_bot(bot_env(slack, seed_index_dir, redis_server.url)) as running:
        yield running


@pytest.fixture(scope="module")
def talks_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two episodes whose turns name their speakers, saved as `onrecord index build` saves them."""
    directory = tmp_path_factory.mktemp("talks") / "index"
    index.build([Path(__file__).resolve().parents[1] / "data" / "speakers"]).save(directory)
    return directory
