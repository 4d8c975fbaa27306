"""Discord rendering: within Discord's limits whatever the transcripts hold, Markdown shown as written."""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onrecord.bot.answer import Answer, Result
from onrecord.bot.discord.render import MAX_CONTENT, MAX_EMBED_TEXT, MAX_EMBEDS, answer_message, quote_message

if TYPE_CHECKING:
    from onrecord import index


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


SPACED_URL = (
    "https://www.youtube.com/watch?v=abc#x) **Your server will be deleted unless you verify** "
    "[verify here](https://evil.example/login"
)
TIGHT_URL = "https://www.youtube.com/watch?v=abc#x)**Your_server**[verify](https://evil.example/login"


def _links(markdown: str) -> list[str]:
    """Where the masked links Discord would render in `markdown` go (escaped characters are plain text)."""
    text = re.sub(r"\\[^0-9A-Za-z\s]", "\0", markdown)
    return re.findall(r"\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?((?:\([^()\s]*\)|[^\s()<>])*)>?\s*\)", text)


@pytest.mark.parametrize(
    "url", [SPACED_URL, TIGHT_URL, "javascript:alert(1)", "https://youtube.com@evil.example/"]
)
def test_a_hostile_link_is_left_out_or_encoded(seed_index: index.Index, url: str) -> None:
    """A link from an index built before links were checked: it never ends the Markdown link early."""
    message = answer_message(
        _answer(seed_index, 3, link=url, url=url, start=65.0, title="T](https://evil.example)")
    )
    for embed in message.embeds:
        links = _links(embed.description or "") + _links(embed.title or "")
        if embed.url is not None:
            links.append(embed.url)
        assert all(link.startswith("https://www.youtube.com/watch?v=abc") for link in links), links
        assert all(re.fullmatch(r"[^\s()<>\[\]]+", link) for link in links), links


@pytest.mark.parametrize(
    "quote",
    [
        "[verify here](https://evil.example/login) and [claim](https://evil.example/claim)",
        "[[nested]](https://evil.example/n) \\[escaped](https://evil.example/e)",
        "see [a]( https://evil.example/a ) or [b](<https://evil.example/b>)",
    ],
)
def test_masked_links_in_transcript_text_stay_text(seed_index: index.Index, quote: str) -> None:
    message = answer_message(_answer(seed_index, 3, quote=quote, speaker="Ann](https://evil.example/s) [x"))
    for embed in message.embeds:
        assert "evil.example" in (embed.description or "")
        assert not [link for link in _links(embed.description or "") if "evil" in link]
        assert "https://evil" not in re.sub(
            r"\\[^0-9A-Za-z\s]", "\0", embed.description or ""
        )  # no bare link


def test_a_result_links_to_its_page_only_when_there_is_one(seed_index: index.Index) -> None:
    page = "https://bot.example.org/q/abc123/10-20#quote"
    linked = answer_message(_answer(seed_index, 3, context_url=page))
    assert all(f"[Read in context]({page})" in (e.description or "") for e in linked.embeds)
    plain = answer_message(_answer(seed_index, 3))
    assert not any("Read in context" in (e.description or "") for e in plain.embeds)


def test_a_quote_shows_the_range_it_is_said_in_linked_to_its_start(seed_index: index.Index) -> None:
    url = "https://example.org/talk?t=724"
    timed = answer_message(_answer(seed_index, 3, start=724.2, end=761.9, url=url))
    assert all(f"[▶ 12:04–12:41]({url})" in (e.description or "") for e in timed.embeds)
    untimed = answer_message(_answer(seed_index, 3, start=None, end=None, url=None))
    assert not any("▶" in (e.description or "") for e in untimed.embeds)
