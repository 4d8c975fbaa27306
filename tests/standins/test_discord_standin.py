"""The Discord stand-in, proven against the real discord.py client (gateway and REST)."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import warnings
from collections.abc import AsyncIterator, Iterator
from typing import Any, TypeVar

import pytest
import yarl

from tests.conftest import Poll
from tests.standins.discord_api import DiscordStandIn, shard_of

with warnings.catch_warnings():
    # discord.py imports audioop, deprecated since Python 3.11: a DeprecationWarning, an error here
    warnings.filterwarnings("ignore", "'audioop' is deprecated", DeprecationWarning)
    import discord
    from discord import app_commands
    from discord.gateway import DiscordWebSocket

TOKEN = "test-bot-token"
ClientT = TypeVar("ClientT", bound=discord.Client)


@pytest.fixture(autouse=True)
def no_discord_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """discord.py logs (rather than raises) what goes wrong in event handlers and payload parsing."""
    yield
    records = [*caplog.get_records("setup"), *caplog.get_records("call"), *caplog.records]
    errors = [r for r in records if r.name.startswith("discord") and r.levelno >= logging.ERROR]
    assert not errors, "discord.py logged errors:\n" + "\n".join(r.getMessage() for r in errors)


@pytest.fixture
async def discord_api(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[DiscordStandIn]:
    """The stand-in, with discord.py pointed at it (both patches undone after the test)."""
    async with DiscordStandIn(token=TOKEN) as stand_in:
        monkeypatch.setattr(discord.http.Route, "BASE", stand_in.api_url)
        monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(stand_in.gateway_url))
        yield stand_in


def make_client(**options: Any) -> discord.Client:
    return discord.Client(
        intents=discord.Intents.default(), guild_ready_timeout=0.1, chunk_guilds_at_startup=False, **options
    )


@contextlib.asynccontextmanager
async def running(client: ClientT, timeout: float = 5.0) -> AsyncIterator[ClientT]:  # noqa: ASYNC109
    """`client` started and ready; closed (and its task awaited) on the way out."""
    async with client:
        task = asyncio.create_task(client.start(TOKEN))
        ready = asyncio.create_task(client.wait_until_ready())
        try:
            done, _ = await asyncio.wait({task, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            if task in done:
                task.result()  # raises what stopped the client
            if ready not in done:
                raise AssertionError(f"client not ready within {timeout}s")
            yield client
        finally:
            ready.cancel()
            await client.close()
            await task


async def test_client_connects_and_identifies_without_message_content(discord_api: DiscordStandIn) -> None:
    client = make_client()
    ready_fired = asyncio.Event()

    @client.event
    async def on_ready() -> None:
        ready_fired.set()

    async with running(client):
        assert ready_fired.is_set()
        assert client.user is not None and client.user.id == discord_api.bot_user_id
        assert client.application_id == discord_api.application_id
        guild = client.get_guild(discord_api.guild_id)
        assert guild is not None and guild.me is not None
        channel = guild.get_channel(discord_api.channel_id)
        assert isinstance(channel, discord.TextChannel)
        assert channel.permissions_for(guild.me).send_messages

    [identify] = discord_api.identifies
    assert identify["token"] == TOKEN
    intents = discord.Intents._from_value(identify["intents"])
    assert intents == discord.Intents.default() and not intents.message_content
    assert "shard" not in identify  # a plain Client does not shard
    # zlib-stream, or zstd-stream with zstandard installed (utils.py, _ActiveDecompressionContext)
    compression = discord.utils._ActiveDecompressionContext.COMPRESSION_TYPE
    assert discord_api.gateway_queries[0] == {"v": "10", "encoding": "json", "compress": compression}
    assert [r.path for r in discord_api.requests] == ["/users/@me", "/oauth2/applications/@me"]
    assert discord_api.unmatched == []


async def test_mention_reaches_on_message_and_the_reply_mentions_no_one(discord_api: DiscordStandIn) -> None:
    client = make_client()
    received: asyncio.Queue[discord.Message] = asyncio.Queue()

    @client.event
    async def on_message(message: discord.Message) -> None:
        if message.author == client.user:
            return
        received.put_nowait(message)
        await message.channel.send("on record", allowed_mentions=discord.AllowedMentions.none())

    async with running(client):
        await discord_api.dispatch("MESSAGE_CREATE", discord_api.message_create("what did she say?"))
        message = await asyncio.wait_for(received.get(), 5)
        [reply] = await discord_api.wait_requests("POST", f"/channels/{discord_api.channel_id}/messages")

    assert message.content == f"{discord_api.bot_mention} what did she say?"
    assert client.user in message.mentions
    assert isinstance(message.author, discord.Member) and message.author.id == discord_api.user_id
    assert message.guild is not None and message.guild.id == discord_api.guild_id
    assert reply.json["content"] == "on record"
    assert reply.json["allowed_mentions"] == {"parse": []}
    assert reply.headers["Authorization"] == f"Bot {TOKEN}"
    assert received.empty()  # the echo of the bot's own reply was ignored, not answered


async def test_without_message_content_only_mentions_and_dms_keep_their_text(
    discord_api: DiscordStandIn,
) -> None:
    client = make_client()
    received: asyncio.Queue[discord.Message] = asyncio.Queue()

    @client.event
    async def on_message(message: discord.Message) -> None:
        if message.author != client.user:
            received.put_nowait(message)
            if message.guild is None:
                await message.channel.send("hello in private")

    async with running(client):
        await discord_api.dispatch("MESSAGE_CREATE", discord_api.message_create("chat", mentions_bot=False))
        await discord_api.dispatch("MESSAGE_CREATE", discord_api.message_create("psst", guild=False))
        unmentioned = await asyncio.wait_for(received.get(), 5)
        direct = await asyncio.wait_for(received.get(), 5)
        [reply] = await discord_api.wait_requests("POST", "/channels/*/messages")

    assert unmentioned.content == ""
    assert isinstance(direct.channel, discord.DMChannel) and direct.content.endswith("psst")
    assert reply.path == f"/channels/{direct.channel.id}/messages" and reply.status == 200


async def test_thread_from_message_then_send_in_it(discord_api: DiscordStandIn) -> None:
    client = make_client()
    threads: asyncio.Queue[discord.Thread] = asyncio.Queue()
    in_thread: asyncio.Queue[discord.Message] = asyncio.Queue()

    @client.event
    async def on_message(message: discord.Message) -> None:
        if message.author == client.user:
            return
        if isinstance(message.channel, discord.Thread):
            in_thread.put_nowait(message)
            return
        thread = await message.create_thread(name="Quotes")
        await thread.send("here is the quote")

    @client.event
    async def on_thread_create(thread: discord.Thread) -> None:
        threads.put_nowait(thread)

    async with running(client):
        question = discord_api.message_create("who said it?")
        await discord_api.dispatch("MESSAGE_CREATE", question)
        channel, message_id = discord_api.channel_id, question["id"]
        [created] = await discord_api.wait_requests(
            "POST", f"/channels/{channel}/messages/{message_id}/threads"
        )
        [sent] = await discord_api.wait_requests("POST", f"/channels/{message_id}/messages")
        thread = await asyncio.wait_for(threads.get(), 5)
        await discord_api.dispatch(
            "MESSAGE_CREATE", discord_api.message_create("thanks", channel_id=thread.id)
        )
        follow_up = await asyncio.wait_for(in_thread.get(), 5)

    assert created.json["name"] == "Quotes"
    assert created.response["type"] == 11 and created.response["parent_id"] == str(channel)
    assert sent.json["content"] == "here is the quote"
    assert thread.id == int(message_id) and thread.parent_id == channel
    assert follow_up.channel == thread


async def test_slash_command_defers_then_follows_up(discord_api: DiscordStandIn) -> None:
    client = make_client()
    tree = app_commands.CommandTree(client)

    @tree.command(name="quote", description="Find who said it")
    async def quote(interaction: discord.Interaction, query: str) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.followup.send(f"found: {query}")

    async with running(client):
        await discord_api.dispatch(
            "INTERACTION_CREATE", discord_api.slash_command("quote", {"query": "taxes"})
        )
        [callback] = await discord_api.wait_requests("POST", "/interactions/*/*/callback")
        [follow_up] = await discord_api.wait_requests("POST", f"/webhooks/{discord_api.application_id}/*")

    assert callback.json == {"type": 5}
    assert callback.query == {"with_response": "1"}
    assert callback.response["interaction"]["response_message_loading"] is True
    assert follow_up.json["content"] == "found: taxes"
    assert follow_up.query["wait"] == "1" and follow_up.status == 200
    assert "Authorization" not in follow_up.headers  # interaction webhooks go without the bot token


async def test_autocomplete_returns_choices(discord_api: DiscordStandIn) -> None:
    client = make_client()
    tree = app_commands.CommandTree(client)

    @tree.command(name="quote", description="Find who said it")
    async def quote(interaction: discord.Interaction, speaker: str) -> None:
        await interaction.response.send_message(speaker)

    @quote.autocomplete("speaker")
    async def speakers(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        names = ["Alice Waters", "Bob Dylan", "Alan Watts"]
        return [app_commands.Choice(name=n, value=n) for n in names if n.lower().startswith(current.lower())]

    async with running(client):
        payload = discord_api.autocomplete("quote", {"speaker": "al"}, focused="speaker")
        await discord_api.dispatch("INTERACTION_CREATE", payload)
        [callback] = await discord_api.wait_requests("POST", "/interactions/*/*/callback")

    assert callback.status == 200
    assert callback.json == {
        "type": 8,
        "data": {
            "choices": [
                {"name": "Alice Waters", "value": "Alice Waters"},
                {"name": "Alan Watts", "value": "Alan Watts"},
            ]
        },
    }


class MoreButton(discord.ui.View):
    """A persistent view: no timeout, a fixed custom_id."""

    def __init__(self, clicks: asyncio.Queue[discord.Interaction]) -> None:
        super().__init__(timeout=None)
        self.clicks = clicks

    @discord.ui.button(label="More quotes", custom_id="onrecord:more")
    async def more(self, interaction: discord.Interaction, button: discord.ui.Button[MoreButton]) -> None:
        await interaction.response.send_message("three more", ephemeral=True)
        self.clicks.put_nowait(interaction)


class PersistentClient(discord.Client):
    def __init__(self, clicks: asyncio.Queue[discord.Interaction]) -> None:
        super().__init__(
            intents=discord.Intents.default(), guild_ready_timeout=0.1, chunk_guilds_at_startup=False
        )
        self.clicks = clicks

    async def setup_hook(self) -> None:
        self.add_view(MoreButton(self.clicks))


async def test_persistent_view_handles_a_click_after_a_restart(discord_api: DiscordStandIn) -> None:
    clicks: asyncio.Queue[discord.Interaction] = asyncio.Queue()
    async with running(make_client()) as first:
        channel = first.get_channel(discord_api.channel_id)
        assert isinstance(channel, discord.TextChannel)
        sent = await channel.send("a quote", view=MoreButton(clicks))

    async with running(PersistentClient(clicks)):
        click = discord_api.component("onrecord:more", message=discord_api.messages[sent.id])
        await discord_api.dispatch("INTERACTION_CREATE", click)
        interaction = await asyncio.wait_for(clicks.get(), 5)
        [callback] = await discord_api.wait_requests("POST", "/interactions/*/*/callback")

    assert discord_api.ready_count == 2
    assert discord_api.messages[sent.id]["components"][0]["components"][0]["custom_id"] == "onrecord:more"
    assert interaction.message is not None and interaction.message.id == sent.id
    assert callback.json["type"] == 4
    assert callback.json["data"]["content"] == "three more" and callback.json["data"]["flags"] == 64


@pytest.mark.parametrize("to_guild", [False, True])
async def test_tree_sync_puts_commands_and_invocations_match_them(
    discord_api: DiscordStandIn, to_guild: bool
) -> None:
    client = make_client()
    tree = app_commands.CommandTree(client)
    guild = discord.Object(discord_api.guild_id) if to_guild else None
    invoked: asyncio.Queue[discord.Interaction] = asyncio.Queue()

    @tree.command(name="quote", description="Find who said it", guild=guild)
    async def quote(interaction: discord.Interaction, query: str, limit: int = 3) -> None:
        invoked.put_nowait(interaction)
        await interaction.response.send_message(f"{limit} quotes about {query}")

    async with running(client):
        synced = await tree.sync(guild=guild)
        payload = discord_api.slash_command("quote", {"query": "jazz", "limit": 2})
        await discord_api.dispatch("INTERACTION_CREATE", payload)
        interaction = await asyncio.wait_for(invoked.get(), 5)
        [callback] = await discord_api.wait_requests("POST", "/interactions/*/*/callback")

    app = discord_api.application_id
    path = (
        f"/applications/{app}/guilds/{discord_api.guild_id}/commands"
        if to_guild
        else f"/applications/{app}/commands"
    )
    [put] = discord_api.requests_to("PUT", path)
    assert [c["name"] for c in put.json] == ["quote"]
    stored = discord_api.commands[discord_api.guild_id if to_guild else None]
    assert [c.id for c in synced] == [int(c["id"]) for c in stored]
    assert [c.guild_id for c in synced] == [discord_api.guild_id if to_guild else None]
    # CommandTree finds guild commands by data.guild_id (app_commands/tree.py, _get_app_command_options)
    assert payload["data"]["id"] == str(synced[0].id)
    assert payload["data"].get("guild_id") == (str(discord_api.guild_id) if to_guild else None)
    assert payload["data"]["options"] == [
        {"name": "query", "value": "jazz", "type": 3},
        {"name": "limit", "value": 2, "type": 4},
    ]
    assert interaction.command is quote
    assert interaction.namespace.limit == 2
    assert callback.json["data"]["content"] == "2 quotes about jazz"


async def test_reply_with_a_file_then_edit_react_and_dm(discord_api: DiscordStandIn) -> None:
    client = make_client()
    edits: asyncio.Queue[discord.Message] = asyncio.Queue()

    @client.event
    async def on_message(message: discord.Message) -> None:
        if message.author == client.user:
            return
        async with message.channel.typing():
            quote = discord.File(io.BytesIO(b"It was the best of times."), "quote.txt")
            sent = await message.reply("the source", file=quote, mention_author=False)
        await sent.edit(content="the source, edited")
        await sent.add_reaction("\N{WHITE HEAVY CHECK MARK}")
        await message.author.send("sent you the file")

    @client.event
    async def on_message_edit(before: discord.Message, after: discord.Message) -> None:
        edits.put_nowait(after)

    async with running(client):
        question = discord_api.message_create("source?")
        await discord_api.dispatch("MESSAGE_CREATE", question)
        [dm] = await discord_api.wait_requests("POST", "/users/@me/channels")
        [reply, private] = await discord_api.wait_requests("POST", "/channels/*/messages", count=2)
        edited = await asyncio.wait_for(edits.get(), 5)

    channel = discord_api.channel_id
    assert discord_api.requests_to("POST", f"/channels/{channel}/typing")[0].status == 204
    assert str(reply.json["message_reference"]["message_id"]) == question["id"]  # discord.py sends an int
    assert reply.json["allowed_mentions"]["replied_user"] is False
    assert reply.files == [("quote.txt", b"It was the best of times.")]
    assert reply.response["type"] == 19 and reply.response["attachments"][0]["filename"] == "quote.txt"
    [patch] = discord_api.requests_to("PATCH", f"/channels/{channel}/messages/{reply.response['id']}")
    assert patch.json["content"] == "the source, edited"
    assert edited.content == "the source, edited" and edited.edited_at is not None
    assert discord_api.requests_to("PUT", "/channels/*/messages/*/reactions/*/@me")[0].status == 204
    assert dm.json == {"recipient_id": discord_api.user_id}
    assert private.path == f"/channels/{dm.response['id']}/messages"


class Pages(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Next", custom_id="onrecord:next")
    async def next_page(self, interaction: discord.Interaction, button: discord.ui.Button[Pages]) -> None:
        await interaction.response.edit_message(content="page 2")


async def test_deferred_answer_is_edited_in_and_its_button_edits_it(discord_api: DiscordStandIn) -> None:
    client = make_client()
    tree = app_commands.CommandTree(client)
    answered: asyncio.Queue[discord.InteractionMessage] = asyncio.Queue()

    @tree.command(name="quote", description="Find who said it")
    async def quote(interaction: discord.Interaction) -> None:
        await interaction.response.defer()
        answered.put_nowait(await interaction.edit_original_response(content="page 1", view=Pages()))

    async with running(client):
        await discord_api.dispatch("INTERACTION_CREATE", discord_api.slash_command("quote"))
        answer = await asyncio.wait_for(answered.get(), 5)
        click = discord_api.component("onrecord:next", message=discord_api.messages[answer.id])
        await discord_api.dispatch("INTERACTION_CREATE", click)
        [_, update] = await discord_api.wait_requests("POST", "/interactions/*/*/callback", count=2)

    [edit] = discord_api.requests_to("PATCH", f"/webhooks/{discord_api.application_id}/*/messages/@original")
    assert edit.json["content"] == "page 1" and edit.json["components"][0]["type"] == 1
    assert answer.content == "page 1" and not answer.flags.loading
    assert update.json["type"] == 7 and update.json["data"]["content"] == "page 2"
    assert discord_api.messages[answer.id]["content"] == "page 2"
    assert discord_api.messages[answer.id]["components"][0]["components"][0]["custom_id"] == "onrecord:next"


class ShardedClient(discord.AutoShardedClient):
    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py's default sleeps 5 s before every IDENTIFY but the first."""


@pytest.mark.parametrize("shard_count", [None, 2])
async def test_auto_sharded_client_identifies_every_shard(
    discord_api: DiscordStandIn, shard_count: int | None
) -> None:
    discord_api.shard_count = 2  # what GET /gateway/bot recommends
    client = ShardedClient(
        intents=discord.Intents.default(),
        guild_ready_timeout=0.1,
        chunk_guilds_at_startup=False,
        shard_count=shard_count,
    )
    async with running(client):
        assert client.shard_count == 2
        assert client.get_guild(discord_api.guild_id) is not None

    assert sorted(i["shard"] for i in discord_api.identifies) == [[0, 2], [1, 2]]
    # only without a shard_count does discord.py ask /gateway/bot (shard.py, launch_shards)
    assert len(discord_api.requests_to("GET", "/gateway/bot")) == (1 if shard_count is None else 0)


GUILD_ON_SHARD_0 = DiscordStandIn.guild_id + (1 << 22)  # the stand-in's own guild is on shard 1 of 2


def test_guilds_fall_on_shards_by_the_snowflake_timestamp() -> None:
    assert [shard_of(DiscordStandIn.guild_id, 2), shard_of(GUILD_ON_SHARD_0, 2)] == [1, 0]
    assert shard_of(197038439483310086, 4) == (197038439483310086 >> 22) % 4  # Discord's docs' formula
    assert shard_of(None, 2) == 0  # DMs
    assert shard_of(GUILD_ON_SHARD_0, 1) == 0


def shard_client(shard_id: int) -> ShardedClient:
    return ShardedClient(
        intents=discord.Intents.default(),
        guild_ready_timeout=0.1,
        chunk_guilds_at_startup=False,
        shard_count=2,
        shard_ids=[shard_id],
    )


async def test_each_shard_gets_its_own_guilds_and_their_messages_and_shard_0_the_dms(
    discord_api: DiscordStandIn, until: Poll
) -> None:
    other_channel = discord_api.add_guild(GUILD_ON_SHARD_0)
    seen: dict[int, list[str]] = {0: [], 1: []}
    clients = {shard_id: shard_client(shard_id) for shard_id in (0, 1)}
    for shard_id, client in clients.items():

        async def on_message(message: discord.Message, shard_id: int = shard_id) -> None:
            seen[shard_id].append(message.content.split()[-1])

        client.event(on_message)
    async with running(clients[0]), running(clients[1]):
        assert [g.id for g in clients[0].guilds] == [GUILD_ON_SHARD_0]
        assert [g.id for g in clients[1].guilds] == [discord_api.guild_id]
        assert discord_api.connected_shards() == [(None, (0, 2)), (None, (1, 2))]

        to_shard_0 = discord_api.message_create("guild0", channel_id=other_channel)
        to_shard_1 = discord_api.message_create("guild1")
        dm = discord_api.message_create("dm", guild=False)
        assert await discord_api.dispatch("MESSAGE_CREATE", to_shard_0) == [(None, (0, 2))]
        assert await discord_api.dispatch("MESSAGE_CREATE", to_shard_1) == [(None, (1, 2))]
        assert await discord_api.dispatch("MESSAGE_CREATE", dm) == [(None, (0, 2))]
        for shard_id in (0, 1):  # each connection is ordered: the last message comes after the others
            await discord_api.dispatch("MESSAGE_CREATE", discord_api.message_create("last"), shard=shard_id)
        await until(lambda: seen[0][-1:] == ["last"] and seen[1][-1:] == ["last"])
    assert seen == {0: ["guild0", "dm", "last"], 1: ["guild1", "last"]}


async def test_an_unsharded_client_gets_every_guild(discord_api: DiscordStandIn) -> None:
    discord_api.add_guild(GUILD_ON_SHARD_0)
    async with running(make_client()) as client:
        assert sorted(g.id for g in client.guilds) == sorted([discord_api.guild_id, GUILD_ON_SHARD_0])
        assert discord_api.connected_shards() == [(None, None)]


async def test_a_client_given_named_urls_is_told_apart(
    discord_api: DiscordStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(discord.http.Route, "BASE", discord_api.api_url_for("replica-a"))
    monkeypatch.setattr(
        DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(discord_api.gateway_url_for("replica-a"))
    )
    async with running(shard_client(1)) as client:
        assert discord_api.connected_shards() == [("replica-a", (1, 2))]
        channel = client.get_channel(discord_api.channel_id)
        assert isinstance(channel, discord.TextChannel)
        await channel.send("hello")
    [sent] = discord_api.requests_to("POST", "/channels/*/messages")
    assert sent.client == "replica-a" and sent.json["content"] == "hello"
    assert {r.client for r in discord_api.requests} == {"replica-a"}


async def test_reconnect_resumes_and_replays_what_was_missed(discord_api: DiscordStandIn) -> None:
    client = make_client()
    resumed = asyncio.Event()
    received: asyncio.Queue[discord.Message] = asyncio.Queue()

    @client.event
    async def on_resumed() -> None:
        resumed.set()

    @client.event
    async def on_message(message: discord.Message) -> None:
        received.put_nowait(message)

    async with running(client):
        await discord_api.reconnect()
        await asyncio.wait_for(resumed.wait(), 5)
        await discord_api.dispatch("MESSAGE_CREATE", discord_api.message_create("still there?"))
        message = await asyncio.wait_for(received.get(), 5)

    [resume] = discord_api.resumes
    assert resume["token"] == TOKEN and resume["seq"] >= 2
    assert len(discord_api.identifies) == 1
    assert message.content.endswith("still there?")


async def test_discord_refusals_reach_the_client(discord_api: DiscordStandIn) -> None:
    async with running(make_client()) as client:
        channel = client.get_channel(discord_api.channel_id)
        assert isinstance(channel, discord.TextChannel)
        with pytest.raises(discord.HTTPException) as too_long:
            await channel.send("x" * 2001)
        with pytest.raises(discord.HTTPException) as empty:
            await channel.send()
        discord_api.fail("POST", f"/channels/{discord_api.channel_id}/messages", 429, retry_after=0.01)
        sent = await channel.send("after a rate limit")
        with pytest.raises(discord.NotFound):
            await client.fetch_user(discord_api.user_id)  # a route the stand-in does not serve

    assert too_long.value.code == 50035 and "content" in too_long.value.text
    assert empty.value.code == 50006
    statuses = [r.status for r in discord_api.requests_to("POST", "/channels/*/messages")]
    assert statuses == [400, 400, 429, 200]
    assert sent.content == "after a rate limit"
    assert [r.path for r in discord_api.unmatched] == [f"/users/{discord_api.user_id}"]


async def test_an_embed_link_that_is_not_a_url_is_refused(discord_api: DiscordStandIn) -> None:
    async with running(make_client()) as client:
        channel = client.get_channel(discord_api.channel_id)
        assert isinstance(channel, discord.TextChannel)
        with pytest.raises(discord.HTTPException) as spaced:
            await channel.send(embed=discord.Embed(title="t", url="https://x.test/a b"))
        sent = await channel.send(embed=discord.Embed(title="t", url="https://x.test/a%20b"))
    assert spaced.value.code == 50035 and "embeds.0.url: Not a well formed URL." in spaced.value.text
    assert sent.embeds[0].url == "https://x.test/a%20b"


async def test_an_interaction_answered_too_late_is_unknown(discord_api: DiscordStandIn) -> None:
    discord_api.interaction_timeout = 0.0
    client = make_client()
    tree = app_commands.CommandTree(client)
    errors: asyncio.Queue[BaseException] = asyncio.Queue()

    @tree.command(name="quote", description="Find who said it")
    async def quote(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("too late")

    @tree.error
    async def on_error(interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        errors.put_nowait(error.__cause__ or error)

    async with running(client):
        await discord_api.dispatch("INTERACTION_CREATE", discord_api.slash_command("quote"))
        error = await asyncio.wait_for(errors.get(), 5)

    assert isinstance(error, discord.NotFound) and error.code == 10062


async def test_wrong_token_fails_login(discord_api: DiscordStandIn) -> None:
    async with make_client() as client:
        with pytest.raises(discord.LoginFailure):
            await client.start("not-the-token")
    assert discord_api.requests[0].status == 401


async def test_a_held_request_is_answered_once_released(discord_api: DiscordStandIn) -> None:
    async with running(make_client()) as client:
        channel = client.get_channel(discord_api.channel_id)
        assert isinstance(channel, discord.TextChannel)
        hold = discord_api.hold("POST", f"/channels/{discord_api.channel_id}/messages")
        sending = asyncio.create_task(channel.send("held"))
        await discord_api.wait_held(hold)
        assert not sending.done() and discord_api.requests_to("POST", "/channels/*/messages") == []
        hold.release()
        sent = await sending
        again = await channel.send("not held")  # only the next request was held
    assert sent.content == "held" and again.content == "not held" and hold.waiting == 0
