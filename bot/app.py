"""The composition root: settings in, a running runtime (state, index, service, health) out.

    async with build_runtime(settings) as runtime:
        ...  # an adapter serves with runtime.service until runtime.stopping is set (SIGTERM/SIGINT)

`run(main)` does the whole start-up for a command: settings, logs, runtime, one clear line on failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import index
from bot.errors import OnRecordError
from bot.health import HealthServer
from bot.index_watch import follow_index
from bot.logs import configure_logging
from bot.metrics import Metrics
from bot.service import AnswerService
from bot.settings import Settings, SettingsError, load_settings
from bot.state import State, open_state
from index.language import warm as warm_language_model

__all__ = ["Runtime", "StartupError", "build_runtime", "listening", "load_index", "run", "self_check"]

log = logging.getLogger(__name__)
T = TypeVar("T")


class StartupError(OnRecordError):
    """The bot cannot start; the message says why in one line."""


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
        from bot.corpus import default_index  # the seeds are read only when needed

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


async def listening(start: Awaitable[T], variable: str, port: int) -> T:
    """Start a server; a port that cannot be bound is a start-up error naming its setting."""
    try:
        return await start
    except OSError as err:
        raise StartupError(f"{variable}: cannot listen on port {port} ({err.strerror or err})") from err


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
    env: Mapping[str, str] | None = None,
    *,
    require: Callable[[Settings], None] | None = None,
    health: bool = True,
) -> int:
    """Start up, run `main(runtime)` until it returns or a signal stops it; the process exit code.

    `require` checks the settings a command needs (raising SettingsError); `health` false skips the
    health server (for a start-up check beside a running bot)."""
    try:
        settings = load_settings(env)
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
