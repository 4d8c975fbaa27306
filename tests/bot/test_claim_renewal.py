"""Claims kept while their work goes on: an answer (`bot.work.Work`) and the daily post (`DailyLedger.keep`),
against a real redis-server and the in-process twin. Two `State`s stand for two bot processes."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from onrecord.bot.state import State, open_state
from onrecord.bot.work import Work
from tests.conftest import Poll

DAY = dt.date(2026, 12, 2)


@pytest.fixture(params=["redis", "in-process"])
async def url(request: pytest.FixtureRequest) -> str | None:
    return request.getfixturevalue("redis_server").url if request.param == "redis" else None


@pytest.fixture
async def first(url: str | None, namespace: str) -> AsyncIterator[State]:
    async with open_state(url, namespace=namespace) as state:
        yield state


@pytest.fixture
async def second(url: str | None, namespace: str, first: State) -> AsyncIterator[State]:
    """Another process sharing Redis; in process, the same state (one process is all there is)."""
    if url is None:
        yield first
        return
    async with open_state(url, namespace=namespace) as state:
        yield state


async def _nothing() -> None:
    return None


async def test_an_answer_that_outlasts_its_claim_keeps_it_until_done(
    first: State, second: State, until: Poll
) -> None:
    """A claim of 1 s, renewed every third of it: while the answer takes several times that, another
    process asking for the event is refused each time; once done, still refused."""
    work = Work(first.claims, ttl=1)
    refused: list[bool] = []
    async with work.claimed("Ev1", _nothing) as mine:
        assert mine
        assert await first.claims.claim("marker", 3)  # gone after three of the answer's claim times

        async def marker_gone() -> bool:
            refused.append(not await second.claims.claim("Ev1", 1))
            return await first.claims.claim("marker", 3)

        await until(marker_gone)
    assert refused and all(refused)
    assert not await second.claims.claim("Ev1", 1)


async def test_only_the_process_posting_the_day_can_keep_it(first: State, second: State) -> None:
    assert await first.daily.claim("slack", "C0001", DAY) == "mine"
    assert await first.daily.keep("slack", "C0001", DAY)
    if second is not first:
        assert not await second.daily.keep("slack", "C0001", DAY)
    await first.daily.posted("slack", "C0001", DAY, "quote-1")
    assert not await first.daily.keep("slack", "C0001", DAY)  # posted: nothing left to keep
