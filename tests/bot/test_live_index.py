"""Live index updates: the Slack bot (real slack-bolt, real Redis, the Slack stand-in) keeps answering while
its saved index is rebuilt in place, and switches to the new version between questions."""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import weakref
from collections import Counter
from pathlib import Path

import pytest

from onrecord import index
from tests.bot.slack_bot import bot_env, slack_bot
from tests.conftest import Poll, RedisServer
from tests.standins.slack import SlackStandIn
from tests.standins.slack_payloads import mention_event

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
OWLS = "Owls hunt at night. They fly without a sound, so the mice never hear them coming."
QUESTION = "how do owls hunt at night"
BATCH = 4
MAX_BATCHES = 500  # a safety net: the switch comes within seconds, a few dozen batches


@pytest.fixture(scope="module")
def with_owls(tmp_path_factory: pytest.TempPathFactory) -> index.Index:
    """The seeds and one more episode, as a rebuilt index would have them."""
    corpus = tmp_path_factory.mktemp("corpus")
    for seed in SEEDS.glob("*.txt"):
        shutil.copy(seed, corpus)
    (corpus / "owls.txt").write_text(f"Night birds\n{OWLS}", "utf-8")
    return index.build([corpus])


async def test_the_bot_switches_to_an_index_rebuilt_in_place_between_questions(
    slack: SlackStandIn,
    redis_server: RedisServer,
    seed_index: index.Index,
    with_owls: index.Index,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    until: Poll,
) -> None:
    caplog.set_level(logging.INFO, logger="onrecord.bot.index_watch")
    served = tmp_path / "served"
    seed_index.save(served)
    async with slack_bot(bot_env(slack, served, redis_server.url)) as bot:
        old = weakref.ref(bot.runtime.index)
        batches: list[list[str]] = []  # the questions' ts, a batch of them in flight at once
        saving = asyncio.create_task(asyncio.to_thread(with_owls.save, served))
        while len(batches) < MAX_BATCHES and sum(all(new) for new in _switched(slack, batches[-3:])) < 3:
            # A user per question: one user's questions would be rate-limited.
            events = [mention_event(QUESTION, user=f"U{len(batches)}x{i}") for i in range(BATCH)]
            batches.append([e["event"]["ts"] for e in events])
            assert {s for s, _ in await asyncio.gather(*map(bot.send, events))} == {200}
            await slack.wait_calls("chat.postMessage", BATCH * len(batches))
        await saving
        posts = await slack.wait_calls("chat.postMessage", BATCH * len(batches))

        async def released() -> bool:  # memory and the removed version's disk space
            return old() is None

        await until(released)

    asked = [ts for batch in batches for ts in batch]
    assert Counter(p.args["thread_ts"] for p in posts) == Counter(asked)  # each question, one answer
    switched = _switched(slack, batches)
    first = [any(new) for new in switched].index(True)  # the batch in flight at the switch may have both
    assert first > 0 and all(all(new) for new in switched[first + 1 :])  # then the new index for good
    switches = [r.getMessage() for r in caplog.records if "index switched" in r.getMessage()]
    assert switches == [
        f"index switched from {seed_index.version} to {with_owls.version}: "
        f"{len(with_owls.documents)} documents, {len(with_owls.passages)} passages"
    ]


async def test_a_new_version_that_cannot_be_loaded_leaves_the_bot_on_the_old_one(
    slack: SlackStandIn,
    redis_server: RedisServer,
    seed_index: index.Index,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    until: Poll,
) -> None:
    caplog.set_level(logging.INFO, logger="onrecord.bot.index_watch")
    served = tmp_path / "served"
    seed_index.save(served)
    async with slack_bot(bot_env(slack, served, redis_server.url)) as bot:
        (served / "v-broken").mkdir()
        (served / "v-broken" / "manifest.json").write_text("{oops", "utf-8")
        (served / "CURRENT").write_text("v-broken\n", "utf-8")  # as a faulty copy might leave it

        async def warned() -> bool:
            return any("cannot be loaded" in r.getMessage() for r in caplog.records)

        await until(warned)
        await bot.send(mention_event("why did Jerry leave OpenAI"))
        [post] = await slack.wait_calls("chat.postMessage", 1)
        assert "Jerry" in _text(post.args) and bot.runtime.index.version == seed_index.version
    [warning] = [r.getMessage() for r in caplog.records if "cannot be loaded" in r.getMessage()]
    assert f"still answering from {seed_index.version}" in warning and "corrupt manifest.json" in warning


def _switched(slack: SlackStandIn, batches: list[list[str]]) -> list[list[bool]]:
    """For each question of each batch, whether its answer quotes the new episode."""
    asked = {ts for batch in batches for ts in batch}
    answers = {
        c.args["thread_ts"]: _text(c.args)
        for c in slack.calls_to("chat.postMessage")
        if c.args["thread_ts"] in asked
    }
    return [["Owls hunt at night" in answers[ts] for ts in batch] for batch in batches]


def _text(args: dict[str, object]) -> str:
    return json.dumps([args.get("text"), args.get("blocks")], ensure_ascii=False)
