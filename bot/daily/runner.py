"""The daily quote inside `onrecord serve` and its commands: `Daily` is what it needs, built by the
composition root (`bot.app`); from it come its posting and the schedule of a platform's channels."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from onrecord.bot.daily.channels import DailyChannel, Platform
from onrecord.bot.daily.posting import DailyPoster, DailyPosting
from onrecord.bot.daily.scheduler import DailySchedule
from onrecord.bot.service import AnswerService
from onrecord.bot.state import DailyLedger

__all__ = ["Daily", "daily_schedule", "posting"]


@dataclass(frozen=True, slots=True)
class Daily:
    channels: Sequence[DailyChannel]  # every configured channel, on both platforms
    grace: dt.timedelta
    service: AnswerService
    ledger: DailyLedger


def posting(setup: Daily, posters: Mapping[Platform, DailyPoster]) -> DailyPosting:
    return DailyPosting(setup.service, setup.ledger, posters)


def daily_schedule(setup: Daily, platform: Platform, poster: DailyPoster) -> DailySchedule:
    """The schedule of the platform's configured channels (none: nothing is scheduled)."""
    return DailySchedule(
        posting(setup, {platform: poster}),
        [c for c in setup.channels if c.platform == platform],
        grace=setup.grace,
    )
