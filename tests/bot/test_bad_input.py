"""Hostile and odd questions: always a sensible Answer, never an exception."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onrecord import index
from onrecord.bot.answer import Answer
from onrecord.bot.question import normalize
from onrecord.bot.service import AnswerService
from onrecord.bot.state import State


@pytest.fixture
def service(seed_index: index.Index) -> AnswerService:
    return AnswerService(seed_index, State(None), max_question_chars=1000)


@pytest.mark.parametrize(
    ("question", "status"),
    [
        ("", "empty"),
        ("   \n\t ", "empty"),
        ("<@U123>", "empty"),
        ("<!channel> <!here> @everyone @here", "empty"),
        ("<@123> <@!123> <@&456> <#789>", "empty"),
        ("?!… ¿¡ --- ***", "empty"),
        ("🙂🎙️🔥👍🏽", "empty"),
        ("\u200b\u200c\u200d\u2060\ufeff", "empty"),
        ("\u202e\u2066\u2067\u2069\u200f", "empty"),
        ("trust " * 20_000, "too_long"),
        ("x" * 100_000, "too_long"),
    ],
)
async def test_refusals(service: AnswerService, question: str, status: str) -> None:
    answer = await service.ask(question)
    assert answer.status == status and answer.message and not answer.results


@pytest.mark.parametrize(
    "question",
    [
        "<!channel> what is trust?",
        "<!here> what is trust?",
        "@everyone what is trust?",
        "<@U123> what is trust?",
        "what\u200b is\u200d trust\u202e?",
        "\u2067what is trust\u2069",
        "<https://example.com|what is trust>",
        "*what* _is_ `trust`",
    ],
)
async def test_markup_around_a_real_question(service: AnswerService, question: str) -> None:
    answer = await service.ask(question)
    assert answer.status == "ok" and answer.question.rstrip("?") == "what is trust"


def test_normalize_keeps_words_and_drops_chat_markup() -> None:
    assert normalize("<@U1> <!subteam^S1|@team> ＷＨＯ said <https://x.io|this>?") == "WHO said this?"
    assert (
        normalize("> quote\n> `code` ~~gone~~ ||spoiler|| [label](https://x)")
        == "quote code gone spoiler label"
    )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=st.text(max_size=300) | st.text(st.characters(), min_size=900, max_size=1100))
async def test_any_unicode_gets_an_answer(service: AnswerService, question: str) -> None:
    answer = await service.ask(question)
    assert isinstance(answer, Answer)
    assert answer.status in ("ok", "no_match", "empty", "too_long")
