"""The daily quote, posted to Slack."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.answer import Result
from bot.daily.posting import UnconfirmedPostError
from bot.slack.blocks import daily_message
from bot.slack.web import CALL_TIMEOUT

__all__ = ["SlackDailyPoster"]


class SlackDailyPoster:
    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client

    async def post(self, channel: str, quote: Result, context: str) -> None:
        message = daily_message(quote, context)
        try:
            await self._client.chat_postMessage(
                channel=channel,
                text=message.text,
                blocks=message.blocks,
                unfurl_links=False,
                unfurl_media=False,
            )
        except TimeoutError as err:
            raise UnconfirmedPostError(f"Slack did not answer within {CALL_TIMEOUT:g} s") from err
