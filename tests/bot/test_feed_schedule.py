"""ONRECORD_FEEDS: two Slack bots (real slack-bolt, a real Redis, the Slack stand-in) sync a podcast feed
served over loopback on their schedule, one at a time, and answer from the new episodes without a
restart."""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from onrecord import index
from onrecord.bot.feeds.schedule import FeedSchedule
from onrecord.bot.state import open_state
from onrecord.bot.state.lease import LocalLease
from tests.bot.slack_bot import RunningBot, bot_env, slack_bot
from tests.cli.test_feed_sync import item, rss
from tests.conftest import Poll, RedisServer
from tests.standins.slack import SlackStandIn
from tests.standins.slack_payloads import mention_event

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
LIGHTHOUSE = "The zephyrine lighthouse keeper logged every storm by hand, night after night.\n"
BEES = "The beekeepers moved their hives up the mountain when the clover bloomed.\n"
SYNC = 60.0  # a limit for a wait that would never end (a sync starts a process and builds an index)


@dataclass
class Feed:
    """One show's feed; its first request is held until `release` is set."""

    base: str = ""
    items: list[str] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    in_flight: int = 0
    most_in_flight: int = 0
    requests: int = 0

    def app(self) -> web.Application:
        async def feed(request: web.Request) -> web.Response:
            self.requests += 1
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            try:
                await self.release.wait()
                body = rss("Harbor Stories", self.items).replace("{base}", self.base)
                return web.Response(text=body, content_type="application/rss+xml")
            finally:
                self.in_flight -= 1

        def text(path: str, body: str) -> web.RouteDef:
            async def handler(request: web.Request) -> web.Response:
                return web.Response(text=body, content_type="text/plain")

            return web.get(path, handler)

        application = web.Application()
        application.add_routes(
            [web.get("/feed.xml", feed), text("/lighthouse.txt", LIGHTHOUSE), text("/bees.txt", BEES)]
        )
        return application


@pytest.fixture
async def feed() -> AsyncIterator[Feed]:
    served = Feed()
    runner = web.AppRunner(served.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    served.base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    served.items = [item("ep-1", "The lighthouse", [("/lighthouse.txt", "text/plain")])]
    yield served
    await runner.cleanup()


async def ask(bot: RunningBot, slack: SlackStandIn, question: str, user: str) -> str:
    """The bot's answer to a mention, as the JSON of its message."""
    before = len(slack.calls_to("chat.postMessage"))
    await bot.send(mention_event(question, user=user))
    posts = await slack.wait_calls("chat.postMessage", before + 1)
    return json.dumps(posts[-1].args)


async def test_replicas_sync_the_feed_one_at_a_time_and_answer_from_new_episodes_without_restart(
    feed: Feed,
    redis_server: RedisServer,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    until: Poll,
) -> None:
    caplog.set_level(logging.INFO, logger="onrecord.bot.feeds.schedule")
    transcripts, served = tmp_path / "transcripts", tmp_path / "index"
    transcripts.mkdir()
    for seed in SEEDS.glob("*.txt"):  # the transcripts the bots answer from before the feed's
        shutil.copy(seed, transcripts)
    index.build([transcripts]).save(served)
    settings = {
        "ONRECORD_FEEDS": f"{feed.base}/feed.xml",
        "ONRECORD_FEEDS_INTO": str(transcripts),
        "ONRECORD_FEEDS_EVERY": "1",
    }
    async with SlackStandIn() as slack, AsyncExitStack() as stack:
        bots = [
            await stack.enter_async_context(slack_bot(bot_env(slack, served, redis_server.url, **settings)))
            for _ in range(2)
        ]

        def skipped() -> bool:  # by the replica without the lease, while the other's sync is held
            return any("another replica has this round" in r.getMessage() for r in caplog.records)

        await until(lambda: feed.requests == 1)
        await until(skipped)
        feed.release.set()

        def answers_from(title: str) -> bool:
            return all(title in {d.title for d in bot.runtime.index.documents} for bot in bots)

        await until(lambda: answers_from("The lighthouse"), SYNC)
        for i, bot in enumerate(bots):
            assert "zephyrine lighthouse keeper" in await ask(bot, slack, "zephyrine lighthouse", f"U{i}")

        feed.items.insert(0, item("ep-2", "Bees", [("/bees.txt", "text/plain")]))
        await until(lambda: answers_from("Bees"), SYNC)
        for i, bot in enumerate(bots):
            assert "beekeepers moved their hives" in await ask(bot, slack, "beekeepers clover", f"U{i}b")
    assert feed.most_in_flight == 1  # never two syncs at once
    assert len(list(transcripts.glob("harbor-stories_*.txt"))) == 2


HOUR = 3600


async def test_the_rounds_fall_at_multiples_of_the_interval_whenever_the_process_starts(
    tmp_path: Path,
) -> None:
    scheduler = AsyncIOScheduler()
    scheduler.start(paused=True)
    try:
        FeedSchedule(["http://feeds.example/x"], tmp_path, tmp_path, HOUR, LocalLease()).add_to(scheduler)
        assert scheduler.get_job("feed-sync").next_run_time.timestamp() % HOUR == 0
        assert scheduler.get_job("feed-sync-start") is not None  # the start-up round, a job of its own
    finally:
        scheduler.shutdown(wait=False)


async def test_each_round_is_synced_once_and_a_sync_longer_than_the_interval_is_not_overlapped(
    redis_server: RedisServer, namespace: str, tmp_path: Path, until: Poll
) -> None:
    """Two replicas on one Redis, their rounds' moments given by the test's clock; the sync (a child
    process) stands for one that lasts until the test releases it."""
    syncs: list[str] = []
    release = asyncio.Event()

    class HeldSync(FeedSchedule):
        async def _sync(self) -> None:
            syncs.append(self.urls[0])
            await release.wait()

    now = 10 * HOUR + 1.0
    async with (
        open_state(redis_server.url, namespace=namespace) as a_state,
        open_state(redis_server.url, namespace=namespace) as b_state,
    ):
        a, b = (
            HeldSync([name], tmp_path, tmp_path, HOUR, state.feed_sync, clock=lambda: now)
            for name, state in (("a", a_state), ("b", b_state))
        )
        a_syncing = asyncio.create_task(a.run_round())
        await until(lambda: syncs == ["a"])
        await b.run_round()  # the same round: a's
        now += HOUR  # the next round, a's sync still running
        await b.run_round()
        assert syncs == ["a"]
        release.set()
        await a_syncing
        now += HOUR  # the round after the long sync: synced
        await b.run_round()
        assert syncs == ["a", "b"]


async def test_without_redis_a_sync_still_running_is_not_joined_by_the_next_round(
    tmp_path: Path, until: Poll
) -> None:
    """One process alone: the start-up round's sync, still running when the first scheduled round comes,
    keeps that round from starting a second sync on the same folder and index."""
    syncs: list[float] = []
    release = asyncio.Event()
    now = 10 * HOUR + 1.0

    class HeldSync(FeedSchedule):
        async def _sync(self) -> None:
            syncs.append(now)
            if len(syncs) == 1:  # only the first is held
                await release.wait()

    alone = HeldSync(["x"], tmp_path, tmp_path, HOUR, LocalLease(), clock=lambda: now)
    first = asyncio.create_task(alone.run_round())
    await until(lambda: len(syncs) == 1)
    now += HOUR
    await alone.run_round()
    assert len(syncs) == 1
    release.set()
    await first
    now += HOUR
    await alone.run_round()
    assert len(syncs) == 2


async def test_the_first_scheduled_round_is_not_the_start_up_rounds_whatever_the_interval(
    redis_server: RedisServer, namespace: str, tmp_path: Path
) -> None:
    """Rounds are counted from the trigger's own start, so the round the scheduler fires a moment after
    start-up is a round of its own (5000 s does not divide the seconds between 1970 and 2000)."""
    every = 5000
    syncs: list[str] = []

    class CountedSync(FeedSchedule):
        async def _sync(self) -> None:
            syncs.append("synced")

    scheduler = AsyncIOScheduler()
    scheduler.start(paused=True)
    try:
        probe = FeedSchedule(["x"], tmp_path, tmp_path, every, LocalLease())
        probe.add_to(scheduler)
        first_round = scheduler.get_job("feed-sync").next_run_time.timestamp()
    finally:
        scheduler.shutdown(wait=False)
    now = first_round - 1.0  # started a second before the first scheduled round
    async with open_state(redis_server.url, namespace=namespace) as state:
        schedule = CountedSync(["x"], tmp_path, tmp_path, every, state.feed_sync, clock=lambda: now)
        await schedule.run_round()  # the start-up round
        now = first_round
        await schedule.run_round()  # the first scheduled round
    assert syncs == ["synced", "synced"]
