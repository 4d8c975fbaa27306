"""The daily quote's schedule on virtual time: a real Redis, the Slack stand-in receiving the posts, and
several schedules standing for several bot processes. Their jobs run as APScheduler would run them: at
the times the `CronTrigger`s give (the trigger's own daylight-saving maths), at once for a catch-up; the
jobs' retries wait on the virtual clock."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from apscheduler.triggers.cron import CronTrigger
from slack_sdk.web.async_client import AsyncWebClient

from onrecord import index
from onrecord.bot.answer import Result
from onrecord.bot.daily.channels import DailyChannel
from onrecord.bot.daily.posting import DailyPoster, DailyPosting, FollowUp
from onrecord.bot.daily.scheduler import DailySchedule, due, trigger
from onrecord.bot.service import AnswerService
from onrecord.bot.slack.daily import SlackDailyPoster
from onrecord.bot.state import State, open_state
from tests.conftest import Poll, RedisServer
from tests.standins.slack import SlackStandIn

UTC = dt.UTC
NINE = dt.time(9, 0)
BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")


class VirtualTime:
    """Time that moves only when the test says so; the jobs' retries wait on it."""

    def __init__(self, start: dt.datetime) -> None:
        self.at = start
        self._sleepers: dict[asyncio.Task[Any], dt.datetime] = {}  # each waiting job, and its wake time
        self._moved = asyncio.Condition()
        self._changed = asyncio.Event()

    def now(self) -> dt.datetime:
        return self.at

    async def sleep(self, seconds: float) -> None:
        task = asyncio.current_task()
        assert task is not None
        wake = self.at + dt.timedelta(seconds=seconds)
        self._sleepers[task] = wake
        self._changed.set()
        async with self._moved:
            await self._moved.wait_for(lambda: task not in self._sleepers)

    def next_wake(self) -> dt.datetime | None:
        return min(self._sleepers.values(), default=None)

    async def move_to(self, at: dt.datetime) -> None:
        """Set the time, and wake the jobs whose sleep is over."""
        self.at = at
        for task, wake in list(self._sleepers.items()):
            if wake <= at:
                del self._sleepers[task]
        async with self._moved:
            self._moved.notify_all()

    async def settle(self, tasks: Sequence[asyncio.Task[None]]) -> None:
        """Until every job has finished or sleeps on this clock."""
        while busy := [t for t in tasks if not t.done() and t not in self._sleepers]:
            self._changed.clear()
            changed = asyncio.ensure_future(self._changed.wait())
            await asyncio.wait([*busy, changed], return_when=asyncio.FIRST_COMPLETED)
            changed.cancel()


class Post(NamedTuple):
    at: dt.datetime
    channel: str
    quote: str


@dataclass
class Job:
    """A job as `DailySchedule.add_to` gives it to APScheduler."""

    func: Callable[..., Awaitable[None]]
    trigger: CronTrigger
    args: tuple[Any, ...]
    next_run: dt.datetime


class Jobs:
    """Stands for the APScheduler of every replica, on virtual time: it runs each job when its trigger
    says (at once for a run time in the past: the catch-up), as the scheduler does."""

    def __init__(self, clock: VirtualTime) -> None:
        self.clock = clock
        self.jobs: list[Job] = []
        self.running: list[asyncio.Task[None]] = []

    def add_job(
        self,
        func: Callable[..., Awaitable[None]],
        trigger: CronTrigger,
        *,
        args: tuple[Any, ...],
        next_run_time: dt.datetime | None = None,
        **_: object,  # misfires and coalescing: these jobs are never late
    ) -> None:
        first = next_run_time or trigger.get_next_fire_time(None, self.clock.now())
        self.jobs.append(Job(func, trigger, args, first.astimezone(UTC)))

    async def run_until(self, end: dt.datetime) -> None:
        """Move time to `end`, from one run or wake-up to the next, letting the jobs settle at each."""
        await self.clock.settle(self.running)
        while True:
            moments = [j.next_run for j in self.jobs]
            if (wake := self.clock.next_wake()) is not None:
                moments.append(wake)
            if not moments or (at := max(min(moments), self.clock.now())) > end:
                break
            await self.clock.move_to(at)
            for job in self.jobs:
                if job.next_run <= at:
                    self.running.append(asyncio.create_task(job.func(*job.args)))
                    job.next_run = job.trigger.get_next_fire_time(job.next_run, at).astimezone(UTC)
            await self.clock.settle(self.running)
        await self.clock.move_to(end)
        await self.clock.settle(self.running)


class Replicas:
    """`count` daily schedules, each with its own service and Redis connection, like separate processes;
    every post Slack receives is stamped with the virtual time it was made at."""

    def __init__(
        self, slack: SlackStandIn, redis_url: str | None, namespace: str, seeds: index.Index
    ) -> None:
        self.slack, self._url, self._ns, self._seeds = slack, redis_url, namespace, seeds
        self.stack = AsyncExitStack()
        self.posted: list[Post] = []
        self.states: list[State] = []

    async def start(
        self,
        channels: Sequence[DailyChannel],
        jobs: Jobs,
        count: int = 1,
        grace_hours: float = 6,
        then: Callable[[], None] | None = None,
        cards: Sequence[str] = (),
    ) -> None:
        """`then`: run right after the first post reaches Slack (to break something at that very moment;
        not again after the next day's: a Redis stopped then would stay down, each try waiting on it);
        `cards`: the channels whose post gets the quote card."""
        then = _once(then) if then is not None else None
        session = await self.stack.enter_async_context(aiohttp.ClientSession())
        for _ in range(count):
            state = await self.stack.enter_async_context(
                open_state(self._url, namespace=self._ns, backoff=0.05)
            )
            self.states.append(state)
            poster: DailyPoster = SlackDailyPoster(
                AsyncWebClient(token="xoxb-t", base_url=self.slack.api_url, session=session),
                [dataclasses.replace(c, card=c.channel in cards) for c in channels],
            )
            poster = _Stamped(poster, jobs.clock, self.posted, then)
            posting = DailyPosting(AnswerService(self._seeds, state), state.daily, {"slack": poster})
            grace = dt.timedelta(hours=grace_hours)
            DailySchedule(posting, channels, grace, clock=jobs.clock).add_to(jobs)

    def posts(self, channel: str) -> list[Post]:
        return [post for post in self.posted if post.channel == channel]


def _once(action: Callable[[], None]) -> Callable[[], None]:
    """``action`` the first time it is called, nothing after."""
    done = False

    def run() -> None:
        nonlocal done
        if not done:
            done = True
            action()

    return run


class _Stamped:
    """Notes each post the platform took, with the virtual time; then runs `then`."""

    def __init__(
        self, poster: DailyPoster, clock: VirtualTime, posts: list[Post], then: Callable[[], None] | None
    ) -> None:
        self._poster, self._clock, self._posts, self._then = poster, clock, posts, then

    async def post(self, channel: str, quote: Result, day: dt.date) -> FollowUp | None:
        follow_up = await self._poster.post(channel, quote, day)
        self._posts.append(Post(self._clock.now(), channel, quote.quote))
        if self._then is not None:
            self._then()
        return follow_up


@pytest.fixture
async def replicas(
    redis_server: RedisServer, namespace: str, seed_index: index.Index
) -> AsyncIterator[Replicas]:
    async with SlackStandIn() as slack:
        running = Replicas(slack, redis_server.url, namespace, seed_index)
        async with running.stack:
            yield running


def test_a_channel_is_due_at_its_local_time_across_daylight_saving_changes() -> None:
    new_york = DailyChannel("slack", "C1", NINE, NEW_YORK)
    first = trigger(new_york).get_next_fire_time(None, dt.datetime(2026, 3, 7, 0, 0, tzinfo=UTC))
    assert first == dt.datetime(2026, 3, 7, 14, 0, tzinfo=UTC)
    after_change = trigger(new_york).get_next_fire_time(None, dt.datetime(2026, 3, 9, 0, 0, tzinfo=UTC))
    assert after_change == dt.datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # EDT now
    six_hours = dt.timedelta(hours=6)
    assert due(new_york, dt.datetime(2026, 3, 9, 12, 59, tzinfo=UTC), six_hours) is None
    assert due(new_york, dt.datetime(2026, 3, 9, 13, 0, tzinfo=UTC), six_hours) == after_change
    assert due(new_york, dt.datetime(2026, 3, 9, 19, 0, tzinfo=UTC), six_hours) is None  # grace over
    late = DailyChannel("slack", "C2", dt.time(23, 30), BERLIN)
    after_midnight = dt.datetime(2026, 10, 25, 0, 15, tzinfo=BERLIN)
    yesterdays = dt.datetime(2026, 10, 24, 23, 30, tzinfo=BERLIN)
    assert due(late, after_midnight, six_hours) == yesterdays  # still in its grace period
    assert trigger(late).get_next_fire_time(yesterdays, after_midnight) == dt.datetime(
        2026, 10, 25, 23, 30, tzinfo=BERLIN
    )
    skipped = DailyChannel("slack", "C3", dt.time(2, 30), BERLIN)  # 02:30 does not exist on 29 March
    when = trigger(skipped).get_next_fire_time(None, dt.datetime(2026, 3, 28, 12, 0, tzinfo=BERLIN))
    assert when.astimezone(UTC) == dt.datetime(2026, 3, 29, 3, 30, tzinfo=BERLIN)  # right after the gap


async def test_three_processes_post_one_different_quote_per_channel_per_day_for_30_days(
    replicas: Replicas,
) -> None:
    channels = [
        DailyChannel("slack", "C0001", NINE, ZoneInfo("UTC")),
        DailyChannel("slack", "C0002", NINE, NEW_YORK),
    ]
    start = dt.datetime(2026, 2, 25, 0, 0, tzinfo=UTC)  # New York changes clocks on 8 March
    jobs = Jobs(VirtualTime(start))
    await replicas.start(channels, jobs, count=3)
    await jobs.run_until(start + dt.timedelta(days=30))
    for channel in channels:
        posts = replicas.posts(channel.channel)
        assert len(posts) == 30
        assert len({post.quote for post in posts}) == 30  # never the same quote twice
        assert {post.at.astimezone(channel.zone).time() for post in posts} == {NINE}  # at its local time
    new_york_times = {post.at.astimezone(UTC).hour for post in replicas.posts("C0002")}
    assert new_york_times == {13, 14}  # 09:00 EST is 14:00 UTC, 09:00 EDT 13:00 UTC


async def test_a_process_started_late_catches_up_once(replicas: Replicas) -> None:
    channels = [DailyChannel("slack", "C0001", NINE, BERLIN)]
    late = dt.datetime(2026, 6, 1, 11, 0, tzinfo=BERLIN)  # two hours late
    jobs = Jobs(VirtualTime(late))
    await replicas.start(channels, jobs)
    await jobs.run_until(late)
    [post] = replicas.posts("C0001")
    assert post.at == late
    await jobs.run_until(late + dt.timedelta(hours=1))
    await replicas.start(channels, jobs)  # a new process, after the post was made
    await jobs.run_until(jobs.clock.now())
    assert len(replicas.posts("C0001")) == 1
    too_late = Jobs(VirtualTime(dt.datetime(2026, 6, 2, 15, 30, tzinfo=BERLIN)))  # after the grace period
    await replicas.start(channels, too_late)
    await too_late.run_until(too_late.clock.now() + dt.timedelta(hours=1))
    assert len(replicas.posts("C0001")) == 1


async def test_redis_down_at_post_time_posts_once_after_it_returns(
    replicas: Replicas, redis_server: RedisServer, until: Poll
) -> None:
    channels = [DailyChannel("slack", "C0001", NINE, ZoneInfo("UTC"))]
    jobs = Jobs(VirtualTime(dt.datetime(2026, 6, 1, 8, 50, tzinfo=UTC)))
    await replicas.start(channels, jobs, count=2)
    redis_server.stop()
    await jobs.run_until(dt.datetime(2026, 6, 1, 9, 30, tzinfo=UTC))  # due, but no post without the lock
    assert replicas.posts("C0001") == []
    redis_server.start()
    for state in replicas.states:
        await until(state.ping)
    await jobs.run_until(dt.datetime(2026, 6, 1, 10, 0, tzinfo=UTC))
    [post] = replicas.posts("C0001")
    assert post.at >= dt.datetime(2026, 6, 1, 9, 30, tzinfo=UTC)


async def test_a_failing_chat_api_is_retried_then_given_up_after_the_grace_period(
    replicas: Replicas, caplog: pytest.LogCaptureFixture
) -> None:
    slack = replicas.slack
    slack.fail("chat.postMessage", times=2, error="invalid_arguments")  # refused: nothing made
    channels = [DailyChannel("slack", "C0001", NINE, ZoneInfo("UTC"))]
    jobs = Jobs(VirtualTime(dt.datetime(2026, 6, 1, 8, 59, tzinfo=UTC)))
    await replicas.start(channels, jobs, grace_hours=1)
    await jobs.run_until(dt.datetime(2026, 6, 1, 10, 0, tzinfo=UTC))
    assert len(replicas.posts("C0001")) == 1 and len(slack.calls_to("chat.postMessage")) == 3

    slack.fail("chat.postMessage", times=1000, error="invalid_arguments")
    with caplog.at_level(logging.ERROR):
        await jobs.run_until(dt.datetime(2026, 6, 2, 10, 30, tzinfo=UTC))  # a grace period of one hour
    assert len(replicas.posts("C0001")) == 1
    [gave_up] = [r for r in caplog.records if "gave up" in r.getMessage()]
    assert "2026-06-02" in gave_up.getMessage()


async def test_a_post_whose_record_fails_is_not_posted_again(
    replicas: Replicas, redis_server: RedisServer, until: Poll
) -> None:
    if redis_server.external:
        pytest.skip("needs to pause its own redis-server")
    channels = [DailyChannel("slack", "C0001", NINE, ZoneInfo("UTC"))]
    jobs = Jobs(VirtualTime(dt.datetime(2026, 6, 1, 9, 0, tzinfo=UTC)))
    await replicas.start(channels, jobs, count=2, then=redis_server.pause)  # Redis hangs after the post
    await jobs.run_until(dt.datetime(2026, 6, 1, 9, 30, tzinfo=UTC))
    redis_server.resume()
    for state in replicas.states:
        await until(state.ping)
    await jobs.run_until(dt.datetime(2026, 6, 1, 10, 0, tzinfo=UTC))
    assert len(replicas.posts("C0001")) == 1
    seen = await replicas.states[1].daily.seen("slack", "C0001")
    assert len(seen) == 1  # recorded once Redis answered again


async def test_a_post_unrecorded_past_the_grace_period_is_recorded_later_and_not_posted_again(
    replicas: Replicas, redis_server: RedisServer, until: Poll
) -> None:
    channels = [DailyChannel("slack", "C0001", NINE, ZoneInfo("UTC"))]
    jobs = Jobs(VirtualTime(dt.datetime(2026, 6, 1, 9, 0, tzinfo=UTC)))
    await replicas.start(channels, jobs, count=2, grace_hours=0.05, then=redis_server.stop, cards=["C0001"])
    await jobs.run_until(dt.datetime(2026, 6, 1, 9, 5, tzinfo=UTC))  # Redis down past the grace period
    assert replicas.slack.calls_to("files.completeUploadExternal")  # the card, though not recorded yet
    redis_server.start()
    for state in replicas.states:
        await until(state.ping)
    await jobs.run_until(dt.datetime(2026, 6, 1, 10, 30, tzinfo=UTC))
    assert await replicas.states[1].daily.status("slack", "C0001", dt.date(2026, 6, 1)) == "posted"
    assert len(await replicas.states[1].daily.seen("slack", "C0001")) == 1
    await jobs.run_until(dt.datetime(2026, 6, 2, 10, 0, tzinfo=UTC))
    first, second = replicas.posts("C0001")
    assert first.quote != second.quote  # the next day's is another quote
