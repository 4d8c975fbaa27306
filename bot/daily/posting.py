"""Posting the daily quote: one post per channel per day, whatever the number of processes (through the
ledger, `bot.state.daily`), and which quote it is.

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
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Literal, Protocol

from onrecord.bot.answer import Result
from onrecord.bot.daily.channels import DailyChannel, Platform
from onrecord.bot.service import AnswerService
from onrecord.bot.state import DailyLedger
from onrecord.bot.state.daily import POSTING_TTL
from onrecord.bot.work import UnconfirmedPostError
from onrecord.index.quotability import QuoteCandidate

__all__ = [
    "DAILY_MIN_SCORE",
    "DailyPoster",
    "DailyPosting",
    "FollowUp",
    "NothingToPostError",
    "Outcome",
    "UnrecordedPostError",
]

log = logging.getLogger(__name__)

DAILY_MIN_SCORE = 0.7  # of index.quotability's score: the daily quote takes only the clearly quotable
RECORD_TRIES = 4  # recording a post that was made: about 1.4 s of retries before leaving it for later
KEEP_EVERY = POSTING_TTL / 4  # the day's claim is renewed this often while its post is under way

Outcome = Literal["posted", "already posted", "busy", "unconfirmed"]
DayKey = tuple[Platform, str, dt.date]
FollowUp = Callable[[], Awaitable[None]]
"""What is left to do once the post is made and recorded (Slack's card, in the post's thread)."""


class DailyPoster(Protocol):
    """Posts `day`'s quote to a channel of its platform (`quote.context` names the passage for the
    button). Returns as soon as the platform has the post, with its follow-up if it has one. Raises
    `UnconfirmedPostError` when the platform may have made the post without saying so."""

    async def post(self, channel: str, quote: Result, day: dt.date) -> FollowUp | None: ...


class NothingToPostError(Exception):
    """The index holds no quote good enough for the daily post."""


class UnrecordedPostError(Exception):
    """The post was made but the ledger could not record it yet: posting the day again records it (and
    renews the day's claim), which is retried until it is recorded."""


class DailyPosting:
    """Posts a channel's quote of a day unless some process has; remembers the days this process posted,
    so it never posts one twice, even while the ledger cannot be written."""

    def __init__(
        self, service: AnswerService, ledger: DailyLedger, posters: Mapping[Platform, DailyPoster]
    ) -> None:
        self.service = service
        self.ledger = ledger
        self.posters = posters
        self._posted: dict[DayKey, str | None] = {}  # by this process: the quote, until recorded

    async def post(self, channel: DailyChannel, day: dt.date) -> Outcome:
        """Post `day`'s quote in `channel` unless some process has (or is doing it). Raises when it
        failed: posting the day again retries it."""
        key = (channel.platform, channel.channel, day)
        if key in self._posted:
            await self._record(channel, day)
            return "already posted"
        claim = await self.ledger.claim(channel.platform, channel.channel, day)
        if claim != "mine":
            return "already posted" if claim == "posted" else "busy"
        try:
            version, candidate = await self._next_quote(channel)
            quote = await self.service.excerpt(version, candidate.passage_id, candidate.start, candidate.end)
            async with self._kept(channel, day):
                follow_up = await self.posters[channel.platform].post(channel.channel, quote, day)
        except UnconfirmedPostError as err:
            log.warning("the daily quote in %s for %s may not have been posted (%s)", channel, day, err)
            self._posted[key] = candidate.key
            await self._record(channel, day)
            return "unconfirmed"
        except BaseException:
            try:
                await self.ledger.release(channel.platform, channel.channel, day)
            except Exception:
                log.warning("could not give back the daily claim of %s on %s", channel, day)
            raise
        # The post is made: from here on, not even a shutdown gives the day back for another post.
        log.info("posted the daily quote in %s for %s: %s", channel, day, candidate.key)
        self._posted[key] = candidate.key
        try:
            await self._record(channel, day)
        except UnrecordedPostError:
            if follow_up is not None:  # the post is made: its card goes with it, recorded or not
                await follow_up()
            raise
        if follow_up is not None:
            await follow_up()
        return "posted"

    async def preview(self, channel: DailyChannel, days: int) -> tuple[str, list[QuoteCandidate]]:
        """The quotes the next `days` posts in `channel` would be, from what it has seen so far, and the
        version of the index they are from."""
        seen = await self.ledger.seen(channel.platform, channel.channel)
        version, order = await self._order(channel)
        upcoming = [c for c in order if c.key not in seen]
        while order and len(upcoming) < days:  # a new cycle begins
            upcoming += order
        return version, upcoming[:days]

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

    async def _record(self, channel: DailyChannel, day: dt.date) -> None:
        """Note this process's post of the day in the ledger (a few quick tries), unless it is noted.
        Raises `UnrecordedPostError` when Redis does not take it; the day's claim is renewed at each
        call meanwhile, so that no other process posts the day again while it is retried."""
        key = (channel.platform, channel.channel, day)
        quote = self._posted[key]
        if quote is None:
            return
        with contextlib.suppress(Exception):  # Redis may be down: the record below says so
            await self.ledger.keep(channel.platform, channel.channel, day)
        try:
            for attempt in range(RECORD_TRIES):
                try:
                    await self.ledger.posted(channel.platform, channel.channel, day, quote)
                except Exception as err:
                    if attempt == RECORD_TRIES - 1:
                        raise UnrecordedPostError(str(err) or type(err).__name__) from err
                    await asyncio.sleep(0.2 * 2**attempt)
                else:
                    self._posted[key] = None
                    return
        except asyncio.CancelledError:  # shutting down: one last try, or the post is made again elsewhere
            with contextlib.suppress(Exception):
                await self.ledger.posted(channel.platform, channel.channel, day, quote)
            raise

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
