"""The Slack bot in Socket Mode: it asks the stand-in's `apps.connections.open` for a websocket, takes
envelopes from it, acknowledges each, and answers through the Web API."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl

from tests.bot.slack_bot import bot_env, slack_bot
from tests.conftest import RedisServer
from tests.standins.slack import SlackStandIn
from tests.standins.slack_payloads import mention_event, slash_command


async def test_socket_mode_acknowledges_and_answers_in_the_thread(
    seed_index_dir: Path, redis_server: RedisServer
) -> None:
    async with SlackStandIn() as slack:
        env = bot_env(slack, seed_index_dir, redis_server.url, SLACK_APP_TOKEN=slack.app_token)
        del env["SLACK_SIGNING_SECRET"]  # Socket Mode needs none
        async with slack_bot(env):
            await slack.wait_socket_connections(1)
            [opened] = slack.calls_to("apps.connections.open")
            assert opened.token == slack.app_token

            event = mention_event("why did Jerry leave OpenAI")
            envelope = await slack.send_envelope("events_api", event)
            assert (await slack.wait_ack(envelope))["envelope_id"] == envelope
            [answer] = await slack.wait_calls("chat.postMessage", 1)
            assert answer.args["thread_ts"] == event["event"]["ts"]
            assert sum(b["type"] == "section" for b in answer.args["blocks"]) == 3

            command = dict(parse_qsl(slash_command("cold shower", response_url=slack.response_url("r"))))
            envelope = await slack.send_envelope("slash_commands", command, accepts_response_payload=True)
            await slack.wait_ack(envelope)
            _, asked, answer = await slack.wait_calls("chat.postMessage", 3)
            assert asked.args["text"] == "<@U0001> asked: cold shower"
            assert answer.args["thread_ts"] == asked.response["ts"]
