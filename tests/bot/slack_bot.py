"""The real Slack bot, run in this process against the Slack stand-in, for the adapter tests."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from onrecord.bot.app import Runtime, build_runtime, serving
from onrecord.bot.slack import serve
from tests.bot.environment import settings_from
from tests.ports import free_port
from tests.standins.slack import SlackStandIn, signed_headers

SECRET = "test-signing-secret"


def bot_env(slack: SlackStandIn, index_dir: Path, redis_url: str | None, **extra: str) -> dict[str, str]:
    env = {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SECRET,
        "ONRECORD_SLACK_API_URL": slack.api_url,
        "ONRECORD_INDEX": str(index_dir),
        "ONRECORD_PORT": str(free_port()),
    }
    if redis_url is not None:
        env["REDIS_URL"] = redis_url
    return {**env, **extra}


@dataclass
class RunningBot:
    runtime: Runtime
    url: str  # where Slack sends requests in HTTP mode
    session: aiohttp.ClientSession

    async def send(
        self,
        body: dict[str, Any] | str,
        *,
        retry: int | None = None,
        secret: str = SECRET,
        timestamp: int | None = None,
    ) -> tuple[int, str]:
        """POST a request signed as Slack signs it; the status and body of the bot's answer."""
        is_json = isinstance(body, dict)
        raw = (json.dumps(body) if is_json else str(body)).encode()
        headers = signed_headers(raw, secret, timestamp)
        headers["Content-Type"] = "application/json" if is_json else "application/x-www-form-urlencoded"
        if retry is not None:
            headers["X-Slack-Retry-Num"] = str(retry)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        async with self.session.post(self.url, data=raw, headers=headers) as response:
            return response.status, await response.text()


@contextlib.asynccontextmanager
async def slack_bot(env: Mapping[str, str]) -> AsyncIterator[RunningBot]:
    """`onrecord serve slack` in this process (without the health port), until the block ends."""
    settings = settings_from(env)
    settings.require_slack()
    async with build_runtime(settings, health=False) as runtime, aiohttp.ClientSession() as session:
        task = asyncio.create_task(serve(serving(runtime, "slack")))
        try:
            if not settings.slack_socket_mode:
                await _listening(settings.port, task)
            yield RunningBot(runtime, f"http://127.0.0.1:{settings.port}/slack/events", session)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


async def _listening(port: int, task: asyncio.Task[None]) -> None:
    for _ in range(200):
        if task.done():
            task.result()
        with contextlib.suppress(OSError):
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            await writer.wait_closed()
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"the bot did not listen on port {port}")
