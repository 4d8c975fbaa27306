"""The daily quote's parts from a runtime's settings: its posting and its schedule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping

from bot.app import Runtime
from bot.daily.channels import DailyChannel, Platform
from bot.daily.posting import DailyPoster, DailyPosting
from bot.daily.scheduler import DailySchedule

__all__ = ["channels", "daily_schedule", "posting"]


def posting(runtime: Runtime, posters: Mapping[Platform, DailyPoster]) -> DailyPosting:
    return DailyPosting(runtime.service, runtime.state.daily, posters)


def channels(runtime: Runtime, platforms: Collection[Platform]) -> list[DailyChannel]:
    """The configured channels on `platforms`."""
    return [c for c in runtime.settings.daily_channels if c.platform in platforms]


def daily_schedule(runtime: Runtime, platform: Platform, poster: DailyPoster) -> DailySchedule:
    """The schedule of the platform's configured channels (none: nothing is scheduled)."""
    return DailySchedule(
        posting(runtime, {platform: poster}),
        channels(runtime, {platform}),
        grace=dt.timedelta(seconds=runtime.settings.daily_grace),
    )
