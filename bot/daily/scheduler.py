"""When the daily quote is posted: a cron job per channel at its local time on APScheduler (`CronTrigger`
keeps to the time zone across daylight-saving changes; a time a change skips comes right after the gap), a
catch-up within the grace period for a process that starts late, and retries with backoff until the grace
period ends (a post made but not recorded in the ledger: until it is recorded). Whether a day was posted,
by this process or another, is the ledger's (`DailyPosting`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger

from onrecord.bot.daily.channels import DailyChannel
from onrecord.bot.daily.posting import KEEP_EVERY, DailyPosting, UnrecordedPostError

__all__ = ["Clock", "DailySchedule", "SystemClock", "due", "trigger"]

log = logging.getLogger(__name__)

FIRST_RETRY = dt.timedelta(seconds=15)
LAST_RETRY = dt.timedelta(minutes=10)  # backoff doubles up to this
RECORD_RETRY = dt.timedelta(seconds=KEEP_EVERY)  # a post made but not recorded: within its claim's life


class Clock(Protocol):
    def now(self) -> dt.datetime: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


def trigger(channel: DailyChannel) -> CronTrigger:
    """Every day at the channel's local time."""
    return CronTrigger(hour=channel.at.hour, minute=channel.at.minute, timezone=channel.zone)


def due(channel: DailyChannel, now: dt.datetime, grace: dt.timedelta) -> dt.datetime | None:
    """The scheduled time of the channel's post due at `now`: passed, its grace period not over. In UTC:
    Python compares two times of one zone by their wall clocks, which a daylight-saving change misleads."""
    now = now.astimezone(dt.UTC)
    start: dt.datetime | None = trigger(channel).get_next_fire_time(None, now - grace)
    if start is None or not now - grace < start <= now:
        return None
    return start.astimezone(dt.UTC)


@dataclass
class DailySchedule:
    posting: DailyPosting
    channels: Sequence[DailyChannel]
    grace: dt.timedelta
    clock: Clock = field(default_factory=SystemClock)

    def add_to(self, scheduler: BaseScheduler) -> None:
        """A job per channel; one whose time passed within the grace period runs at once (a process
        started late catches up; the ledger stops a second post)."""
        if self.channels:
            log.info("daily quote scheduled: %s", "; ".join(map(str, self.channels)))
        now = self.clock.now()
        for channel in self.channels:
            missed = due(channel, now, self.grace)
            scheduler.add_job(
                self.post_due,
                trigger(channel),
                args=(channel,),
                id=f"daily:{channel.platform}:{channel.channel}",
                name=f"daily quote {channel}",
                misfire_grace_time=int(self.grace.total_seconds()),
                coalesce=True,  # a host suspended over several days posts once
                max_instances=2,  # the next day's post while a day's post is still being recorded
                **({"next_run_time": missed} if missed is not None else {}),
            )

    async def post_due(self, channel: DailyChannel) -> None:
        """The job: post the quote due now in `channel`, retrying failures (and another process's
        unfinished post) until the grace period ends; a post made is retried to the ledger until it is
        recorded, however long that takes."""
        scheduled = due(channel, self.clock.now(), self.grace)
        if scheduled is None:
            return
        day, deadline = scheduled.astimezone(channel.zone).date(), scheduled + self.grace
        failures = 0
        while True:
            try:
                outcome = await self.posting.post(channel, day)
            except UnrecordedPostError as err:
                # Posted: until the ledger has it, past the grace period too (or the day is posted again).
                log.warning(
                    "the daily quote for %s on %s is posted but not recorded (%s); retrying in %s",
                    channel,
                    day,
                    err,
                    RECORD_RETRY,
                )
                await self.clock.sleep(RECORD_RETRY.total_seconds())
                continue
            except Exception as err:
                failures += 1
                delay = min(FIRST_RETRY * 2 ** (failures - 1), LAST_RETRY)
                log.warning("daily quote for %s on %s failed (%s); retrying in %s", channel, day, err, delay)
            else:
                if outcome != "busy":
                    return
                delay = FIRST_RETRY  # another process is posting it; look again soon in case it fails
            if self.clock.now() + delay >= deadline:
                log.error(
                    "gave up the daily quote for %s on %s after %d failed attempts (grace period over)",
                    channel,
                    day,
                    failures,
                )
                return
            await self.clock.sleep(delay.total_seconds())
