"""The daily quote, posted to Discord (over REST: the gateway is not needed to post)."""

from __future__ import annotations

from typing import Any

import discord

from bot.answer import Result
from bot.discord.buttons import daily_view
from bot.discord.render import NO_MENTIONS, daily_message

__all__ = ["DiscordDailyPoster"]


class DiscordDailyPoster:
    def __init__(self, client: discord.Client) -> None:
        self._client = client

    async def post(self, channel: str, quote: Result, context: str) -> None:
        target: Any = self._client.get_channel(int(channel)) or await self._client.fetch_channel(int(channel))
        message = daily_message(quote)
        await target.send(
            message.content, embeds=message.embeds, view=daily_view(context), allowed_mentions=NO_MENTIONS
        )
