"""Discord rendering: within Discord's limits whatever the transcripts hold, Markdown shown as written."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.answer import Answer, Result
from bot.discord.render import MAX_CONTENT, MAX_EMBED_TEXT, MAX_EMBEDS, answer_message, quote_message

if TYPE_CHECKING:
    import index


def _answer(seed_index: index.Index, k: int, **changes: object) -> Answer:
    hits = seed_index.search("learning and intelligence", k)
    results = tuple(dataclasses.replace(Result.from_hit(h), **changes) for h in hits)  # type: ignore[arg-type]
    return Answer(id="a1", question="learning", status="ok", results=results, page_size=k).page_of(0)


def _embed_text(message: object) -> int:
    return sum(len(e.title or "") + len(e.description or "") for e in message.embeds)  # type: ignore[attr-defined]


@settings(max_examples=60, deadline=None)
@given(
    quote=st.text(alphabet=st.sampled_from("*_~`|>#-[]()\\@<&!: aZ\n"), min_size=1, max_size=500),
    title=st.text(alphabet=st.sampled_from("*_`\\aZ "), max_size=400),
    link=st.integers(min_value=0, max_value=600),
)
def test_ten_results_stay_within_every_limit(
    seed_index: index.Index, quote: str, title: str, link: int
) -> None:
    url = "https://x.test/" + "a" * link
    answer = _answer(
        seed_index, 10, quote=quote, title=title, url=url, link=url, start=65.0, speaker="S" * 200
    )
    message = answer_message(answer)
    assert len(message.embeds) <= MAX_EMBEDS and len(message.content) <= MAX_CONTENT
    assert _embed_text(message) <= MAX_EMBED_TEXT
    for embed in message.embeds:
        assert 0 < len(embed.title or "") <= 256 and len(embed.description or "") <= 4096


def test_markdown_and_mentions_render_as_written(seed_index: index.Index) -> None:
    quote = "**bold** _it_ `code` @everyone <@123456789012345678> [x](https://evil.test) # heading"
    message = answer_message(_answer(seed_index, 3, quote=quote))
    description = message.embeds[0].description or ""
    assert "\\*\\*bold\\*\\*" in description and "\\_it\\_" in description and "\\`code\\`" in description
    assert "@everyone" not in description.replace("@\u200beveryone", "")
    assert "<@123456789012345678>" not in description


def test_a_quote_is_headed_by_its_topic(seed_index: index.Index) -> None:
    single = dataclasses.replace(_answer(seed_index, 1), question="")
    assert quote_message(single).content == "A quote from the transcripts"
    assert quote_message(dataclasses.replace(single, question="trust")).content == "A quote on “trust”"
