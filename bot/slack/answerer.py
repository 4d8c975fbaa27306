"""What the Slack listeners do once they have acknowledged: ask the service, post the reply.

Each question is claimed first (its message's channel and ts, or the slash command's trigger id), so a
retried event, an @mention that also arrives as a `message` event, or a replica given the same event
answers once. A failure releases the claim, so a later retry is still answered; a post Slack may have
made without saying so (`UnconfirmedPostError`) keeps it, and the asker is told: a command's answer is
sent privately as well, a mention gets the apology (itself posted once). Each message is posted once
(`bot.slack.posting`): its key is the claim's, and what the message is (the answer, the apology).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from onrecord.bot.answer import Answer
from onrecord.bot.keys import message_key
from onrecord.bot.service import AnswerService, AskOptions
from onrecord.bot.slack.blocks import (
    SlackMessage,
    answer_message,
    daily_message,
    escape,
    notice_message,
    parse_value,
    passage_message,
)
from onrecord.bot.slack.posting import post_once
from onrecord.bot.slack.web import api_error
from onrecord.bot.wording import (
    ALREADY_SHOWN,
    APOLOGY,
    CONTEXT_GONE,
    CONTEXT_SHOWN,
    FEEDBACK_THANKS,
    MORE_GONE,
    SLACK_INVITE,
    UNCONFIRMED_APOLOGY,
)
from onrecord.bot.work import Apology, UnconfirmedPostError, Work

__all__ = ["Asked", "Respond", "SlackAnswerer"]

log = logging.getLogger(__name__)

Respond = Callable[..., Awaitable[Any]]  # bolt's `respond`: a message through the response_url
_NOT_POSTABLE = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}
_SHOWN_IN_CHANNEL = {"ok", "no_match"}  # a slash command's refusals stay private


@dataclass(frozen=True, slots=True)
class Asked:
    """A question asked in Slack, and where its answer goes."""

    text: str  # as Slack sent it (entity-escaped, with markup)
    team: str
    user: str
    channel: str
    thread_ts: str | None  # None: answer in the conversation itself (a direct message)
    claim: str  # the de-duplication key

    @property
    def options(self) -> AskOptions:
        return AskOptions(user=f"slack:{self.team}:{self.user}", platform="slack")


class SlackAnswerer:
    """Answers questions, pages and votes for the listeners; never raises into bolt."""

    def __init__(self, service: AnswerService, work: Work, client: AsyncWebClient) -> None:
        self._service = service
        self._work = work
        self._client = client

    async def mention(self, asked: Asked) -> None:
        """An @mention or a direct message: the answer goes in its thread (or conversation)."""
        apologise = functools.partial(self._apologise, asked.channel, asked.thread_ts, asked.claim)
        unconfirmed = functools.partial(apologise, UNCONFIRMED_APOLOGY)
        async with self._work.claimed(asked.claim, apologise, unconfirmed) as mine:
            if mine:
                answer = await self._service.ask(asked.text, asked.options)
                if answer.notify:
                    await self._post(asked.channel, asked.thread_ts, answer_message(answer), asked.claim)

    async def command(self, asked: Asked, respond: Respond) -> None:
        """`/ask`: "<@user> asked: …" in the channel and the answer in its thread; privately (with how
        to invite the bot) where the bot cannot post."""
        async with self._work.claimed(asked.claim, _privately(respond)) as mine:
            if not mine:
                return
            answer = await self._service.ask(asked.text, asked.options)
            if answer.status not in _SHOWN_IN_CHANNEL:
                if answer.notify:
                    await _respond(respond, notice_message(answer.message))
                return
            said = SlackMessage(f"<@{asked.user}> asked: {escape(answer.question)}", [])
            try:
                posted = await self._post(asked.channel, None, said, asked.claim, "asked")
                await self._post(asked.channel, posted, answer_message(answer), asked.claim)
            except SlackApiError as err:
                if api_error(err) not in _NOT_POSTABLE:
                    raise
                await _respond(respond, notice_message(SLACK_INVITE))
                await _respond(respond, answer_message(answer))
            except UnconfirmedPostError as err:
                await _privately_too(asked, respond, answer_message(answer), err)

    async def quote(self, asked: Asked, respond: Respond) -> None:
        """`/quote [topic]`: one quotable passage in the channel (privately where the bot cannot post)."""
        async with self._work.claimed(asked.claim, _privately(respond)) as mine:
            if not mine:
                return
            answer = await self._service.quote(asked.text, user=asked.options.user)
            if answer.status != "ok" or not answer.results:
                if answer.notify:
                    await _respond(respond, notice_message(answer.message))
                return
            result = answer.results[0]
            asked_by = f"<@{asked.user}> asked for a quote" + (
                f" on “{escape(answer.question)}”" if answer.question else ""
            )
            message = daily_message(result, result.context, asked_by)
            try:
                await self._post(asked.channel, None, message, asked.claim)
            except SlackApiError as err:
                if api_error(err) not in _NOT_POSTABLE:
                    raise
                await _respond(respond, message)
            except UnconfirmedPostError as err:
                await _privately_too(asked, respond, message, err)

    async def more(self, body: dict[str, Any], respond: Respond) -> None:
        """The "More results" button: the next page, in the same thread, once (a second click, or a
        click on another replica, only tells the clicker)."""
        key = f"slack:more:{_button_key(body)}"
        async with self._work.claimed(key, _privately(respond)) as mine:
            if not mine:
                await _respond(respond, notice_message(ALREADY_SHOWN))
                return
            await self._more(body, respond)

    async def vote(self, body: dict[str, Any], respond: Respond, vote: str) -> None:
        """👍 / 👎: recorded per user, acknowledged only to the voter."""
        async with self._work.guarded(_privately(respond)):
            await self._vote(body, respond, vote)

    async def context(self, body: dict[str, Any], respond: Respond) -> None:
        """ "More from this conversation" under a daily quote: the passage, in the quote's thread, once
        (a second click, a replay, or a click on another replica only tells the clicker)."""
        answer = await self._service.context(_action(body).get("value", ""))
        message = body.get("message")
        if answer is None or message is None or "channel" not in body:  # told before claiming: a later
            await _respond(respond, notice_message(CONTEXT_GONE))  # click is not "already posted"
            return
        key = f"slack:context:{_button_key(body)}"
        async with self._work.claimed(key, _privately(respond)) as mine:
            if not mine:
                await _respond(respond, notice_message(CONTEXT_SHOWN))
                return
            thread = message.get("thread_ts") or message["ts"]
            await self._post(body["channel"]["id"], thread, passage_message(answer.results[0]), key)

    async def _more(self, body: dict[str, Any], respond: Respond) -> None:
        value = parse_value(_action(body).get("value", ""))
        answer: Answer | None = None
        if isinstance(value.get("a"), str) and isinstance(value.get("p"), int):
            k = value.get("k") if isinstance(value.get("k"), int) else None
            question, speaker, episode = (value.get(key) for key in ("q", "s", "e"))
            options = AskOptions(
                k=k,
                speaker=speaker if isinstance(speaker, str) else None,
                episode=episode if isinstance(episode, str) else None,
            )
            answer = await self._service.more(
                value["a"],
                value["p"],
                question=question if isinstance(question, str) else None,
                options=options,
            )
        reply = answer_message(answer) if answer is not None else notice_message(MORE_GONE)
        await self._reply_to_button(body, respond, reply, ephemeral=answer is None)

    async def _vote(self, body: dict[str, Any], respond: Respond, vote: str) -> None:
        value = parse_value(_action(body).get("value", ""))
        if not isinstance(value.get("a"), str):
            return
        team = body.get("team", {}).get("id") or body.get("user", {}).get("team_id", "")
        user = body.get("user", {}).get("id", "")
        await self._service.feedback(value["a"], f"slack:{team}:{user}", "up" if vote == "up" else "down")
        await self._reply_to_button(body, respond, notice_message(FEEDBACK_THANKS), ephemeral=True)

    async def _post(self, channel: str, thread_ts: str | None, message: SlackMessage, *what: str) -> str:
        """Post `message`, named by `what` (the claim, and which of its messages), once; its ts."""
        return await post_once(self._client, channel, thread_ts, message, message_key(*what))

    async def _apologise(
        self, channel: str, thread_ts: str | None, claim: str, wording: str = APOLOGY
    ) -> None:
        """The apology in the thread, keyed the same whatever its `wording`: it shows once."""
        await self._post(channel, thread_ts, notice_message(wording), claim, "apology")

    async def _reply_to_button(
        self, body: dict[str, Any], respond: Respond, reply: SlackMessage, *, ephemeral: bool
    ) -> None:
        message = body.get("message")
        channel = body.get("channel", {}).get("id")
        if message is None or channel is None:  # the button was on a private (ephemeral) answer
            await _respond(respond, reply)
            return
        thread_ts = message.get("thread_ts")
        if ephemeral:
            await self._client.chat_postEphemeral(
                channel=channel,
                user=body["user"]["id"],
                thread_ts=thread_ts,
                text=reply.text,
                blocks=reply.blocks,
            )
        else:
            await self._post(channel, thread_ts, reply, "button", _button_key(body))


def _action(body: dict[str, Any]) -> dict[str, Any]:
    actions = body.get("actions") or [{}]
    first = actions[0]
    return first if isinstance(first, dict) else {}


def _button_key(body: dict[str, Any]) -> str:
    """A button on a message, as a claim key: its channel, the message's ts and the button's value."""
    message = body.get("message") or {}
    return f"{body.get('channel', {}).get('id')}:{message.get('ts')}:{_action(body).get('value')}"


def _privately(respond: Respond) -> Apology:
    return lambda: _respond(respond, notice_message(APOLOGY))


async def _privately_too(asked: Asked, respond: Respond, message: SlackMessage, err: Exception) -> None:
    """A command's post Slack may or may not have made: the claim is kept (never posted twice in the
    channel) and the asker gets `message` privately, which cannot double what the channel shows."""
    log.warning("%s may have been posted; sent privately as well: %s", asked.claim, err)
    await _respond(respond, message)


async def _respond(respond: Respond, message: SlackMessage) -> None:
    await respond(text=message.text, blocks=message.blocks, response_type="ephemeral", replace_original=False)
