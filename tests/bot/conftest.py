"""The platform stand-ins most bot tests talk to (one fresh per test), and an index whose turns name
their speakers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from onrecord import index
from tests.bot.discord_bot import TOKEN
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


@pytest.fixture(scope="module")
def talks_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two episodes whose turns name their speakers, saved as `onrecord index build` saves them."""
    directory = tmp_path_factory.mktemp("talks") / "index"
    index.build([Path(__file__).resolve().parents[1] / "data" / "speakers"]).save(directory)
    return directory
