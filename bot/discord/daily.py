"""The daily quote, posted to Discord (over REST: the gateway is not needed to post)."""

from __future__ import annotations

from typing import Any

import discord

from bot.answer import Result
from bot.daily.posting import UnconfirmedPostError
from bot.discord.buttons import daily_view
from bot.discord.render import NO_MENTIONS, daily_message
from bot.discord.rest import CALL_TIMEOUT, rest

__all__ = ["DiscordDailyPoster"]


class DiscordDailyPoster:
    def __init__(self, client: discord.Client) -> None:
        self._client = client

    async def post(self, channel: str, quote: Result, context: str) -> None:
        target: Any = self._client.get_channel(int(channel)) or await rest(
            lambda: self._client.fetch_channel(int(channel))
        )
        message = daily_message(quote)
        try:
            await rest(
                lambda: target.send(
                    message.content,
                    embeds=message.embeds,
                    view=daily_view(context),
                    allowed_mentions=NO_MENTIONS,
                )
            )
        except TimeoutError as err:
            raise UnconfirmedPostError(f"Discord did not answer within {CALL_TIMEOUT:g} s") from err
