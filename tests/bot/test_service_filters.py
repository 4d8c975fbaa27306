"""The service's filters, context tokens and episode resolution, shared by every front end."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from onrecord import index
from onrecord.bot.service import AnswerService, AskOptions
from onrecord.bot.slack.blocks import more_value
from onrecord.bot.state import State, open_state
from tests.conftest import RedisServer

SPEAKERS = Path(__file__).resolve().parents[1] / "data" / "speakers"


@pytest.fixture(scope="module")
def talks() -> index.Index:
    return index.build([SPEAKERS])


@pytest.fixture
async def redis_state(redis_server: RedisServer, namespace: str) -> AsyncIterator[State]:
    async with open_state(redis_server.url, namespace=namespace, backoff=0.2) as state:
        yield state


async def test_the_cache_keeps_filtered_answers_apart(talks: index.Index, redis_state: State) -> None:
    service = AnswerService(talks, redis_state)
    everyone = await service.ask("sourdough bread")
    maya = await service.ask("sourdough bread", AskOptions(speaker="maya"))
    assert not maya.cached and maya.id != everyone.id
    assert {r.speaker for r in maya.results} == {"Maya Lindqvist"} != {r.speaker for r in everyone.results}
    again = await service.ask('speaker:"Maya Lindqvist" sourdough bread')  # the same person, typed otherwise
    assert again.cached and again.id == maya.id and again.results == maya.results
    episode = await service.ask("sourdough bread", AskOptions(speaker="maya", episode="garden.md"))
    assert not episode.cached and [r.source for r in episode.results] == ["garden.md"]


async def test_more_results_asks_again_with_the_filters_when_the_pages_are_gone(talks: index.Index) -> None:
    first = await AnswerService(talks, State(None)).ask("sourdough bread", AskOptions(k=1, speaker="maya"))
    assert first.has_more and first.results[0].source == "bread.md"
    value = json.loads(more_value(first))
    assert (value["q"], value["s"], value["k"]) == ("sourdough bread", "maya", 1)
    restarted = AnswerService(talks, State(None))  # a new process, its pages gone
    options = AskOptions(k=value["k"], speaker=value["s"])
    page = await restarted.more(value["a"], value["p"], question=value["q"], options=options)
    assert page is not None and [(r.speaker, r.source) for r in page.results] == [
        ("Maya Lindqvist", "garden.md")
    ]
    unfiltered = await AnswerService(talks, State(None)).more(value["a"], value["p"], question=value["q"])
    assert unfiltered is None  # without the filter, the question is another answer


async def test_a_results_context_names_its_passage_until_the_index_changes(
    talks: index.Index, seed_index: index.Index
) -> None:
    service = AnswerService(talks, State(None))
    [result] = (await service.ask("a starter that is fed forgives you", AskOptions(k=1))).results
    whole = await service.context(result.context)
    assert whole is not None and result.quote.strip("… ") in whole.results[0].quote
    service.use(seed_index)
    assert await service.context(result.context) is None


async def test_episodes_are_named_by_id_file_name_or_title(talks: index.Index) -> None:
    service = AnswerService(talks, State(None))
    bread = next(d for d in talks.documents if d.source == "bread.md")
    for typed in (bread.id, "bread.md", "bread at dawn", "Kitchen Talk: Bread at Down"):
        answer = await service.ask("sourdough", AskOptions(episode=typed))
        assert answer.results and {r.document_id for r in answer.results} == {bread.id}
        assert answer.scope == "in “Kitchen Talk: Bread at Dawn”"
    missing = await service.ask("sourdough", AskOptions(episode="Tomato Winters Special"))
    assert missing.status == "unknown_filter"
    assert missing.message.endswith("Close titles: “Garden Hour: Tomatoes in Winter”.")
    assert service.episode_choices("tomato", 25)[0][1] == "Garden Hour: Tomatoes in Winter"
