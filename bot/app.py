"""The composition root: settings in, a running runtime (state, index, service, health) out, and each
part given what it needs of it (an adapter its `Serving` with its background jobs, the daily quote its
`Daily` and posters, the feed sync its `FeedSchedule`).

    async with build_runtime(settings) as runtime:
        await serve(serving(runtime, "slack"))  # until runtime.stopping is set (SIGTERM/SIGINT)

`run(main)` does the whole start-up for a command: settings, logs, runtime, one clear line on failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import logging
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

from onrecord import index
from onrecord.bot.daily.card import card_channels
from onrecord.bot.daily.channels import Platform
from onrecord.bot.daily.commands import post_today, preview
from onrecord.bot.daily.posting import DailyPoster
from onrecord.bot.daily.runner import Daily, daily_schedule
from onrecord.bot.feeds.schedule import FeedSchedule
from onrecord.bot.health import HealthServer
from onrecord.bot.index_watch import follow_index
from onrecord.bot.jobs import Schedule, background_jobs
from onrecord.bot.logs import configure_logging
from onrecord.bot.metrics import Metrics
from onrecord.bot.service import AnswerService
from onrecord.bot.serving import Serving
from onrecord.bot.settings import Settings, SettingsError, load_settings
from onrecord.bot.startup import StartupError, listening
from onrecord.bot.state import State, open_state
from onrecord.index.language import warm as warm_language_model

__all__ = [
    "Runtime",
    "build_runtime",
    "daily_post",
    "daily_preview",
    "load_index",
    "run",
    "self_check",
    "serving",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Runtime:
    """What a running bot owns, built and closed by `build_runtime`."""

    settings: Settings
    state: State
    service: AnswerService
    metrics: Metrics
    health: HealthServer | None  # None for a start-up check
    stopping: asyncio.Event  # set by SIGTERM / SIGINT: finish up and return

    @property
    def index(self) -> index.Index:
        """The index answering now (a saved one rebuilt in place is switched to, `bot.index_watch`)."""
        return self.service.index


def load_index(settings: Settings) -> index.Index:
    """An index of ONRECORD_CORPUS built now, else the saved one at ONRECORD_INDEX, else the bundled seeds.

    The corpus wins over the index because it is the more specific wish: the Docker image sets
    ONRECORD_INDEX to its built-in index, and a corpus mounted beside it must not be silently ignored."""
    try:
        if settings.corpus:
            if settings.index is not None:
                log.info("indexing ONRECORD_CORPUS at start-up instead of loading ONRECORD_INDEX")
            built = index.build(settings.corpus)
            if not built.passages:
                raise StartupError("ONRECORD_CORPUS holds no readable transcripts")
            return built
        if settings.index is not None:
            return index.load(settings.index)
        from onrecord.bot.corpus import default_index  # the seeds are read only when needed

        return default_index()
    except (index.IndexLoadError, index.TranscriptError, OSError) as err:
        source = "ONRECORD_CORPUS" if settings.corpus else "ONRECORD_INDEX"
        raise StartupError(f"{source}: cannot load the index ({err})") from err


@contextlib.asynccontextmanager
async def build_runtime(settings: Settings, *, health: bool = True) -> AsyncIterator[Runtime]:
    """Build state, index, service and (unless `health` is false) the health server; close them all on
    exit."""
    async with AsyncExitStack() as stack:
        state = await stack.enter_async_context(
            open_state(
                settings.redis_url,
                rate_limit=settings.rate_limit,
                question_log_days=settings.question_log_days,
            )
        )
        if settings.redis_url is not None and not await state.ping():
            log.warning("Redis is unreachable at start-up; answering uncached until it returns")
        loaded = _current_folder(settings)  # read first: a version published meanwhile is switched to
        metrics = Metrics()
        metrics.count_claims(state.claims.outcomes)
        service = AnswerService(
            await asyncio.to_thread(load_index, settings),  # not kept here, so a switch can release it
            state,
            results=settings.results,
            cache_ttl=settings.cache_ttl,
            max_question_chars=settings.max_question_chars,
            metrics=metrics,
            public_url=settings.public_url,
        )
        _log_loaded(service.index)
        warm_language_model()  # in the background: the first question in no known language need not wait
        server = HealthServer(
            port=settings.health_port,
            index=lambda: service.index,
            redis_status=lambda: state.redis_status,
            metrics=metrics,
        )
        if health:
            await listening(stack.enter_async_context(server), "ONRECORD_HEALTH_PORT", settings.health_port)
        _settle_memory()
        if settings.index is not None:
            watcher = asyncio.create_task(follow_index(settings.index, service, loaded))
            stack.push_async_callback(_stop, watcher)
        stopping = asyncio.Event()
        stack.callback(_install_signal_handlers(stopping))
        yield Runtime(settings, state, service, metrics, server if health else None, stopping)
        log.info("shutting down")


def _log_loaded(idx: index.Index) -> None:
    log.info("index %s loaded: %d documents, %d passages", idx.version, len(idx.documents), len(idx.passages))


def _current_folder(settings: Settings) -> Path | None:
    if settings.index is None:
        return None
    try:
        return index.current_folder(settings.index)
    except index.IndexLoadError:
        return None  # loading says why


async def _stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def _settle_memory() -> None:
    """Collect start-up garbage, then freeze what is left (the index's vocabulary, settings, modules):
    the collector's full passes no longer walk it while answering (slack_latency on lexicap, 8 senders:
    p99 132-160 ms in four runs without, 70-119 ms with)."""
    gc.collect()
    gc.freeze()


def _install_signal_handlers(stopping: asyncio.Event) -> Callable[[], None]:
    """SIGTERM and SIGINT set `stopping`; returns the function that restores the defaults."""
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stopping.set)
        except (NotImplementedError, RuntimeError):  # not the main thread, or not supported here
            continue
        installed.append(sig)

    def restore() -> None:
        for sig in installed:
            loop.remove_signal_handler(sig)

    return restore


def serving(runtime: Runtime, platform: Platform) -> Serving:
    """What the platform's adapter needs to serve."""
    daily = _daily(runtime)
    feeds = _feed_schedules(runtime)
    return Serving(
        runtime.settings,
        runtime.service,
        runtime.state.claims,
        lambda poster: background_jobs([daily_schedule(daily, platform, poster), *feeds]),
    )


def _feed_schedules(runtime: Runtime) -> list[Schedule]:
    """The feed sync's schedule, when ONRECORD_FEEDS is set (the settings then hold its folders)."""
    settings = runtime.settings
    if not settings.feeds or settings.feeds_into is None or settings.index is None:
        return []
    return [
        FeedSchedule(
            settings.feeds, settings.feeds_into, settings.index, settings.feeds_every, runtime.state.feed_sync
        )
    ]


def _daily(runtime: Runtime) -> Daily:
    settings = runtime.settings
    return Daily(
        settings.daily_channels,
        dt.timedelta(seconds=settings.daily_grace),
        runtime.service,
        runtime.state.daily,
    )


def daily_post(day: dt.date | None, dry_run: bool) -> Callable[[Runtime], Awaitable[None]]:
    """`onrecord daily post`: each channel's quote for `day`, through its platform's REST API."""

    async def post(runtime: Runtime) -> None:
        platforms = set() if dry_run else {c.platform for c in runtime.settings.daily_channels}
        async with _rest_posters(runtime.settings, platforms) as posters:
            await post_today(_daily(runtime), posters, day, dry_run)

    return post


def daily_preview(days: int, card: Path | None = None) -> Callable[[Runtime], Awaitable[None]]:
    """`onrecord daily preview`: the next `days` quotes of each channel (with `card`, the first one's
    card written there)."""

    async def show(runtime: Runtime) -> None:
        settings = runtime.settings
        await preview(_daily(runtime), days, settings.daily_time, settings.daily_timezone, card)

    return show


@contextlib.asynccontextmanager
async def _rest_posters(
    settings: Settings, platforms: set[Platform]
) -> AsyncIterator[dict[Platform, DailyPoster]]:
    """A poster per platform, over REST only (no websocket is opened to post)."""
    posters: dict[Platform, DailyPoster] = {}
    async with contextlib.AsyncExitStack() as stack:
        if "slack" in platforms:
            from onrecord.bot.slack.daily import SlackDailyPoster
            from onrecord.bot.slack.web import api_session, web_client

            session = await stack.enter_async_context(api_session())
            posters["slack"] = SlackDailyPoster(web_client(settings, session), settings.daily_channels)
        if "discord" in platforms:
            from onrecord.bot.discord.client import OnRecordClient
            from onrecord.bot.discord.daily import DiscordDailyPoster
            from onrecord.bot.discord.server import login, point_at

            point_at(settings)
            client = await stack.enter_async_context(OnRecordClient(None))
            await login(client, settings)
            posters["discord"] = DiscordDailyPoster(client, card_channels(settings.daily_channels, "discord"))
        yield posters


def self_check(
    platform: Callable[[Settings], Awaitable[str]] | None,
) -> Callable[[Runtime], Awaitable[None]]:
    """`serve --check`: settings valid and index loaded (or start-up failed already); Redis answers; and,
    unless `platform` is None (no network at hand), the chat platform accepts the tokens."""

    async def check(runtime: Runtime) -> None:
        if runtime.settings.redis_url is not None and not await runtime.state.ping():
            raise StartupError("REDIS_URL: Redis does not answer")
        said = "" if platform is None else "; " + await platform(runtime.settings)
        idx = runtime.index
        print(
            f"ok: index {idx.version} ({len(idx.documents)} documents, {len(idx.passages)} passages); "
            f"Redis {runtime.state.redis_status}{said}"
        )

    return check


def run(
    main: Callable[[Runtime], Awaitable[None]],
    *,
    require: Callable[[Settings], None] | None = None,
    health: bool = True,
) -> int:
    """Start up, run `main(runtime)` until it returns or a signal stops it; the process exit code.

    `require` checks the settings a command needs (raising SettingsError); `health` false skips the
    health server (for a start-up check beside a running bot)."""
    try:
        settings = load_settings()
        if require is not None:
            require(settings)
    except SettingsError as err:
        print(f"onrecord: {err}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, form=settings.log_format)
    try:
        asyncio.run(_serve(settings, main, health))
    except StartupError as err:
        print(f"onrecord: {err}", file=sys.stderr)
        return 1
    return 0


async def _serve(settings: Settings, main: Callable[[Runtime], Awaitable[None]], health: bool) -> None:
    async with build_runtime(settings, health=health) as runtime:
        task = asyncio.ensure_future(main(runtime))
        stop = asyncio.ensure_future(runtime.stopping.wait())
        await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
        for pending in (task, stop):
            pending.cancel()
        await asyncio.gather(stop, return_exceptions=True)
        with contextlib.suppress(asyncio.CancelledError):
            await task
