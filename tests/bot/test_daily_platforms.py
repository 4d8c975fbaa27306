"""The daily quote through the real bots and the `onrecord daily` command, to the Slack and Discord
stand-ins: posted once, without pings, with a button that brings the passage around the quote; with
`…@card`, the quote card too (the post stands when the card cannot go with it)."""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import discord
import pytest
from PIL import Image

from onrecord import index
from onrecord.bot.daily.card import CARD_SIZE
from onrecord.bot.discord.rest import TRIES
from tests.bot.discord_bot import TOKEN, discord_bot
from tests.bot.discord_bot import bot_env as discord_env
from tests.bot.slack_bot import bot_env as slack_env
from tests.bot.slack_bot import slack_bot
from tests.conftest import RedisServer
from tests.standins.discord_api import DiscordStandIn
from tests.standins.slack import SlackStandIn
from tests.standins.slack_payloads import block_action

ONRECORD = shutil.which("onrecord", path=str(Path(sys.executable).parent)) or "onrecord"


def _seed_titles(index_dir: Path) -> list[str]:
    return [doc.title for doc in index.load(index_dir).documents]


def _a_minute_ago() -> str:
    """A daily time that has just passed, so a starting bot catches up at once."""
    return f"{dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1):%H:%M}@UTC"


def _discord_daily_env(
    discord_api: DiscordStandIn, seed_index_dir: Path, redis_server: RedisServer, *, card: bool = False
) -> dict[str, str]:
    """A Discord bot whose daily quote in the stand-in's channel was due a minute ago (with its card)."""
    daily = f"{discord_api.channel_id}@{_a_minute_ago()}" + ("@card" if card else "")
    return discord_env(discord_api, seed_index_dir, redis_server.url, ONRECORD_DAILY_DISCORD=daily)


async def test_slack_bot_posts_the_missed_daily_quote_and_its_button_brings_the_passage(
    seed_index_dir: Path, redis_server: RedisServer
) -> None:
    async with SlackStandIn() as slack:
        env = slack_env(
            slack,
            seed_index_dir,
            redis_server.url,
            ONRECORD_DAILY_SLACK=f"C0042@{_a_minute_ago()}",
            ONRECORD_PUBLIC_URL="https://bot.example.org",
        )
        async with slack_bot(env) as bot:
            [daily] = await slack.wait_calls("chat.postMessage", 1)
            assert daily.args["channel"] == "C0042" and "thread_ts" not in daily.args
            blocks = daily.args["blocks"]
            quote = blocks[1]["text"]["text"]
            assert quote.startswith(">") and "<!" not in quote
            assert re.search(r"<https://bot\.example\.org/q/\w+/\d+-\d+#quote\|Read in context>", quote)
            [button] = blocks[2]["elements"]
            assert button["text"]["text"] == "More from this conversation"

            message = daily.response["message"]
            click = block_action(
                "onrecord_context", button["value"], message=message, channel="C0042",
                response_url=slack.response_url("r"),
            )  # fmt: skip
            await bot.send(click)
            _, passage = await slack.wait_calls("chat.postMessage", 2)
    assert passage.args["thread_ts"] == message["ts"]
    words = quote.split("\n— ")[0].lstrip(">").strip("…").strip()[:40]
    assert words in passage.args["blocks"][0]["text"]["text"]  # the passage holds the quote


async def test_discord_bot_posts_the_daily_quote_without_pings_and_the_button_opens_a_thread(
    seed_index_dir: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with DiscordStandIn(token=TOKEN) as discord_api:
        channel = discord_api.channel_id
        env = _discord_daily_env(discord_api, seed_index_dir, redis_server)
        async with discord_bot(env, monkeypatch):
            [daily] = await discord_api.wait_requests("POST", f"/channels/{channel}/messages")
            assert daily.json["allowed_mentions"] == {"parse": []} and len(daily.json["embeds"]) == 1
            [row] = daily.json["components"]
            [button] = row["components"]
            assert button["custom_id"].startswith("onrecord:context:")
            await discord_api.wait_ready()
            sent = discord_api.messages[int(daily.response["id"])]
            await discord_api.dispatch(
                "INTERACTION_CREATE", discord_api.component(button["custom_id"], message=sent)
            )
            await discord_api.wait_requests("POST", f"/channels/{channel}/messages/{sent['id']}/threads")
            [passage] = await discord_api.wait_requests("POST", f"/channels/{sent['id']}/messages")
    assert passage.json["content"] == "More from this conversation" and passage.json["embeds"]
    assert passage.json["allowed_mentions"] == {"parse": []}


async def test_daily_post_run_three_times_in_parallel_posts_once_per_channel(
    seed_index_dir: Path, redis_server: RedisServer
) -> None:
    async with SlackStandIn() as slack:
        env = {
            **os.environ,
            **slack_env(slack, seed_index_dir, redis_server.url),
            "ONRECORD_DAILY_SLACK": "C0001,C0002@23:59@Pacific/Auckland",
        }

        def post(*flags: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [ONRECORD, "daily", "post", *flags], env=env, capture_output=True, text=True, timeout=60
            )

        runs = await asyncio.gather(*(asyncio.to_thread(post) for _ in range(3)))
        calls = slack.calls_to("chat.postMessage")
    assert [r.returncode for r in runs] == [0, 0, 0], [r.stderr[-500:] for r in runs]
    assert sorted(c.args["channel"] for c in calls) == ["C0001", "C0002"]
    lines = [line for r in runs for line in r.stdout.splitlines()]
    assert sum(line.endswith(": posted") for line in lines) == 2
    assert sum(line.endswith(": already posted") for line in lines) == 4
    again = await asyncio.to_thread(post)
    assert again.returncode == 0 and again.stdout.count("already posted") == 2
    dry = await asyncio.to_thread(post, "--dry-run")
    assert dry.returncode == 0 and dry.stdout.count(": already posted") == 2
    assert "would post" not in dry.stdout


async def test_a_daily_post_slack_does_not_answer_in_time_is_looked_for_then_posted_once_by_two_runs(
    seed_index_dir: Path, redis_server: RedisServer
) -> None:
    """Slack holds the first run's post past the call's timeout (and, without one, past the day's
    claim); a second run starts meanwhile. The first gives the call up before its claim could expire,
    looks for the post twice (a call's timeout apart), finds none and posts it again: the second run
    never posts the day. (A post Slack carries out later still is the one a timeout cannot rule out.)"""
    async with SlackStandIn() as slack:
        env = {
            **os.environ,
            **slack_env(slack, seed_index_dir, redis_server.url),
            "ONRECORD_DAILY_SLACK": "C0001",
        }

        async def run() -> asyncio.subprocess.Process:
            return await asyncio.create_subprocess_exec(
                ONRECORD, "daily", "post", env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )

        hold = slack.hold("chat.postMessage")
        first = await run()
        await slack.wait_held(hold, timeout=30)
        second = await run()
        outputs = [await process.communicate() for process in (first, second)]
        posted = slack.posted("C0001")
        hold.release()
    assert [p.returncode for p in (first, second)] == [0, 0], [err[-500:] for _, err in outputs]
    lines = [out.decode().strip() for out, _ in outputs]
    assert lines[0].endswith(": posted") and lines[1].endswith(": already posted")
    assert len(posted) == 1 and len(slack.calls_to("conversations.history")) == 3  # before, and twice after


def test_daily_preview_and_bad_entries(seed_index_dir: Path) -> None:
    env = {
        **os.environ,
        "ONRECORD_INDEX": str(seed_index_dir),
        "ONRECORD_DAILY_SLACK": "C0001@07:30@Asia/Tokyo",
    }
    shown = subprocess.run(
        [ONRECORD, "daily", "preview", "--days", "3"], env=env, capture_output=True, text=True
    )
    assert shown.returncode == 0, shown.stderr
    days = shown.stdout.split("slack C0001 at 07:30 Asia/Tokyo ")[1:]
    assert len(days) == 3 and len(set(days)) == 3
    for day in days:  # each quote whole, as it would be posted, and where it comes from
        _, quote, source = day.splitlines()
        assert quote.startswith("  “") and quote.endswith("”") and "…" not in quote
        assert source.startswith("  — ") and any(
            doc_title in source for doc_title in _seed_titles(seed_index_dir)
        )
    unconfigured = {k: v for k, v in env.items() if not k.startswith("ONRECORD_DAILY_")}
    tried = subprocess.run(
        [ONRECORD, "daily", "preview", "--days", "2"], env=unconfigured, capture_output=True, text=True
    )
    assert tried.returncode == 0, tried.stderr
    assert tried.stdout.startswith("No channel is configured") and tried.stdout.count("\n  “") == 2
    bad = subprocess.run(
        [ONRECORD, "daily", "post"],
        env={**env, "ONRECORD_DAILY_SLACK": "C0001@25:00"},
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2
    assert bad.stderr.strip() == (
        "onrecord: ONRECORD_DAILY_SLACK: entry “C0001@25:00”: “25:00” is not a time of day like 09:00"
    )


def test_daily_preview_with_redis_down_is_one_line(seed_index_dir: Path) -> None:
    env = {
        **os.environ,
        "ONRECORD_INDEX": str(seed_index_dir),
        "ONRECORD_DAILY_SLACK": "C0001",
        "REDIS_URL": "redis://127.0.0.1:1",  # nothing listens there
    }
    shown = subprocess.run([ONRECORD, "daily", "preview"], env=env, capture_output=True, text=True)
    assert shown.returncode == 1 and "Traceback" not in shown.stderr
    said = shown.stderr.splitlines()[-1]  # after the log's warnings
    assert said.startswith("onrecord: slack C0001 ")
    assert said.endswith(": cannot read the quotes it has had (Redis is unreachable)")


def test_daily_post_needs_redis_to_remember_between_runs(seed_index_dir: Path) -> None:
    env = {**os.environ, "ONRECORD_INDEX": str(seed_index_dir), "ONRECORD_DAILY_SLACK": "C0001"}
    env.pop("REDIS_URL", None)
    refused = subprocess.run(
        [ONRECORD, "daily", "post"], env={**env, "SLACK_BOT_TOKEN": "xoxb-t"}, capture_output=True, text=True
    )
    assert refused.returncode == 2
    assert (
        refused.stderr.strip()
        == "onrecord: REDIS_URL is required to post the daily quote from the command line"
    )
    dry = subprocess.run([ONRECORD, "daily", "post", "--dry-run"], env=env, capture_output=True, text=True)
    assert dry.returncode == 0 and ": would post “" in dry.stdout


def _png_size(data: bytes) -> tuple[int, int]:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image.size


def _quoted(block_text: str) -> str:
    """The quote of a Slack quote block, as one line of plain text."""
    lines = block_text.split("\n— ")[0].splitlines()
    return html.unescape(" ".join(" ".join(line.removeprefix(">") for line in lines).split()))


async def test_slack_bot_uploads_the_quote_card_into_the_daily_posts_thread_with_the_quote_as_alt_text(
    seed_index_dir: Path, redis_server: RedisServer
) -> None:
    async with SlackStandIn() as slack:
        env = slack_env(
            slack, seed_index_dir, redis_server.url, ONRECORD_DAILY_SLACK=f"C0042@{_a_minute_ago()}@card"
        )
        async with slack_bot(env):
            [daily] = await slack.wait_calls("chat.postMessage", 1)
            await slack.wait_calls("files.completeUploadExternal", 1)
    [upload] = slack.uploads.values()
    assert upload.completed and upload.channel_id == "C0042"
    assert upload.thread_ts == daily.response["ts"] and upload.initial_comment is None
    assert upload.data is not None and _png_size(upload.data) == CARD_SIZE
    assert upload.filename.endswith(".png") and upload.length == len(upload.data)
    assert upload.alt_txt == _quoted(daily.args["blocks"][1]["text"]["text"])


async def test_a_bot_stopped_while_its_card_uploads_keeps_the_day_it_posted(
    seed_index_dir: Path, redis_server: RedisServer
) -> None:
    """Shutdown comes while Slack takes the daily post's card: the post is made, so the day is not given
    back, and a later run does not post it again."""
    when = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    async with SlackStandIn() as slack:
        env = slack_env(
            slack, seed_index_dir, redis_server.url, ONRECORD_DAILY_SLACK=f"C0042@{when:%H:%M}@UTC@card"
        )
        hold = slack.hold("files.getUploadURLExternal")
        async with slack_bot(env):
            await slack.wait_held(hold, timeout=30)
        hold.release()
        again = await asyncio.to_thread(
            subprocess.run,
            [ONRECORD, "daily", "post", "--date", f"{when:%Y-%m-%d}"],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert again.returncode == 0, again.stderr[-500:]
    assert again.stdout.strip().endswith(": already posted")
    assert len(slack.calls_to("chat.postMessage")) == 1


async def test_discord_bot_attaches_the_quote_card_to_the_daily_post_with_the_quote_as_description(
    seed_index_dir: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with DiscordStandIn(token=TOKEN) as discord_api:
        channel = discord_api.channel_id
        env = _discord_daily_env(discord_api, seed_index_dir, redis_server, card=True)
        async with discord_bot(env, monkeypatch):
            [daily] = await discord_api.wait_requests("POST", f"/channels/{channel}/messages")
    [(filename, data)] = daily.files
    assert _png_size(data) == CARD_SIZE
    [attachment] = discord_api.messages[int(daily.response["id"])]["attachments"]
    assert attachment["filename"] == filename and attachment["content_type"] == "image/png"
    [embed] = daily.json["embeds"]
    quote = " ".join(line.removeprefix("> ") for line in embed["description"].split("\n\n")[0].splitlines())
    assert attachment["description"] == discord.utils.remove_markdown(quote)
    assert daily.json["components"] and daily.json["allowed_mentions"] == {"parse": []}


async def test_a_card_slack_will_not_take_leaves_the_daily_post_standing_and_made_once(
    seed_index_dir: Path, redis_server: RedisServer
) -> None:
    """The post is the day's quote: its card failing is logged, the post is not undone nor made again."""
    async with SlackStandIn() as slack:
        env = {
            **os.environ,
            **slack_env(slack, seed_index_dir, redis_server.url),
            "ONRECORD_DAILY_SLACK": "C0001@card",
        }

        def post() -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [ONRECORD, "daily", "post"], env=env, capture_output=True, text=True, timeout=60
            )

        slack.fail("files.completeUploadExternal", error="not_allowed_token_type")
        first = await asyncio.to_thread(post)
        again = await asyncio.to_thread(post)
    assert first.returncode == 0 and first.stdout.strip().endswith(": posted"), first.stderr[-500:]
    assert "posted without its card (not_allowed_token_type)" in first.stderr
    assert again.returncode == 0 and again.stdout.strip().endswith(": already posted")
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert not any(u.completed for u in slack.uploads.values())


async def test_a_card_discord_refuses_is_left_out_and_the_quote_posted_once(
    seed_index_dir: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with DiscordStandIn(token=TOKEN) as discord_api:
        channel = discord_api.channel_id
        missing = {"message": "Missing Permissions", "code": 50013}
        discord_api.fail("POST", f"/channels/{channel}/messages", 403, body=missing)
        env = _discord_daily_env(discord_api, seed_index_dir, redis_server, card=True)
        async with discord_bot(env, monkeypatch):
            refused, posted = await discord_api.wait_requests("POST", f"/channels/{channel}/messages", 2)
    assert refused.status == 403 and refused.files
    assert posted.status == 200 and not posted.files and posted.json["embeds"] == refused.json["embeds"]
    in_channel = [m for m in discord_api.messages.values() if m["channel_id"] == str(channel)]
    assert len(in_channel) == 1 and in_channel[0]["attachments"] == []


def test_daily_preview_draws_the_first_quotes_card(seed_index_dir: Path, tmp_path: Path) -> None:
    env = {**os.environ, "ONRECORD_INDEX": str(seed_index_dir), "ONRECORD_DAILY_SLACK": "C0001@card"}
    card = tmp_path / "card.png"
    shown = subprocess.run(
        [ONRECORD, "daily", "preview", "--days", "2", "--card", str(card)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.count(f"(its card: {card})") == 1 and _png_size(card.read_bytes()) == CARD_SIZE
    unwritable = subprocess.run(
        [ONRECORD, "daily", "preview", "--card", str(tmp_path / "no" / "card.png")],
        env=env,
        capture_output=True,
        text=True,
    )
    assert unwritable.returncode == 2
    assert unwritable.stderr == f"onrecord: --card: no folder {tmp_path / 'no'} to write the card in\n"


async def test_a_discord_server_error_on_the_post_with_its_card_is_not_followed_by_one_without(
    seed_index_dir: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 5xx may come after Discord made the post: it is retried as a failure (with the card), not taken
    for a refusal of the card."""
    async with DiscordStandIn(token=TOKEN) as discord_api:
        channel = discord_api.channel_id
        path = f"/channels/{channel}/messages"
        discord_api.fail("POST", path, 503, times=TRIES)  # every try of the first attempt
        env = _discord_daily_env(discord_api, seed_index_dir, redis_server, card=True)
        async with discord_bot(env, monkeypatch):
            *failed, retried = await discord_api.wait_requests("POST", path, TRIES + 1, timeout=120)
    assert {r.status for r in failed} == {503}
    assert retried.status == 200 and retried.files  # the next attempt, still with its card


async def test_a_discord_daily_post_made_before_its_answer_was_lost_is_made_once(
    seed_index_dir: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Discord made the post and the answer was lost (503, which `rest()` tries again): the post's nonce
    has Discord return the post it made, so the channel gets one post."""
    async with DiscordStandIn(token=TOKEN) as discord_api:
        channel = discord_api.channel_id
        path = f"/channels/{channel}/messages"
        discord_api.fail("POST", path, 503, lost=True)
        env = _discord_daily_env(discord_api, seed_index_dir, redis_server)
        async with discord_bot(env, monkeypatch):
            lost, retried = await discord_api.wait_requests("POST", path, 2, timeout=30)
    assert (lost.status, retried.status) == (503, 200) and lost.json["nonce"] == retried.json["nonce"]
    posts = [m for m in discord_api.messages.values() if m["channel_id"] == str(channel)]
    assert [m["id"] for m in posts] == [retried.response["id"]]
