"""A local stand-in of the Slack Web API and of Socket Mode, for tests.

    async with SlackStandIn() as slack:
        web = AsyncWebClient(token="xoxb-test", base_url=slack.api_url)
        socket = SocketModeClient(app_token=slack.app_token, web_client=web)
        ...
        await socket.close()  # close clients before the stand-in stops, or they keep reconnecting

It answers like Slack does (HTTP 200 with {"ok": false, "error": ...} for API errors, 429 with
Retry-After when rate limited), records every call, and enforces the message limits that Slack
enforces, so tests catch a bot that would fail against the real thing. Tests can also make it fail
like an unwell Slack: HTTP 5xx, a dropped connection, or a call held until the test lets it go; and
fail that way after carrying the call out (the message is made, the answer lost).

Posted messages are kept per channel, with their `metadata`, and read back by conversations.history
and conversations.replies (the metadata only with `include_all_metadata`, as Slack does).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

from aiohttp import WSCloseCode, WSMsgType, web

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_TEXT = 40000
MAX_ALT_TEXT = 1000  # of an uploaded image

Answer = dict[str, Any]


@dataclass
class Call:
    """One Web API call received, and how the stand-in answered it."""

    method: str
    args: dict[str, Any]
    token: str | None
    at: float
    status: int = 200
    response: Answer = field(default_factory=dict)


@dataclass
class Upload:
    """A file uploaded the way files_upload_v2 does: files.getUploadURLExternal gives `file_id` and an
    upload URL, the bytes are posted to it (`data`), and files.completeUploadExternal shares the file
    (in `channel_id`, in the thread `thread_ts`, with `initial_comment`) or keeps it private."""

    file_id: str
    filename: str
    length: int
    alt_txt: str | None
    data: bytes | None = None
    title: str | None = None
    completed: bool = False
    channel_id: str | None = None
    thread_ts: str | None = None
    initial_comment: str | None = None


@dataclass
class _Fault:
    status: int  # 0: drop the connection without an answer
    error: str
    retry_after: int | None = None
    after: bool = False  # carry the call out first (a message is made), then fail
    listed_after: float = 0.0  # seconds before a message so made is listed (history, replies)


class Hold:
    """Calls held by the stand-in: each waits, unanswered, until `release()`; then it is carried out."""

    def __init__(self) -> None:
        self.waiting = 0  # calls held now
        self.released = asyncio.Event()

    def release(self) -> None:
        self.released.set()


def signed_headers(body: bytes, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack signs a request `body` with, given the app's signing secret."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def _error(error: str, **extra: Any) -> Answer:
    return {"ok": False, "error": error, **extra}


def _block_errors(blocks: list[Any]) -> list[str]:
    """Slack's complaints about `blocks`, each ending with a JSON pointer like Slack's."""
    errors = []

    def check(count: int, limit: int, pointer: str, *, items: bool = False) -> None:
        if count > limit and items:
            errors.append(f"no more than {limit} items allowed [json-pointer:{pointer}]")
        elif count > limit:
            errors.append(f"must be less than {limit + 1} characters [json-pointer:{pointer}]")

    check(len(blocks), MAX_BLOCKS, "/blocks", items=True)
    for i, block in enumerate(blocks):
        where = f"/blocks/{i}"
        if not isinstance(block, dict) or "type" not in block:
            errors.append(f"missing required field: type [json-pointer:{where}]")
        elif block["type"] == "section":
            check(len((block.get("text") or {}).get("text", "")), MAX_SECTION_TEXT, f"{where}/text/text")
            fields = block.get("fields") or []
            check(len(fields), MAX_SECTION_FIELDS, f"{where}/fields", items=True)
            for j, item in enumerate(fields):
                check(len(item.get("text", "")), MAX_FIELD_TEXT, f"{where}/fields/{j}/text")
        elif block["type"] == "header":
            check(len((block.get("text") or {}).get("text", "")), MAX_HEADER_TEXT, f"{where}/text/text")
    return errors


def _message_problem(args: dict[str, Any]) -> Answer | None:
    """The error Slack gives for a message's text/blocks, or None when it would accept them."""
    text, blocks = args.get("text"), args.get("blocks")
    if not text and not blocks and not args.get("attachments"):
        return _error("no_text")
    if text and len(text) > MAX_TEXT:
        return _error("msg_too_long")
    if blocks is not None:
        if not isinstance(blocks, list):
            return _error("invalid_blocks_format")
        if errors := _block_errors(blocks):
            messages = [f"[ERROR] {e}" for e in errors]
            return _error("invalid_blocks", errors=errors, response_metadata={"messages": messages})
    return None


async def _read_args(request: web.Request) -> dict[str, Any]:
    """Query, form and JSON arguments merged; "blocks"/"attachments" JSON-decoded when sent as strings."""
    args: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        body = await request.json()
        if isinstance(body, dict):
            args.update(body)
    elif request.body_exists:
        args.update((k, v) for k, v in (await request.post()).items() if isinstance(v, str))
    for key in ("blocks", "attachments", "metadata"):
        if isinstance(args.get(key), str):
            with contextlib.suppress(ValueError):
                args[key] = json.loads(args[key])
    return args


BOT_SCOPES = (
    "app_mentions:read",
    "channels:history",
    "chat:write",
    "commands",
    "files:write",
    "groups:history",
    "im:history",
    "mpim:history",
)


class SlackStandIn:
    """Slack's Web API at `api_url` and Socket Mode at the URL `apps.connections.open` gives.

    Everything received is recorded: Web API calls in `calls`, bodies posted to a `response_url()` in
    `responses`, Socket Mode acks in `acks`; the `wait_*` methods wait for them.
    """

    team_id = "T0001"
    bot_user_id = "UBOT"
    bot_id = "BBOT"
    app_id = "A0001"
    app_token = "xapp-1-test"

    def __init__(self, port: int = 0) -> None:
        """`port` 0 takes a free one."""
        self.port = port
        self.api_url = ""
        self.calls: list[Call] = []
        self.responses: list[tuple[str, dict[str, Any]]] = []
        self.acks: dict[str, dict[str, Any]] = {}
        self.not_in_channel: set[str] = set()
        self.scopes = list(BOT_SCOPES)  # granted to the bot token: each answer's x-oauth-scopes header
        self.uploads: dict[str, Upload] = {}  # by file id, in the order their URLs were given
        self.messages: defaultdict[str, list[Answer]] = defaultdict(list)  # posted, by channel
        self.socket_connections = 0  # accepted since start, including closed ones
        self._address = ""
        self._faults: defaultdict[str, deque[_Fault]] = defaultdict(deque)
        self._holds: defaultdict[str, deque[Hold]] = defaultdict(deque)
        self._sockets: list[web.WebSocketResponse] = []
        self._tickets: set[str] = set()
        self._last_ts = 0  # microseconds
        self._unlisted: dict[str, float] = {}  # ts of a message: when it is listed (monotonic)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._methods: dict[str, Callable[[dict[str, Any]], Answer]] = {
            "auth.test": self._auth_test,
            "apps.connections.open": self._connections_open,
            "chat.postMessage": self._post_message,
            "chat.postEphemeral": self._post_ephemeral,
            "chat.update": self._update,
            "conversations.history": self._history,
            "conversations.join": self._join,
            "conversations.replies": self._replies,
            "files.getUploadURLExternal": self._upload_url,
            "files.completeUploadExternal": self._complete_upload,
        }

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{name}", self._response)
        app.router.add_get("/socket", self._socket)
        app.router.add_post("/upload/{file_id}", self._upload)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        port = self._runner.addresses[0][1]
        self._address = f"127.0.0.1:{port}"
        self.api_url = f"http://{self._address}/api/"
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        for ws in list(self._sockets):
            await ws.close(code=WSCloseCode.GOING_AWAY, message=b"stand-in stopped")
        if self._runner is not None:
            await self._runner.cleanup()

    # -- what tests set up --------------------------------------------------------------------------

    def rate_limit(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        """The next `times` calls to `method` get HTTP 429 with Retry-After and error "ratelimited"."""
        self._faults[method].extend(_Fault(429, "ratelimited", retry_after) for _ in range(times))

    def fail(self, method: str, times: int = 1, error: str = "internal_error") -> None:
        """The next `times` calls to `method` answer {"ok": false, "error": error} (HTTP 200)."""
        self._faults[method].extend(_Fault(200, error) for _ in range(times))

    def server_error(self, method: str, times: int = 1, status: int = 500) -> None:
        """The next `times` calls to `method` get HTTP `status` (5xx) and no message is posted."""
        self._faults[method].extend(_Fault(status, "internal_error") for _ in range(times))

    def drop_connection(self, method: str, times: int = 1) -> None:
        """The next `times` calls to `method` are read, then their connection is closed unanswered."""
        self._faults[method].extend(_Fault(0, "") for _ in range(times))

    def fail_after(
        self,
        method: str,
        times: int = 1,
        status: int = 500,
        error: str = "internal_error",
        listed_after: float = 0.0,
    ) -> None:
        """The next `times` calls to `method` are carried out (a message is posted), then answered with
        HTTP `status` (5xx; 200 with `error`), or with the connection dropped when `status` is 0: the
        caller cannot tell. The message is listed `listed_after` seconds later, as Slack's lag may be."""
        fault = _Fault(status, error, after=True, listed_after=listed_after)
        self._faults[method].extend(fault for _ in range(times))

    def add_message(
        self, channel: str, ts: str, text: str = "", metadata: dict[str, Any] | None = None
    ) -> Answer:
        """A message of the bot's made earlier (say, by a try whose answer was lost before this test)."""
        message = self._message({"text": text, "metadata": metadata}, ts)
        self.messages[channel].append(message)
        self.messages[channel].sort(key=lambda m: float(m["ts"]))
        return message

    def hold(self, method: str, times: int = 1) -> Hold:
        """The next `times` calls to `method` wait until the returned hold is released; then they are
        carried out as usual (a message is posted even if the client gave up waiting, as Slack would)."""
        hold = Hold()
        self._holds[method].extend(hold for _ in range(times))
        return hold

    def response_url(self, name: str) -> str:
        """A response_url served here; what is posted to it is recorded in `responses` as (name, body)."""
        return f"http://{self._address}/response/{name}"

    # -- what tests wait for ------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_calls(self, method: str, count: int, timeout: float = 5.0) -> list[Call]:  # noqa: ASYNC109
        """The calls to `method` once there are at least `count` of them."""
        await self._wait(
            lambda: len(self.calls_to(method)) >= count,
            timeout,
            lambda: f"{count} call(s) to {method}; calls so far: {[c.method for c in self.calls]}",
        )
        return self.calls_to(method)

    async def wait_responses(self, count: int, timeout: float = 5.0) -> list[tuple[str, dict[str, Any]]]:  # noqa: ASYNC109
        """The bodies posted to response URLs once there are at least `count` of them."""
        await self._wait(
            lambda: len(self.responses) >= count,
            timeout,
            lambda: f"{count} response(s); got {self.responses}",
        )
        return self.responses

    async def wait_socket_connections(self, count: int = 1, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until `count` Socket Mode connections have been accepted (and sent hello) since start."""
        await self._wait(
            lambda: self.socket_connections >= count,
            timeout,
            lambda: f"{count} Socket Mode connection(s); got {self.socket_connections}",
        )

    async def wait_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:  # noqa: ASYNC109
        """The ack ({"envelope_id": ..., "payload"?: ...}) the client sent for an envelope."""
        await self._wait(
            lambda: envelope_id in self.acks,
            timeout,
            lambda: f"the ack of envelope {envelope_id}; acked so far: {list(self.acks)}",
        )
        return self.acks[envelope_id]

    async def send_envelope(
        self,
        type: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool = False,
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> str:
        """Send an envelope ("events_api", "slash_commands", "interactive") and return its envelope_id.

        Like Slack, each envelope goes to one connection only: the newest open one.
        """
        open_sockets = [ws for ws in self._sockets if not ws.closed]
        if not open_sockets:
            raise AssertionError("no open Socket Mode connection; await wait_socket_connections() first")
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": type,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
            "retry_attempt": retry_attempt,
            "retry_reason": retry_reason,
        }
        await open_sockets[-1].send_json(envelope)
        return envelope_id

    async def wait_held(self, hold: Hold, count: int = 1, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until `count` calls are held by `hold`."""
        await self._wait(lambda: hold.waiting >= count, timeout, lambda: f"{count} held call(s)")

    async def _wait(self, done: Callable[[], bool], seconds: float, what: Callable[[], str]) -> None:
        async with self._changed:
            try:
                async with asyncio.timeout(seconds):
                    await self._changed.wait_for(done)
            except TimeoutError:
                raise AssertionError(f"timed out after {seconds}s waiting for {what()}") from None

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # -- HTTP and WebSocket handlers ----------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        at = time.monotonic()
        call = Call(
            method=request.match_info["method"],
            args=await _read_args(request),
            token=request.headers.get("Authorization", "").removeprefix("Bearer ") or None,
            at=at,
        )
        if self._holds[call.method]:
            hold = self._holds[call.method].popleft()
            hold.waiting += 1
            await self._notify()  # tests wait for the hold to be reached
            try:
                await hold.released.wait()
            finally:
                hold.waiting -= 1
        headers = {}
        handler = self._methods.get(call.method)
        token_prefix = "xapp-" if call.method == "apps.connections.open" else "xoxb-"
        if handler is None:
            call.response = _error("unknown_method", req_method=call.method)
        elif not (call.token or "").startswith(token_prefix):
            call.response = _error("invalid_auth")
        elif self._faults[call.method]:
            fault = self._faults[call.method].popleft()
            if fault.after:
                made = handler(call.args)
                if "ts" in made:
                    self._unlisted[made["ts"]] = time.monotonic() + fault.listed_after
            call.status, call.response = fault.status, _error(fault.error)
            if fault.retry_after is not None:
                headers["Retry-After"] = str(fault.retry_after)
        else:
            call.response = handler(call.args)
        if token_prefix == "xoxb-":
            headers["x-oauth-scopes"] = ",".join(self.scopes)
        self.calls.append(call)
        await self._notify()
        if call.status == 0:  # a dropped connection
            assert request.transport is not None
            request.transport.close()
            return web.Response()  # never sent: the connection is gone
        return web.json_response(call.response, status=call.status, headers=headers)

    async def _upload(self, request: web.Request) -> web.Response:
        """An upload URL: the file's bytes, as files.slack.com takes them (200 "OK - <size>")."""
        upload = self.uploads.get(request.match_info["file_id"])
        if upload is None or upload.completed:
            return web.Response(status=404, text="unknown upload")
        upload.data = await request.read()
        await self._notify()
        return web.Response(text=f"OK - {len(upload.data)}")

    async def _response(self, request: web.Request) -> web.Response:
        self.responses.append((request.match_info["name"], await _read_args(request)))
        await self._notify()
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        if request.query.get("ticket") not in self._tickets:
            raise web.HTTPUnauthorized(text="unknown ticket; call apps.connections.open first")
        ws = web.WebSocketResponse(timeout=2.0)  # autoping answers the client's pings
        await ws.prepare(request)
        self._sockets.append(ws)
        try:
            await ws.send_json(
                {
                    "type": "hello",
                    "num_connections": sum(not s.closed for s in self._sockets),
                    "debug_info": {"host": "standin", "build_number": 1, "approximate_connection_time": 3600},
                    "connection_info": {"app_id": self.app_id},
                }
            )
            self.socket_connections += 1
            await self._notify()
            async for message in ws:
                frame: Any = None
                if message.type == WSMsgType.TEXT:
                    with contextlib.suppress(ValueError):  # not JSON: ignored
                        frame = json.loads(message.data)
                if isinstance(frame, dict) and "envelope_id" in frame:
                    self.acks[frame["envelope_id"]] = frame
                    await self._notify()
        finally:
            self._sockets.remove(ws)
        return ws

    # -- Web API methods ----------------------------------------------------------------------------

    def _next_ts(self) -> str:
        """Now, as Slack's message timestamps are, and later than every one given before."""
        micros = self._last_ts = max(time.time_ns() // 1000, self._last_ts + 100)
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _message(self, args: dict[str, Any], ts: str) -> Answer:
        message = {"type": "message", "text": "", "user": self.bot_user_id, "bot_id": self.bot_id, "ts": ts}
        message |= {k: args[k] for k in ("text", "blocks", "attachments", "thread_ts") if k in args}
        if isinstance(args.get("metadata"), dict):
            message["metadata"] = args["metadata"]
        return message

    def posted(self, channel: str, thread_ts: str | None = None) -> list[Answer]:
        """The messages made in `channel` (those in the thread of `thread_ts` only, when given)."""
        return [m for m in self.messages[channel] if thread_ts is None or m.get("thread_ts") == thread_ts]

    def _auth_test(self, args: dict[str, Any]) -> Answer:
        return {
            "ok": True,
            "url": "https://test.slack.com/",
            "team": "Test",
            "user": "onrecord",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _connections_open(self, args: dict[str, Any]) -> Answer:
        ticket = str(uuid.uuid4())
        self._tickets.add(ticket)
        return {"ok": True, "url": f"ws://{self._address}/socket?ticket={ticket}&app_id={self.app_id}"}

    def _post_message(self, args: dict[str, Any]) -> Answer:
        channel = args.get("channel")
        if not channel:
            return _error("channel_not_found")
        if channel in self.not_in_channel:
            return _error("not_in_channel")
        if problem := _message_problem(args):
            return problem
        ts = self._next_ts()
        message = self._message(args, ts)
        self.messages[channel].append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _read(self, args: dict[str, Any], messages: list[Answer]) -> Answer:
        """A page of `messages` (listed ones newer than `oldest`, in the order given) from `cursor` on,
        with their metadata only when asked."""
        oldest = float(args.get("oldest") or 0)
        with_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        now = time.monotonic()
        shown = [
            m if with_metadata else {k: v for k, v in m.items() if k != "metadata"}
            for m in messages
            if float(m["ts"]) > oldest and self._unlisted.get(m["ts"], 0.0) <= now
        ]
        start, limit = int(args.get("cursor") or 0), int(args.get("limit") or 100)
        page: Answer = {"ok": True, "messages": shown[start : start + limit]}
        page["has_more"] = more = len(shown) > start + limit
        page["response_metadata"] = {"next_cursor": str(start + limit) if more else ""}
        return page

    def _history(self, args: dict[str, Any]) -> Answer:
        """The channel's messages outside threads (and each thread's first message)."""
        channel = args.get("channel")
        if not channel:
            return _error("channel_not_found")
        if refused := self._missing_history_scope(channel):
            return refused
        if channel in self.not_in_channel:
            return _error("not_in_channel")
        top = [m for m in self.messages[channel] if m.get("thread_ts") in (None, m["ts"])]
        return self._read(args, top[::-1])  # newest first

    def _missing_history_scope(self, channel: str) -> Answer | None:
        """missing_scope when the token lacks the scope to read `channel` (by its kind: C public, G
        private, D direct), as Slack answers."""
        needed = {"G": "groups:history", "D": "im:history"}.get(channel[:1], "channels:history")
        if needed in self.scopes:
            return None
        return _error("missing_scope", needed=needed, provided=",".join(self.scopes))

    def _replies(self, args: dict[str, Any]) -> Answer:
        """The thread of `ts`, oldest first: its parent first when the stand-in made it (it never sees a
        person's message), then the replies."""
        channel, ts = args.get("channel"), args.get("ts")
        if not channel:
            return _error("channel_not_found")
        if not ts:
            return _error("thread_not_found")
        if refused := self._missing_history_scope(channel):
            return refused
        if channel in self.not_in_channel:
            return _error("not_in_channel")
        parent = [m for m in self.messages[channel] if m["ts"] == ts]
        replies = [m for m in self.posted(channel, ts) if m["ts"] != ts]
        return self._read(args, parent + replies)

    def _post_ephemeral(self, args: dict[str, Any]) -> Answer:
        if not args.get("channel"):
            return _error("channel_not_found")
        if not args.get("user"):
            return _error("user_not_found")
        return _message_problem(args) or {"ok": True, "message_ts": self._next_ts()}

    def _update(self, args: dict[str, Any]) -> Answer:
        channel, ts = args.get("channel"), args.get("ts")
        if not channel:
            return _error("channel_not_found")
        if not ts:
            return _error("message_not_found")
        if problem := _message_problem(args):
            return problem
        message = self._message(args, ts)
        return {"ok": True, "channel": channel, "ts": ts, "text": message["text"], "message": message}

    def _join(self, args: dict[str, Any]) -> Answer:
        """Joining a channel takes it out of `not_in_channel`."""
        channel = args.get("channel")
        if not channel:
            return _error("channel_not_found")
        self.not_in_channel.discard(channel)
        return {"ok": True, "channel": {"id": channel, "is_channel": True, "is_member": True}}

    def _upload_url(self, args: dict[str, Any]) -> Answer:
        filename, length = args.get("filename"), str(args.get("length", ""))
        if not filename or not length.isdigit():
            return _error("invalid_arguments")
        alt_txt = args.get("alt_txt")
        if alt_txt is not None and len(alt_txt) > MAX_ALT_TEXT:
            return _error("invalid_arguments")
        file_id = f"F{len(self.uploads) + 1:08d}"
        self.uploads[file_id] = Upload(file_id, filename, int(length), alt_txt)
        return {"ok": True, "file_id": file_id, "upload_url": f"http://{self._address}/upload/{file_id}"}

    def _complete_upload(self, args: dict[str, Any]) -> Answer:
        """Share the uploaded files: each must have its bytes; a thread needs its channel."""
        try:
            files = json.loads(args.get("files") or "")
        except ValueError:
            return _error("invalid_arguments")
        uploads = [self.uploads.get(str(f.get("id"))) for f in files if isinstance(f, dict)]
        if not files or len(uploads) != len(files) or any(u is None or u.data is None for u in uploads):
            return _error("file_not_found")
        channel, thread_ts = args.get("channel_id"), args.get("thread_ts")
        if thread_ts and not channel:
            return _error("invalid_arguments")
        if channel in self.not_in_channel:
            return _error("not_in_channel")
        shared = []
        for upload, item in zip(uploads, files, strict=True):
            assert upload is not None
            upload.completed, upload.title = True, item.get("title") or upload.filename
            upload.channel_id, upload.thread_ts = channel, thread_ts
            upload.initial_comment = args.get("initial_comment")
            shared.append({"id": upload.file_id, "name": upload.filename, "title": upload.title})
        return {"ok": True, "files": shared}
