"""The background jobs of `onrecord serve`, on one APScheduler: the daily quote (`bot.daily`) and the
feed sync (`bot.feeds.schedule`), as the composition root (`bot.app`) schedules them."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any, Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import BaseScheduler

__all__ = ["Schedule", "background_jobs"]

# APScheduler logs every job's start and end at INFO; the jobs log what they do themselves.
logging.getLogger("apscheduler").setLevel(logging.WARNING)


class Schedule(Protocol):
    """Jobs to run on a schedule (`DailySchedule`, `FeedSchedule`)."""

    def add_to(self, scheduler: BaseScheduler) -> None: ...


@contextlib.asynccontextmanager
async def background_jobs(schedules: Iterable[Schedule]) -> AsyncIterator[None]:
    """Run the schedules' jobs (if they have any) while the block runs; on exit, stop them and wait for
    the ones running."""
    scheduler = _TrackedScheduler(timezone=dt.UTC)
    for schedule in schedules:
        schedule.add_to(scheduler)
    if not scheduler.get_jobs():
        yield
        return
    scheduler.start()
    try:
        yield
    finally:
        scheduler.shutdown(wait=False)
        await scheduler.stopped()


class _TrackedScheduler(AsyncIOScheduler):  # type: ignore[misc]
    """An AsyncIOScheduler whose running jobs are cancelled, and waited for, when it stops."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._running: set[asyncio.Task[None]] = set()

    def add_job(self, func: Callable[..., Awaitable[None]], *args: Any, **kwargs: Any) -> Any:
        async def tracked(*job_args: Any) -> None:
            task = asyncio.current_task()
            assert task is not None
            self._running.add(task)
            try:
                await func(*job_args)
            except asyncio.CancelledError:  # by `stopped`: the job ends here, not as an error to log
                return
            finally:
                self._running.discard(task)

        return super().add_job(tracked, *args, **kwargs)

    async def stopped(self) -> None:
        for task in self._running:
            task.cancel()
        await asyncio.gather(*self._running, return_exceptions=True)
