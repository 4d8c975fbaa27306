"""A local stand-in of Discord's gateway and REST API (v10), for tests against the real discord.py client.

    async with DiscordStandIn() as discord_api:
        monkeypatch.setattr(discord.http.Route, "BASE", discord_api.api_url)
        monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(discord_api.gateway_url))
        client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.1)
        async with client:  # close clients before the stand-in stops, or they keep reconnecting
            task = asyncio.create_task(client.start("token"))
            await client.wait_until_ready()
            await discord_api.dispatch("MESSAGE_CREATE", discord_api.message_create("what did she say?"))
            [reply] = await discord_api.wait_requests("POST", "/channels/*/messages")
        await task

It plays one guild (`guild_id`) with one text channel (`channel_id`), the bot (`bot_user_id`) and one
human (`user_id`); `add_guild()` adds more, each with a text channel. It answers like Discord does:
complete payloads, string snowflakes, 400 "Invalid Form Body" (code 50035) for messages over Discord's
limits, 50006 for empty messages, 10062 for an interaction answered after `interaction_timeout` seconds,
40060 for one answered twice, 10015 for a follow-up before the interaction was answered, 429 with `Via`
and `retry_after` from `fail()`, 160004 for a second thread on a message; a message sent again with the
nonce of one sent in the last minutes and `enforce_nonce` is not made again: the first one is returned.

Like Discord it echoes what the bot does on the gateway: MESSAGE_CREATE / MESSAGE_UPDATE /
MESSAGE_DELETE for the bot's own (non-ephemeral) messages, THREAD_CREATE for threads it starts; a
session whose intents lack MESSAGE_CONTENT gets empty content for guild messages that do not mention
the bot.

Shards as Discord has them: a session IDENTIFYing with `[shard_id, shard_count]` gets READY and
GUILD_CREATE for the guilds its shard owns (`shard_of`), and guild events go only to the sessions of
that shard, DMs to shard 0. Like Discord it does not refuse a second session of the same shard (a bot
started twice gets every event twice); `connected_shards()` shows who holds which. A client that uses
`api_url_for(name)` and `gateway_url_for(name)` is told apart: its requests and sessions carry `name`.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Self

from aiohttp import BodyPartReader, WSCloseCode, WSMsgType, web

Payload = dict[str, Any]
Issue = tuple[tuple[str | int, ...], str, str]  # where in the body, Discord's error code, its message

DISCORD_EPOCH_MS = 1_420_070_400_000
HEARTBEAT_INTERVAL_MS = 41_250

INTENT_GUILDS = 1 << 0
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15

FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7
FLAG_HAS_THREAD = 1 << 5
NONCE_WINDOW = timedelta(minutes=2)  # Discord: "checked for uniqueness in the past few minutes"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FLAG_COMPONENTS_V2 = 1 << 15

# View channel, send messages (also in threads), create public threads, embed links, attach files,
# read history, add reactions, external emojis, application commands, invite, nickname, connect, speak.
PERMISSIONS = 311_455_763_521
THREAD_TYPES = (10, 11, 12)
TRACE = ['["gateway-standin",{"micros":0}]']
GUILD_EVENT_INTENTS = {"MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE"}
# A gateway session as tests see it: the client's name (`gateway_url_for`) and its [shard_id, shard_count]
SessionOf = tuple[str | None, tuple[int, int] | None]


def shard_of(guild_id: int | None, shard_count: int) -> int:
    """The shard that gets a guild's events, as Discord routes them; no guild (a DM): shard 0."""
    return (guild_id >> 22) % shard_count if guild_id else 0


@dataclass
class Request:
    """One REST request received, and how the stand-in answered it."""

    method: str
    path: str  # below the API base, e.g. "/channels/123/messages"
    json: Any  # the parsed JSON body, or the payload_json part of a multipart body; None without a body
    query: dict[str, str]
    headers: dict[str, str]
    files: list[tuple[str, bytes]] = field(default_factory=list)  # (filename, content) of uploads
    client: str | None = None  # the name in the URL the client was given (`api_url_for`)
    status: int = 0
    response: Any = None


@dataclass
class _Fault:
    method: str
    path_prefix: str
    status: int
    remaining: int
    body: Payload
    headers: dict[str, str]
    lost: bool = False  # carried out first, then answered `status` (the answer lost on its way back)


class Hold:
    """Requests held by the stand-in: each waits, unanswered, until `release()`; then it is answered."""

    def __init__(self) -> None:
        self.waiting = 0  # requests held now
        self.released = asyncio.Event()

    def release(self) -> None:
        self.released.set()


@dataclass
class _Connection:
    ws: web.WebSocketResponse
    query: dict[str, str]
    client: str | None  # the name in the URL (`gateway_url_for`)
    url: str  # the URL it connected to, where it resumes
    session: _Session | None = None


@dataclass
class _Session:
    session_id: str
    token: str
    intents: int
    shard: tuple[int, int] | None
    connection: _Connection | None
    client: str | None
    seq: int = 0
    backlog: list[Payload] = field(default_factory=list)  # frames sent while disconnected, for RESUME
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


@dataclass
class _Guild:
    channel_id: int  # its text channel, "general"
    bot_role_id: int


@dataclass
class _Interaction:
    id: int
    type: int
    token: str
    channel_id: int
    user: Payload
    created: float  # loop time of creation, then of dispatch: the response deadline counts from it
    source_message: Payload | None = None  # the message a component sits on
    response_type: int | None = None
    original: Payload | None = None
    followups: dict[int, Payload] = field(default_factory=dict)


class _DiscordError(Exception):
    """A request Discord would refuse: HTTP status and JSON body."""

    def __init__(self, status: int, message: str, code: int, errors: Payload | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body: Payload = {"message": message, "code": code}
        if errors is not None:
            self.body["errors"] = errors


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _form_error(problems: list[Issue]) -> _DiscordError:
    """Discord's 50035 "Invalid Form Body" with errors nested along each problem's path."""
    errors: Payload = {}
    for path, code, message in problems:
        node = errors
        for key in path:
            node = node.setdefault(str(key), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})
    return _DiscordError(400, "Invalid Form Body", 50035, errors)


def _too_long(path: tuple[str | int, ...], limit: int) -> Issue:
    return path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length."


# What Discord takes as an embed's link: http(s) or an attachment, a host, no white space.
_WELL_FORMED_URL = re.compile(r"(?:https?://[^\s/?#]+|attachment://)[^\s]*")


def _message_problems(body: Payload, at: tuple[str | int, ...] = ()) -> list[Issue]:
    """What Discord's form validation says about a message body's content, embeds and components."""
    problems: list[Issue] = []
    content = body.get("content")
    if isinstance(content, str) and len(content) > 2000:
        problems.append(_too_long((*at, "content"), 2000))
    embeds = body.get("embeds") or []
    if len(embeds) > 10:
        problems.append(_too_long((*at, "embeds"), 10))
    total = 0
    for i, embed in enumerate(embeds):
        where = (*at, "embeds", i)
        texts: list[tuple[tuple[str | int, ...], str, int]] = [
            ((*where, "title"), embed.get("title") or "", 256),
            ((*where, "description"), embed.get("description") or "", 4096),
            ((*where, "footer", "text"), (embed.get("footer") or {}).get("text") or "", 2048),
            ((*where, "author", "name"), (embed.get("author") or {}).get("name") or "", 256),
        ]
        url = embed.get("url")
        if url is not None and not _WELL_FORMED_URL.fullmatch(url):
            problems.append(((*where, "url"), "URL_TYPE_INVALID_URL", "Not a well formed URL."))
        fields = embed.get("fields") or []
        if len(fields) > 25:
            problems.append(_too_long((*where, "fields"), 25))
        for j, item in enumerate(fields):
            for key, limit in (("name", 256), ("value", 1024)):
                text = item.get(key)
                if not text:
                    problems.append(
                        ((*where, "fields", j, key), "BASE_TYPE_REQUIRED", "This field is required")
                    )
                texts.append(((*where, "fields", j, key), text or "", limit))
        for path, text, limit in texts:
            total += len(text)
            if len(text) > limit:
                problems.append(_too_long(path, limit))
    if total > 6000:
        problems.append(
            ((*at, "embeds"), "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")
        )
    for i, attachment in enumerate(body.get("attachments") or []):
        if len(attachment.get("description") or "") > 1024:
            problems.append(_too_long((*at, "attachments", i, "description"), 1024))
    if not (body.get("flags") or 0) & FLAG_COMPONENTS_V2:
        problems.extend(_component_problems(body.get("components") or [], at))
    return problems


def _component_problems(rows: list[Payload], at: tuple[str | int, ...]) -> list[Issue]:
    problems: list[Issue] = []
    if len(rows) > 5:
        problems.append(_too_long((*at, "components"), 5))
    seen: set[str] = set()
    for i, row in enumerate(rows):
        children = row.get("components") or []
        if row.get("type") != 1 or not 1 <= len(children) <= 5:
            problems.append(
                ((*at, "components", i), "UNION_TYPE_CHOICES", 'Value of field "type" must be 1.')
            )
        for j, child in enumerate(children):
            where = (*at, "components", i, "components", j)
            custom_id = child.get("custom_id")
            if custom_id is not None:
                if len(custom_id) > 100:
                    problems.append(_too_long((*where, "custom_id"), 100))
                if custom_id in seen:
                    duplicated = "Component custom id cannot be duplicated"
                    problems.append(((*where, "custom_id"), "COMPONENT_CUSTOM_ID_DUPLICATED", duplicated))
                seen.add(custom_id)
            if len(child.get("label") or "") > 80:
                problems.append(_too_long((*where, "label"), 80))
    return problems


def _is_empty(message: Payload, files: int = 0) -> bool:
    keys = ("content", "embeds", "components", "sticker_ids", "poll", "attachments")
    return not files and not any(message.get(key) for key in keys)


def _glob(pattern: str) -> re.Pattern[str]:
    """A path pattern: a regex when it starts with "^", else a glob whose * stays within a segment."""
    if pattern.startswith("^"):
        return re.compile(pattern)
    regex = re.escape(pattern).replace(r"\*\*", ".*").replace(r"\*", "[^/]*")
    return re.compile(regex + r"\Z")


class DiscordStandIn:
    """Discord's REST API at `api_url` and its gateway at `gateway_url`, on 127.0.0.1.

    Records every REST request in `requests` (routes it does not know also in `unmatched`), every
    IDENTIFY and RESUME payload in `identifies` / `resumes`, every other payload a client sends on the
    gateway (heartbeats aside) in `gateway_received`, and every message in `messages` by id.
    `token`, when given, is the only bot token accepted (REST 401, gateway close 4004 otherwise).
    """

    application_id = 1_200_000_000_000_000_001
    bot_user_id = application_id  # as for any bot created since 2016
    guild_id = 1_200_000_000_000_000_100
    channel_id = 1_200_000_000_000_000_200  # the text channel, "general"
    bot_role_id = 1_200_000_000_000_000_300
    user_id = 1_200_000_000_000_000_400  # "alice", a human member and the guild's owner

    def __init__(
        self,
        *,
        token: str | None = None,
        shard_count: int = 1,
        interaction_timeout: float = 3.0,
        echo: bool = True,
        port: int = 0,
    ) -> None:
        """`shard_count` is what GET /gateway/bot recommends; `interaction_timeout` the seconds an
        interaction may wait for its callback (Discord: 3); `echo=False` stops the gateway echo of the
        bot's own messages and threads; `port` 0 takes a free one."""
        self.port = port
        self.token = token
        self.shard_count = shard_count
        self.interaction_timeout = interaction_timeout
        self.echo = echo
        self.api_url = ""
        self.gateway_url = ""
        self.bot_mention = f"<@{self.bot_user_id}>"
        self.requests: list[Request] = []
        self.unmatched: list[Request] = []
        self.identifies: list[Payload] = []
        self.resumes: list[Payload] = []
        self.gateway_received: list[Payload] = []
        self.gateway_queries: list[dict[str, str]] = []  # the query string of every gateway connection
        self.messages: dict[int, Payload] = {}
        self.commands: dict[int | None, list[Payload]] = {}  # synced commands by guild id (None: global)
        self.ready_count = 0  # READY (+ GUILD_CREATE) sent, over all connections since start
        self._users: dict[int, Payload] = {}
        self._guilds = {self.guild_id: _Guild(self.channel_id, self.bot_role_id)}
        self._threads: dict[int, Payload] = {}
        self._dms: dict[int, Payload] = {}
        self._sessions: dict[str, _Session] = {}
        self._connections: list[_Connection] = []
        self._interactions: dict[str, _Interaction] = {}
        self._faults: list[_Fault] = []
        self._holds: list[tuple[str, str, Hold]] = []
        self._last_id = 0
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._users[self.bot_user_id] = {
            **self._user(self.bot_user_id, "OnRecord"),
            "bot": True,
            "global_name": None,
        }
        self._users[self.user_id] = self._user(self.user_id, "alice", "Alice")
        routes: list[tuple[str, str, Callable[..., Any]]] = [
            ("GET", "/users/@me", self._get_me),
            ("POST", "/users/@me/channels", self._open_dm),
            ("GET", "/oauth2/applications/@me", self._get_application),
            ("GET", "/applications/@me", self._get_application),
            ("GET", "/gateway", self._get_gateway),
            ("GET", "/gateway/bot", self._get_gateway_bot),
            ("GET", "/applications/{app}/commands", self._get_commands),
            ("PUT", "/applications/{app}/commands", self._put_commands),
            ("GET", "/applications/{app}/guilds/{guild}/commands", self._get_commands),
            ("PUT", "/applications/{app}/guilds/{guild}/commands", self._put_commands),
            ("GET", "/channels/{channel}", self._get_channel),
            ("POST", "/channels/{channel}/messages", self._post_message),
            ("GET", "/channels/{channel}/messages/{message}", self._get_message),
            ("PATCH", "/channels/{channel}/messages/{message}", self._patch_message),
            ("DELETE", "/channels/{channel}/messages/{message}", self._delete_message),
            ("POST", "/channels/{channel}/messages/{message}/threads", self._thread_from_message),
            ("POST", "/channels/{channel}/threads", self._thread_without_message),
            ("POST", "/channels/{channel}/typing", self._no_content),
            ("PUT", "/channels/{channel}/messages/{message}/reactions/{emoji}/@me", self._no_content),
            ("DELETE", "/channels/{channel}/messages/{message}/reactions/{emoji}/@me", self._no_content),
            ("POST", "/interactions/{interaction}/{token}/callback", self._callback),
            ("POST", "/webhooks/{app}/{token}", self._followup),
            ("GET", "/webhooks/{app}/{token}/messages/{message}", self._get_webhook_message),
            ("PATCH", "/webhooks/{app}/{token}/messages/{message}", self._patch_webhook_message),
            ("DELETE", "/webhooks/{app}/{token}/messages/{message}", self._delete_webhook_message),
        ]
        self._routes = [
            (method, re.compile(re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path) + r"\Z"), handler)
            for method, path, handler in routes
        ]

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        app.router.add_get("/as/{client}/gateway", self._gateway)
        app.router.add_route("*", "/as/{client}/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        port = self._runner.addresses[0][1]
        self.api_url = f"http://127.0.0.1:{port}/api/v10"
        self.gateway_url = f"ws://127.0.0.1:{port}/gateway"
        return self

    def api_url_for(self, client: str) -> str:
        """The REST API as `client` is to reach it: its requests carry `client`."""
        return self.api_url.replace("/api/v10", f"/as/{client}/api/v10")

    def gateway_url_for(self, client: str) -> str:
        """The gateway as `client` is to reach it: its sessions carry `client`."""
        return self.gateway_url.replace("/gateway", f"/as/{client}/gateway")

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        for connection in list(self._connections):
            await connection.ws.close(code=WSCloseCode.GOING_AWAY, message=b"stand-in stopped")
        if self._runner is not None:
            await self._runner.cleanup()

    # -- what tests set up --------------------------------------------------------------------------

    def fail(
        self,
        method: str,
        path_prefix: str,
        status: int,
        times: int = 1,
        *,
        retry_after: float = 0.1,
        is_global: bool = False,
        body: Payload | None = None,
        lost: bool = False,
    ) -> None:
        """The next `times` requests whose method is `method` ("*" for any) and whose path starts with
        `path_prefix` get `status`: for 429 Discord's rate-limit body and headers (with `Via`, without
        which discord.py takes a 429 for a Cloudflare ban and raises at once), else {"message", "code"}.
        With `lost`, each is carried out first and only its answer is `status`: what a client sees when
        Discord did the work but the answer was lost on the way (a gateway's 502 or 504); a request that
        Discord would refuse gets that refusal instead, and the fault counts as used.
        Mind that discord.py retries a 500/502/504 after sleeping 1 s, 3 s, ... (http.py, request)."""
        headers: dict[str, str] = {}
        if status == 429:
            body = body or {
                "message": "You are being rate limited.",
                "retry_after": retry_after,
                "global": is_global,
            }
            headers = {
                "Retry-After": str(max(1, round(retry_after))),
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset-After": str(retry_after),
                "X-RateLimit-Scope": "global" if is_global else "user",
                "Via": "1.1 google",
            }
            if is_global:
                headers["X-RateLimit-Global"] = "true"
        self._faults.append(
            _Fault(
                method,
                path_prefix,
                status,
                times,
                body or {"message": f"{status}: stand-in", "code": 0},
                headers,
                lost,
            )
        )

    def hold(self, method: str, path_prefix: str) -> Hold:
        """The next request whose method is `method` and whose path starts with `path_prefix` waits
        until the returned hold is released (`Hold.waiting` says when it is held)."""
        hold = Hold()
        self._holds.append((method, path_prefix, hold))
        return hold

    def add_guild(self, guild_id: int) -> int:
        """Another guild with the bot and alice in it, for sessions that IDENTIFY from now on; the id of
        its text channel."""
        channel_id, bot_role_id = self._next_id(), self._next_id()
        self._guilds[guild_id] = _Guild(channel_id, bot_role_id)
        return channel_id

    def add_user(self, user_id: int, username: str, global_name: str | None = None) -> Payload:
        """A (human) user known to the stand-in, for authors and mentions; returns its user object."""
        self._users[user_id] = self._user(user_id, username, global_name)
        return self._users[user_id]

    # -- payloads to dispatch -----------------------------------------------------------------------

    def message_create(
        self,
        content: str,
        *,
        author_id: int | None = None,
        channel_id: int | None = None,
        mentions_bot: bool = True,
        message_id: int | None = None,
        guild: bool = True,
        reply_to: int | None = None,
    ) -> Payload:
        """A complete MESSAGE_CREATE payload from `author_id` (default: alice), stored in `messages`.

        With `mentions_bot` the content starts with the bot's mention unless it already holds one (a
        message that mentions a user always has the tag in it); `mentions` lists every known user
        tagged in the content. Without `guild` it is a DM in the author's DM channel (no guild_id,
        no member: discord.py then makes a DMChannel from channel_id alone). `reply_to` makes it a
        reply (type 19) to that stored message.
        """
        author = self._known_user(author_id or self.user_id)
        if mentions_bot and not re.search(rf"<@!?{self.bot_user_id}>", content):
            content = f"{self.bot_mention} {content}"
        if guild:
            channel = self._channel(channel_id or self.channel_id)
            if channel is None or "guild_id" not in channel:
                raise ValueError(f"no guild channel {channel_id}")
        else:
            channel = self._dm_with(int(author["id"]))
        body: Payload = {"content": content}
        if reply_to is not None:
            body["message_reference"] = {"message_id": reply_to}
        message = self._new_message(channel, author, body, message_id=message_id)
        return self._gateway_message(message)

    def slash_command(
        self,
        name: str,
        options: list[Payload] | Mapping[str, Any] | None = None,
        *,
        command_id: int | None = None,
        channel_id: int | None = None,
        user_id: int | None = None,
        guild_command: bool | None = None,
    ) -> Payload:
        """A complete INTERACTION_CREATE payload (type 2) invoking the chat-input command `name`.

        `options` as Discord sends them ([{"name", "type", "value"}]) or as {name: value}; a missing
        "type" comes from the synced command, else from the value's Python type. The command id is the
        synced one (else a new one); `data.guild_id` is set when `name` was synced to the guild
        (CommandTree looks guild commands up by data.guild_id, global ones by name alone) or when
        `guild_command` says so.
        """
        synced, guild_id = self._synced(name)
        if guild_command is not None:
            guild_id = self.guild_id if guild_command else None
        data: Payload = {
            "id": str(command_id or (synced and synced["id"]) or self._next_id()),
            "name": name,
            "type": 1,
            "options": self._options(options, synced),
        }
        if guild_id is not None:
            data["guild_id"] = str(guild_id)
        return self._interaction(2, data, channel_id=channel_id, user_id=user_id)

    def autocomplete(
        self,
        name: str,
        options: list[Payload] | Mapping[str, Any],
        *,
        focused: str | None = None,
        channel_id: int | None = None,
        user_id: int | None = None,
    ) -> Payload:
        """An INTERACTION_CREATE payload (type 4) asking for choices; one option must be focused:
        either marked {"focused": True} or named by `focused`."""
        payload = self.slash_command(name, options, channel_id=channel_id, user_id=user_id)
        for option in payload["data"]["options"]:
            if option["name"] == focused:
                option["focused"] = True
        if not any(option.get("focused") for option in payload["data"]["options"]):
            raise ValueError("an autocomplete interaction needs a focused option")
        payload["type"] = 4
        self._interactions[payload["token"]].type = 4
        return payload

    def component(
        self,
        custom_id: str,
        *,
        message: Payload,
        component_type: int = 2,
        values: list[str] | None = None,
        user_id: int | None = None,
    ) -> Payload:
        """An INTERACTION_CREATE payload (type 3) for a click on `custom_id` in `message` (a message the
        bot sent, e.g. `messages[sent.id]`); `values` for select menus."""
        data: Payload = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = values
        payload = self._interaction(3, data, channel_id=int(message["channel_id"]), user_id=user_id)
        payload["message"] = message
        self._interactions[payload["token"]].source_message = message
        return payload

    # -- the gateway, seen from tests ---------------------------------------------------------------

    async def dispatch(self, event: str, data: Payload, *, shard: int | None = None) -> list[SessionOf]:
        """Send a DISPATCH to every ready session that would get it: by default a guild event goes to
        the sessions of the shard owning the guild, a DM or guildless interaction to shard 0; `shard`
        picks the sessions of that shard id; a session awaiting its RESUME gets it on resuming. The
        (client, shard) of each session it went to; AssertionError when no session would get it."""
        if event == "INTERACTION_CREATE" and (interaction := self._interactions.get(data.get("token", ""))):
            interaction.created = asyncio.get_running_loop().time()
        sent_to = await self._broadcast(event, data, shard=shard)
        if not sent_to:
            raise AssertionError(f"no gateway session to dispatch {event} to; await wait_ready() first")
        return sent_to

    def connected_shards(self) -> list[SessionOf]:
        """The (client, shard) of every session connected now (shard None: the session did not shard)."""
        return sorted(
            ((s.client, s.shard) for s in self._sessions.values() if s.connection is not None),
            key=lambda held: (held[0] or "", held[1] or (0, 0)),
        )

    async def reconnect(self, *, shard: int | None = None, resumable: bool = True) -> None:
        """Ask connected sessions to reconnect: op 7 RECONNECT (the client RESUMEs), or with
        `resumable=False` op 9 INVALID_SESSION false (the client IDENTIFYs anew, after discord.py's
        `before_identify_hook` has slept 5 s unless the test overrides it)."""
        for session in list(self._sessions.values()):
            connection = session.connection
            if connection is None or (shard is not None and (session.shard or (0, 1))[0] != shard):
                continue
            if resumable:
                await self._send(connection, {"op": 7, "d": None, "s": None, "t": None})
            else:
                del self._sessions[session.session_id]
                await self._send(connection, {"op": 9, "d": False, "s": None, "t": None})

    async def wait_ready(self, sessions: int = 1, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until `sessions` connections since start got READY (and GUILD_CREATE, when their shard
        owns the guild). The client's on_ready comes later, after its guild_ready_timeout."""
        await self._wait(
            lambda: self.ready_count >= sessions,
            timeout,
            lambda: f"{sessions} ready session(s); got {self.ready_count}, identifies {len(self.identifies)}",
        )

    # -- REST, seen from tests ----------------------------------------------------------------------

    def requests_to(self, method: str, path_pattern: str) -> list[Request]:
        """The requests with `method` ("*": any) whose path matches `path_pattern`: a glob
        ("/channels/*/messages"; * stays within a segment, ** does not) or, starting with "^", a regex."""
        pattern = _glob(path_pattern)
        return [r for r in self.requests if method in ("*", r.method) and pattern.match(r.path)]

    async def wait_requests(
        self,
        method: str,
        path_pattern: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[Request]:
        """The requests matching (as in `requests_to`) once there are at least `count` of them."""
        await self._wait(
            lambda: len(self.requests_to(method, path_pattern)) >= count,
            timeout,
            lambda: (
                f"{count} {method} {path_pattern}; received: "
                + (", ".join(f"{r.method} {r.path} -> {r.status}" for r in self.requests) or "nothing")
            ),
        )
        return self.requests_to(method, path_pattern)

    async def wait_held(self, hold: Hold, count: int = 1, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until `count` requests are held by `hold`."""
        await self._wait(lambda: hold.waiting >= count, timeout, lambda: f"{count} held request(s)")

    async def _wait(self, done: Callable[[], bool], within: float, what: Callable[[], str]) -> None:
        async with self._changed:
            try:
                async with asyncio.timeout(within):
                    await self._changed.wait_for(done)
            except TimeoutError:
                raise AssertionError(f"timed out after {within}s waiting for {what()}") from None

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # -- objects ------------------------------------------------------------------------------------

    def _next_id(self) -> int:
        """A snowflake later than every one before it, timestamped now."""
        self._last_id = max(self._last_id + 1, (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22)
        return self._last_id

    @staticmethod
    def _user(user_id: int, username: str, global_name: str | None = None) -> Payload:
        return {
            "id": str(user_id),
            "username": username,
            "discriminator": "0",
            "global_name": global_name,
            "avatar": None,
            "avatar_decoration_data": None,
            "banner": None,
            "accent_color": None,
            "bot": False,
            "system": False,
            "flags": 0,
            "public_flags": 0,
            "primary_guild": None,
            "collectibles": None,
        }

    def _known_user(self, user_id: int) -> Payload:
        return self._users.get(user_id) or self.add_user(user_id, f"user{user_id}")

    def _member(self, user_id: int, guild_id: int, *, with_user: bool = True) -> Payload:
        bot_role_id = self._guilds[guild_id].bot_role_id
        member: Payload = {
            "roles": [str(bot_role_id)] if user_id == self.bot_user_id else [],
            "joined_at": "2024-01-01T00:00:00+00:00",
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "nick": None,
            "avatar": None,
            "banner": None,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if with_user:
            member["user"] = self._known_user(user_id)
        return member

    def _text_channel(self, guild_id: int) -> Payload:
        return {
            "id": str(self._guilds[guild_id].channel_id),
            "type": 0,
            "guild_id": str(guild_id),
            "name": "general",
            "position": 0,
            "permission_overwrites": [],
            "parent_id": None,
            "topic": None,
            "nsfw": False,
            "rate_limit_per_user": 0,
            "last_message_id": None,
            "default_auto_archive_duration": 1440,
            "default_thread_rate_limit_per_user": 0,
            "flags": 0,
        }

    def _channel(self, channel_id: int) -> Payload | None:
        for guild_id, guild in self._guilds.items():
            if channel_id == guild.channel_id:
                return self._text_channel(guild_id)
        return self._threads.get(channel_id) or self._dms.get(channel_id)

    def _dm_with(self, user_id: int) -> Payload:
        for dm in self._dms.values():
            if int(dm["recipients"][0]["id"]) == user_id:
                return dm
        dm_id = self._next_id()
        self._dms[dm_id] = {
            "id": str(dm_id),
            "type": 1,
            "last_message_id": None,
            "flags": 0,
            "recipients": [self._known_user(user_id)],
        }
        return self._dms[dm_id]

    def _role(self, role_id: int, name: str, **extra: Any) -> Payload:
        return {
            "id": str(role_id),
            "name": name,
            "permissions": str(PERMISSIONS),
            "position": 0,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
            **extra,
        }

    def _guild_create(self, guild_id: int) -> Payload:
        guild = self._guilds[guild_id]
        everyone = self._role(guild_id, "@everyone")
        bot_role = self._role(
            guild.bot_role_id, "OnRecord", position=1, managed=True, tags={"bot_id": str(self.bot_user_id)}
        )
        return {
            "id": str(guild_id),
            "name": "OnRecord Test",
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.user_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": "en-US",
            "system_channel_id": str(guild.channel_id),
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "application_id": None,
            "max_members": 500_000,
            "max_video_channel_users": 25,
            "max_stage_video_channel_users": 50,
            "widget_enabled": False,
            "incidents_data": None,
            "roles": [everyone, bot_role],
            "emojis": [],
            "stickers": [],
            "features": [],
            "joined_at": "2024-01-01T00:00:00+00:00",
            "large": False,
            "unavailable": False,
            "lazy": True,
            "member_count": 2,
            "members": [self._member(self.bot_user_id, guild_id)],  # without the members intent, only the bot
            "channels": [self._text_channel(guild_id)],
            "threads": [
                t
                for t in self._threads.values()
                if t["guild_id"] == str(guild_id) and not t["thread_metadata"]["archived"]
            ],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "embedded_activities": [],
        }

    def _application(self) -> Payload:
        return {
            "id": str(self.application_id),
            "name": "OnRecord",
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "hook": True,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": 0,
            "owner": self._users[self.user_id],
            "team": None,
            "bot": self._users[self.bot_user_id],
            "guild_id": None,
            "primary_sku_id": None,
            "slug": None,
            "cover_image": None,
            "rpc_origins": [],
            "redirect_uris": [],
            "tags": [],
            "terms_of_service_url": None,
            "privacy_policy_url": None,
            "custom_install_url": None,
            "role_connections_verification_url": None,
            # non-null makes discord.py warn that interactions will not reach the gateway
            "interactions_endpoint_url": None,
            "integration_types_config": {"0": {}},
            "approximate_guild_count": 1,
            "approximate_user_install_count": 0,
            "is_monetized": False,
        }

    def _new_message(
        self,
        channel: Payload,
        author: Payload,
        body: Payload,
        *,
        message_id: int | None = None,
        files: list[tuple[str, bytes]] | None = None,
        interaction: _Interaction | None = None,
    ) -> Payload:
        """A message as the REST API returns it (no guild_id, no member), stored in `messages`."""
        message_id = message_id or self._next_id()
        content = body.get("content") or ""
        attachments = self._attachments(channel["id"], message_id, files or [], body.get("attachments"))
        message: Payload = {
            "id": str(message_id),
            "channel_id": channel["id"],
            "author": author,
            "content": content,
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "attachments": attachments,
            "mentions": [
                self._users[int(user_id)]
                for user_id in dict.fromkeys(re.findall(r"<@!?(\d+)>", content))
                if int(user_id) in self._users
            ],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": bool(body.get("tts")),
            "timestamp": _now(),
            "edited_timestamp": None,
            "type": 0,
            "flags": body.get("flags") or 0,
            "sticker_items": [],
            "reactions": [],
        }
        if "nonce" in body:
            message["nonce"] = body["nonce"]
        reference = body.get("message_reference")
        if reference:
            referenced = self.messages.get(int(reference["message_id"]))
            if referenced is None and reference.get("fail_if_not_exists", True):
                raise _form_error(
                    [(("message_reference",), "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message")]
                )
            message["type"] = 19
            message["message_reference"] = {
                "type": 0,
                "message_id": str(reference["message_id"]),
                "channel_id": channel["id"],
                **({"guild_id": channel["guild_id"]} if "guild_id" in channel else {}),
            }
            message["referenced_message"] = referenced
        if interaction is not None:
            message["webhook_id"] = str(self.application_id)
            message["application_id"] = str(self.application_id)
            message["interaction_metadata"] = {
                "id": str(interaction.id),
                "type": interaction.type,
                "user": interaction.user,
                "authorizing_integration_owners": {"0": channel.get("guild_id", "0")},
            }
        self.messages[message_id] = message
        channel["last_message_id"] = str(message_id)
        if channel.get("type") in THREAD_TYPES:
            channel["message_count"] += 1
            channel["total_message_sent"] += 1
        return message

    def _attachments(
        self,
        channel_id: str,
        message_id: int,
        files: list[tuple[str, bytes]],
        described: list[Payload] | None = None,
    ) -> list[Payload]:
        """The uploaded files as attachments; `described`: the body's `attachments`, whose i-th entry
        (id i) may give the i-th file's `description` (its alt text)."""
        descriptions = {str(a.get("id")): a["description"] for a in described or [] if "description" in a}
        return [
            {
                "id": str(self._next_id()),
                "filename": name,
                "size": len(data),
                "url": f"https://cdn.discordapp.com/attachments/{channel_id}/{message_id}/{name}",
                "proxy_url": f"https://media.discordapp.net/attachments/{channel_id}/{message_id}/{name}",
                "content_type": "image/png" if data.startswith(PNG_SIGNATURE) else "application/octet-stream",
                **({"description": descriptions[str(i)]} if str(i) in descriptions else {}),
            }
            for i, (name, data) in enumerate(files)
        ]

    def _gateway_message(self, message: Payload) -> Payload:
        """A stored message as the gateway dispatches it: with guild_id and the author's member."""
        channel = self._channel(int(message["channel_id"]))
        if channel is None or "guild_id" not in channel:
            return dict(message)
        guild_id = int(channel["guild_id"])
        member = self._member(int(message["author"]["id"]), guild_id, with_user=False)
        mentions = [
            {**user, "member": self._member(int(user["id"]), guild_id, with_user=False)}
            for user in message["mentions"]
        ]
        return {**message, "guild_id": channel["guild_id"], "member": member, "mentions": mentions}

    def _options(
        self, options: list[Payload] | Mapping[str, Any] | None, synced: Payload | None
    ) -> list[Payload]:
        if options is None:
            return []
        given = (
            [{"name": k, "value": v} for k, v in options.items()] if isinstance(options, Mapping) else options
        )
        known = {o["name"]: o.get("type") for o in (synced or {}).get("options", [])}
        result = []
        for option in given:
            option = dict(option)
            if "type" not in option:
                value = option.get("value")
                by_value = {bool: 5, int: 4, float: 10}.get(type(value), 3)
                option["type"] = known.get(option["name"]) or by_value
            result.append(option)
        return result

    def _synced(self, name: str) -> tuple[Payload | None, int | None]:
        for guild_id in (self.guild_id, None):
            for command in self.commands.get(guild_id, []):
                if command["name"] == name and command.get("type", 1) == 1:
                    return command, guild_id
        return None, None

    def _interaction(
        self, kind: int, data: Payload, *, channel_id: int | None, user_id: int | None
    ) -> Payload:
        channel = self._channel(channel_id or self.channel_id)
        if channel is None:
            raise ValueError(f"unknown channel {channel_id}")
        interaction_id = self._next_id()
        token = f"interaction-token-{interaction_id}-{uuid.uuid4().hex}"
        user = self._known_user(user_id or self.user_id)
        payload: Payload = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": kind,
            "data": data,
            "channel_id": channel["id"],
            "token": token,
            "version": 1,
            "locale": "en-US",
            "app_permissions": str(PERMISSIONS),
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": 10 * 1024 * 1024,  # discord.py reads this key unconditionally
        }
        if "guild_id" in channel:
            guild_id = channel["guild_id"]
            payload |= {
                "guild_id": guild_id,
                "guild": {"id": guild_id, "locale": "en-US", "features": []},
                "guild_locale": "en-US",
                "channel": {**channel, "permissions": str(PERMISSIONS)},
                "member": {**self._member(int(user["id"]), int(guild_id)), "permissions": str(PERMISSIONS)},
                "authorizing_integration_owners": {"0": guild_id},
                "context": 0,
            }
        else:
            payload |= {
                "channel": {**channel, "permissions": str(PERMISSIONS)},
                "user": user,
                "authorizing_integration_owners": {"0": "0"},
                "context": 1,
            }
        loop_time = asyncio.get_running_loop().time()
        self._interactions[token] = _Interaction(
            interaction_id, kind, token, int(channel["id"]), user, loop_time
        )
        return payload

    # -- gateway ------------------------------------------------------------------------------------

    def _session_gets(
        self, session: _Session, event: str, data: Payload, shard: int | None
    ) -> Payload | None:
        """`data` as `session` would get it, or None when Discord would not send it there."""
        shard_id, shards = session.shard or (0, 1)
        guild_id = data.get("guild_id")
        if shard is not None:
            if shard != shard_id:
                return None
        elif shard_of(int(guild_id) if guild_id else None, shards) != shard_id:
            return None
        if event in GUILD_EVENT_INTENTS:
            if not session.intents & (INTENT_GUILD_MESSAGES if guild_id else INTENT_DIRECT_MESSAGES):
                return None
            author = (data.get("author") or {}).get("id")
            mentioned = any(int(u["id"]) == self.bot_user_id for u in data.get("mentions") or [])
            if (
                guild_id
                and "content" in data
                and not session.intents & INTENT_MESSAGE_CONTENT
                and author != str(self.bot_user_id)
                and not mentioned
            ):
                data = {**data, "content": "", "embeds": [], "attachments": [], "components": []}
        elif event.startswith(("THREAD_", "CHANNEL_", "GUILD_")) and not session.intents & INTENT_GUILDS:
            return None
        return data

    async def _broadcast(self, event: str, data: Payload, *, shard: int | None = None) -> list[SessionOf]:
        """Send to the sessions that get it (queued for those awaiting a RESUME); their (client, shard)."""
        sent_to = []
        for session in list(self._sessions.values()):
            payload = self._session_gets(session, event, data, shard)
            if payload is not None:
                await self._emit(session, event, payload)
                sent_to.append((session.client, session.shard))
        return sent_to

    async def _emit(self, session: _Session, event: str, data: Payload) -> None:
        async with session.lock:
            session.seq += 1
            frame = {"op": 0, "t": event, "s": session.seq, "d": data}
            connection = session.connection
            if connection is None or not await self._send(connection, frame):
                session.backlog.append(frame)

    @staticmethod
    async def _send(connection: _Connection, frame: Payload) -> bool:
        if connection.ws.closed:
            return False
        try:
            await connection.ws.send_str(json.dumps(frame))
        except (ConnectionError, RuntimeError):
            return False
        return True

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(timeout=2.0, max_msg_size=0)
        await ws.prepare(request)
        client = request.match_info.get("client")
        url = self.gateway_url_for(client) if client else self.gateway_url
        connection = _Connection(ws, dict(request.query), client, url)
        self.gateway_queries.append(connection.query)
        self._connections.append(connection)
        try:
            # discord.py asks for compress=zlib-stream but reads text frames as plain JSON
            hello = {"heartbeat_interval": HEARTBEAT_INTERVAL_MS, "_trace": TRACE}
            await self._send(connection, {"op": 10, "d": hello, "s": None, "t": None})
            async for frame in ws:
                if frame.type is WSMsgType.TEXT:
                    await self._on_gateway_payload(connection, json.loads(frame.data))
        finally:
            self._connections.remove(connection)
            session = connection.session
            if session is not None and session.connection is connection:
                session.connection = None
                if ws.close_code in (WSCloseCode.OK, WSCloseCode.GOING_AWAY):
                    self._sessions.pop(session.session_id, None)  # a clean close ends the session
            await self._notify()
        return ws

    async def _on_gateway_payload(self, connection: _Connection, payload: Payload) -> None:
        op, data = payload.get("op"), payload.get("d") or {}
        if op == 1:
            await self._send(connection, {"op": 11, "d": None, "s": None, "t": None})
            return
        if op == 2:
            self.identifies.append(data)
            await self._identify(connection, data)
        elif op == 6:
            self.resumes.append(data)
            await self._resume(connection, data)
        else:
            self.gateway_received.append(payload)
        await self._notify()

    def _token_ok(self, token: str | None) -> bool:
        return bool(token) and (self.token is None or token == self.token)

    async def _identify(self, connection: _Connection, data: Payload) -> None:
        if not self._token_ok(data.get("token")):
            await connection.ws.close(code=4004, message=b"Authentication failed.")
            return
        shard = data.get("shard")
        if shard is not None and not (len(shard) == 2 and 0 <= shard[0] < shard[1]):
            await connection.ws.close(code=4010, message=b"Invalid shard.")
            return
        if "intents" not in data:
            await connection.ws.close(code=4013, message=b"Invalid intent(s).")
            return
        session = _Session(
            session_id=uuid.uuid4().hex,
            token=data["token"],
            intents=int(data["intents"]),
            shard=(shard[0], shard[1]) if shard else None,
            connection=connection,
            client=connection.client,
        )
        self._sessions[session.session_id] = session
        connection.session = session
        shard_id, shards = session.shard or (0, 1)
        guilds = [guild_id for guild_id in self._guilds if shard_of(guild_id, shards) == shard_id]
        ready: Payload = {
            "v": 10,
            "user": {**self._users[self.bot_user_id], "verified": True, "mfa_enabled": False, "email": None},
            "user_settings": {},
            "session_type": "normal",
            "session_id": session.session_id,
            "resume_gateway_url": connection.url,
            "guilds": [{"id": str(guild_id), "unavailable": True} for guild_id in guilds],
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["us-east"],
            "auth": {},
            "application": {"id": str(self.application_id), "flags": 0},
            "_trace": TRACE,
        }
        if session.shard is not None:
            ready["shard"] = list(session.shard)
        await self._emit(session, "READY", ready)
        if session.intents & INTENT_GUILDS:
            for guild_id in guilds:
                await self._emit(session, "GUILD_CREATE", self._guild_create(guild_id))
        self.ready_count += 1

    async def _resume(self, connection: _Connection, data: Payload) -> None:
        session = self._sessions.get(data.get("session_id") or "")
        if session is None or session.token != data.get("token") or session.connection is not None:
            await self._send(connection, {"op": 9, "d": False, "s": None, "t": None})
            return
        session.connection = connection
        connection.session = session
        async with session.lock:
            missed = [f for f in session.backlog if f["s"] > (data.get("seq") or 0)]
            session.backlog.clear()
            for frame in missed:
                await self._send(connection, frame)
        await self._emit(session, "RESUMED", {"_trace": TRACE})

    # -- REST ---------------------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.Response:
        body, files = await self._read_body(request)
        path = "/" + request.match_info["tail"]
        held = next((h for h in self._holds if h[0] == request.method and path.startswith(h[1])), None)
        if held is not None:
            self._holds.remove(held)
            hold = held[2]
            hold.waiting += 1
            await self._notify()
            try:
                await hold.released.wait()
            finally:
                hold.waiting -= 1
        req = Request(
            request.method,
            "/" + request.match_info["tail"],
            body,
            dict(request.query),
            dict(request.headers),
            files,
            request.match_info.get("client"),
        )
        headers: dict[str, str] = {}
        try:
            req.status, req.response, headers = await self._answer(req)
        except _DiscordError as problem:
            req.status, req.response = problem.status, problem.body
        self.requests.append(req)
        await self._notify()
        if req.status == 204:
            return web.Response(status=204, headers=headers)
        # exactly "application/json": with "; charset=utf-8" discord.py's json_or_text returns the text
        headers["Content-Type"] = "application/json"
        return web.Response(status=req.status, body=json.dumps(req.response).encode(), headers=headers)

    @staticmethod
    async def _read_body(request: web.Request) -> tuple[Any, list[tuple[str, bytes]]]:
        if request.content_type == "application/json":
            raw = await request.read()
            return (json.loads(raw) if raw else None), []
        if request.content_type.startswith("multipart/"):
            body, files = None, []
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader):
                    continue  # nested multipart: discord.py never sends one
                content = await part.read()
                if part.name == "payload_json":
                    body = json.loads(content)
                else:
                    files.append((part.filename or part.name or "", bytes(content)))
            return body, files
        return None, []

    async def _answer(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        for fault in self._faults:
            if (
                fault.remaining > 0
                and fault.method in ("*", req.method)
                and req.path.startswith(fault.path_prefix)
            ):
                fault.remaining -= 1
                if fault.lost:
                    await self._carry_out(req)
                return fault.status, fault.body, fault.headers
        return await self._carry_out(req)

    async def _carry_out(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        matches = [
            (h, m)
            for verb, pattern, h in self._routes
            if verb == req.method and (m := pattern.match(req.path))
        ]
        if not matches:
            self.unmatched.append(req)
            return 404, {"message": "404: Not Found", "code": 0}, {}
        [(handler, match)] = matches
        if not req.path.startswith(("/interactions/", "/webhooks/")):
            token = req.headers.get("Authorization", "")
            if not token.startswith("Bot ") or not self._token_ok(token.removeprefix("Bot ")):
                return 401, {"message": "401: Unauthorized", "code": 0}, {}
        result = await handler(req, **match.groupdict())
        return (204, None, {}) if result is None else (200, result, {})

    async def _no_content(self, req: Request, **_: str) -> None:
        return None

    async def _get_me(self, req: Request) -> Payload:
        return {**self._users[self.bot_user_id], "verified": True, "mfa_enabled": False, "locale": "en-US"}

    async def _get_application(self, req: Request) -> Payload:
        return self._application()

    async def _get_gateway(self, req: Request) -> Payload:
        return {"url": self.gateway_url}

    async def _get_gateway_bot(self, req: Request) -> Payload:
        limit = {"total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1}
        return {"url": self.gateway_url, "shards": self.shard_count, "session_start_limit": limit}

    async def _open_dm(self, req: Request) -> Payload:
        return self._dm_with(int((req.json or {})["recipient_id"]))

    def _check_app(self, app: str) -> None:
        if app != str(self.application_id):
            raise _DiscordError(404, "Unknown Application", 10002)

    async def _get_commands(self, req: Request, app: str, guild: str | None = None) -> list[Payload]:
        self._check_app(app)
        return self.commands.get(int(guild) if guild else None, [])

    async def _put_commands(self, req: Request, app: str, guild: str | None = None) -> list[Payload]:
        self._check_app(app)
        guild_id = int(guild) if guild else None
        given: list[Payload] = req.json or []
        problems: list[Issue] = []
        for i, command in enumerate(given):
            kind = command.get("type", 1)
            name = command.get("name", "")
            if not re.fullmatch(r"[-_\w]{1,32}", name) or (kind == 1 and name != name.lower()):
                problems.append(((i, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"))
            if kind == 1 and not 1 <= len(command.get("description") or "") <= 100:
                problems.append(
                    ((i, "description"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
                )
            if len(command.get("options") or []) > 25:
                problems.append(_too_long((i, "options"), 25))
        if len({(c.get("name"), c.get("type", 1)) for c in given}) < len(given):
            problems.append(
                ((), "APPLICATION_COMMANDS_DUPLICATE_NAME", "Application command names must be unique")
            )
        if problems:
            raise _form_error(problems)
        before = {(c["name"], c["type"]): c["id"] for c in self.commands.get(guild_id, [])}
        synced = []
        for command in given:
            kind = command.get("type", 1)
            synced.append(
                {
                    "default_member_permissions": None,
                    "dm_permission": True,
                    "nsfw": False,
                    "contexts": None,
                    "integration_types": [0],
                    "options": [],
                    "description": "",
                    **command,
                    "id": before.get((command["name"], kind)) or str(self._next_id()),
                    "application_id": str(self.application_id),
                    "type": kind,
                    "version": str(self._next_id()),
                    **({"guild_id": str(guild_id)} if guild_id else {}),
                }
            )
        self.commands[guild_id] = synced
        return synced

    def _known_channel(self, channel: str) -> Payload:
        found = self._channel(int(channel))
        if found is None:
            raise _DiscordError(404, "Unknown Channel", 10003)
        return found

    def _known_message(self, channel: str, message: str) -> Payload:
        found = self.messages.get(int(message))
        if found is None or found["channel_id"] != channel:
            raise _DiscordError(404, "Unknown Message", 10008)
        return found

    async def _get_channel(self, req: Request, channel: str) -> Payload:
        return self._known_channel(channel)

    def _check_message(self, body: Payload, files: int, at: tuple[str | int, ...] = ()) -> None:
        if problems := _message_problems(body, at):
            raise _form_error(problems)
        if _is_empty(body, files):
            raise _DiscordError(400, "Cannot send an empty message", 50006)

    async def _post_message(self, req: Request, channel: str) -> Payload:
        target = self._known_channel(channel)
        body: Payload = req.json or {}
        self._check_message(body, len(req.files))
        if (body.get("flags") or 0) & ~(4 | 4096 | FLAG_COMPONENTS_V2):
            raise _form_error([(("flags",), "MESSAGE_FLAGS_INVALID", "Invalid message flags")])
        if body.get("enforce_nonce") and (same := self._sent_with(body.get("nonce"))) is not None:
            return same
        message = self._new_message(target, self._users[self.bot_user_id], body, files=req.files)
        await self._echo("MESSAGE_CREATE", message)
        return message

    def _sent_with(self, nonce: object) -> Payload | None:
        """The bot's message sent with `nonce` in the last few minutes, which Discord returns instead of
        making another when the bot sends a message with the same nonce and `enforce_nonce`."""
        if nonce is None:
            return None
        return next(
            (
                m
                for m in self.messages.values()
                if m["author"]["id"] == str(self.bot_user_id)
                and m.get("nonce") == nonce
                and datetime.now(UTC) - datetime.fromisoformat(m["timestamp"]) < NONCE_WINDOW
            ),
            None,
        )

    async def _get_message(self, req: Request, channel: str, message: str) -> Payload:
        return self._known_message(channel, message)

    def _edit(self, message: Payload, body: Payload, files: list[tuple[str, bytes]]) -> Payload:
        """`message` with the editable fields of `body` applied (and the loading flag cleared)."""
        edited = dict(message)
        for key in ("content", "embeds", "components"):
            if key in body:
                edited[key] = body[key] or ("" if key == "content" else [])
        if "flags" in body:  # an edit may only toggle SUPPRESS_EMBEDS and turn on IS_COMPONENTS_V2
            editable = 4 | FLAG_COMPONENTS_V2
            edited["flags"] = (message["flags"] & ~editable) | ((body["flags"] or 0) & editable)
        if "attachments" in body:  # those kept by id, then the new uploads
            kept = {str(a.get("id")) for a in body["attachments"] or []}
            edited["attachments"] = [a for a in message["attachments"] if a["id"] in kept]
        edited["attachments"] = [
            *edited["attachments"],
            *self._attachments(message["channel_id"], int(message["id"]), files),
        ]
        edited["flags"] &= ~FLAG_LOADING
        edited["edited_timestamp"] = None if message["flags"] & FLAG_LOADING else _now()
        self._check_message(edited, len(edited["attachments"]))
        return edited

    async def _patch_message(self, req: Request, channel: str, message: str) -> Payload:
        found = self._known_message(channel, message)
        if found["author"]["id"] != str(self.bot_user_id) or "webhook_id" in found:
            raise _DiscordError(403, "Cannot edit a message authored by another user", 50005)
        edited = self._edit(found, req.json or {}, req.files)
        self.messages[int(message)] = edited
        await self._echo("MESSAGE_UPDATE", edited)
        return edited

    async def _delete_message(self, req: Request, channel: str, message: str) -> None:
        found = self._known_message(channel, message)
        del self.messages[int(message)]
        await self._echo_delete(found)

    def _new_thread(self, parent: Payload, thread_id: int, body: Payload, kind: int) -> Payload:
        name = body.get("name") or ""
        if not 1 <= len(name) <= 100:
            raise _form_error([(("name",), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")])
        if parent.get("type") != 0:
            raise _DiscordError(400, "Cannot execute action on this channel type", 50024)
        now = _now()
        thread = {
            "id": str(thread_id),
            "type": kind,
            "guild_id": parent["guild_id"],
            "parent_id": parent["id"],
            "owner_id": str(self.bot_user_id),
            "name": name,
            "last_message_id": None,
            "rate_limit_per_user": body.get("rate_limit_per_user") or 0,
            "message_count": 0,
            "member_count": 1,
            "total_message_sent": 0,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": body.get("auto_archive_duration") or 1440,
                "archive_timestamp": now,
                "locked": False,
                "create_timestamp": now,
                **({"invitable": body.get("invitable", True)} if kind == 12 else {}),
            },
            "member": {
                "id": str(thread_id),
                "user_id": str(self.bot_user_id),
                "join_timestamp": now,
                "flags": 1,
            },
        }
        self._threads[thread_id] = thread
        return thread

    async def _thread_from_message(self, req: Request, channel: str, message: str) -> Payload:
        parent = self._known_channel(channel)
        starter = self._known_message(channel, message)
        if int(message) in self._threads:
            raise _DiscordError(400, "A thread has already been created for this message", 160004)
        thread = self._new_thread(parent, int(message), req.json or {}, 11)  # its id is the message's
        starter["thread"] = thread
        starter["flags"] |= FLAG_HAS_THREAD
        if self.echo:
            await self._broadcast("THREAD_CREATE", {**thread, "newly_created": True})
        return thread

    async def _thread_without_message(self, req: Request, channel: str) -> Payload:
        body: Payload = req.json or {}
        kind = body.get("type") or 12
        thread = self._new_thread(self._known_channel(channel), self._next_id(), body, kind)
        if self.echo:
            await self._broadcast("THREAD_CREATE", {**thread, "newly_created": True})
        return thread

    async def _echo(self, event: str, message: Payload) -> None:
        if self.echo and not message["flags"] & FLAG_EPHEMERAL:
            await self._broadcast(event, self._gateway_message(message))

    async def _echo_delete(self, message: Payload) -> None:
        if self.echo and not message["flags"] & FLAG_EPHEMERAL:
            data = {"id": message["id"], "channel_id": message["channel_id"]}
            channel = self._channel(int(message["channel_id"])) or {}
            if "guild_id" in channel:
                data["guild_id"] = channel["guild_id"]
            await self._broadcast("MESSAGE_DELETE", data)

    # -- interactions and their webhooks ------------------------------------------------------------

    async def _callback(self, req: Request, interaction: str, token: str) -> Payload:
        found = self._interactions.get(token)
        if found is None or str(found.id) != interaction:
            raise _DiscordError(404, "Unknown interaction", 10062)
        if asyncio.get_running_loop().time() - found.created > self.interaction_timeout:
            raise _DiscordError(404, "Unknown interaction", 10062)  # not answered within the deadline
        if found.response_type is not None:
            raise _DiscordError(400, "Interaction has already been acknowledged.", 40060)
        body: Payload = req.json or {}
        kind, data = body.get("type"), body.get("data") or {}
        allowed = {2: (4, 5, 9), 3: (4, 5, 6, 7, 9), 4: (8,)}[found.type]
        if kind not in allowed:
            raise _form_error(
                [(("type",), "INTERACTION_RESPONSE_TYPE_INVALID", "Invalid interaction response type")]
            )
        channel = self._channel(found.channel_id) or {}
        bot = self._users[self.bot_user_id]
        message: Payload | None = None
        if kind == 4:
            self._check_message(data, len(req.files), ("data",))
            message = self._new_message(channel, bot, data, files=req.files, interaction=found)
            if found.type == 2:
                message["type"] = 20  # CHAT_INPUT_COMMAND
            found.original = message
        elif kind == 5:
            loading = {"flags": FLAG_LOADING | ((data.get("flags") or 0) & FLAG_EPHEMERAL)}
            message = self._new_message(channel, bot, loading, interaction=found)
            message["type"] = 20 if found.type == 2 else 0
            found.original = message
        elif kind in (6, 7) and found.source_message is not None:
            message = self.messages.get(int(found.source_message["id"]), found.source_message)
            if kind == 7:
                message = self._edit(message, data, req.files)
                self.messages[int(message["id"])] = message
        elif kind == 8:
            choices = data.get("choices") or []
            problems: list[Issue] = [_too_long(("data", "choices"), 25)] if len(choices) > 25 else []
            for i, choice in enumerate(choices):
                if not 1 <= len(choice.get("name") or "") <= 100:
                    problems.append(
                        (
                            ("data", "choices", i, "name"),
                            "BASE_TYPE_BAD_LENGTH",
                            "Must be between 1 and 100 in length.",
                        )
                    )
                if isinstance(choice.get("value"), str) and len(choice["value"]) > 100:
                    problems.append(_too_long(("data", "choices", i, "value"), 100))
            if problems:
                raise _form_error(problems)
        found.response_type = kind
        if message is not None and kind in (4, 5):
            await self._echo("MESSAGE_CREATE", message)
        elif message is not None and kind == 7:
            await self._echo("MESSAGE_UPDATE", message)
        resource: Payload = {"type": kind}
        if message is not None:
            resource["message"] = message
        return {
            "interaction": {
                "id": str(found.id),
                "type": found.type,
                "activity_instance_id": None,
                "response_message_id": message["id"] if message else None,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(message and message["flags"] & FLAG_EPHEMERAL),
            },
            "resource": resource,
        }

    def _webhook_interaction(self, app: str, token: str) -> _Interaction:
        found = self._interactions.get(token)
        if app != str(self.application_id) or found is None or found.response_type is None:
            raise _DiscordError(404, "Unknown Webhook", 10015)  # also before the interaction was answered
        return found

    async def _followup(self, req: Request, app: str, token: str) -> Payload | None:
        found = self._webhook_interaction(app, token)
        body: Payload = req.json or {}
        self._check_message(body, len(req.files))
        channel = self._channel(found.channel_id) or {}
        message = self._new_message(
            channel, self._users[self.bot_user_id], body, files=req.files, interaction=found
        )
        found.followups[int(message["id"])] = message
        await self._echo("MESSAGE_CREATE", message)
        return message if req.query.get("wait") in ("1", "true", "True") else None

    def _webhook_message(self, found: _Interaction, message: str) -> Payload:
        if found.original is not None and message in ("@original", found.original["id"]):
            known: Payload | None = found.original
        else:
            known = found.followups.get(int(message)) if message.isdigit() else None
        if known is None:
            raise _DiscordError(404, "Unknown Message", 10008)
        return self.messages.get(int(known["id"]), known)

    async def _get_webhook_message(self, req: Request, app: str, token: str, message: str) -> Payload:
        return self._webhook_message(self._webhook_interaction(app, token), message)

    async def _patch_webhook_message(self, req: Request, app: str, token: str, message: str) -> Payload:
        found = self._webhook_interaction(app, token)
        edited = self._edit(self._webhook_message(found, message), req.json or {}, req.files)
        self.messages[int(edited["id"])] = edited
        if found.original is not None and found.original["id"] == edited["id"]:
            found.original = edited
        else:
            found.followups[int(edited["id"])] = edited
        await self._echo("MESSAGE_UPDATE", edited)
        return edited

    async def _delete_webhook_message(self, req: Request, app: str, token: str, message: str) -> None:
        found = self._webhook_interaction(app, token)
        known = self._webhook_message(found, message)
        self.messages.pop(int(known["id"]), None)
        if found.original is not None and found.original["id"] == known["id"]:
            found.original = None
        found.followups.pop(int(known["id"]), None)
        await self._echo_delete(known)


__all__ = ["DiscordStandIn", "Request"]
