"""`onrecord daily post` (for cron and operators: post the day's quotes now, once) and `daily preview`.
The composition root (`bot.app`) gives them what the daily quote needs and each platform's poster."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from zoneinfo import ZoneInfo

from onrecord.bot.answer import Result
from onrecord.bot.daily.card import quote_card
from onrecord.bot.daily.channels import DailyChannel, Platform
from onrecord.bot.daily.posting import DailyPoster, DailyPosting, Outcome, UnrecordedPostError
from onrecord.bot.daily.runner import Daily, posting
from onrecord.bot.startup import StartupError
from onrecord.bot.state.daily import POSTING_TTL, LedgerUnavailableError
from onrecord.bot.wording import format_span

__all__ = ["post_today", "preview"]

_ANY_CHANNEL = "C0PREVIEW"  # stands for a channel not configured yet: its own order of quotes


async def post_today(
    setup: Daily, posters: Mapping[Platform, DailyPoster], day: dt.date | None, dry_run: bool
) -> None:
    """Each channel's quote for `day` (default: today where the channel is); a dry run has no posters."""
    daily = posting(setup, posters)
    failed = 0
    for channel in setup.channels:
        when = day or dt.datetime.now(channel.zone).date()
        try:
            line = await _post_one(daily, channel, when, dry_run)
        except UnrecordedPostError as err:
            failed += 1
            line = f"{channel} {when}: posted, but Redis did not record it ({err})"
        except Exception as err:
            failed += 1
            line = f"{channel} {when}: not posted ({err})"
        print(line, flush=True)
    if failed:
        raise StartupError(f"the daily quote was not posted in {failed} channel(s)")


async def _post_one(daily: DailyPosting, channel: DailyChannel, day: dt.date, dry_run: bool) -> str:
    if dry_run:
        status = await daily.ledger.status(channel.platform, channel.channel, day)
        if status is not None:
            return f"{channel} {day}: " + ("already posted" if status == "posted" else "being posted now")
        _, upcoming = await daily.preview(channel, 1)
        if not upcoming:
            return f"{channel} {day}: nothing to post (no quote in the transcripts is good enough)"
        return f"{channel} {day}: would post “{upcoming[0].text}”"
    outcome: Outcome = await daily.post(channel, day)
    deadline = asyncio.get_running_loop().time() + POSTING_TTL
    while outcome == "busy" and asyncio.get_running_loop().time() < deadline:  # another run is posting it
        await asyncio.sleep(0.2)
        outcome = await daily.post(channel, day)
    return f"{channel} {day}: {outcome}"


async def preview(setup: Daily, days: int, at: dt.time, zone: ZoneInfo, card: Path | None = None) -> None:
    """The next `days` quotes of each channel as they would be posted, from what it has seen so far; with
    no channel configured, those of a new channel posting at `at` in `zone`. With `card`, the first
    quote's card is written there (PNG)."""
    daily = posting(setup, {})
    channels = list(setup.channels)
    if not channels:
        print("No channel is configured yet (ONRECORD_DAILY_SLACK, ONRECORD_DAILY_DISCORD); a new one gets:")
        channels = [DailyChannel("slack", _ANY_CHANNEL, at, zone)]
    for channel in channels:
        first = dt.datetime.now(channel.zone).date()
        try:
            version, upcoming = await daily.preview(channel, days)
        except LedgerUnavailableError as err:
            raise StartupError(f"{channel}: cannot read the quotes it has had ({err})") from None
        for offset, candidate in enumerate(upcoming):
            quote = await setup.service.excerpt(version, candidate.passage_id, candidate.start, candidate.end)
            print(f"{channel} {first + dt.timedelta(days=offset)}:\n  “{quote.quote}”\n  — {_source(quote)}")
            if card is not None:
                await _write_card(quote, card)
                print(f"  (its card: {card})")
                card = None  # the first quote's card only


async def _write_card(quote: Result, path: Path) -> None:
    drawn = await asyncio.to_thread(quote_card, quote)
    try:
        await asyncio.to_thread(path.write_bytes, drawn.png)
    except OSError as err:
        raise StartupError(f"cannot write the card to {path} ({err.strerror or err})") from None


def _source(quote: Result) -> str:
    """Where a quote comes from, as the post says it: show and title, moment, speaker."""
    parts = [quote.title if not quote.show else f"{quote.show}: {quote.title}"]
    if (when := format_span(quote.start, quote.end)) is not None:
        parts.append(f"at {when}")
    if quote.speaker:
        parts.append(quote.speaker)
    return " · ".join(parts)
