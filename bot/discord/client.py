"""The discord.py client: default intents (no privileged ones), `/ask` and `/quote`, answers to mentions
and DMs, persistent buttons. Sharded automatically, or over the shard range given to this process."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from onrecord.bot.discord.answerer import DiscordAnswerer
from onrecord.bot.discord.buttons import ContextButton, MoreButton, VoteButton
from onrecord.bot.discord.render import NO_MENTIONS
from onrecord.bot.discord.rest import MAX_RATELIMIT_WAIT

__all__ = ["PERMISSIONS", "OnRecordClient", "command_tree"]

# What the bot needs in a channel, and no more (the invite URL asks for exactly these).
PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    embed_links=True,
    attach_files=True,  # the daily quote's card
    read_message_history=True,
)


class OnRecordClient(discord.AutoShardedClient):
    """`answerer` None: a client that only registers commands (`onrecord discord sync`)."""

    def __init__(self, answerer: DiscordAnswerer | None, **options: Any) -> None:
        # The bot has no voice: no warnings about voice libraries it does not need.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        super().__init__(
            intents=discord.Intents.default(),
            allowed_mentions=NO_MENTIONS,
            max_ratelimit_timeout=MAX_RATELIMIT_WAIT,
            **options,
        )
        self.answerer = answerer
        self.tree = command_tree(self)

    async def setup_hook(self) -> None:
        self.add_dynamic_items(MoreButton, VoteButton, ContextButton)

    async def on_message(self, message: discord.Message) -> None:
        if self.answerer is None or self.user is None or message.author.bot:
            return
        direct = isinstance(message.channel, discord.DMChannel)
        if direct or self.user in message.mentions:
            await self.answerer.mention(message)


def _answerer(interaction: discord.Interaction[Any]) -> DiscordAnswerer:
    answerer = getattr(interaction.client, "answerer", None)
    if not isinstance(answerer, DiscordAnswerer):
        raise RuntimeError("this client does not answer (it only syncs commands)")
    return answerer


def command_tree(client: discord.Client) -> app_commands.CommandTree[Any]:
    tree: app_commands.CommandTree[Any] = app_commands.CommandTree(client)

    @tree.command(name="ask", description="Ask the transcripts a question; answered with quotes")
    @app_commands.describe(
        question="What do you want to know?",
        episode="Only this episode (optional)",
        speaker="Only this speaker's words (optional)",
    )
    async def ask(
        interaction: discord.Interaction[Any],
        question: str,
        episode: str | None = None,
        speaker: str | None = None,
    ) -> None:
        await _answerer(interaction).ask(interaction, question, episode, speaker)

    @ask.autocomplete("episode")
    async def episodes(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
        return _answerer(interaction).episodes(current)

    @ask.autocomplete("speaker")
    async def speakers(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
        return _answerer(interaction).speakers(current)

    @tree.command(name="quote", description="A quote from the transcripts: on a topic, or a random one")
    @app_commands.describe(topic="What the quote should be about (optional)")
    async def quote(interaction: discord.Interaction[Any], topic: str | None = None) -> None:
        await _answerer(interaction).quote(interaction, topic)

    return tree
