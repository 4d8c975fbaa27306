"""Requests to the Slack bot's HTTP endpoint that are not Slack's, or cannot be read: refused with 400 or 401
in one log line, never a traceback, and never with their body in the log."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from functools import partial
from pathlib import Path

import pytest

from tests.bot.slack_bot import SECRET, RunningBot, bot_env, slack_bot
from tests.conftest import RedisServer
from tests.standins.slack import SlackStandIn, signed_headers
from tests.standins.slack_payloads import mention_event

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
async def bot(
    slack: SlackStandIn, seed_index_dir: Path, redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> AsyncIterator[RunningBot]:
    caplog.set_level(logging.INFO)  # as `onrecord serve` logs (bolt takes the level when the app is made)
    async with slack_bot(bot_env(slack, seed_index_dir, redis_server.url)) as running:
        yield running


async def _post(bot: RunningBot, body: bytes, headers: dict[str, str]) -> int:
    async with bot.session.post(bot.url, data=body, headers=headers) as response:
        await response.read()
        return response.status


def _signed(body: bytes, content_type: str = JSON) -> dict[str, str]:
    return {**signed_headers(body, SECRET), "Content-Type": content_type}


NOT_UTF8 = b'{"type": "event_callback", "text": "caf\xe9 \xff"}'
CASES: dict[str, tuple[bytes, dict[str, str] | Callable[[], dict[str, str]], int]] = {
    "signed, not UTF-8": (NOT_UTF8, partial(_signed, NOT_UTF8), 400),
    "unsigned, not UTF-8": (NOT_UTF8, {"Content-Type": JSON}, 401),
    "an unknown charset": (b"{}", partial(_signed, b"{}", f"{JSON}; charset=x-no-such-charset"), 400),
    "a charset other than UTF-8": (b"{}", partial(_signed, b"{}", f"{JSON}; charset=latin-1"), 400),
    "a timestamp that is not a number": (
        b"{}",
        {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=00", "Content-Type": JSON},
        401,
    ),
    "signed, JSON that does not parse": (b'{"type": ', partial(_signed, b'{"type": '), 400),
    "signed, JSON that is not an object": (b"[1]", partial(_signed, b"[1]"), 400),
    "signed, a form whose payload is not an object": (
        b"payload=[1]",
        partial(_signed, b"payload=[1]", FORM),
        400,
    ),
}


@pytest.mark.parametrize("case", CASES)
async def test_a_bad_request_is_refused_quietly_and_the_bot_answers_on(
    bot: RunningBot, slack: SlackStandIn, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    body, headers, expected = CASES[case]
    # signed now, not when the module was collected: a signature older than 5 minutes is refused (401)
    assert await _post(bot, body, headers() if callable(headers) else headers) == expected
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    [refused] = [r for r in caplog.records if r.getMessage().startswith("refused a request")]
    assert len(refused.getMessage()) < 200
    status, _ = await bot.send(mention_event("cold shower"))
    assert status == 200
    await slack.wait_calls("chat.postMessage", 1)


async def test_the_bodies_of_unsigned_requests_are_never_logged(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    """Twenty 1 MB requests with a stale or forged signature: a line each in the log, not a megabyte."""
    text = "PAYLOAD-" * (1_000_000 // 8)
    body = json.dumps({"type": "event_callback", "event": {"type": "app_mention", "text": text}}).encode()
    stale = signed_headers(body, SECRET, int(time.time()) - 600)
    forged = signed_headers(body, "not-the-secret")
    requests = [_post(bot, body, {**(stale if i % 2 else forged), "Content-Type": JSON}) for i in range(20)]
    assert set(await asyncio.gather(*requests)) == {401}
    logged = [r.getMessage() + json.dumps(r.__dict__, default=str) for r in caplog.records]
    assert not [line for line in logged if "PAYLOAD-" in line]
    assert sum(map(len, logged)) < 20 * 1000, sum(map(len, logged))
