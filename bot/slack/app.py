"""The slack-bolt app: listeners that acknowledge, turn the event into a question, and hand it over."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.web.async_client import AsyncWebClient

from onrecord.bot.slack.answerer import Asked, SlackAnswerer
from onrecord.bot.slack.blocks import CONTEXT, MORE, VOTE_DOWN, VOTE_UP

__all__ = ["create_app"]

COMMAND = "/ask"
QUOTE_COMMAND = "/quote"


def create_app(
    answerer: SlackAnswerer,
    client: AsyncWebClient,
    authorize: Callable[..., Awaitable[AuthorizeResult]],
    *,
    signing_secret: str | None,
) -> AsyncApp:
    """The bolt app over `client` (without a token: `authorize` gives each request the bot's).
    With `signing_secret` every HTTP request must be signed with it (HTTP mode); without, requests
    arrive over Socket Mode's authenticated websocket and are not signed."""
    app = AsyncApp(
        client=client,
        authorize=authorize,
        signing_secret=signing_secret or "",
        request_verification_enabled=signing_secret is not None,
        url_verification_enabled=True,
    )

    @app.event("app_mention")
    async def on_mention(body: dict[str, Any], event: dict[str, Any]) -> None:
        await answerer.mention(_asked(body, event, thread=event.get("thread_ts") or event["ts"]))

    @app.event("message")
    async def on_message(body: dict[str, Any], event: dict[str, Any]) -> None:
        # Direct messages only: in channels the bot answers @mentions (which also come as `message`
        # events when the app subscribes to channel messages; the claim would answer them once anyway).
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        await answerer.mention(_asked(body, event, thread=event.get("thread_ts")))

    @app.command(COMMAND)
    async def on_ask(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        await answerer.command(_command(body), respond)

    @app.command(QUOTE_COMMAND)
    async def on_quote(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        await answerer.quote(_command(body), respond)

    @app.action(MORE)
    async def on_more(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        await answerer.more(body, respond)

    @app.action(VOTE_UP)
    async def on_up(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        await answerer.vote(body, respond, "up")

    @app.action(VOTE_DOWN)
    async def on_down(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        await answerer.vote(body, respond, "down")

    @app.action(CONTEXT)
    async def on_context(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        await answerer.context(body, respond)

    return app


def _command(body: dict[str, Any]) -> Asked:
    """A slash command as a question, claimed by its trigger id."""
    return Asked(
        text=body.get("text", ""),
        team=body.get("team_id", ""),
        user=body.get("user_id", ""),
        channel=body.get("channel_id", ""),
        thread_ts=None,
        claim=f"slack:{body.get('team_id', '')}:command:{body.get('trigger_id', '')}",
    )


def _asked(body: dict[str, Any], event: dict[str, Any], *, thread: str | None) -> Asked:
    """A message event as a question. The claim names the message, not the event: an @mention's
    `app_mention` and `message` events, and every retry of either, share it."""
    team = body.get("team_id") or event.get("team", "")
    channel = event.get("channel", "")
    return Asked(
        text=event.get("text", ""),
        team=team,
        user=event.get("user", ""),
        channel=channel,
        thread_ts=thread,
        claim=f"slack:{team}:{channel}:{event.get('ts', body.get('event_id', ''))}",
    )
