"""What a chat adapter is given to serve, built by the composition root (`bot.app.serving`): the
settings, the answering service, the claims that pick one process per event, and the background jobs (the
daily quotes, through the adapter's poster, and the feed sync) to run while it serves. An adapter knows
nothing else of the runtime."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from onrecord.bot.daily.posting import DailyPoster
from onrecord.bot.service import AnswerService
from onrecord.bot.settings import Settings
from onrecord.bot.state import EventClaims

__all__ = ["BackgroundJobs", "Serving"]

BackgroundJobs = Callable[[DailyPoster], AbstractAsyncContextManager[None]]
"""Runs the configured jobs while the block runs: the platform's daily quotes, posted through the poster,
and the feed sync."""


@dataclass(frozen=True, slots=True)
class Serving:
    settings: Settings
    service: AnswerService
    claims: EventClaims
    background_jobs: BackgroundJobs
