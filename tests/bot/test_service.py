"""The answering service over the real seed index, with a real redis-server."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from redis.asyncio import Redis

from onrecord import index
from onrecord.bot.answer import Answer
from onrecord.bot.metrics import Metrics
from onrecord.bot.question import normalize
from onrecord.bot.service import AnswerService, AskOptions, IndexChangedError, InvalidVoteError
from onrecord.bot.state import State, open_state

if TYPE_CHECKING:
    from conftest import Poll, RedisServer

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
QUESTION = "what is trust"


class CountingIndex:
    """The real index, counting the searches made through it."""

    def __init__(self, real: index.Index) -> None:
        self._real = real
        self.searches = 0

    def search(self, *args: Any, **kwargs: Any) -> list[index.Hit]:
        self.searches += 1
        return self._real.search(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def make_service(idx: Any, state: State, **kwargs: Any) -> AnswerService:
    return AnswerService(idx, state, **kwargs)


@pytest.fixture
async def redis_state(redis_server: RedisServer, namespace: str) -> AsyncIterator[State]:
    async with open_state(redis_server.url, namespace=namespace, backoff=0.2) as state:
        yield state


async def test_a_second_ask_is_served_from_the_cache(seed_index: index.Index, redis_state: State) -> None:
    counting, metrics = CountingIndex(seed_index), Metrics()
    service = make_service(counting, redis_state, metrics=metrics)
    first = await service.ask(f"<@U123> *{QUESTION}*?")
    assert first.status == "ok" and not first.cached and counting.searches == 1
    assert 0 < len(first.results) <= 3 and first.results[0].rank == 1
    assert first.results[0].source.endswith(".txt") and first.results[0].passage_text
    second = await service.ask(f"{QUESTION}?")
    assert second.cached and counting.searches == 1
    assert second.id == first.id and second.results == first.results
    assert metrics.cache_hits._value.get() == 1 and metrics.cache_misses._value.get() == 1


@pytest.mark.parametrize("kind", ["redis", "in-process"])
async def test_an_answer_is_kept_once_cached_for_the_cache_ttl_and_paged_longer(
    seed_index: index.Index, kind: str, request: pytest.FixtureRequest, namespace: str, until: Poll
) -> None:
    url = request.getfixturevalue("redis_server").url if kind == "redis" else None
    async with open_state(url, namespace=namespace) as state:
        counting = CountingIndex(seed_index)
        service = make_service(counting, state, results=2, cache_ttl=1)
        first = await service.ask(QUESTION)
        assert (await service.ask(QUESTION)).cached

        async def uncached() -> bool:
            return not (await service.ask(QUESTION)).cached

        await until(uncached)  # older than the cache TTL: searched again
        searches = counting.searches
        page = await service.more(first.id, 1)  # the pages are the same entry, kept longer
        assert page is not None and page.page == 1 and counting.searches == searches
        if url is not None:
            async with Redis.from_url(url, decode_responses=True) as raw:
                assert [key async for key in raw.scan_iter(f"{namespace}:*")] == [
                    f"{namespace}:answer:{first.id}"
                ]


async def test_a_rebuilt_index_misses_the_cache(seed_index: index.Index, redis_state: State) -> None:
    await make_service(seed_index, redis_state).ask(QUESTION)
    rebuilt = CountingIndex(index.build([next(SEEDS.glob("000_*.txt"))]))
    assert rebuilt.version != seed_index.version
    answer = await make_service(rebuilt, redis_state).ask(QUESTION)
    assert not answer.cached and rebuilt.searches == 1


async def test_pages_and_votes_survive_a_restart(
    seed_index: index.Index, redis_server: RedisServer, namespace: str
) -> None:
    async with open_state(redis_server.url, namespace=namespace) as state:
        service = make_service(seed_index, state, results=2)
        first = await service.ask(QUESTION, AskOptions(platform="slack"))
        assert first.has_more
        await state.questions.settle()  # (logged beside the answer, which does not wait for it)
        await service.feedback(first.id, "u1", "up")
        with pytest.raises(InvalidVoteError):
            await service.feedback(first.id, "u1", "sideways")  # type: ignore[arg-type]
    async with open_state(redis_server.url, namespace=namespace) as state:
        service = make_service(CountingIndex(seed_index), state, results=2)
        page = await service.more(first.id, 1)
        assert page is not None and page.page == 1 and page.results[0].rank == 3
        assert service.index.searches == 0
        await service.feedback(first.id, "u1", "up")  # the same vote again: not counted twice
        await service.feedback(first.id, "u2", "down")
        await state.questions.settle()
        [stats] = (await state.questions.report(1))["slack"]
        assert (stats.asked, stats.up, stats.down) == (1, 1, 1)
        assert (await service.ask(QUESTION)).id == first.id
        assert await service.more(first.id, 99) is None


async def test_more_searches_again_when_the_pages_are_gone(seed_index: index.Index) -> None:
    async with open_state(None) as state:
        first = await make_service(seed_index, state).ask(QUESTION)
    async with open_state(None) as state:
        service = make_service(seed_index, state)
        assert await service.more(first.id, 1) is None
        assert await service.more(first.id, 1, question="another question") is None
        page = await service.more(first.id, 1, question=QUESTION)
        assert page is not None and page.id == first.id and page.results[0].rank == 4


async def test_a_daily_quote_picked_from_a_replaced_index_is_refused_not_cut_from_the_new_one(
    seed_index: index.Index, tmp_path: Path
) -> None:
    (tmp_path / "talk.txt").write_text("Owls hunt at night. They fly without a sound.\n", "utf-8")
    async with open_state(None) as state:
        service = make_service(seed_index, state)
        version, candidates = await service.quotable()
        chosen = candidates[0]
        quote = await service.excerpt(version, chosen.passage_id, chosen.start, chosen.end)
        assert quote.quote and quote.context == f"{version}:{chosen.passage_id}"
        service.use(index.build([tmp_path]))  # a live switch between picking and posting
        with pytest.raises(IndexChangedError):
            await service.excerpt(version, chosen.passage_id, chosen.start, chosen.end)


async def test_more_searches_again_with_the_question_as_the_button_kept_it(seed_index: index.Index) -> None:
    """The button holds the normalized question, which normalizing again would change."""
    asked = "trust &lt;@team&gt; AT&amp;amp;T broken"
    async with open_state(None) as state:
        first = await make_service(seed_index, state).ask(asked)
    assert first.question != normalize(first.question)
    async with open_state(None) as state:
        page = await make_service(seed_index, state).more(first.id, 1, question=first.question)
    assert page is not None and page.id == first.id


async def test_no_match_suggests_close_words(seed_index: index.Index) -> None:
    async with open_state(None) as state:
        answer = await make_service(seed_index, state).ask("zzqxv trusst")
    assert answer.status in ("no_match", "ok")
    nothing = await make_service(seed_index, State(None)).ask("qqqqzzzzxxxx")
    assert nothing.status == "no_match" and not nothing.results and nothing.message


async def test_rate_limited_user_is_told_once(seed_index: index.Index) -> None:
    async with open_state(None, rate_limit=2) as state:
        service = make_service(seed_index, state)
        asks = [await service.ask(QUESTION, AskOptions(user="slack:T1:U1")) for _ in range(4)]
    assert [a.status for a in asks] == ["ok", "ok", "rate_limited", "rate_limited"]
    assert asks[2].notify and asks[2].message and not asks[3].notify


async def test_an_index_failure_is_an_apology(
    seed_index: index.Index, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken(CountingIndex):
        def search(self, *args: Any, **kwargs: Any) -> list[index.Hit]:
            raise RuntimeError("disk on fire")

    with caplog.at_level(logging.ERROR):
        answer = await make_service(Broken(seed_index), State(None)).ask(QUESTION)
    assert answer.status == "error" and answer.message
    assert any(r.exc_info for r in caplog.records)


async def test_stopping_redis_mid_run_loses_no_answer(
    seed_index: index.Index, redis_server: RedisServer, redis_state: State, until: Poll
) -> None:
    words = sorted({w for p in list(seed_index.passages)[:200] for w in p.text.split() if w.isalpha()})
    questions = [f"{a} {b}" for a, b in zip(words[::2], words[1::2], strict=False)][:200]
    assert len(questions) == 200
    service = make_service(seed_index, redis_state)
    tasks = [asyncio.create_task(service.ask(q)) for q in questions]
    await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    redis_server.stop()  # blocking the loop on purpose: the other questions stay in flight
    assert sum(not t.done() for t in tasks) > 50  # (how many finished first depends on the machine's load)
    answers = await asyncio.gather(*tasks)
    assert all(isinstance(a, Answer) and a.status in ("ok", "no_match") for a in answers)
    assert redis_state.redis_status == "degraded"
    await asyncio.to_thread(redis_server.start)

    async def cached_again() -> bool:
        await service.ask(QUESTION)
        return (await service.ask(QUESTION)).cached

    await until(cached_again)
    assert redis_state.redis_status == "ok"


async def test_a_paused_redis_does_not_hold_questions_up(
    seed_index: index.Index, redis_server: RedisServer, redis_state: State, until: Poll
) -> None:
    """Answered while Redis gives no reply at all (what that costs: benchmarks/suite_timings.py)."""
    service = make_service(seed_index, redis_state)
    await service.ask("warm up")
    redis_server.pause()
    answers = [await service.ask(QUESTION), await service.ask("cold shower")]
    assert [a.status for a in answers] == ["ok", "ok"] and not any(a.cached for a in answers)
    redis_server.resume()


async def test_a_question_in_another_language_is_told_so(seed_index: index.Index) -> None:
    answer = await make_service(seed_index, State(None)).ask(
        "Was denkt er über das Bewusstsein der Maschinen?"
    )
    assert answer.status == "no_match" and not answer.results
    assert answer.message == (
        "Nothing on record about that. Your question looks like German, but the transcripts are in English."
    )
