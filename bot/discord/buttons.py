"""The answer's buttons. Their state lives in their custom ids (and the answer's pages in Redis), so a
button works after a restart: discord.py rebuilds it from the id (`DynamicItem`)."""

from __future__ import annotations

import re
from typing import Any, Protocol

import discord
from discord.ui import Button, DynamicItem, View

from onrecord.bot.answer import Answer

__all__ = ["ButtonHandler", "ContextButton", "MoreButton", "VoteButton", "answer_view", "daily_view"]

_ANSWER = r"(?P<answer>[0-9a-f]{1,40})"


class ButtonHandler(Protocol):
    """What a click is handed to (the client's answerer)."""

    async def more(
        self, interaction: discord.Interaction[Any], answer_id: str, page: int, k: int
    ) -> None: ...

    async def vote(self, interaction: discord.Interaction[Any], answer_id: str, vote: str) -> None: ...

    async def context(self, interaction: discord.Interaction[Any], context: str) -> None: ...


def _handler(interaction: discord.Interaction[Any]) -> ButtonHandler:
    handler: ButtonHandler = getattr(interaction.client, "answerer")  # noqa: B009 (the client is ours)
    return handler


class MoreButton(
    DynamicItem[Button[View]], template=rf"onrecord:more:{_ANSWER}:(?P<page>\d{{1,3}}):(?P<k>\d{{1,2}})"
):
    """The next page of an answer, posted where the button is."""

    def __init__(self, answer_id: str, page: int, k: int) -> None:
        super().__init__(
            Button(
                label="More results",
                style=discord.ButtonStyle.secondary,
                custom_id=f"onrecord:more:{answer_id}:{page}:{k}",
            )
        )
        self.answer_id, self.page, self.k = answer_id, page, k

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> MoreButton:
        return cls(match["answer"], int(match["page"]), int(match["k"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _handler(interaction).more(interaction, self.answer_id, self.page, self.k)


class VoteButton(DynamicItem[Button[View]], template=rf"onrecord:vote:(?P<vote>up|down):{_ANSWER}"):
    """👍 / 👎 on an answer, acknowledged only to the voter."""

    def __init__(self, vote: str, answer_id: str) -> None:
        super().__init__(
            Button(
                emoji="👍" if vote == "up" else "👎",
                style=discord.ButtonStyle.secondary,
                custom_id=f"onrecord:vote:{vote}:{answer_id}",
            )
        )
        self.vote, self.answer_id = vote, answer_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> VoteButton:
        return cls(match["vote"], match["answer"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _handler(interaction).vote(interaction, self.answer_id, self.vote)


class ContextButton(
    DynamicItem[Button[View]], template=r"onrecord:context:(?P<context>[0-9a-f]{1,40}:\d{1,12})"
):
    """ "More from this conversation" under a daily quote: the passage around it, in a thread."""

    def __init__(self, context: str) -> None:
        super().__init__(
            Button(
                label="More from this conversation",
                style=discord.ButtonStyle.secondary,
                custom_id=f"onrecord:context:{context}",
            )
        )
        self.context = context

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ContextButton:
        return cls(match["context"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _handler(interaction).context(interaction, self.context)


def daily_view(context: str) -> View:
    view = View(timeout=None)
    view.add_item(ContextButton(context))
    return view


def answer_view(answer: Answer) -> View | None:
    """More results (when there are more) and the votes; None for an answer without results."""
    if answer.status != "ok" or not answer.results or not answer.id:
        return None
    view = View(timeout=None)
    if answer.has_more:
        view.add_item(MoreButton(answer.id, answer.page + 1, answer.page_size))
    view.add_item(VoteButton("up", answer.id))
    view.add_item(VoteButton("down", answer.id))
    return view
