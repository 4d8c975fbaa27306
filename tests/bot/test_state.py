"""The Redis layer against a real redis-server, and its in-process twin."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.state import FeedbackCounts, State, Tally, open_state

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


async def test_a_working_claim_expires_so_a_dead_owners_event_is_answered(any_state: State) -> None:
    assert await any_state.claims.claim("Ev4", ttl=1)  # its owner dies without releasing it
    await asyncio.sleep(1.1)
    assert await any_state.claims.claim("Ev4")


CLAIM_SCRIPT = """
import asyncio, sys
from bot.state import open_state

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


async def test_a_changed_vote_moves_the_count(any_state: State) -> None:
    feedback = any_state.feedback
    await feedback.vote("a1", None, "u1", "up")
    await feedback.vote("a1", None, "u1", "up")
    await feedback.vote("a1", None, "u2", "up")
    await feedback.vote("a1", 7, "u1", "down")
    await feedback.vote("a1", None, "u2", "down")
    assert await feedback.counts("a1") == FeedbackCounts(Tally(up=1, down=1), {7: Tally(down=1)})
    assert await feedback.counts("unknown") == FeedbackCounts()


async def test_cache_and_pages_round_trip(any_state: State) -> None:
    assert await any_state.cache.get("v1", "who is ilya") is None
    await any_state.cache.put("v1", "who is ilya", "payload", ttl=60)
    assert await any_state.cache.get("v1", "who is ilya") == "payload"
    assert await any_state.cache.get("v2", "who is ilya") is None
    await any_state.pages.put("abc", "all results")
    assert await any_state.pages.get("abc") == "all results"


async def test_redis_outage_degrades_then_recovers(
    redis_server: RedisServer, namespace: str, caplog: pytest.LogCaptureFixture, until: Poll
) -> None:
    async with open_state(redis_server.url, namespace=namespace, backoff=0.2) as state:
        assert await state.ping() and state.redis_status == "ok"
        await state.feedback.vote("a", None, "u1", "up")
        redis_server.stop()
        with caplog.at_level(logging.WARNING, logger="bot.state"):
            assert await state.cache.get("v", "q") is None
            assert state.redis_status == "degraded"
            await state.cache.put("v", "q", "x", ttl=60)
            assert await state.claims.claim("e") and not await state.claims.claim("e")
            await state.pages.put("p", "kept")
            assert await state.pages.get("p") == "kept"
            await state.feedback.vote("a", None, "u2", "up")
            assert (await state.feedback.counts("a")).answer == Tally(up=1)  # Redis's vote is unreachable
        assert len([r for r in caplog.records if "unreachable" in r.getMessage()]) == 1
        redis_server.start()

        async def recovered() -> bool:
            return state.redis_status == "ok"

        await until(recovered)
        assert await state.pages.get("p") == "kept"
        await state.cache.put("v", "q", "x", ttl=60)
        assert await state.cache.get("v", "q") == "x"


async def test_a_hanging_redis_costs_at_most_about_a_second(
    redis_server: RedisServer, namespace: str, until: Poll
) -> None:
    async with open_state(redis_server.url, namespace=namespace, backoff=0.2) as state:
        assert await state.ping()
        redis_server.pause()
        started = time.monotonic()
        assert await state.cache.get("v", "q") is None
        assert await state.claims.claim("e")
        assert (await state.limiter.check("u")).allowed
        assert time.monotonic() - started < 1.2
        assert state.redis_status == "degraded"
        redis_server.resume()

        async def recovered() -> bool:
            return state.redis_status == "ok"

        await until(recovered)


async def test_in_process_mode_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="bot.state"):
        async with open_state(None) as state:
            assert state.redis_status == "disabled" and not state.redis_ok
            assert not await state.ping()
    assert [r.getMessage() for r in caplog.records if "single-process" in r.getMessage()]


async def test_a_process_gives_back_only_its_own_claims(redis_server: RedisServer, namespace: str) -> None:
    async with (
        open_state(redis_server.url, namespace=namespace) as a,
        open_state(redis_server.url, namespace=namespace) as b,
    ):
        assert await a.claims.claim("Ev5", ttl=1)
        await asyncio.sleep(1.1)  # a's answer took too long: its claim expired
        assert await b.claims.claim("Ev5", ttl=45)  # a retry, answered by b
        await a.claims.release("Ev5")  # a fails late: b's claim must stand
        assert not await a.claims.claim("Ev5")
        await a.claims.done("Ev5")  # nor may a late success take it over
        await b.claims.release("Ev5")
        assert await a.claims.claim("Ev5")
