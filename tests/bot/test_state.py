"""The state stores: one contract each, run against a real redis-server and in process; then the Redis
link's reliability (outages, restarts, a slow server)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from redis.asyncio import Redis

from onrecord.bot.state import State, open_state
from onrecord.bot.state.answers import AnswerStore, LocalAnswers, RedisAnswers
from onrecord.bot.state.link import RedisLink
from onrecord.bot.state.memory import ExpiringStore
from onrecord.bot.state.ratelimit import LocalRateLimiter, RateDecision, RateLimiter, RedisRateLimiter
from onrecord.bot.state.votes import LocalVotes, RedisVotes, Votes

if TYPE_CHECKING:
    from conftest import Poll, RedisServer

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
async def state(redis_server: RedisServer, namespace: str) -> AsyncIterator[State]:
    async with open_state(redis_server.url, rate_limit=3, namespace=namespace) as opened:
        yield opened


@pytest.fixture(params=["redis", "in-process"])
async def any_state(request: pytest.FixtureRequest, namespace: str) -> AsyncIterator[State]:
    url = request.getfixturevalue("redis_server").url if request.param == "redis" else None
    async with open_state(url, rate_limit=3, namespace=namespace) as opened:
        yield opened


async def test_claim_is_true_once_among_concurrent_tasks(any_state: State) -> None:
    results = await asyncio.gather(*(any_state.claims.claim("Ev1") for _ in range(50)))
    assert results.count(True) == 1
    assert await any_state.claims.claim("Ev2")


async def test_a_released_claim_can_be_taken_again_and_a_done_one_cannot(any_state: State) -> None:
    assert await any_state.claims.claim("Ev3", ttl=45)
    await any_state.claims.release("Ev3")  # the answer failed: a retry may try again
    assert await any_state.claims.claim("Ev3", ttl=45)
    assert not await any_state.claims.claim("Ev3", ttl=45)
    await any_state.claims.done("Ev3")
    assert not await any_state.claims.claim("Ev3")


async def test_a_working_claim_expires_so_a_dead_owners_event_is_answered(
    any_state: State, until: Poll
) -> None:
    assert await any_state.claims.claim("Ev4", ttl=0.05)  # its owner dies without releasing it
    await until(lambda: any_state.claims.claim("Ev4"))
    assert not await any_state.claims.claim("Ev4")


CLAIM_SCRIPT = """
import asyncio, sys
from onrecord.bot.state import open_state

async def main() -> None:
    async with open_state(sys.argv[1], namespace=sys.argv[2]) as state:
        won = [await state.claims.claim(f"event-{i}") for i in range(20)]
    print("".join("1" if w else "0" for w in won))

asyncio.run(main())
"""


def test_claim_is_true_once_across_processes(redis_server: RedisServer, namespace: str) -> None:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CLAIM_SCRIPT, redis_server.url, namespace],
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [proc.communicate(timeout=30)[0].strip() for proc in procs]
    assert all(proc.returncode == 0 for proc in procs)
    assert all(len(out) == 20 for out in outputs)
    assert [int(a) + int(b) for a, b in zip(*outputs, strict=True)] == [1] * 20


async def test_rate_limit_refuses_and_notifies_once(any_state: State) -> None:
    decisions = [await any_state.limiter.check("slack:T1:U1") for _ in range(6)]
    assert [d.allowed for d in decisions] == [True, True, True, False, False, False]
    assert [d.notify for d in decisions] == [False, False, False, True, False, False]
    assert (await any_state.limiter.check("slack:T1:U2")).allowed


async def test_the_daily_ledger_posts_a_day_once_and_remembers_the_quotes(any_state: State) -> None:
    ledger, day = any_state.daily, dt.date(2026, 12, 2)
    assert await ledger.status("slack", "C1", day) is None
    assert await ledger.claim("slack", "C1", day) == "mine"
    assert await ledger.claim("slack", "C1", day) == "busy"
    await ledger.release("slack", "C1", day)  # the post failed: the day is free again
    assert await ledger.claim("slack", "C1", day) == "mine"
    await ledger.posted("slack", "C1", day, "quote-1")
    assert await ledger.status("slack", "C1", day) == "posted"
    assert await ledger.claim("slack", "C1", day) == "posted"
    assert await ledger.seen("slack", "C1") == {"quote-1"} and await ledger.seen("discord", "C1") == set()
    await ledger.start_over("slack", "C1")
    assert await ledger.seen("slack", "C1") == set()


class Stores:
    """Stores of one kind ("redis" or "in-process") with TTLs a test can wait out."""

    def __init__(self, link: RedisLink | None, namespace: str) -> None:
        self._link, self._ns = link, namespace

    def limiter(self, limit: int, window: float) -> RateLimiter:
        local = LocalRateLimiter(limit, window)
        return local if self._link is None else RedisRateLimiter(self._link, limit, self._ns, local, window)

    def votes(self, ttl: float) -> Votes:
        local = LocalVotes(ttl)
        return local if self._link is None else RedisVotes(self._link, self._ns, local, ttl)

    def answers(self) -> AnswerStore:
        local = LocalAnswers()
        return local if self._link is None else RedisAnswers(self._link, self._ns, local)


@pytest.fixture(params=["redis", "in-process"])
async def stores(request: pytest.FixtureRequest, namespace: str) -> AsyncIterator[Stores]:
    if request.param == "in-process":
        yield Stores(None, namespace)
        return
    link = RedisLink(request.getfixturevalue("redis_server").url)
    try:
        yield Stores(link, namespace)
    finally:
        await link.aclose()


async def test_a_users_window_ends_after_the_last_accepted_question(stores: Stores, until: Poll) -> None:
    limiter = stores.limiter(1, window=0.3)
    assert (await limiter.check("u1")).allowed
    assert await limiter.check("u1") == RateDecision(allowed=False, notify=True)

    async def allowed() -> bool:
        return (await limiter.check("u1")).allowed

    await until(allowed)
    assert not (await limiter.check("u1")).allowed  # a new window, told again
    assert (await limiter.check("u2")).allowed


async def test_a_vote_counts_once_per_user_until_changed_and_expires(stores: Stores, until: Poll) -> None:
    votes = stores.votes(ttl=60)
    assert await votes.vote("a1", "u1", "up")
    assert not await votes.vote("a1", "u1", "up")
    assert await votes.vote("a1", "u2", "up")
    assert await votes.vote("a1", "u1", "down")
    assert await votes.vote("a2", "u1", "down")
    brief = stores.votes(ttl=0.2)
    assert await brief.vote("b1", "u1", "up")
    await until(lambda: brief.vote("b1", "u1", "up"))  # forgotten: it counts again


async def test_an_answer_is_one_entry_read_as_cache_while_young_and_as_pages_until_it_expires(
    stores: Stores, until: Poll
) -> None:
    answers = stores.answers()
    assert await answers.get("a1") is None
    await answers.put("a1", "payload", ttl=60)
    assert await answers.get("a1") == "payload"
    assert await answers.get("a1", max_age=30) == "payload"
    await answers.put("a2", "young", ttl=30)

    async def aged() -> bool:
        return await answers.get("a2", max_age=0.05) is None

    await until(aged)
    assert await answers.get("a2") == "young"  # too old for the cache, still there for "more"
    await answers.put("a3", "brief", ttl=0.2)

    async def expired() -> bool:
        return await answers.get("a3") is None

    await until(expired)
    await answers.put("a4", "never", ttl=0)
    assert await answers.get("a4") is None


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_in_process_store_forgets_entries_past_their_ttl_on_the_next_write() -> None:
    """What lets the in-process rate limiter forget the users who stopped asking (their hits share a
    TTL of one window): they take no memory."""
    clock = Clock()
    store: ExpiringStore[int] = ExpiringStore(clock=clock)
    for user in range(100):
        store.set(f"u{user}", 1, 60)
    assert len(store) == 100
    clock.now += 61
    store.set("u0", 1, 60)
    assert len(store) == 1


async def test_the_in_process_limiter_starts_a_new_window_for_a_user_who_stopped_asking() -> None:
    clock = Clock()
    limiter = LocalRateLimiter(1, window=60, clock=clock)
    assert (await limiter.check("u1")).allowed
    assert (await limiter.check("u1")) == RateDecision(allowed=False, notify=True)
    clock.now += 61
    assert (await limiter.check("u1")).allowed
    assert (await limiter.check("u1")) == RateDecision(allowed=False, notify=True)  # told again


async def test_redis_outage_degrades_then_recovers(
    redis_server: RedisServer, namespace: str, caplog: pytest.LogCaptureFixture, until: Poll
) -> None:
    async with open_state(redis_server.url, namespace=namespace, backoff=0.2) as state:
        assert await state.ping() and state.redis_status == "ok"
        assert await state.votes.vote("a", "u1", "up")
        redis_server.stop()
        with caplog.at_level(logging.WARNING, logger="onrecord.bot.state"):
            assert await state.answers.get("q") is None
            assert state.redis_status == "ok"  # one refusal is not an outage
            # The claim tries Redis until the link gives up on it, then holds in this process.
            assert await state.claims.claim("e") and not await state.claims.claim("e")
            assert state.redis_status == "degraded"
            await state.answers.put("p", "kept", ttl=60)
            assert await state.answers.get("p") == "kept"
            assert await state.votes.vote("a", "u2", "up")
            assert not await state.votes.vote("a", "u2", "up")  # kept in process meanwhile
        assert len([r for r in caplog.records if "unreachable" in r.getMessage()]) == 1
        redis_server.start()

        async def recovered() -> bool:
            return state.redis_status == "ok"

        await until(recovered)
        assert await state.answers.get("p") == "kept"
        await state.answers.put("q", "x", ttl=60)
        assert await state.answers.get("q", max_age=30) == "x"
        async with open_state(redis_server.url, namespace=namespace) as other:
            assert not await other.claims.claim("e")  # the claim taken during the outage was written back


async def test_claims_held_when_redis_restarts_empty(
    redis_server: RedisServer, namespace: str, until: Poll
) -> None:
    async with (
        open_state(redis_server.url, namespace=namespace, backoff=0.05) as a,
        open_state(redis_server.url, namespace=namespace, backoff=0.05) as b,
        Redis.from_url(redis_server.url, decode_responses=True) as raw,
    ):
        assert await a.claims.claim("answering", ttl=45)
        assert await a.claims.claim("answered", ttl=45)
        await a.claims.done("answered")
        redis_server.stop()
        # While Redis is down, the process that holds a claim still refuses a retry of it.
        assert not await a.claims.claim("answering") and not await a.claims.claim("answered")
        redis_server.start()  # empty: every key is gone

        async def written_back() -> bool:
            return await raw.exists(f"{namespace}:claim:answering", f"{namespace}:claim:answered") == 2

        await until(written_back)  # a was idle: its heartbeat saw the break
        assert not await b.claims.claim("answering") and not await b.claims.claim("answered")
        assert not await a.claims.claim("answering") and not await a.claims.claim("answered")
        assert 40 < await raw.ttl(f"{namespace}:claim:answering") <= 45
        assert await raw.ttl(f"{namespace}:claim:answered") > 45


async def test_a_slow_redis_decides_claims_and_does_not_degrade_the_link(
    redis_server: RedisServer, namespace: str, until: Poll
) -> None:
    async with (
        open_state(redis_server.url, namespace=namespace) as a,
        open_state(redis_server.url, namespace=namespace) as b,
    ):
        assert await a.ping()
        redis_server.pause()
        claim = asyncio.create_task(a.claims.claim("slow"))
        # A quick call gives up on the slow reply without tripping the link for anyone.
        assert await a.answers.get("q") is None
        assert (await a.limiter.check("u")).allowed
        assert not claim.done() and a.redis_status == "ok"
        redis_server.resume()
        assert await claim  # decided by Redis once it replied
        assert not await b.claims.claim("slow")
        assert a.redis_status == "ok"


async def test_a_hanging_redis_costs_a_claim_its_patience_and_raises_nothing(
    redis_server: RedisServer, namespace: str, until: Poll
) -> None:
    async with (
        open_state(redis_server.url, namespace=namespace, patience=0.2, backoff=0.05) as state,
        Redis.from_url(redis_server.url, decode_responses=True) as raw,
    ):
        assert await state.ping()
        redis_server.pause()
        assert await state.answers.get("q") is None
        assert await state.claims.claim("e")  # Redis gave no reply within its patience: held here
        assert not await state.claims.claim("e")
        assert (await state.limiter.check("u")).allowed
        assert state.redis_status == "ok"  # it is slow, not refusing: every call still asks it
        redis_server.resume()

        async def written_back() -> bool:
            return bool(await raw.exists(f"{namespace}:claim:e"))

        await until(written_back)


async def test_in_process_mode_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="onrecord.bot.state"):
        async with open_state(None) as state:
            assert state.redis_status == "disabled"
            assert not await state.ping()
    assert [r.getMessage() for r in caplog.records if "single-process" in r.getMessage()]


async def test_a_process_gives_back_only_its_own_claims(
    redis_server: RedisServer, namespace: str, until: Poll
) -> None:
    async with (
        open_state(redis_server.url, namespace=namespace) as a,
        open_state(redis_server.url, namespace=namespace) as b,
    ):
        assert await a.claims.claim("Ev5", ttl=0.05)
        # a's answer took too long: its claim expired, and a retry is answered by b
        await until(lambda: b.claims.claim("Ev5", ttl=45))
        await a.claims.release("Ev5")  # a fails late: b's claim must stand
        assert not await a.claims.claim("Ev5")
        await a.claims.done("Ev5")  # nor may a late success take it over
        await b.claims.release("Ev5")
        assert await a.claims.claim("Ev5")
