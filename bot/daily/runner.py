"""The daily quote inside `onrecord serve`: a background task for the platform's configured channels."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Collection, Mapping

from bot.app import Runtime
from bot.daily.channels import Platform
from bot.daily.scheduler import DailyPoster, DailyScheduler

__all__ = ["daily_quotes", "scheduler"]


def scheduler(
    runtime: Runtime, posters: Mapping[Platform, DailyPoster], platforms: Collection[Platform] = ()
) -> DailyScheduler:
    """The scheduler of every configured channel on the platforms that have a poster (or, to preview,
    on `platforms`)."""
    settings = runtime.settings
    return DailyScheduler(
        channels=[c for c in settings.daily_channels if c.platform in posters or c.platform in platforms],
        service=runtime.service,
        ledger=runtime.state.daily,
        posters=posters,
        grace=dt.timedelta(seconds=settings.daily_grace),
    )


@contextlib.asynccontextmanager
async def daily_quotes(runtime: Runtime, platform: Platform, poster: DailyPoster) -> AsyncIterator[None]:
    """Post the platform's daily quotes in the background while the block runs (if any are configured)."""
    daily = scheduler(runtime, {platform: poster})
    if not daily.channels:
        yield
        return
    task = asyncio.create_task(daily.run(), name=f"onrecord-daily-{platform}")
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
