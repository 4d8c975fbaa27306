"""The daily quote's schedule on a controlled clock: a real Redis, the Slack stand-in receiving the posts,
and several scheduler instances standing for several bot processes."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AsyncExitStack
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

import index
from bot.answer import Result
from bot.daily.channels import DailyChannel
from bot.daily.scheduler import DailyPoster, DailyScheduler
from bot.service import AnswerService
from bot.slack.daily import SlackDailyPoster
from bot.state import State, open_state
from tests.conftest import Poll, RedisServer
from tests.standins.slack import Call, SlackStandIn

UTC = dt.UTC
NINE = dt.time(9, 0)
STEP = dt.timedelta(minutes=10)
BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")


class SteppedClock:
    """Time that moves only when the test says so."""

    def __init__(self, start: dt.datetime) -> None:
        self.at = start

    def now(self) -> dt.datetime:
        return self.at

    async def sleep(self, seconds: float) -> None:
        raise AssertionError("the tests drive run_once() themselves")


class Processes:
    """`count` schedulers, each with its own service and Redis connection, like separate processes."""

    def __init__(
        self, slack: SlackStandIn, redis_url: str | None, namespace: str, seeds: index.Index
    ) -> None:
        self.slack, self._url, self._ns, self._seeds = slack, redis_url, namespace, seeds
        self.stack = AsyncExitStack()
        self.posted_at: list[tuple[dt.datetime, Call]] = []  # each successful post, with the clock's time
        self.states: list[State] = []

    async def start(
        self,
        channels: Sequence[DailyChannel],
        clock: SteppedClock,
        count: int = 1,
        grace_hours: float = 6,
        then: Callable[[], None] | None = None,
    ) -> list[DailyScheduler]:
        """`then`: run right after each post reaches Slack (to break something at that very moment)."""
        session = await self.stack.enter_async_context(aiohttp.ClientSession())
        schedulers = []
        for _ in range(count):
            state = await self.stack.enter_async_context(
                open_state(self._url, namespace=self._ns, backoff=0.05)
            )
            self.states.append(state)
            poster: DailyPoster = SlackDailyPoster(
                AsyncWebClient(token="xoxb-t", base_url=self.slack.api_url, session=session)
            )
            if then is not None:
                poster = _Then(poster, then)
            schedulers.append(
                DailyScheduler(
                    channels, AnswerService(self._seeds, state), state.daily, {"slack": poster},
                    grace=dt.timedelta(hours=grace_hours), clock=clock,
                )
            )  # fmt: skip
        return schedulers

    async def step(self, schedulers: Sequence[DailyScheduler], clock: SteppedClock) -> None:
        """Every scheduler looks once at the clock's time; posts made now are stamped with it."""
        before = len(self.slack.calls_to("chat.postMessage"))
        await asyncio.gather(*(s.run_once() for s in schedulers))
        for call in self.slack.calls_to("chat.postMessage")[before:]:
            if call.response.get("ok"):
                self.posted_at.append((clock.at, call))

    def posts(self, channel: str) -> list[tuple[dt.datetime, Call]]:
        return [(at, call) for at, call in self.posted_at if call.args["channel"] == channel]


class _Then:
    def __init__(self, poster: DailyPoster, then: Callable[[], None]) -> None:
        self._poster, self._then = poster, then

    async def post(self, channel: str, quote: Result, context: str) -> None:
        await self._poster.post(channel, quote, context)
        self._then()


@pytest.fixture
async def processes(
    redis_server: RedisServer, namespace: str, seed_index: index.Index
) -> AsyncIterator[Processes]:
    async with SlackStandIn() as slack:
        running = Processes(slack, redis_server.url, namespace, seed_index)
        async with running.stack:
            yield running


def _quote(call: Call) -> str:
    return str(call.args["blocks"][1]["text"]["text"])


def test_a_channel_is_due_at_its_local_time_across_daylight_saving_changes() -> None:
    new_york = DailyChannel("slack", "C1", NINE, NEW_YORK)
    assert new_york.scheduled(dt.date(2026, 3, 7)) == dt.datetime(2026, 3, 7, 14, 0, tzinfo=UTC)
    assert new_york.scheduled(dt.date(2026, 3, 9)) == dt.datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # EDT now
    six_hours = dt.timedelta(hours=6)
    assert new_york.due(dt.datetime(2026, 3, 9, 12, 59, tzinfo=UTC), six_hours) is None
    assert new_york.due(dt.datetime(2026, 3, 9, 13, 0, tzinfo=UTC), six_hours) == dt.date(2026, 3, 9)
    assert new_york.due(dt.datetime(2026, 3, 9, 19, 0, tzinfo=UTC), six_hours) is None  # grace over
    late = DailyChannel("slack", "C2", dt.time(23, 30), BERLIN)
    after_midnight = dt.datetime(2026, 10, 25, 0, 15, tzinfo=BERLIN)
    assert late.due(after_midnight, six_hours) == dt.date(2026, 10, 24)  # yesterday's, still in grace
    skipped = DailyChannel("slack", "C3", dt.time(2, 30), BERLIN)  # 02:30 does not exist on 29 March
    assert skipped.scheduled(dt.date(2026, 3, 29)).time() == dt.time(3, 30)
    assert late.next_after(after_midnight) == dt.datetime(2026, 10, 25, 23, 30, tzinfo=BERLIN)


async def test_three_processes_post_one_different_quote_per_channel_per_day_for_30_days(
    processes: Processes,
) -> None:
    channels = [
        DailyChannel("slack", "C0001", NINE, ZoneInfo("UTC")),
        DailyChannel("slack", "C0002", NINE, NEW_YORK),
    ]
    clock = SteppedClock(dt.datetime(2026, 2, 25, 0, 0, tzinfo=UTC))  # New York changes clocks on 8 March
    schedulers = await processes.start(channels, clock, count=3)
    end = clock.at + dt.timedelta(days=30)
    while clock.at < end:
        await processes.step(schedulers, clock)
        clock.at += STEP
    for channel in channels:
        posts = processes.posts(channel.channel)
        assert len(posts) == 30
        assert len({_quote(call) for _, call in posts}) == 30  # never the same quote twice
        for at, _ in posts:  # each at its own local time (first step at or after 09:00 there)
            local = at.astimezone(channel.zone)
            assert dt.time(9, 0) <= local.time() < dt.time(9, 10), local
    new_york_times = {at.astimezone(UTC).hour for at, _ in processes.posts("C0002")}
    assert new_york_times == {13, 14}  # 09:00 EST is 14:00 UTC, 09:00 EDT 13:00 UTC


async def test_a_process_started_late_catches_up_once(processes: Processes) -> None:
    channels = [DailyChannel("slack", "C0001", NINE, BERLIN)]
    clock = SteppedClock(dt.datetime(2026, 6, 1, 11, 0, tzinfo=BERLIN))  # two hours late
    [first] = await processes.start(channels, clock)
    await processes.step([first], clock)
    clock.at += dt.timedelta(hours=1)
    [restarted] = await processes.start(channels, clock)  # a new process, after the post was made
    await processes.step([restarted], clock)
    assert len(processes.posts("C0001")) == 1
    clock.at = dt.datetime(2026, 6, 2, 15, 30, tzinfo=BERLIN)  # next day, after the grace period
    [too_late] = await processes.start(channels, clock)
    await processes.step([too_late], clock)
    assert len(processes.posts("C0001")) == 1


async def test_redis_down_at_post_time_posts_once_after_it_returns(
    processes: Processes, redis_server: RedisServer, until: Poll
) -> None:
    channels = [DailyChannel("slack", "C0001", NINE, ZoneInfo("UTC"))]
    clock = SteppedClock(dt.datetime(2026, 6, 1, 8, 50, tzinfo=UTC))
    schedulers = await processes.start(channels, clock, count=2)
    redis_server.stop()
    for _ in range(4):  # 08:50 … 09:20: due, but no post without the shared lock
        await processes.step(schedulers, clock)
        clock.at += STEP
    assert processes.posts("C0001") == []
    redis_server.start()
    for state in processes.states:
        await until(state.ping)
    for _ in range(3):
        await processes.step(schedulers, clock)
        clock.at += STEP
    [(at, _)] = processes.posts("C0001")
    assert at >= dt.datetime(2026, 6, 1, 9, 30, tzinfo=UTC)


async def test_a_failing_chat_api_is_retried_then_given_up_after_the_grace_period(
    processes: Processes, caplog: pytest.LogCaptureFixture
) -> None:
    slack = processes.slack
    slack.fail("chat.postMessage", times=2)
    clock = SteppedClock(dt.datetime(2026, 6, 1, 9, 0, tzinfo=UTC))
    channels = [DailyChannel("slack", "C0001", NINE, ZoneInfo("UTC"))]
    [scheduler] = await processes.start(channels, clock, grace_hours=1)
    for _ in range(6):
        await processes.step([scheduler], clock)
        clock.at += STEP
    assert len(processes.posts("C0001")) == 1 and len(slack.calls_to("chat.postMessage")) == 3

    slack.fail("chat.postMessage", times=1000)
    clock.at = dt.datetime(2026, 6, 2, 9, 0, tzinfo=UTC)
    with caplog.at_level(logging.ERROR):
        for _ in range(8):  # a grace period of one hour, and a bit
            await processes.step([scheduler], clock)
            clock.at += STEP
    assert len(processes.posts("C0001")) == 1
    [gave_up] = [r for r in caplog.records if "gave up" in r.getMessage()]
    assert "2026-06-02" in gave_up.getMessage()


async def test_a_post_whose_record_fails_is_not_posted_again(
    processes: Processes, redis_server: RedisServer, until: Poll
) -> None:
    if redis_server.external:
        pytest.skip("needs to pause its own redis-server")
    channels = [DailyChannel("slack", "C0001", NINE, ZoneInfo("UTC"))]
    clock = SteppedClock(dt.datetime(2026, 6, 1, 9, 0, tzinfo=UTC))
    schedulers = await processes.start(channels, clock, count=2, then=redis_server.pause)  # Redis hangs
    for _ in range(3):
        await processes.step(schedulers, clock)
        clock.at += STEP
    redis_server.resume()
    for state in processes.states:
        await until(state.ping)
    for _ in range(3):
        await processes.step(schedulers, clock)
        clock.at += STEP
    assert len(processes.posts("C0001")) == 1
    seen = await schedulers[1].ledger.seen("slack", "C0001")
    assert len(seen) == 1  # recorded once Redis answered again
