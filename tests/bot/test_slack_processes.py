"""`onrecord serve slack` run as operators run it: separate processes sharing one Redis."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
from redis.asyncio import Redis

from tests.bot.processes import ONRECORD, serving
from tests.bot.redis_proxy import slow_redis
from tests.bot.slack_bot import bot_env, free_port
from tests.conftest import Poll, RedisServer, claims_settled
from tests.standins.held_slack import HeldSlack
from tests.standins.slack import SlackStandIn, signed_headers
from tests.standins.slack_payloads import mention_event


async def _ready(port: int, proc: subprocess.Popen[str], session: aiohttp.ClientSession) -> None:
    deadline = time.monotonic() + 30  # the bot handles events within 30 s of start
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"onrecord serve slack exited with {proc.returncode}"
        with contextlib.suppress(aiohttp.ClientError):
            async with session.post(f"http://127.0.0.1:{port}/slack/events", data=b"{}") as response:
                if response.status == 401:  # up, and refusing the unsigned request
                    return
        await asyncio.sleep(0.1)
    raise AssertionError(f"onrecord serve slack did not listen on {port} within 30 s")


QUESTIONS = (
    "cold shower", "why did Jerry leave OpenAI", "trust", "value function", "scaling research",
    "robotics company", "economic growth", "continual learning", "superintelligence", "AGI timeline",
)  # fmt: skip


@contextlib.contextmanager
def busy_cores(count: int) -> Iterator[None]:
    """`count` processes that spin, so that the bots and Redis compete for the cores."""
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


class Replicas:
    """`onrecord serve slack` processes sharing one Redis, and what Slack would send them."""

    def __init__(self, envs: list[dict[str, str]], session: aiohttp.ClientSession) -> None:
        self.envs = envs
        self._session = session
        self.deliveries = 0

    async def deliver(self, replica: int, event: dict[str, object], retry: int = 0) -> int:
        """Send `event` to one replica as Slack does (signed; `retry` > 0: Slack's retry of it)."""
        body = json.dumps(event).encode()
        headers = {**signed_headers(body, "test-signing-secret"), "Content-Type": "application/json"}
        if retry:
            headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        self.deliveries += 1
        url = f"http://127.0.0.1:{self.envs[replica]['ONRECORD_PORT']}/slack/events"
        async with self._session.post(url, data=body, headers=headers) as response:
            return response.status

    async def claims(self, replica: int) -> Counter[str]:
        """The replica's claims by outcome, from its own /metrics."""
        url = f"http://127.0.0.1:{self.envs[replica]['ONRECORD_HEALTH_PORT']}/metrics"
        async with self._session.get(url) as response:
            page = await response.text()
        return Counter(
            {
                m[1]: int(float(m[2]))
                for m in re.finditer(r'^onrecord_claims_total\{outcome="(\w+)"\} (\S+)$', page, re.M)
            }
        )

    async def redis(self, replica: int) -> str:
        """The replica's Redis status, from its /healthz."""
        url = f"http://127.0.0.1:{self.envs[replica]['ONRECORD_HEALTH_PORT']}/healthz"
        async with self._session.get(url) as response:
            return str((await response.json())["redis"])

    async def settled(self) -> bool:
        """Every delivery so far was claimed or refused, and every claim won is done or released: no
        reply can still come."""
        total: Counter[str] = Counter()
        for replica in range(len(self.envs)):
            total += await self.claims(replica)
        return claims_settled(total, self.deliveries)


@contextlib.asynccontextmanager
async def replicas(
    slack: SlackStandIn, index_dir: Path, redis_url: str, tmp_path: Path, count: int = 3
) -> AsyncIterator[Replicas]:
    envs = [bot_env(slack, index_dir, redis_url, ONRECORD_HEALTH_PORT=str(free_port())) for _ in range(count)]
    with contextlib.ExitStack() as stack:
        procs = [
            stack.enter_context(serving("slack", env, tmp_path / f"bot{i}.log")) for i, env in enumerate(envs)
        ]
        async with aiohttp.ClientSession() as session:
            for env, proc in zip(envs, procs, strict=True):
                await _ready(int(env["ONRECORD_PORT"]), proc, session)
            yield Replicas(envs, session)


def _threads_answered(slack: SlackStandIn) -> Counter[str]:
    return Counter(c.args["thread_ts"] for c in slack.calls_to("chat.postMessage"))


@pytest.mark.parametrize(
    ("redis_reply", "busy"),
    [("prompt", 0), ("one in four 0.7 s late", 0), ("one in four 0.7 s late", 2)],
)
async def test_three_processes_sharing_redis_answer_each_of_100_events_once(
    slack: SlackStandIn,
    seed_index_dir: Path,
    redis_server: RedisServer,
    tmp_path: Path,
    until: Poll,
    redis_reply: str,
    busy: int,
) -> None:
    events = [mention_event(QUESTIONS[i % len(QUESTIONS)], user=f"U{i:04d}") for i in range(100)]
    async with contextlib.AsyncExitStack() as stack:
        url = redis_server.url
        if redis_reply != "prompt":
            assert redis_server.socket is not None
            url = await stack.enter_async_context(slow_redis(redis_server.socket))
        bots = await stack.enter_async_context(replicas(slack, seed_index_dir, url, tmp_path))
        stack.enter_context(busy_cores(busy))
        statuses = await asyncio.gather(*(bots.deliver(r, e) for e in events for r in range(3)))
        assert set(statuses) == {200}
        await until(bots.settled, seconds=120)
    calls = slack.calls_to("chat.postMessage")
    assert sorted(c.args["thread_ts"] for c in calls) == sorted(e["event"]["ts"] for e in events)
    assert all(c.response["ok"] and len(c.args["blocks"]) > 2 for c in calls)  # answers, not refusals


async def test_redis_restarted_among_retried_questions_each_is_answered_once(
    slack: SlackStandIn, seed_index_dir: Path, redis_server: RedisServer, tmp_path: Path, until: Poll
) -> None:
    """60 questions to three replicas. After the first 20 are answered, Redis is killed and started again,
    empty; then "Slack" retries each of them to another replica (as if the first delivery had not been
    acknowledged), and the other 40 come with their retries. Each is answered once: the processes that
    hold the claims Redis forgot write them back. (A retry that reaches another replica *while* Redis is
    down may be answered twice; the README says so.)"""
    events = [mention_event(QUESTIONS[i % len(QUESTIONS)], user=f"U{i:04d}") for i in range(60)]
    first, rest = events[:20], events[20:]
    async with replicas(slack, seed_index_dir, redis_server.url, tmp_path) as bots:

        async def deliver_all(deliveries: list[tuple[int, dict[str, object], int]]) -> None:
            statuses = await asyncio.gather(*(bots.deliver(r, e, retry=n) for r, e, n in deliveries))
            assert set(statuses) == {200}

        await deliver_all([(i % 3, e, 0) for i, e in enumerate(first)])
        await until(bots.settled, seconds=60)
        await asyncio.to_thread(redis_server.stop)
        await asyncio.to_thread(redis_server.start)
        client = Redis.from_url(redis_server.url)
        try:

            async def written_back() -> bool:
                return len(await client.keys("*:claim:*")) >= len(first)

            await until(written_back, seconds=60)
        finally:
            await client.aclose()
        await deliver_all([((i + 1) % 3, e, 1) for i, e in enumerate(first)])
        await deliver_all([(i % 3, e, 0) for i, e in enumerate(rest)])
        await deliver_all([((i + 1) % 3, e, 1) for i, e in enumerate(rest)])
        await until(bots.settled, seconds=60)
    assert _threads_answered(slack) == Counter(e["event"]["ts"] for e in events)


async def test_redis_killed_while_an_answer_is_in_flight_its_retries_are_not_answered(
    seed_index_dir: Path, redis_server: RedisServer, tmp_path: Path, until: Poll
) -> None:
    event = mention_event("trust")
    async with HeldSlack() as slack, replicas(slack, seed_index_dir, redis_server.url, tmp_path, 2) as bots:

        async def lost(replica: int, count: int) -> bool:
            return (await bots.claims(replica))["lost"] == count

        async def redis_is(status: str) -> bool:
            return [await bots.redis(0), await bots.redis(1)] == [status, status]

        async def in_flight() -> bool:
            return slack.holding == 1

        slack.hold("chat.postMessage")
        assert await bots.deliver(0, event) == 200
        await until(in_flight)
        redis_server.stop()
        await until(lambda: redis_is("degraded"))
        assert await bots.deliver(0, event, retry=1) == 200  # to the process answering it
        await until(lambda: lost(0, 1))
        redis_server.start()  # empty
        await until(lambda: redis_is("ok"))
        assert await bots.deliver(1, event, retry=2) == 200  # to another process
        await until(lambda: lost(1, 1))
        slack.let_go()
        await until(bots.settled)
    assert _threads_answered(slack) == Counter([event["event"]["ts"]])


def test_serve_check_validates_settings_loads_the_index_and_pings_redis(
    seed_index_dir: Path, redis_server: RedisServer
) -> None:
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "s",
        "ONRECORD_INDEX": str(seed_index_dir),
        "REDIS_URL": redis_server.url,
    }

    async def check(env: dict[str, str], *flags: str) -> subprocess.CompletedProcess[str]:
        async with SlackStandIn() as slack:
            command = [ONRECORD, "serve", "slack", "--check", *flags]
            full = {**env, "ONRECORD_SLACK_API_URL": slack.api_url}
            return await asyncio.to_thread(
                subprocess.run, command, env=full, capture_output=True, text=True, timeout=30
            )

    ok = asyncio.run(check(env))
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("ok: index ") and "Redis ok" in ok.stdout and "; Slack ok (bot " in ok.stdout
    for wrong, said in (
        ({"SLACK_BOT_TOKEN": "not-a-token"}, "SLACK_BOT_TOKEN: Slack refused the token (invalid_auth)"),
        (
            {"SLACK_APP_TOKEN": "not-an-app-token"},
            "SLACK_APP_TOKEN: Slack refused the app token (invalid_auth)",
        ),
    ):
        refused = asyncio.run(check({**env, **wrong}))
        assert refused.returncode == 1 and refused.stderr.splitlines()[-1] == f"onrecord: {said}"
    offline = asyncio.run(check({**env, "SLACK_BOT_TOKEN": "not-a-token"}, "--offline"))
    assert offline.returncode == 0 and "Slack" not in offline.stdout

    no_token = {k: v for k, v in env.items() if k != "SLACK_BOT_TOKEN"}
    missing = subprocess.run(
        [ONRECORD, "serve", "slack"], env=no_token, capture_output=True, text=True, timeout=10
    )
    assert missing.returncode == 2
    assert (
        missing.stderr.strip()
        == "onrecord: SLACK_BOT_TOKEN is required to serve Slack (the bot token, xoxb-…)"
    )

    async def refused(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        async with SlackStandIn() as slack:
            command = [ONRECORD, "serve", "slack"]
            full = {**env, "ONRECORD_SLACK_API_URL": slack.api_url, "ONRECORD_PORT": str(free_port())}
            return await asyncio.to_thread(
                subprocess.run, command, env=full, capture_output=True, text=True, timeout=10
            )

    bad = asyncio.run(refused({**env, "SLACK_BOT_TOKEN": "not-a-token"}))
    assert bad.returncode == 1
    assert bad.stderr.splitlines()[-1] == "onrecord: SLACK_BOT_TOKEN: Slack refused the token (invalid_auth)"
    bad_app = asyncio.run(refused({**env, "SLACK_APP_TOKEN": "not-an-app-token"}))
    assert bad_app.returncode == 1
    assert (
        bad_app.stderr.splitlines()[-1]
        == "onrecord: SLACK_APP_TOKEN: Slack refused the app token (invalid_auth)"
    )

    redis_server.stop()
    down = asyncio.run(check(env))
    assert down.returncode == 1
    assert down.stderr.splitlines()[-1] == "onrecord: REDIS_URL: Redis does not answer"
