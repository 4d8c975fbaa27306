"""`onrecord daily post` (for cron and operators: post the day's quotes now, once) and `daily preview`."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from bot.answer import Result
from bot.app import Runtime, StartupError
from bot.daily.card import card_channels, quote_card
from bot.daily.channels import DailyChannel, Platform, parse_time, parse_zone
from bot.daily.runner import scheduler
from bot.daily.scheduler import DailyPoster, DailyScheduler, Outcome
from bot.settings import Settings, SettingsError
from bot.state.daily import POSTING_TTL
from bot.wording import format_span

__all__ = ["post_today", "preview", "require_channels", "require_daily"]

_ANY_CHANNEL = "C0PREVIEW"  # stands for a channel not configured yet: its own order of quotes


def require_channels(settings: Settings) -> None:
    """Some channel is configured."""
    if not settings.daily_channels:
        raise SettingsError("ONRECORD_DAILY_SLACK and ONRECORD_DAILY_DISCORD name no channel")


def require_daily(settings: Settings) -> None:
    """Some channel is configured, Redis (which remembers what was posted between runs), and the token
    of each platform used."""
    require_channels(settings)
    if settings.redis_url is None:
        raise SettingsError("REDIS_URL is required to post the daily quote from the command line")
    platforms = {c.platform for c in settings.daily_channels}
    if "slack" in platforms and settings.slack_bot_token is None:
        raise SettingsError("SLACK_BOT_TOKEN is required to post the daily quote to Slack (xoxb-…)")
    if "discord" in platforms and settings.discord_token is None:
        raise SettingsError("DISCORD_TOKEN is required to post the daily quote to Discord")


def post_today(day: dt.date | None, dry_run: bool) -> Callable[[Runtime], Awaitable[None]]:
    """The command's work: each channel's quote for `day` (default: today where the channel is)."""

    async def run(runtime: Runtime) -> None:
        platforms = {c.platform for c in runtime.settings.daily_channels}
        async with _posters(runtime.settings, platforms if not dry_run else set()) as posters:
            daily = scheduler(runtime, posters, platforms)
            failed = 0
            for channel in daily.channels:
                when = day or daily.clock.now().astimezone(channel.zone).date()
                try:
                    line = await _post_one(daily, channel, when, dry_run)
                except Exception as err:
                    failed += 1
                    line = f"{channel} {when}: not posted ({err})"
                print(line, flush=True)
            if failed:
                raise StartupError(f"the daily quote was not posted in {failed} channel(s)")

    return run


async def _post_one(daily: DailyScheduler, channel: DailyChannel, day: dt.date, dry_run: bool) -> str:
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


def preview(days: int, card: Path | None = None) -> Callable[[Runtime], Awaitable[None]]:
    """The command's work: the next `days` quotes of each channel as they would be posted, from what it
    has seen so far; with no channel configured, those of a new channel. With `card`, the first quote's
    card is written there (PNG)."""

    async def run(runtime: Runtime) -> None:
        settings = runtime.settings
        card_to = card  # the first quote's card only
        daily = scheduler(runtime, {}, {c.platform for c in settings.daily_channels})
        channels = daily.channels
        if not channels:
            print(
                "No channel is configured yet (ONRECORD_DAILY_SLACK, ONRECORD_DAILY_DISCORD); a new one gets:"
            )
            at, zone = parse_time(settings.daily_time), parse_zone(settings.daily_timezone)
            channels = [DailyChannel("slack", _ANY_CHANNEL, at, zone)]
        for channel in channels:
            first = daily.clock.now().astimezone(channel.zone).date()
            version, upcoming = await daily.preview(channel, days)
            for offset, candidate in enumerate(upcoming):
                quote, _ = await runtime.service.excerpt(
                    version, candidate.passage_id, candidate.start, candidate.end
                )
                print(
                    f"{channel} {first + dt.timedelta(days=offset)}:\n  “{quote.quote}”\n  — {_source(quote)}"
                )
                if card_to is not None:
                    await _write_card(quote, card_to)
                    print(f"  (its card: {card_to})")
                    card_to = None

    return run


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


@contextlib.asynccontextmanager
async def _posters(
    settings: Settings, platforms: set[Platform]
) -> AsyncIterator[dict[Platform, DailyPoster]]:
    """A poster per platform, over REST only (no websocket is opened to post)."""
    posters: dict[Platform, DailyPoster] = {}
    async with contextlib.AsyncExitStack() as stack:
        if "slack" in platforms:
            from bot.slack.daily import SlackDailyPoster
            from bot.slack.web import api_session, web_client

            session = await stack.enter_async_context(api_session())
            posters["slack"] = SlackDailyPoster(
                web_client(settings, session), card_channels(settings.daily_channels, "slack")
            )
        if "discord" in platforms:
            from bot.discord.client import OnRecordClient
            from bot.discord.daily import DiscordDailyPoster
            from bot.discord.server import login, point_at

            point_at(settings)
            client = await stack.enter_async_context(OnRecordClient(None))
            await login(client, settings)
            posters["discord"] = DiscordDailyPoster(client, card_channels(settings.daily_channels, "discord"))
        yield posters
