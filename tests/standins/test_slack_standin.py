"""The Slack stand-in, proven against slack_sdk's own clients."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from tests.standins.slack import SlackStandIn, signed_headers

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "*hello*"}}


@pytest.fixture
async def slack() -> AsyncIterator[SlackStandIn]:
    async with SlackStandIn() as stand_in:
        yield stand_in


@pytest.fixture
def web(slack: SlackStandIn) -> AsyncWebClient:
    return AsyncWebClient(token="xoxb-test", base_url=slack.api_url)


async def test_auth_test_and_post_message_are_answered_and_recorded(
    slack: SlackStandIn, web: AsyncWebClient
) -> None:
    auth = await web.auth_test()
    first = await web.chat_postMessage(channel="C1", text="hi", blocks=[SECTION], thread_ts="1.2")
    # Sent form-encoded, blocks arrive as a JSON string and are recorded decoded.
    second = await web.api_call("chat.postMessage", data={"channel": "C1", "blocks": json.dumps([SECTION])})

    assert (auth["user_id"], auth["bot_id"], auth["team_id"]) == ("UBOT", "BBOT", "T0001")
    assert first["message"]["thread_ts"] == "1.2" and first["message"]["user"] == "UBOT"
    assert float(first["ts"]) < float(second["ts"])
    calls = await slack.wait_calls("chat.postMessage", 2)
    assert [c.args["blocks"] for c in calls] == [[SECTION], [SECTION]]
    assert calls[0].token == "xoxb-test" and calls[0].args["text"] == "hi"
    assert [c.method for c in slack.calls] == ["auth.test", "chat.postMessage", "chat.postMessage"]


LONG_SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ({"channel": "C1"}, "no_text"),
        ({"text": "hi"}, "channel_not_found"),
        ({"channel": "C1", "text": "x" * 40_001}, "msg_too_long"),
        ({"channel": "C1", "text": "hi", "blocks": [SECTION] * 51}, "invalid_blocks"),
        ({"channel": "C1", "text": "hi", "blocks": [LONG_SECTION]}, "invalid_blocks"),
        ({"channel": "CGONE", "text": "hi"}, "not_in_channel"),
    ],
)
async def test_slack_errors_raise(
    slack: SlackStandIn, web: AsyncWebClient, args: dict[str, Any], error: str
) -> None:
    slack.not_in_channel.add("CGONE")
    with pytest.raises(SlackApiError) as raised:
        # api_call, as chat_postMessage warns (an error under filterwarnings=error) when text is missing.
        await web.api_call("chat.postMessage", json=args)
    assert raised.value.response.status_code == 200
    assert raised.value.response["error"] == error


async def test_auth_unknown_methods_and_joining(slack: SlackStandIn, web: AsyncWebClient) -> None:
    slack.not_in_channel.add("C1")
    with pytest.raises(SlackApiError, match="invalid_auth"):
        await AsyncWebClient(token=slack.app_token, base_url=slack.api_url).auth_test()
    with pytest.raises(SlackApiError, match="invalid_auth"):
        await web.apps_connections_open(app_token="xoxb-test")
    with pytest.raises(SlackApiError, match="unknown_method"):
        await web.api_call("chat.shout")

    await web.conversations_join(channel="C1")
    assert (await web.chat_postMessage(channel="C1", text="hi"))["ok"]


async def test_rate_limited_call_is_retried_by_slack_sdk(slack: SlackStandIn) -> None:
    retrying = AsyncWebClient(
        token="xoxb-test",
        base_url=slack.api_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)],
    )
    slack.rate_limit("chat.postMessage", retry_after=0)  # slack_sdk waits Retry-After + random() seconds

    assert (await retrying.chat_postMessage(channel="C1", text="hi"))["ok"]
    calls = slack.calls_to("chat.postMessage")
    assert [(c.status, c.response["ok"]) for c in calls] == [(429, False), (200, True)]


async def test_rate_limited_call_raises_without_retries(slack: SlackStandIn, web: AsyncWebClient) -> None:
    slack.rate_limit("chat.postMessage", retry_after=7)
    with pytest.raises(SlackApiError, match="ratelimited") as raised:
        await web.chat_postMessage(channel="C1", text="hi")
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "7"


async def test_fail_answers_the_error_then_recovers(slack: SlackStandIn, web: AsyncWebClient) -> None:
    slack.fail("chat.update", error="message_not_found")
    with pytest.raises(SlackApiError, match="message_not_found"):
        await web.chat_update(channel="C1", ts="1.2", text="edited")
    assert (await web.chat_update(channel="C1", ts="1.2", text="edited"))["ts"] == "1.2"


async def test_server_error_and_dropped_connection_then_recovery(slack: SlackStandIn) -> None:
    web = AsyncWebClient(
        token="xoxb-test", base_url=slack.api_url, retry_handlers=[]
    )  # not even slack_sdk's default
    slack.server_error("chat.postMessage", status=503)
    slack.drop_connection("chat.postMessage")
    with pytest.raises(SlackApiError) as raised:
        await web.chat_postMessage(channel="C1", text="hi")
    assert raised.value.response.status_code == 503
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await web.chat_postMessage(channel="C1", text="hi")
    assert (await web.chat_postMessage(channel="C1", text="hi"))["ok"]
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [503, 0, 200]


async def test_a_call_carried_out_then_failed_made_its_message(slack: SlackStandIn) -> None:
    web = AsyncWebClient(token="xoxb-test", base_url=slack.api_url, retry_handlers=[])
    slack.fail_after("chat.postMessage", status=500)
    slack.fail_after("chat.postMessage", status=0)
    with pytest.raises(SlackApiError) as raised:
        await web.chat_postMessage(channel="C1", text="first")
    assert raised.value.response.status_code == 500
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await web.chat_postMessage(channel="C1", text="second", thread_ts="1.2")
    assert [m["text"] for m in slack.posted("C1")] == ["first", "second"]
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [500, 0]


async def test_history_and_replies_give_the_messages_made_and_their_metadata_when_asked(
    slack: SlackStandIn, web: AsyncWebClient
) -> None:
    metadata = {"event_type": "test_post", "event_payload": {"key": "k1"}}
    before = time.time()
    top = await web.chat_postMessage(channel="C1", text="top", metadata=metadata)
    reply = await web.chat_postMessage(channel="C1", text="reply", thread_ts=top["ts"], metadata=metadata)
    await web.chat_postMessage(channel="C2", text="elsewhere")
    assert float(top["ts"]) >= before - 1  # timestamps are now, as Slack's are

    history = await web.conversations_history(channel="C1", include_all_metadata=True)
    assert [(m["text"], m["metadata"]) for m in history["messages"]] == [("top", metadata)]
    replies = await web.conversations_replies(channel="C1", ts=top["ts"])
    assert [m["ts"] for m in replies["messages"]] == [top["ts"], reply["ts"]]  # the parent first
    assert all("metadata" not in m for m in replies["messages"])
    later = await web.conversations_history(channel="C1", oldest=top["ts"])
    assert later["messages"] == []


async def test_a_held_call_is_answered_once_released(slack: SlackStandIn, web: AsyncWebClient) -> None:
    hold = slack.hold("chat.postMessage")
    posting = asyncio.create_task(web.chat_postMessage(channel="C1", text="hi"))
    await slack.wait_held(hold)
    assert not posting.done() and slack.calls_to("chat.postMessage") == []
    hold.release()
    assert (await posting)["ok"] and hold.waiting == 0
    assert (await web.chat_postMessage(channel="C1", text="again"))["ok"]  # only the next call was held


async def test_wait_calls_times_out_with_what_it_saw(slack: SlackStandIn, web: AsyncWebClient) -> None:
    await web.auth_test()
    expected = r"waiting for 1 call\(s\) to chat.postMessage; calls so far: \['auth.test'\]"
    with pytest.raises(AssertionError, match=expected):
        await slack.wait_calls("chat.postMessage", 1, timeout=0.05)


async def test_response_url_records_what_is_posted(slack: SlackStandIn) -> None:
    response = await AsyncWebhookClient(slack.response_url("r1")).send(text="done", response_type="ephemeral")

    assert response.status_code == 200
    assert await slack.wait_responses(1) == [("r1", {"text": "done", "response_type": "ephemeral"})]


async def test_socket_mode_client_receives_envelopes_and_acks(slack: SlackStandIn) -> None:
    # A short ping interval, so that the client's ping/pong monitor runs several times.
    client = SocketModeClient(
        app_token=slack.app_token, web_client=AsyncWebClient(base_url=slack.api_url), ping_interval=0.2
    )
    received: list[SocketModeRequest] = []

    async def on_request(client: AsyncBaseSocketModeClient, request: SocketModeRequest) -> None:
        received.append(request)
        await client.send_socket_mode_response(SocketModeResponse(request.envelope_id, {"text": "ok"}))

    client.socket_mode_request_listeners.append(on_request)
    try:
        await client.connect()
        connected_at = time.time()
        await slack.wait_socket_connections(1)
        await asyncio.sleep(0.6)  # time passing is what is tested here: the connection stays up
        envelope_id = await slack.send_envelope(
            "slash_commands", {"command": "/onrecord", "text": "q"}, accepts_response_payload=True
        )
        ack = await slack.wait_ack(envelope_id)
        assert await client.is_connected()
        # The client's own ping/pong monitor saw pongs for pings it sent after connecting.
        assert (client.last_ping_pong_time or 0) > connected_at + client.ping_interval
    finally:
        await client.close()

    assert ack == {"envelope_id": envelope_id, "payload": {"text": "ok"}}
    assert [(r.type, r.payload["command"], r.accepts_response_payload) for r in received] == [
        ("slash_commands", "/onrecord", True)
    ]
    assert slack.socket_connections == 1
    assert [c.token for c in slack.calls_to("apps.connections.open")] == [slack.app_token]


def test_signed_headers_pass_slack_sdk_verification() -> None:
    body = b"token=x&command=%2Fonrecord&text=q"
    verifier = SignatureVerifier("s3cret")

    assert verifier.is_valid_request(body, signed_headers(body, "s3cret"))
    assert not verifier.is_valid_request(body + b"!", signed_headers(body, "s3cret"))
    assert not verifier.is_valid_request(body, signed_headers(body, "other"))
    stale = signed_headers(body, "s3cret", timestamp=int(time.time()) - 600)
    assert not verifier.is_valid_request(body, stale)


async def test_files_upload_v2_gets_a_url_uploads_and_shares_in_a_thread_as_slack_does(
    slack: SlackStandIn, web: AsyncWebClient
) -> None:
    shared = await web.files_upload_v2(
        channel="C1", thread_ts="1.2", file=b"\x89PNG...", filename="card.png", title="Card", alt_txt="words"
    )
    [upload] = slack.uploads.values()
    assert shared["file"]["id"] == upload.file_id and upload.completed
    assert (upload.data, upload.length, upload.alt_txt, upload.title) == (b"\x89PNG...", 7, "words", "Card")
    assert (upload.channel_id, upload.thread_ts, upload.initial_comment) == ("C1", "1.2", None)

    url = await web.files_getUploadURLExternal(filename="never-sent.png", length=3)
    with pytest.raises(SlackApiError) as not_uploaded:  # completed before its bytes were sent
        await web.files_completeUploadExternal(files=[{"id": url["file_id"]}], channel_id="C1")
    assert not_uploaded.value.response["error"] == "file_not_found"
    with pytest.raises(SlackApiError) as thread_alone:
        await web.files_upload_v2(file=b"x", filename="x.png", thread_ts="1.2")
    assert thread_alone.value.response["error"] == "invalid_arguments"
    with pytest.raises(SlackApiError) as long_alt:
        await web.files_upload_v2(channel="C1", file=b"x", filename="x.png", alt_txt="a" * 1001)
    assert long_alt.value.response["error"] == "invalid_arguments"
