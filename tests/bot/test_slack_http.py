"""The Slack bot in HTTP mode: real slack-bolt receiving signed requests over loopback, a real Redis,
and the Slack Web API stand-in recording every call the bot makes."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from onrecord.bot.slack.blocks import MAX_BLOCKS, MAX_SECTION
from tests.bot.slack_bot import RunningBot, bot_env, slack_bot
from tests.conftest import Poll, RedisServer, claims_settled
from tests.standins.held_slack import HeldSlack
from tests.standins.slack import Call, SlackStandIn
from tests.standins.slack_payloads import block_action, dm_event, mention_event, next_ts, slash_command

QUESTION = "why did Jerry leave OpenAI"


@pytest.fixture
async def slack() -> AsyncIterator[HeldSlack]:
    async with HeldSlack() as stand_in:
        yield stand_in


def _posts(slack: SlackStandIn) -> list[Call]:
    return [c for c in slack.calls_to("chat.postMessage") if c.response.get("ok")]


def _all_text(call: Call) -> str:
    return json.dumps(call.args, ensure_ascii=False)


def _shown(call: Call) -> str:
    """What Slack renders of a message: its text and blocks, without the buttons' hidden values."""
    blocks = [
        {**b, "elements": [{k: v for k, v in e.items() if k != "value"} for e in b["elements"]]}
        if b["type"] == "actions"
        else b
        for b in call.args.get("blocks", [])
    ]
    return json.dumps([call.args["text"], blocks], ensure_ascii=False)


async def test_a_mention_is_answered_in_its_thread_with_quotes(bot: RunningBot, slack: SlackStandIn) -> None:
    event = mention_event(QUESTION)
    status, _ = await bot.send(event)
    assert status == 200
    [call] = await slack.wait_calls("chat.postMessage", 1)  # how soon: benchmarks/slack_latency.py
    assert call.args["channel"] == "C0001" and call.args["thread_ts"] == event["event"]["ts"]
    sections = [b for b in call.args["blocks"] if b["type"] == "section"]
    assert len(sections) == 3 and all(s["text"]["text"].startswith(">") for s in sections)
    assert "Jerry" in call.args["text"] or "OpenAI" in _all_text(call)
    assert len(call.args["blocks"]) <= MAX_BLOCKS
    assert all(len(s["text"]["text"]) <= MAX_SECTION for s in sections)


async def test_a_mention_inside_a_thread_is_answered_in_that_thread(
    bot: RunningBot, slack: SlackStandIn
) -> None:
    parent = next_ts()
    await bot.send(mention_event(QUESTION, thread_ts=parent))
    [call] = await slack.wait_calls("chat.postMessage", 1)
    assert call.args["thread_ts"] == parent


async def test_retries_and_the_message_event_of_a_mention_get_one_reply(
    bot: RunningBot, slack: SlackStandIn, until: Poll
) -> None:
    ts = next_ts()
    mention = mention_event(QUESTION, ts=ts, event_id="EvMention")
    message = mention_event(QUESTION, ts=ts, event_id="EvMessage", kind="message")
    sent = [bot.send(mention), bot.send(message), bot.send(mention, retry=1), bot.send(mention, retry=2)]
    assert {status for status, _ in await asyncio.gather(*sent)} == {200}
    claims = bot.runtime.state.claims.outcomes
    await until(
        lambda: claims_settled(claims, 3)
    )  # the mention and its retries; the message event is no question
    assert len(_posts(slack)) == 1


async def test_a_retry_whose_original_never_arrived_is_answered(bot: RunningBot, slack: SlackStandIn) -> None:
    status, _ = await bot.send(mention_event(QUESTION), retry=1)
    assert status == 200
    await slack.wait_calls("chat.postMessage", 1)
    assert len(_posts(slack)) == 1


async def test_a_retry_whose_original_failed_is_answered(
    bot: RunningBot, slack: SlackStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    slack.fail("chat.postMessage", times=2, error="invalid_arguments")  # the answer, then the apology
    event = mention_event(QUESTION)
    with caplog.at_level(logging.ERROR):
        await bot.send(event)
        await slack.wait_calls("chat.postMessage", 2)
    assert any(record.exc_info for record in caplog.records)  # the trace is in the log
    await bot.send(event, retry=1)
    calls = await slack.wait_calls("chat.postMessage", 3)
    assert [c.response["ok"] for c in calls] == [False, False, True]
    assert calls[2].args["thread_ts"] == event["event"]["ts"] and len(calls[2].args["blocks"]) > 2


async def test_a_post_slack_refuses_is_apologised_for_in_the_thread(
    bot: RunningBot, slack: SlackStandIn
) -> None:
    slack.fail("chat.postMessage", times=1, error="invalid_arguments")  # refused: nothing was made
    event = mention_event(QUESTION)
    await bot.send(event)
    calls = await slack.wait_calls("chat.postMessage", 2)
    assert calls[1].response["ok"] and calls[1].args["thread_ts"] == event["event"]["ts"]
    assert calls[1].args["text"].startswith("Sorry, something went wrong")


async def test_rate_limited_calls_are_retried_after_retry_after(bot: RunningBot, slack: SlackStandIn) -> None:
    slack.rate_limit("chat.postMessage", times=1, retry_after=1)
    await bot.send(mention_event(QUESTION))
    first, second = await slack.wait_calls("chat.postMessage", 2)
    assert first.status == 429 and second.response["ok"]
    assert second.at - first.at >= 0.9


async def test_no_match_says_so_with_a_suggestion(bot: RunningBot, slack: SlackStandIn) -> None:
    await bot.send(mention_event("qqxzv"))
    [call] = await slack.wait_calls("chat.postMessage", 1)
    assert call.args["text"].startswith("Nothing on record about that. Try other words")


async def test_nothing_the_bot_posts_can_ping_anyone(bot: RunningBot, slack: SlackStandIn) -> None:
    # Slack sends what a person typed entity-escaped: "<!channel> &" arrives as "&lt;!channel&gt; &amp;".
    question = "&lt;!channel&gt; &lt;@U0002&gt; &amp; <!here> what about trust"
    await bot.send(mention_event(question))
    body = slash_command(question, response_url=slack.response_url("r"))
    await bot.send(body)
    calls = await slack.wait_calls("chat.postMessage", 3)
    for call in calls:
        text = _shown(call)
        for live in ("<!channel>", "<!here>", "<@U0002>", "<!everyone>"):
            assert live not in text
    asked = next(c for c in calls if "asked:" in c.args["text"])
    assert asked.args["text"].startswith("<@U0001> asked: ")  # the asker, and only the asker
    assert "&lt;" in asked.args["text"] or "trust" in asked.args["text"]


async def test_slash_command_is_acknowledged_then_answered_in_a_thread(
    bot: RunningBot, slack: HeldSlack, until: Poll
) -> None:
    slack.hold("chat.postMessage")  # the ack must not wait for any call to Slack
    sent = asyncio.create_task(bot.send(slash_command(QUESTION, response_url=slack.response_url("r"))))
    await until(sent.done)
    assert sent.result() == (200, "")
    slack.let_go()
    asked, answer = await slack.wait_calls("chat.postMessage", 2)
    assert asked.args["channel"] == "C0001" and "thread_ts" not in asked.args
    assert asked.args["text"] == f"<@U0001> asked: {QUESTION}"
    assert answer.args["thread_ts"] == asked.response["ts"]
    assert sum(b["type"] == "section" for b in answer.args["blocks"]) == 3


async def test_slash_command_where_the_bot_is_not_invited_answers_privately(
    bot: RunningBot, slack: SlackStandIn
) -> None:
    slack.not_in_channel.add("C0009")
    await bot.send(slash_command(QUESTION, response_url=slack.response_url("r"), channel="C0009"))
    (_, notice), (_, answer) = await slack.wait_responses(2)
    assert "/invite @OnRecord" in notice["text"] and notice["response_type"] == "ephemeral"
    assert answer["response_type"] == "ephemeral" and len(answer["blocks"]) > 2
    assert not _posts(slack)


async def test_a_blank_slash_command_gets_a_private_hint(bot: RunningBot, slack: SlackStandIn) -> None:
    await bot.send(slash_command("   ", response_url=slack.response_url("r")))
    [(_, hint)] = await slack.wait_responses(1)
    assert hint["text"].startswith("Ask me something") and not slack.calls_to("chat.postMessage")


async def test_a_direct_message_is_answered_in_the_conversation(bot: RunningBot, slack: SlackStandIn) -> None:
    await bot.send(dm_event(QUESTION))
    [call] = await slack.wait_calls("chat.postMessage", 1)
    assert call.args["channel"] == "D0001" and "thread_ts" not in call.args


async def test_more_results_and_votes_work_after_a_restart(
    slack: SlackStandIn, seed_index_dir: Path, redis_server: RedisServer
) -> None:
    env = bot_env(slack, seed_index_dir, redis_server.url)
    async with slack_bot(env) as first:
        event = mention_event(QUESTION)
        await first.send(event)
        [answer] = await slack.wait_calls("chat.postMessage", 1)
    message = answer.response["message"]
    buttons = {
        e["action_id"]: e["value"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
    }
    async with slack_bot(env) as second:  # a new process: only Redis remembers the answer
        url = slack.response_url("buttons")
        await second.send(
            block_action("onrecord_more", buttons["onrecord_more"], message=message, response_url=url)
        )
        _, page = await slack.wait_calls("chat.postMessage", 2)
        assert page.args["thread_ts"] == event["event"]["ts"]
        first_quotes = {b["text"]["text"] for b in message["blocks"] if b["type"] == "section"}
        next_quotes = {b["text"]["text"] for b in page.args["blocks"] if b["type"] == "section"}
        assert next_quotes and not first_quotes & next_quotes
        assert "Results 4–6" in json.dumps(page.args["blocks"], ensure_ascii=False)
        await second.send(
            block_action("onrecord_more", buttons["onrecord_more"], message=message, response_url=url)
        )
        [(_, again)] = await slack.wait_responses(1)  # a second click posts nothing more
        assert again["text"] == "Those results are already posted in this thread."
        assert len(slack.calls_to("chat.postMessage")) == 2

        await second.send(
            block_action("onrecord_vote_up", buttons["onrecord_vote_up"], message=message, response_url=url)
        )
        [thanks] = await slack.wait_calls("chat.postEphemeral", 1)
        assert thanks.args["user"] == "U0001" and thanks.args["thread_ts"] == event["event"]["ts"]
        questions = second.runtime.state.questions
        await questions.settle()
        [voted] = (await questions.report(1))["slack"]  # the vote counts with its question
        assert voted.up == 1


async def test_requests_with_a_bad_signature_or_a_stale_timestamp_are_rejected(
    bot: RunningBot, slack: SlackStandIn, until: Poll
) -> None:
    assert (await bot.send(mention_event(QUESTION), secret="wrong"))[0] == 401
    assert (await bot.send(mention_event(QUESTION), timestamp=int(time.time()) - 600))[0] == 401
    assert (await bot.send(mention_event(QUESTION)))[0] == 200
    claims = bot.runtime.state.claims.outcomes
    await until(lambda: claims_settled(claims, 1))
    assert claims["won"] + claims["lost"] == 1  # only the signed request was taken up
    assert len(slack.calls_to("chat.postMessage")) == 1


async def test_quote_posts_one_quotable_passage_in_the_channel(bot: RunningBot, slack: SlackStandIn) -> None:
    await bot.send(slash_command("trust", response_url=slack.response_url("r"), command="/quote"))
    [call] = await slack.wait_calls("chat.postMessage", 1)
    context, quote, actions = call.args["blocks"]
    assert context["elements"][0]["text"] == "<@U0001> asked for a quote on “trust”"
    words = quote["text"]["text"].split("\n— ")[0]
    assert "trust" in words.casefold() and not words.rstrip("…").endswith("?")
    assert actions["elements"][0]["action_id"] == "onrecord_context"

    slack.not_in_channel.add("C0009")
    await bot.send(slash_command("", response_url=slack.response_url("q"), channel="C0009", command="/quote"))
    [(_, private)] = await slack.wait_responses(1)
    assert private["response_type"] == "ephemeral" and private["blocks"][1]["text"]["text"].startswith(">")


async def test_answers_keep_coming_while_many_searches_run(bot: RunningBot, slack: SlackStandIn) -> None:
    """Searches run in threads, not on the event loop: a cached answer is not held up behind them."""
    await bot.send(mention_event("cold shower", user="U9999"))  # now cached
    await slack.wait_calls("chat.postMessage", 1)
    # Long questions of misspelt words: each word is matched against the vocabulary by spelling, which
    # makes every search ten times the work of a plain one (the work this test must not see on the loop).
    phrases = [
        " ".join(w + "q" for w in p.text.split() if w.isalpha() and len(w) > 3)[:600]
        for p in bot.runtime.index.passages[::8]
    ][:60]
    gc.freeze()  # what earlier tests left in this process is not the bot's: the collector need not walk it
    try:
        await asyncio.gather(*(bot.send(mention_event(p, user=f"U{i:04d}")) for i, p in enumerate(phrases)))
        cached = mention_event("cold shower", user="U9998")  # asked once every search is under way
        await bot.send(cached)
        calls = await slack.wait_calls("chat.postMessage", 1 + len(phrases) + 1, timeout=60)
    finally:
        gc.unfreeze()
    searched = [c.args.get("thread_ts") for c in calls[1:]]
    assert searched.index(cached["event"]["ts"]) < len(phrases) / 2, searched  # ahead of most searches
