"""`onrecord serve slack` run as operators run it: separate processes sharing one Redis."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest

from tests.bot.slack_bot import bot_env, free_port
from tests.conftest import RedisServer
from tests.standins.slack import SlackStandIn, signed_headers
from tests.standins.slack_payloads import mention_event

ONRECORD = shutil.which("onrecord", path=str(Path(sys.executable).parent)) or "onrecord"


@contextlib.contextmanager
def serving(env: dict[str, str], log_path: Path) -> Iterator[subprocess.Popen[str]]:
    """The bot as a process, its JSON logs in `log_path` (read them when a test fails)."""
    log = log_path.open("w")
    proc = subprocess.Popen(
        [ONRECORD, "serve", "slack"],
        env={**os.environ, **env, "ONRECORD_HEALTH_PORT": str(free_port())},
        stdout=subprocess.DEVNULL,
        stderr=log,
        text=True,
    )
    try:
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


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


@pytest.fixture
async def slack() -> AsyncIterator[SlackStandIn]:
    async with SlackStandIn() as stand_in:
        yield stand_in


QUESTIONS = (
    "cold shower", "why did Jerry leave OpenAI", "trust", "value function", "scaling research",
    "robotics company", "economic growth", "continual learning", "superintelligence", "AGI timeline",
)  # fmt: skip


async def test_three_processes_sharing_redis_answer_each_of_100_events_once(
    slack: SlackStandIn, seed_index_dir: Path, redis_server: RedisServer, tmp_path: Path
) -> None:
    envs = [bot_env(slack, seed_index_dir, redis_server.url) for _ in range(3)]
    events = [mention_event(QUESTIONS[i % len(QUESTIONS)], user=f"U{i:04d}") for i in range(100)]
    with contextlib.ExitStack() as stack:
        procs = [stack.enter_context(serving(env, tmp_path / f"bot{i}.log")) for i, env in enumerate(envs)]
        async with aiohttp.ClientSession() as session:
            for env, proc in zip(envs, procs, strict=True):
                await _ready(int(env["ONRECORD_PORT"]), proc, session)

            async def deliver(event: dict[str, object], port: str) -> int:
                body = json.dumps(event).encode()
                headers = {**signed_headers(body, "test-signing-secret"), "Content-Type": "application/json"}
                async with session.post(
                    f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers
                ) as r:
                    return r.status

            statuses = await asyncio.gather(
                *(deliver(event, env["ONRECORD_PORT"]) for event in events for env in envs)
            )
            assert set(statuses) == {200}
            calls = await slack.wait_calls("chat.postMessage", len(events), timeout=30)
            await asyncio.sleep(0.5)  # time for any duplicate to arrive
    assert len(slack.calls_to("chat.postMessage")) == len(events)
    assert sorted(c.args["thread_ts"] for c in calls) == sorted(e["event"]["ts"] for e in events)
    assert all(c.response["ok"] and len(c.args["blocks"]) > 2 for c in calls)  # answers, not refusals


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
