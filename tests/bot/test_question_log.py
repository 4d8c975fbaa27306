"""The question log (`onrecord report`): recorded by the answering service per platform, in a real Redis
(and in process), forgotten by Redis's own expiry, and read by the real `onrecord` command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from redis.asyncio import Redis

from onrecord import index
from onrecord.bot.service import AnswerService, AskOptions
from onrecord.bot.state import QuestionLog, QuestionStats, State, open_state
from onrecord.bot.state.link import RedisLink
from onrecord.bot.state.questions import LocalQuestionCounts, RedisQuestionCounts
from tests.bot.discord_bot import TOKEN, discord_bot
from tests.bot.discord_bot import bot_env as discord_env
from tests.bot.slack_bot import bot_env, slack_bot
from tests.standins.discord_api import DiscordStandIn
from tests.standins.held_slack import HeldSlack
from tests.standins.slack_payloads import block_action, mention_event

if TYPE_CHECKING:
    from conftest import Poll, RedisServer

ONRECORD = shutil.which("onrecord", path=str(Path(sys.executable).parent)) or "onrecord"
ANSWERED = "why did Jerry leave OpenAI"
NOTHING = "qqqqzzzzxxxx"


@pytest.fixture(params=["redis", "in-process"])
async def any_state(request: pytest.FixtureRequest, namespace: str) -> AsyncIterator[State]:
    url = request.getfixturevalue("redis_server").url if request.param == "redis" else None
    async with open_state(url, namespace=namespace) as opened:
        yield opened


def _by_question(stats: list[QuestionStats]) -> dict[str, QuestionStats]:
    return {s.question: s for s in stats}


async def test_each_outcome_and_vote_is_counted_per_platform(
    any_state: State, seed_index: index.Index
) -> None:
    service = AnswerService(seed_index, any_state, max_question_chars=50)
    slack, discord = AskOptions(user="slack:T1:U1", platform="slack"), AskOptions(platform="discord")
    answered = await service.ask(ANSWERED, slack)
    await service.ask("  why did Jerry   leave OpenAI ", slack)  # the same question, normalized
    await service.ask(NOTHING, slack)
    await service.ask("?!", slack)
    await service.ask("word " * 20, discord)
    await service.ask(NOTHING, discord)
    await service.ask(ANSWERED)  # no platform (the CLI): not logged
    await service.feedback(answered.id, "slack:T1:U1", "down")
    await service.feedback(answered.id, "slack:T1:U1", "down")  # the same vote again: once
    await service.feedback(answered.id, "slack:T1:U2", "up")
    await any_state.questions.settle()  # logged beside the answers, which do not wait for it

    report = await any_state.questions.report(1)

    assert set(report) == {"slack", "discord"}
    slack_stats = _by_question(report["slack"])
    assert slack_stats[ANSWERED] == QuestionStats(ANSWERED, asked=2, answered=2, up=1, down=1)
    assert slack_stats[NOTHING] == QuestionStats(NOTHING, asked=1, no_match=1)
    assert slack_stats["?!"] == QuestionStats("?!", asked=1, refused=1)
    assert report["slack"][0].question == ANSWERED  # the most asked first
    discord_stats = _by_question(report["discord"])
    assert discord_stats[("word " * 20).strip()].refused == 1
    assert discord_stats[NOTHING].no_match == 1 and ANSWERED not in discord_stats


async def test_a_retention_of_zero_keeps_nothing(
    redis_server: RedisServer, namespace: str, seed_index: index.Index
) -> None:
    async with open_state(redis_server.url, namespace=namespace, question_log_days=0) as state:
        service = AnswerService(seed_index, state)
        answered = await service.ask(ANSWERED, AskOptions(platform="slack"))
        await service.feedback(answered.id, "slack:T1:U1", "down")
        await state.questions.settle()
        assert await state.questions.report(30) == {}
    async with Redis.from_url(redis_server.url) as client:
        assert [key async for key in client.scan_iter(f"{namespace}:questions:*")] == []


async def test_redis_forgets_a_day_once_its_retention_has_passed(
    redis_server: RedisServer, namespace: str, until: Poll
) -> None:
    link = RedisLink(redis_server.url)
    log = QuestionLog(RedisQuestionCounts(link), namespace, retention=1)
    try:
        await log.record("slack", ANSWERED, "ok", "a1")
        assert (await log.report(1))["slack"][0].asked == 1
        async with Redis.from_url(redis_server.url) as client:
            [day_key] = [key async for key in client.scan_iter(f"{namespace}:questions:2*")]
            assert 0 < await client.ttl(day_key) <= 1

            async def forgotten() -> bool:
                return await client.exists(day_key) == 0

            await until(forgotten)
        assert await log.report(1) == {}
    finally:
        await link.aclose()


async def test_recording_is_skipped_while_redis_is_down(
    redis_server: RedisServer, namespace: str, seed_index: index.Index
) -> None:
    async with open_state(redis_server.url, namespace=namespace) as state:
        redis_server.stop()
        answer = await AnswerService(seed_index, state).ask(ANSWERED, AskOptions(platform="slack"))
    assert answer.status == "ok" and answer.results


def _onrecord(*args: str, redis_url: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    if redis_url is not None:
        env["REDIS_URL"] = redis_url
    return subprocess.run(
        [ONRECORD, "report", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )


async def _fill(url: str) -> None:
    async with open_state(url) as state:  # the default namespace, as the command reads
        log = state.questions
        for _ in range(3):
            await log.record("slack", ANSWERED, "ok", "a1")
        await log.vote("a1", "down")
        await log.record("slack", NOTHING, "no_match")
        await log.record("discord", "who is <b>Ada</b>?", "no_match")


async def test_the_report_command_prints_each_platforms_lists(redis_server: RedisServer) -> None:
    await _fill(redis_server.url)

    shown = _onrecord("--days", "7", redis_url=redis_server.url)

    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines() == [
        "Questions asked in the last 7 days",
        "",
        "discord: 1 question, 1 different",
        "  Most asked:",
        "       1  who is <b>Ada</b>?",
        "  Nothing on record:",
        "       1  who is <b>Ada</b>?",
        "  Voted down:",
        "    (none)",
        "",
        "slack: 4 questions, 2 different",
        "  Most asked:",
        f"       3  {ANSWERED}",
        f"       1  {NOTHING}",
        "  Nothing on record:",
        f"       1  {NOTHING}",
        "  Voted down:",
        f"       1  {ANSWERED}",
    ]


async def test_the_report_command_prints_json(redis_server: RedisServer) -> None:
    await _fill(redis_server.url)

    shown = _onrecord("--json", redis_url=redis_server.url)

    assert shown.returncode == 0, shown.stderr
    report = json.loads(shown.stdout)
    assert report["days"] == 30
    slack = report["platforms"]["slack"]
    assert slack["questions"] == 4
    assert slack["most_asked"][0] == {
        "question": ANSWERED,
        "asked": 3,
        "answered": 3,
        "no_match": 0,
        "refused": 0,
        "up": 0,
        "down": 1,
    }
    assert [q["question"] for q in slack["no_answer"]] == [NOTHING]
    assert [q["question"] for q in slack["voted_down"]] == [ANSWERED]
    assert report["platforms"]["discord"]["no_answer"][0]["question"] == "who is <b>Ada</b>?"


def test_the_report_command_needs_redis(redis_server: RedisServer) -> None:
    unset = _onrecord(redis_url=None)
    assert unset.returncode == 2 and unset.stdout == ""
    assert unset.stderr == "onrecord report: REDIS_URL is not set; the question log is kept in Redis\n"

    redis_server.stop()
    down = _onrecord(redis_url=redis_server.url)
    assert down.returncode == 1
    assert down.stderr == "onrecord report: Redis at REDIS_URL does not answer\n"

    bad_days = _onrecord("--days", "0", redis_url=redis_server.url)
    assert bad_days.returncode == 2 and len(bad_days.stderr.strip().splitlines()) == 2  # usage + error


async def test_a_slack_question_and_its_vote_reach_the_report(
    seed_index_dir: Path, redis_server: RedisServer, until: Poll
) -> None:
    async with HeldSlack() as slack, slack_bot(bot_env(slack, seed_index_dir, redis_server.url)) as bot:
        await bot.send(mention_event(ANSWERED))
        [answer] = await slack.wait_calls("chat.postMessage", 1)
        message = answer.response["message"]
        [down] = [
            e["value"]
            for b in message["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["action_id"] == "onrecord_vote_down"
        ]
        await bot.send(
            block_action("onrecord_vote_down", down, message=message, response_url=slack.response_url("b"))
        )
        await slack.wait_calls("chat.postEphemeral", 1)

    shown = _onrecord("--json", "--days", "1", redis_url=redis_server.url)
    assert shown.returncode == 0, shown.stderr
    [asked] = json.loads(shown.stdout)["platforms"]["slack"]["most_asked"]
    assert asked["question"] == ANSWERED and asked["answered"] == 1 and asked["down"] == 1


async def test_discord_mentions_and_slash_commands_reach_the_report(
    seed_index_dir: Path, seed_index: index.Index, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with DiscordStandIn(token=TOKEN) as discord_api:
        env = discord_env(discord_api, seed_index_dir, redis_server.url)
        async with discord_bot(env, monkeypatch):
            await discord_api.wait_ready()
            event = discord_api.message_create(ANSWERED)
            await discord_api.dispatch("MESSAGE_CREATE", event)
            await discord_api.wait_requests("POST", f"/channels/{event['id']}/messages")
            await discord_api.dispatch(
                "INTERACTION_CREATE", discord_api.slash_command("ask", {"question": NOTHING})
            )
            document = seed_index.documents[0].id
            scoped = discord_api.slash_command("ask", {"question": NOTHING, "episode": document})
            await discord_api.dispatch("INTERACTION_CREATE", scoped)
            await discord_api.wait_requests("PATCH", "/webhooks/*/*/messages/@original", count=2)

    shown = _onrecord("--json", "--days", "1", redis_url=redis_server.url)
    assert shown.returncode == 0, shown.stderr
    discord = json.loads(shown.stdout)["platforms"]["discord"]
    assert discord["questions"] == 3
    assert {q["question"]: q["asked"] for q in discord["most_asked"]} == {NOTHING: 2, ANSWERED: 1}
    assert [q["question"] for q in discord["no_answer"]] == [NOTHING]


async def test_one_process_keeps_every_day_of_a_long_retention_as_redis_does() -> None:
    days = 500
    counts = LocalQuestionCounts(days * 86400)
    keys = [f"onrecord:questions:day-{n}" for n in range(days)]
    for key in keys:
        await counts.count(key, json.dumps(["slack", "ok", "why?"]), days * 86400, None)
    assert len(await counts.rows(keys)) == days
