"""The daily quote scheduler: at each channel's local time, one post per channel per day, whatever the
number of processes; a process that starts late catches up within the grace period; failures (Redis, the
chat API) are retried with backoff until the grace period ends, then logged as given up.

Selection is deterministic: each channel walks the eligible quotes in its own fixed order (a hash of the
channel and the quote), skipping those already posted there, so every replica would pick the same one,
and no quote repeats in a channel before all have been posted there.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from bot.answer import Result
from bot.daily.channels import DailyChannel, Platform
from bot.service import AnswerService
from bot.state import DailyLedger
from bot.state.daily import POSTING_TTL
from index.quotability import QuoteCandidate

__all__ = [
    "DAILY_MIN_SCORE",
    "Clock",
    "DailyPoster",
    "DailyScheduler",
    "Outcome",
    "SystemClock",
    "UnconfirmedPostError",
]

log = logging.getLogger(__name__)

DAILY_MIN_SCORE = 0.7  # of index.quotability's score: the daily quote takes only the clearly quotable
FIRST_RETRY = dt.timedelta(seconds=15)
LAST_RETRY = dt.timedelta(minutes=10)  # backoff doubles up to this
RECORD_TRIES = 4  # recording a post that was made: about 1.4 s of retries before leaving it for later
IDLE = dt.timedelta(minutes=1)  # the longest sleep: a changed clock (or a suspended host) is noticed soon

KEEP_EVERY = POSTING_TTL / 4  # the day's claim is renewed this often while its post is under way

Outcome = Literal["posted", "already posted", "busy", "unconfirmed"]
DayKey = tuple[Platform, str, dt.date]


class Clock(Protocol):
    def now(self) -> dt.datetime: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class DailyPoster(Protocol):
    """Posts a daily quote to a channel of its platform; `context` names the passage for the button.
    Raises `UnconfirmedPostError` when the platform did not answer in time (it may have posted)."""

    async def post(self, channel: str, quote: Result, context: str) -> None: ...


class UnconfirmedPostError(Exception):
    """The post was sent but not answered in time: the platform may have made it. It is not posted
    again (a missed quote is better than two), and the day is recorded as posted."""


class NothingToPostError(Exception):
    """The index holds no quote good enough for the daily post."""


@dataclass
class _Attempts:
    count: int = 0
    next_at: dt.datetime | None = None


@dataclass
class DailyScheduler:
    channels: Sequence[DailyChannel]
    service: AnswerService
    ledger: DailyLedger
    posters: Mapping[Platform, DailyPoster]
    grace: dt.timedelta
    clock: Clock = field(default_factory=SystemClock)
    _done: set[DayKey] = field(default_factory=set)
    _attempts: dict[DayKey, _Attempts] = field(default_factory=dict)
    _unrecorded: dict[DayKey, str] = field(default_factory=dict)  # posted, not yet in the ledger

    async def run(self) -> None:
        """Post when due, forever (until cancelled)."""
        log.info("daily quote scheduled: %s", "; ".join(map(str, self.channels)))
        while True:
            await self.run_once()
            await self.clock.sleep(self._until_next().total_seconds())

    async def run_once(self) -> None:
        """Post every daily quote that is due now and not yet posted (by any process)."""
        now = self.clock.now()
        await self._record_late()
        self._give_up_late(now)
        for channel in self.channels:
            day = channel.due(now, self.grace)
            if day is None or (key := (channel.platform, channel.channel, day)) in self._done:
                continue
            attempts = self._attempts.setdefault(key, _Attempts())
            if attempts.next_at is not None and now < attempts.next_at:
                continue
            try:
                outcome = await self.post(channel, day)
            except Exception as err:
                attempts.count += 1
                delay = min(FIRST_RETRY * 2 ** (attempts.count - 1), LAST_RETRY)
                attempts.next_at = now + delay
                log.warning("daily quote for %s on %s failed (%s); retrying in %s", channel, day, err, delay)
                continue
            if outcome == "busy":  # another process is posting it; look again soon in case it fails
                attempts.next_at = now + FIRST_RETRY
                continue
            self._done.add(key)
            self._attempts.pop(key, None)

    async def post(self, channel: DailyChannel, day: dt.date) -> Outcome:
        """Post `day`'s quote in `channel` unless some process has (or is doing it)."""
        claim = await self.ledger.claim(channel.platform, channel.channel, day)
        if claim != "mine":
            return "already posted" if claim == "posted" else "busy"
        try:
            version, candidate = await self._next_quote(channel)
            quote, context = await self.service.excerpt(
                version, candidate.passage_id, candidate.start, candidate.end
            )
            async with self._kept(channel, day):
                await self.posters[channel.platform].post(channel.channel, quote, context)
        except UnconfirmedPostError as err:
            log.warning("the daily quote in %s for %s may not have been posted (%s)", channel, day, err)
            await self._record(channel, day, candidate.key)
            return "unconfirmed"
        except BaseException:
            try:
                await self.ledger.release(channel.platform, channel.channel, day)
            except Exception:
                log.warning("could not give back the daily claim of %s on %s", channel, day)
            raise
        log.info("posted the daily quote in %s for %s: %s", channel, day, candidate.key)
        await self._record(channel, day, candidate.key)
        return "posted"

    @contextlib.asynccontextmanager
    async def _kept(self, channel: DailyChannel, day: dt.date) -> AsyncIterator[None]:
        """Renew the day's claim while the block posts (rate-limit waits and retries can outlast it)."""

        async def keep() -> None:
            while True:
                await asyncio.sleep(KEEP_EVERY)
                try:
                    kept = await self.ledger.keep(channel.platform, channel.channel, day)
                except Exception as err:
                    log.warning("could not renew the daily claim of %s on %s (%s)", channel, day, err)
                    continue
                if not kept:
                    log.warning("the daily claim of %s on %s was lost while posting", channel, day)
                    return

        task = asyncio.create_task(keep(), name=f"onrecord-daily-keep-{channel.channel}")
        try:
            yield
        finally:
            task.cancel()

    async def _record(self, channel: DailyChannel, day: dt.date, quote: str) -> None:
        """Note the post in the ledger. It is made whatever happens here: never post it again from this
        process, and keep trying to record it (a few times now, then at each look at the clock)."""
        self._done.add((channel.platform, channel.channel, day))
        for attempt in range(RECORD_TRIES):
            try:
                await self.ledger.posted(channel.platform, channel.channel, day, quote)
            except Exception as err:
                if attempt == RECORD_TRIES - 1:
                    self._unrecorded[(channel.platform, channel.channel, day)] = quote
                    log.warning("posted the daily quote in %s but could not record it yet (%s)", channel, err)
                    return
                await asyncio.sleep(0.2 * 2**attempt)
            else:
                return

    async def _record_late(self) -> None:
        for (platform, channel_id, day), quote in list(self._unrecorded.items()):
            try:
                await self.ledger.posted(platform, channel_id, day, quote)
            except Exception:
                continue
            del self._unrecorded[(platform, channel_id, day)]

    async def preview(self, channel: DailyChannel, days: int) -> tuple[str, list[QuoteCandidate]]:
        """The quotes the next `days` posts in `channel` would be, from what it has seen so far, and the
        version of the index they are from."""
        seen = await self.ledger.seen(channel.platform, channel.channel)
        version, order = await self._order(channel)
        upcoming = [c for c in order if c.key not in seen]
        while order and len(upcoming) < days:  # a new cycle begins
            upcoming += order
        return version, upcoming[:days]

    async def _next_quote(self, channel: DailyChannel) -> tuple[str, QuoteCandidate]:
        """The next quote of `channel`, and the version of the index it is from."""
        version, order = await self._order(channel)
        if not order:
            raise NothingToPostError("the transcripts hold no quote good enough for the daily post")
        seen = await self.ledger.seen(channel.platform, channel.channel)
        unseen = next((c for c in order if c.key not in seen), None)
        if unseen is None:
            log.info("every eligible quote has been posted in %s: starting over", channel)
            await self.ledger.start_over(channel.platform, channel.channel)
            unseen = order[0]
        return version, unseen

    async def _order(self, channel: DailyChannel) -> tuple[str, list[QuoteCandidate]]:
        version, candidates = await self.service.quotable()
        eligible = [c for c in candidates if c.score >= DAILY_MIN_SCORE]
        salt = f"{channel.platform}:{channel.channel}:"
        return version, sorted(eligible, key=lambda c: hashlib.sha256((salt + c.key).encode()).digest())

    def _until_next(self) -> dt.timedelta:
        now = self.clock.now()
        moments = [c.next_after(now) for c in self.channels]
        moments += [a.next_at for a in self._attempts.values() if a.next_at is not None]
        soonest = min(moments, default=now + IDLE)
        return max(dt.timedelta(0), min(soonest - now, IDLE))

    def _give_up_late(self, now: dt.datetime) -> None:
        """Forget the attempts whose grace period has ended, saying so."""
        by_key = {(c.platform, c.channel): c for c in self.channels}
        for key, attempts in list(self._attempts.items()):
            platform, channel_id, day = key
            channel = by_key[(platform, channel_id)]
            if now >= channel.scheduled(day) + self.grace:
                log.error(
                    "gave up the daily quote for %s on %s after %d failed attempts (grace period over)",
                    channel,
                    day,
                    attempts.count,
                )
                del self._attempts[key]
