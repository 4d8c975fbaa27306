"""What start-up can fail with: one line naming the setting or resource at fault."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from onrecord.bot.errors import OnRecordError

__all__ = ["StartupError", "listening"]

T = TypeVar("T")


class StartupError(OnRecordError):
    """The bot cannot start; the message says why in one line."""


async def listening(start: Awaitable[T], variable: str, port: int) -> T:
    """Start a server; a port that cannot be bound is a start-up error naming its setting."""
    try:
        return await start
    except OSError as err:
        raise StartupError(f"{variable}: cannot listen on port {port} ({err.strerror or err})") from err
