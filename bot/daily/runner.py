"""The daily quote inside `onrecord serve`: a background task for the platform's configured channels;
`Daily` is what it needs, built by the composition root (`bot.app`)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from dataclasses import dataclass

from bot.daily.channels import DailyChannel, Platform
from bot.daily.scheduler import DailyPoster, DailyScheduler
from bot.service import AnswerService
from bot.state import DailyLedger

__all__ = ["Daily", "daily_quotes", "scheduler"]


@dataclass(frozen=True, slots=True)
class Daily:
    channels: Sequence[DailyChannel]  # every configured channel, on both platforms
    grace: dt.timedelta
    service: AnswerService
    ledger: DailyLedger


def scheduler(
    setup: Daily, posters: Mapping[Platform, DailyPoster], platforms: Collection[Platform] = ()
) -> DailyScheduler:
    """The scheduler of every configured channel on the platforms that have a poster (or, to preview,
    on `platforms`)."""
    return DailyScheduler(
        channels=[c for c in setup.channels if c.platform in posters or c.platform in platforms],
        service=setup.service,
        ledger=setup.ledger,
        posters=posters,
        grace=setup.grace,
    )


@contextlib.asynccontextmanager
async def daily_quotes(setup: Daily, platform: Platform, poster: DailyPoster) -> AsyncIterator[None]:
    """Post the platform's daily quotes in the background while the block runs (if any are configured)."""
    daily = scheduler(setup, {platform: poster})
    if not daily.channels:
        yield
        return
    task = asyncio.create_task(daily.run(), name=f"onrecord-daily-{platform}")
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
