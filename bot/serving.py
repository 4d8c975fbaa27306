"""What a chat adapter is given to serve, built by the composition root (`bot.app.serving`): the
settings, the answering service, the claims that pick one process per event, and the daily quotes to run
with the adapter's poster. An adapter knows nothing else of the runtime."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from bot.daily.scheduler import DailyPoster
from bot.service import AnswerService
from bot.settings import Settings
from bot.state import EventClaims

__all__ = ["DailyQuotes", "Serving"]

DailyQuotes = Callable[[DailyPoster], AbstractAsyncContextManager[None]]
"""Posts the platform's daily quotes (if any are configured) through the poster while the block runs."""


@dataclass(frozen=True, slots=True)
class Serving:
    settings: Settings
    service: AnswerService
    claims: EventClaims
    daily_quotes: DailyQuotes
