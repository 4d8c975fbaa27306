"""What the Discord handlers do: ask the service, send the answer where the person will see it.

Every message goes out with no allowed mentions. A mention is claimed by its message id and a command by
its interaction id (`bot.work`), so two processes receiving the same event answer it once.

No retry can show a message twice (`bot.discord.rest`): channel messages carry a nonce; a command's
answer is an edit of its deferred "thinking…" response (a PATCH, the same however often it is sent), not
a follow-up, which takes no nonce; the next page of an answer goes to the button's channel with a nonce
(as a follow-up only where the bot may not post there).
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Final

import aiohttp
import discord
from discord import app_commands

from onrecord.bot.discord.buttons import answer_view, daily_view
from onrecord.bot.discord.render import NO_MENTIONS, DiscordMessage, answer_message, notice, quote_message
from onrecord.bot.discord.rest import platform_failure, rest
from onrecord.bot.keys import message_key
from onrecord.bot.service import AnswerService, AskOptions
from onrecord.bot.wording import (
    ALREADY_SHOWN,
    APOLOGY,
    CONTEXT_GONE,
    CONTEXT_SHOWN,
    FEEDBACK_THANKS,
    MORE_GONE,
)
from onrecord.bot.work import Work

__all__ = ["DiscordAnswerer"]

log = logging.getLogger(__name__)

MAX_CHOICES = 25  # Discord's limit for autocomplete
CHOICE_CHARS = 100
THREAD_NAME = 100
ARCHIVED_THREAD = 50083  # Discord's error code: the thread is archived (nothing is posted there)
_ARCHIVE_AFTER: Final = 1440  # minutes: a thread stays open a day after its last message
_ALREADY_ACKNOWLEDGED: Final = 40060
_UNKNOWN_INTERACTION: Final = 10062
_THREAD_EXISTS: Final = 160004


class DiscordAnswerer:
    def __init__(self, service: AnswerService, work: Work) -> None:
        self._service = service
        self._work = work

    async def mention(self, message: discord.Message) -> None:
        """A message mentioning the bot: answered in a new thread on it (in a server channel), in its
        thread (inside one), or in the conversation (a DM)."""
        apologise = functools.partial(
            _send, message.channel, notice(APOLOGY), None, nonce=message_key("apology", message.id)
        )
        sent = message_key("answer", message.id)
        async with self._work.claimed(f"discord:message:{message.id}", apologise) as mine:
            if not mine:
                return
            answer = await self._service.ask(
                message.content, AskOptions(user=f"discord:{message.author.id}", platform="discord")
            )
            if not answer.notify:
                return
            reply, view = answer_message(answer), answer_view(answer)
            if not isinstance(message.channel, discord.TextChannel):
                await _send(message.channel, reply, view, nonce=sent)
                return
            try:
                thread = await _thread_on(
                    message, _thread_name(answer.question), auto_archive_duration=_ARCHIVE_AFTER
                )
            except discord.HTTPException as err:  # no permission to create threads here
                if isinstance(err, discord.DiscordServerError):
                    raise
                log.warning(
                    "could not start a thread in %s (%s); replying in the channel", message.channel.id, err
                )
                await _send(message.channel, reply, view, nonce=sent, reference=message)
                return
            await _send(thread, reply, view, nonce=sent)

    async def ask(
        self,
        interaction: discord.Interaction[Any],
        question: str,
        episode: str | None,
        speaker: str | None = None,
    ) -> None:
        """`/ask`: "thinking…" at once (before anything else, so the 3 s deadline is always met), the
        answer as the follow-up. The episode and speaker are chosen from the lists or typed."""
        if not await _deferred(interaction, thinking=True):
            return
        async with self._work.claimed(
            f"discord:interaction:{interaction.id}", _followup(interaction)
        ) as mine:
            if not mine:
                return
            options = AskOptions(
                user=f"discord:{interaction.user.id}", platform="discord", episode=episode, speaker=speaker
            )
            answer = await self._service.ask(question, options)
            await _answer(interaction, answer_message(answer), answer_view(answer))

    async def quote(self, interaction: discord.Interaction[Any], topic: str | None) -> None:
        """`/quote [topic]`: one quotable passage, on the topic or at random."""
        if not await _deferred(interaction, thinking=True):
            return
        async with self._work.claimed(
            f"discord:interaction:{interaction.id}", _followup(interaction)
        ) as mine:
            if not mine:
                return
            answer = await self._service.quote(topic, user=f"discord:{interaction.user.id}")
            view = None
            if answer.status == "ok" and answer.results:
                view = daily_view(answer.results[0].context)
            await _answer(interaction, quote_message(answer), view)

    async def more(self, interaction: discord.Interaction[Any], answer_id: str, page: int, k: int) -> None:
        """The next page, where the button is, once (a second click only tells the clicker)."""
        if not await _deferred(interaction):
            return
        source = interaction.message.id if interaction.message is not None else interaction.id
        key = f"discord:more:{source}:{answer_id}:{page}"
        async with self._work.claimed(key, _followup(interaction)) as mine:
            if not mine:
                await _tell(interaction, ALREADY_SHOWN)
                return
            answer = await self._service.more(answer_id, page, options=AskOptions(k=k))
            if answer is None:
                await _tell(interaction, MORE_GONE)
                return
            await _page(interaction, answer_message(answer), answer_view(answer), message_key(key))

    async def vote(self, interaction: discord.Interaction[Any], answer_id: str, vote: str) -> None:
        async with self._work.guarded(_followup(interaction)):
            user = f"discord:{interaction.user.id}"
            await self._service.feedback(answer_id, user, "up" if vote == "up" else "down")
            await interaction.response.send_message(
                FEEDBACK_THANKS, ephemeral=True, allowed_mentions=NO_MENTIONS
            )

    async def context(self, interaction: discord.Interaction[Any], context: str) -> None:
        """ "More from this conversation": the passage around a daily quote, in a thread on it, once
        (a second click, or a click on another replica, only tells the clicker)."""
        if not await _deferred(interaction):
            return
        answer = await self._service.context(context)
        if answer is None:  # told before claiming: a click on a gone passage is not "already posted" later
            await _tell(interaction, CONTEXT_GONE)
            return
        source = interaction.message.id if interaction.message is not None else interaction.id
        async with self._work.claimed(f"discord:context:{source}:{context}", _followup(interaction)) as mine:
            if not mine:
                await _tell(interaction, CONTEXT_SHOWN)
                return
            reply, message = answer_message(answer), interaction.message
            reply = DiscordMessage("More from this conversation", reply.embeds)
            if message is None or not isinstance(message.channel, discord.TextChannel):
                await _reply(interaction, reply, None)
                return
            thread = await _thread_on(message, "More from this conversation")  # or an earlier click's
            await _send(thread, reply, None, nonce=message_key("context", source, context))

    def episodes(self, current: str) -> list[app_commands.Choice[str]]:
        """Autocomplete for the episode option: the indexed titles closest to what is typed."""
        return [
            app_commands.Choice(name=title, value=doc_id)
            for doc_id, title in self._service.episode_choices(current, MAX_CHOICES)
        ]

    def speakers(self, current: str) -> list[app_commands.Choice[str]]:
        """Autocomplete for the speaker option: the transcripts' speakers closest to what is typed."""
        return [
            app_commands.Choice(name=_clip(name), value=_clip(name))
            for name in self._service.speaker_choices(current, MAX_CHOICES)
        ]


def _clip(name: str) -> str:
    """A choice's name and value: at most 100 characters."""
    return name if len(name) <= CHOICE_CHARS else name[: CHOICE_CHARS - 1] + "…"


def _thread_name(question: str) -> str:
    name = " ".join(question.split()) or "Question"
    return name if len(name) <= THREAD_NAME else name[: THREAD_NAME - 1] + "…"


async def _thread_on(message: discord.Message, name: str, **options: Any) -> Any:
    """A thread started on ``message`` (in a server channel; ``options`` for ``create_thread``), or the one
    started on it before: by an earlier try whose answer was lost, or an earlier click."""
    try:
        return await rest(lambda: message.create_thread(name=name, **options))
    except discord.HTTPException as err:
        if err.code != _THREAD_EXISTS:
            raise
    return await rest(message.fetch_thread)


async def _send(
    channel: Any,
    reply: DiscordMessage,
    view: discord.ui.View | None,
    *,
    nonce: str,
    reference: discord.Message | discord.MessageReference | None = None,
) -> None:
    """Send ``reply`` to ``channel``; ``nonce`` (`bot.keys.message_key`) names it, so it is made once."""
    await rest(
        lambda: channel.send(
            reply.content,
            embeds=reply.embeds,
            allowed_mentions=NO_MENTIONS,
            view=_view(view),
            reference=reference,
            nonce=nonce,
        )
    )


async def _page(
    interaction: discord.Interaction[Any], reply: DiscordMessage, view: discord.ui.View | None, sent: str
) -> None:
    """The next page, in the button's channel with the nonce `sent` (outside a thread, as a reply to the
    button's message if it still exists); as a follow-up only where the bot may not post (refused, so
    nothing was made: no access, the channel gone, the thread archived)."""
    channel = interaction.channel
    if channel is not None:
        reference = None
        if not isinstance(channel, discord.Thread) and interaction.message is not None:
            # a reply to a message deleted meanwhile is refused (400, 50035) unless told to go without
            reference = interaction.message.to_reference(fail_if_not_exists=False)
        try:
            await _send(channel, reply, view, nonce=sent, reference=reference)
            return
        except (discord.Forbidden, discord.NotFound) as err:
            log.info("could not post a page in %s (%s); following up", interaction.channel_id, err)
        except discord.HTTPException as err:
            if err.code != ARCHIVED_THREAD:
                raise
            log.info("could not post a page in %s (%s); following up", interaction.channel_id, err)
    await _reply(interaction, reply, view)


async def _answer(
    interaction: discord.Interaction[Any], reply: DiscordMessage, view: discord.ui.View | None
) -> None:
    """The answer to a deferred command, in place of its "thinking…": an edit, so a retry after a lost
    answer only edits it again (a follow-up, which takes no nonce, would show twice)."""
    await rest(
        lambda: interaction.edit_original_response(
            content=reply.content, embeds=reply.embeds, allowed_mentions=NO_MENTIONS, view=_view(view)
        ),
        repeatable=True,
    )


async def _reply(
    interaction: discord.Interaction[Any], reply: DiscordMessage, view: discord.ui.View | None
) -> None:
    """A follow-up: only where nothing else can be sent (it takes no nonce: a retry may show it twice)."""
    await rest(
        lambda: interaction.followup.send(
            reply.content, embeds=reply.embeds, allowed_mentions=NO_MENTIONS, view=_view(view)
        )
    )


async def _tell(interaction: discord.Interaction[Any], text: str) -> None:
    """A short word only the clicker sees, once the interaction is deferred."""
    await rest(lambda: interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS))


async def _deferred(interaction: discord.Interaction[Any], *, thinking: bool = False) -> bool:
    """Acknowledge the interaction first, within Discord's 3 s, before Redis or the search is asked
    anything; False when it was acknowledged already (by another process given the same event)."""
    try:
        await interaction.response.defer(thinking=thinking)
    except discord.InteractionResponded:
        return False
    except discord.HTTPException as err:
        if err.code in (_ALREADY_ACKNOWLEDGED, _UNKNOWN_INTERACTION):
            log.info("interaction %s was acknowledged elsewhere or expired (%s)", interaction.id, err.code)
        else:  # Discord is unwell: the interaction is lost (it cannot be answered later), said in one line
            log.warning(
                "could not acknowledge interaction %s: %s", interaction.id, platform_failure(err) or err
            )
        return False
    except (aiohttp.ClientError, OSError, TimeoutError) as err:
        log.warning("could not acknowledge interaction %s: %s", interaction.id, platform_failure(err) or err)
        return False
    return True


def _view(view: discord.ui.View | None) -> Any:
    """discord.py's "no view" is MISSING, not None."""
    return discord.utils.MISSING if view is None else view


def _followup(interaction: discord.Interaction[Any]) -> functools.partial[Any]:
    """The apology for a failed interaction: as its response, or as a follow-up once deferred."""
    return functools.partial(_apologise, interaction)


async def _apologise(interaction: discord.Interaction[Any]) -> None:
    if interaction.response.is_done():
        await _tell(interaction, APOLOGY)
    else:
        await interaction.response.send_message(APOLOGY, ephemeral=True, allowed_mentions=NO_MENTIONS)
