"""The daily quote, posted to Slack.

A channel that wants the quote card (`…@card`) gets it in the post's thread once the post is made and
recorded (the post's follow-up), so a shutdown during the upload never has the post made again. The
post is what counts as the day's quote: a card that cannot be drawn or uploaded is left out (and
logged), so it never makes the post fail and be made again. The post is made once (`bot.slack.posting`,
keyed by the channel and the day): before each try it looks in the channel from the start of the day
(`onrecord daily post` may post it at any hour), so an earlier try whose answer was lost is found,
however long ago, not made again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
from collections.abc import Iterable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from onrecord.bot.answer import Result
from onrecord.bot.daily.card import card_channels, quote_card
from onrecord.bot.daily.channels import DailyChannel
from onrecord.bot.daily.posting import FollowUp
from onrecord.bot.keys import message_key
from onrecord.bot.slack.blocks import daily_message
from onrecord.bot.slack.posting import CLOCK_SKEW, post_once
from onrecord.bot.slack.web import api_error, platform_failure

__all__ = ["SlackDailyPoster"]

log = logging.getLogger(__name__)


class SlackDailyPoster:
    """Posts to Slack in `channels` (the daily channels: their times, and whether they get the card)."""

    def __init__(self, client: AsyncWebClient, channels: Iterable[DailyChannel] = ()) -> None:
        channels = [c for c in channels if c.platform == "slack"]
        self._client = client
        self._cards = card_channels(channels, "slack")
        self._times = {c.channel: c for c in channels}

    async def post(self, channel: str, quote: Result, day: dt.date) -> FollowUp | None:
        message = daily_message(quote, quote.context)
        key = message_key("slack:daily", channel, day.isoformat())
        since = self._day_start(channel, day)
        posted = await post_once(self._client, channel, None, message, key, since=since)
        if channel not in self._cards:
            return None
        return functools.partial(self._attach_card, channel, posted, quote)

    def _day_start(self, channel: str, day: dt.date) -> float:
        """When `day` began in `channel`'s time zone (a channel not configured: the day's earliest start
        on Earth), a little early for clocks that differ."""
        if (daily := self._times.get(channel)) is not None:
            start = dt.datetime.combine(day, dt.time(), daily.zone)
        else:
            start = dt.datetime.combine(day, dt.time(), dt.UTC) - dt.timedelta(hours=14)
        return start.timestamp() - CLOCK_SKEW

    async def _attach_card(self, channel: str, thread_ts: str, quote: Result) -> None:
        """Upload the card into the post's thread (files.getUploadURLExternal, the upload, then
        files.completeUploadExternal), its alt text the quote."""
        try:
            card = await asyncio.to_thread(quote_card, quote)
            await self._client.files_upload_v2(
                channel=channel,
                thread_ts=thread_ts,
                file=card.png,
                filename=card.filename,
                title="Quote of the day",
                alt_txt=card.alt_text,
            )
        except Exception as err:
            why = api_error(err) if isinstance(err, SlackApiError) else None
            log.warning(
                "the daily quote in %s was posted without its card (%s)",
                channel,
                why or platform_failure(err) or f"{type(err).__name__}: {err}",
            )
