"""Slack rendering: within Block Kit's limits, and no outside text can become a mention or a link."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import TYPE_CHECKING, Any

from hypothesis import given, settings
from hypothesis import strategies as st

from onrecord.bot.answer import Answer, Result
from onrecord.bot.slack.blocks import (
    MAX_BLOCKS,
    MAX_SECTION,
    answer_message,
    more_value,
    notice_message,
    parse_value,
)

if TYPE_CHECKING:
    from onrecord import index

# Anything Slack would read as markup: a mention, broadcast, channel or link, or an entity we did not write.
_LIVE = re.compile(r"<[@!#]|<(?!https?://)[^&]")


def _answer(seed_index: index.Index, **changes: Any) -> Answer:
    hits = seed_index.search("why did Jerry leave OpenAI", 6)
    results = tuple(dataclasses.replace(Result.from_hit(h), **changes) for h in hits)
    return Answer(
        id="abc",
        question=changes.get("quote", "why did Jerry leave"),
        status="ok",
        results=results,
        page_size=3,
    ).page_of(0)


def _texts(blocks: list[dict[str, Any]]) -> list[str]:
    found: list[str] = []
    for block in blocks:
        if "text" in block:
            found.append(block["text"]["text"])
        found.extend(e["text"] for e in block.get("elements", []) if e.get("type") == "mrkdwn")
    return found


def test_each_result_is_a_block_quote_with_its_source(seed_index: index.Index) -> None:
    message = answer_message(_answer(seed_index))
    sections = [b for b in message.blocks if b["type"] == "section"]
    assert len(sections) == 3
    for section in sections:
        quote, _, source = section["text"]["text"].rpartition("\n— ")
        assert all(line.startswith(">") for line in quote.splitlines())
        assert source.startswith("*") and source  # the title, bold (a link when the transcript has one)
    actions = next(b for b in message.blocks if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == [
        "onrecord_more",
        "onrecord_vote_up",
        "onrecord_vote_down",
    ]
    assert message.text


def test_links_to_the_moment_and_names_the_speaker(seed_index: index.Index) -> None:
    answer = _answer(
        seed_index, link="https://youtu.be/x?a=1&b=2", url="https://youtu.be/x?t=65s", start=65.0
    )
    answer = dataclasses.replace(answer, results=answer.results[:1])
    answer = dataclasses.replace(answer, results=(dataclasses.replace(answer.results[0], speaker="Ilya"),))
    text = answer_message(answer).blocks[0]["text"]["text"]
    assert "<https://youtu.be/x?a=1&amp;b=2|" in text
    assert "<https://youtu.be/x?t=65s|1:05>" in text
    assert text.endswith("· Ilya")


def test_a_link_cannot_break_out_of_its_markup(seed_index: index.Index) -> None:
    answer = _answer(seed_index, link="https://x.test/a|<!channel>>b", url=None)
    text = answer_message(answer).blocks[0]["text"]["text"]
    assert "<!channel>" not in text and "/a%7C%3C!channel%3E%3Eb|" in text


@settings(max_examples=150, deadline=None)
@given(
    quote=st.text(alphabet=st.sampled_from("<>&!@#|*_~`\n aZ9é"), max_size=600),
    title=st.text(alphabet=st.sampled_from("<>&!@#|*aZ "), max_size=300),
)
def test_no_outside_text_becomes_markup(seed_index: index.Index, quote: str, title: str) -> None:
    answer = _answer(seed_index, quote=quote or "x", title=title, speaker=title or None, show=title or None)
    message = answer_message(answer)
    for text in [message.text, *_texts(message.blocks)]:
        assert not _LIVE.search(text), text
        assert len(text) <= MAX_SECTION
    assert len(message.blocks) <= MAX_BLOCKS


def test_the_longest_quotes_stay_within_a_section(seed_index: index.Index) -> None:
    answer = _answer(seed_index, quote="&<>" * 170, title="T" * 5000, speaker="S" * 5000, show="W" * 5000)
    for text in _texts(answer_message(answer).blocks):
        assert len(text) <= MAX_SECTION
        assert not re.search(r"&[a-z]*…", text)  # an entity is never cut in half


def test_notices_are_escaped() -> None:
    message = notice_message("Nothing on record about <!here> & <@U1>.")
    assert message.text == "Nothing on record about &lt;!here&gt; &amp; &lt;@U1&gt;."
    assert message.blocks[0]["text"]["text"] == message.text


def test_more_value_round_trips_and_fits_a_button(seed_index: index.Index) -> None:
    answer = _answer(seed_index)
    assert parse_value(more_value(answer)) == {"a": "abc", "p": 1, "k": 3, "q": answer.question}
    long = dataclasses.replace(answer, question='ö"' * 1000)
    value = more_value(long)
    assert len(value) <= 2000 and json.loads(value)["q"] is None
    assert parse_value("not json") == {} and parse_value("[1]") == {}


def test_slack_is_told_not_to_linkify_outside_text(seed_index: index.Index) -> None:
    """verbatim: no automatic links, channel names or mentions made of words like @here or #general."""
    message = answer_message(_answer(seed_index, quote="ping @here in #general at example.com"))
    objects = [b["text"] for b in message.blocks if "text" in b]
    objects += [e for b in message.blocks for e in b.get("elements", []) if e.get("type") == "mrkdwn"]
    assert objects and all(o["verbatim"] is True for o in objects)


SPACED_URL = (
    "https://www.youtube.com/watch?v=abc#x) **Your server will be deleted unless you verify** "
    "[verify here](https://evil.example/login"
)


def test_a_link_with_spaces_is_left_out_and_brackets_are_encoded(seed_index: index.Index) -> None:
    spaced = answer_message(_answer(seed_index, link=SPACED_URL, url=SPACED_URL, start=65.0))
    assert not [link for text in _texts(spaced.blocks) for link in re.findall(r"<(http[^|>]*)", text)]
    tight = "https://x.test/a_(b)_[c]"
    text = answer_message(_answer(seed_index, link=tight, url=None)).blocks[0]["text"]["text"]
    assert "<https://x.test/a_%28b%29_%5Bc%5D|" in text


def test_a_result_links_to_its_page_only_when_there_is_one(seed_index: index.Index) -> None:
    page = "https://bot.example.org/q/abc123/10-20#quote"
    linked = _texts(answer_message(_answer(seed_index, context_url=page)).blocks)
    assert sum(f"<{page}|Read in context>" in text for text in linked) == 3
    assert not any("Read in context" in text for text in _texts(answer_message(_answer(seed_index)).blocks))


def test_a_quote_shows_the_range_it_is_said_in_linked_to_its_start(seed_index: index.Index) -> None:
    url = "https://example.org/talk?t=724"
    timed = _texts(answer_message(_answer(seed_index, start=724.2, end=761.9, url=url)).blocks)
    assert sum(f"<{url}|12:04–12:41>" in text for text in timed) == 3
    untimed = _texts(answer_message(_answer(seed_index, start=None, end=None, url=None)).blocks)
    assert not any(re.search(r"\d:\d\d", text.rpartition("\n— ")[2]) for text in untimed)
