"""`ONRECORD_FEEDS`: `onrecord feed sync` every ONRECORD_FEEDS_EVERY seconds inside `onrecord serve`.

Each round runs the command in a child process, ``onrecord feed sync URL… --into ONRECORD_FEEDS_INTO
--index ONRECORD_INDEX``: the downloads, the skipping of what was fetched before and the rebuild are the
command's own, and the memory an index build takes is given back when the child ends. A rebuilt index is
published atomically, and every running replica, this one included, switches to it between questions
(`bot.index_watch`).

Replicas sync one at a time, at most once a round: the rounds fall at the same instants in every process
(multiples of the interval since the epoch; the start-up round is a job of its own, so it does not shift
them), and the one that takes the round (its own key in Redis, `bot.state.lease`) syncs; the others skip
it. The syncing replica also holds a short lock, renewed while its sync runs and given back after, so a
sync longer than the interval is not overlapped: that round is skipped, the next one runs. A lock rather
than trusting the sync to be harmless twice: it would be (every file is written whole, then renamed), but
each replica would fetch the same episodes and build the same index at the same time.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import math
import sys
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger

from onrecord.bot.state.lease import Lease
from onrecord.bot.state.unreachable import RedisUnavailableError

__all__ = ["FeedSchedule"]

log = logging.getLogger(__name__)

RUNNING_TTL = 60.0  # seconds the lock of a running sync lasts unless renewed (a third of it, while it runs)
_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class FeedSchedule:
    urls: Sequence[str]
    into: Path
    index: Path
    every: int  # seconds
    lease: Lease
    clock: Callable[[], float] = field(default=time.time)  # seconds since the epoch

    def add_to(self, scheduler: BaseScheduler) -> None:
        """A round now (the lease decides whether it is this process's), then one at each multiple of
        the interval."""
        log.info(
            "feed sync every %d s: %d feeds into %s, indexed at %s",
            self.every,
            len(self.urls),
            self.into,
            self.index,
        )
        scheduler.add_job(self.run_round, id="feed-sync-start", name="feed sync at start-up")
        scheduler.add_job(
            self.run_round,
            IntervalTrigger(seconds=self.every, start_date=_EPOCH),
            id="feed-sync",
            name="feed sync",
            coalesce=True,
            misfire_grace_time=max(1, self.every // 2),
        )

    async def run_round(self) -> None:
        """The job: sync if no other replica does this round, and no sync is still running."""
        # the same in every process: rounds counted from the trigger's own start
        round_number = math.floor((self.clock() - _EPOCH.timestamp()) / self.every)
        try:
            if not await self.lease.take(self.every, turn=str(round_number)):
                log.info("feed sync: another replica has this round")
                return
            if not await self.lease.take(RUNNING_TTL):
                log.info("feed sync: the last round's sync still runs; skipping this round")
                return
        except RedisUnavailableError:
            log.warning("feed sync skipped this round: Redis is unreachable, so replicas cannot take turns")
            return
        try:
            async with self._kept():
                await self._sync()
        finally:
            with contextlib.suppress(RedisUnavailableError):
                await self.lease.release()

    @contextlib.asynccontextmanager
    async def _kept(self) -> AsyncIterator[None]:
        """Renew the running sync's lock while the block runs (a slow feed, a big rebuild)."""

        async def keep() -> None:
            while True:
                await asyncio.sleep(RUNNING_TTL / 3)
                with contextlib.suppress(RedisUnavailableError):
                    await self.lease.keep(RUNNING_TTL)

        task = asyncio.create_task(keep(), name="onrecord-feed-sync-lease")
        try:
            yield
        finally:
            task.cancel()

    async def _sync(self) -> None:
        command = ["feed", "sync", *self.urls, "--into", str(self.into), "--index", str(self.index)]
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-P", "-m", "onrecord.bot", *command,  # -P: never a folder named onrecord here
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        try:
            assert child.stdout is not None
            async for line in child.stdout:
                log.info("feed sync: %s", line.decode(errors="replace").rstrip())
            code = await child.wait()
        except BaseException:  # cancelled (the bot stops): the child's files are written whole or not
            child.kill()
            await child.wait()
            raise
        if code != 0:
            log.warning("feed sync: `onrecord feed sync` exited with %d (see the lines above)", code)
