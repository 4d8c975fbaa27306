"""The daily quote, posted to Discord (over REST: the gateway is not needed to post).

A channel that wants the quote card (`…@card`) gets it as the post's attachment. When Discord refuses
the post with the card (400, 403: no Attach Files permission, 413: a file too large), it is posted again
without it: the quote matters more than its picture. Any other failure (a 5xx after the retries, which
may have made the post) goes to the daily posting's retries, with the card: the post's nonce (`rest.nonce`,
its channel and day) has Discord return the post made in the last few minutes instead of making another.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import logging
from collections.abc import Collection
from typing import Any

import discord

from onrecord.bot.answer import Result
from onrecord.bot.daily.card import QuoteCard, quote_card
from onrecord.bot.discord.buttons import daily_view
from onrecord.bot.discord.render import NO_MENTIONS, daily_message
from onrecord.bot.discord.rest import CALL_TIMEOUT, rest
from onrecord.bot.keys import message_key
from onrecord.bot.work import UnconfirmedPostError

__all__ = ["DiscordDailyPoster"]

CARD_REFUSALS = frozenset({400, 403, 413})  # Discord's answers that refuse the post for its card

log = logging.getLogger(__name__)


class DiscordDailyPoster:
    """Posts to Discord; `cards`: the channels whose post gets the quote card."""

    def __init__(self, client: discord.Client, cards: Collection[str] = ()) -> None:
        self._client = client
        self._cards = cards

    async def post(self, channel: str, quote: Result, day: dt.date) -> None:
        target: Any = self._client.get_channel(int(channel)) or await rest(
            lambda: self._client.fetch_channel(int(channel))
        )
        message = daily_message(quote)
        card = await self._card(channel, quote)
        sent = message_key("daily", channel, day)  # the day's one post, whatever answers are lost on the way

        def send(card: QuoteCard | None) -> Any:
            attachment = {} if card is None else {"file": _attachment(card)}  # a new one at each try
            return target.send(
                message.content,
                embeds=message.embeds,
                view=daily_view(quote.context),
                allowed_mentions=NO_MENTIONS,
                nonce=sent,
                **attachment,
            )

        try:
            try:
                await rest(lambda: send(card))
            except discord.HTTPException as err:
                if card is None or err.status not in CARD_REFUSALS:
                    raise
                log.warning(
                    "Discord refused the daily quote's card in %s (%s); posting it without", channel, err
                )
                await rest(lambda: send(None))
        except TimeoutError as err:
            raise UnconfirmedPostError(f"Discord did not answer within {CALL_TIMEOUT:g} s") from err

    async def _card(self, channel: str, quote: Result) -> QuoteCard | None:
        if channel not in self._cards:
            return None
        try:
            return await asyncio.to_thread(quote_card, quote)
        except Exception as err:
            log.warning("could not draw the daily quote's card for %s (%s); posting it without", channel, err)
            return None


def _attachment(card: QuoteCard) -> discord.File:
    return discord.File(io.BytesIO(card.png), filename=card.filename, description=card.alt_text)
