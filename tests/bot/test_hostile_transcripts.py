"""Hostile transcripts and sidecars, read by the real readers, answered by the real Slack and Discord bots:
no live link comes out of them (only the recording's own, percent-encoded), no bidi control reaches chat."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from onrecord import index
from tests.bot.discord_bot import bot_env as discord_env
from tests.bot.discord_bot import discord_bot
from tests.bot.slack_bot import bot_env as slack_env
from tests.bot.slack_bot import slack_bot
from tests.conftest import RedisServer
from tests.standins.discord_api import DiscordStandIn
from tests.standins.slack import SlackStandIn
from tests.standins.slack_payloads import mention_event

# The sidecar URL: a masked phishing link after a fragment, with spaces (no valid URL at all).
SPACED_URL = (
    "https://www.youtube.com/watch?v=abc#x) **Your server will be deleted unless you verify** "
    "[verify here](https://evil.example/login"
)
# The same without spaces: a valid URL, whose brackets must not end the link they are put in.
TIGHT_URL = "https://www.youtube.com/watch?v=abc#x)**Your_server_will_be_deleted**[verify_here](https://evil.example/login"
MASKED = "[verify here](https://evil.example/login) and [claim](https://evil.example/claim)"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
QUESTION = "zebrafish governance"
OURS = "https://www.youtube.com/"


def _write_corpus(folder: Path) -> None:
    cues = [
        f"<v Ann](https://evil.example/speaker) [x>The zebrafish governance council says {MASKED} today.",
        "<v Bo>We never said \u202eyas reven\u202c any of that, the zebrafish governance rules stand.",
    ]
    vtt = "WEBVTT\n\n" + "".join(
        f"00:00:{5 * i:02d}.000 --> 00:00:{5 * i + 4:02d}.000\n{cue}\n\n" for i, cue in enumerate(cues, 1)
    )
    (folder / "tight.vtt").write_text(vtt, encoding="utf-8")
    sidecar = {"title": "Verify now](https://evil.example/title) [Episode \u202e7", "url": TIGHT_URL}
    (folder / "tight.meta.json").write_text(
        json.dumps({**sidecar, "show": "Show](https://evil.example/show)"})
    )
    (folder / "spaced.txt").write_text(
        f"Zebrafish governance, part two: {MASKED}. Isolates \u2067here\u2069 and \u2066there\u2069.\n",
        encoding="utf-8",
    )
    (folder / "spaced.meta.json").write_text(
        json.dumps({"title": "Part [two](https://evil.example/2)", "url": SPACED_URL})
    )


@pytest.fixture(scope="module")
def hostile_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile-transcripts")
    _write_corpus(folder)
    directory = tmp_path_factory.mktemp("hostile-index") / "index"
    built = index.build([folder])
    assert len(built.documents) == 2
    built.save(directory)
    return directory


def _discord_links(markdown: str) -> list[str]:
    """Where the links Discord would render in `markdown` go: masked links `[label](target)` and bare
    URLs, once the characters escaped with a backslash are taken as the plain text they render as."""
    text = re.sub(r"\\[^0-9A-Za-z\s]", "\0", markdown)
    masked = re.compile(r"\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?((?:\([^()\s]*\)|[^\s()<>])*)>?\s*\)")
    targets = [m.group(1) for m in masked.finditer(text)]
    targets += re.findall(r"https?://[^\s<]+", masked.sub(" ", text))
    return targets


def _slack_links(mrkdwn: str) -> list[str]:
    """Where the links Slack would render in `mrkdwn` go (`<target|label>` or `<target>`)."""
    return re.findall(r"<([^<>|]*)(?:\|[^<>]*)?>", mrkdwn)


def _no_bidi(payload: Any) -> bool:
    shown = json.dumps(payload, ensure_ascii=False)
    return not any(c in shown for c in BIDI)


async def test_slack_shows_hostile_transcripts_without_a_live_link_or_a_bidi_control(
    slack: SlackStandIn, hostile_index_dir: Path, redis_server: RedisServer
) -> None:
    async with slack_bot(slack_env(slack, hostile_index_dir, redis_server.url)) as bot:
        await bot.send(mention_event(QUESTION))
        [call] = await slack.wait_calls("chat.postMessage", 1)
    sections = [b["text"]["text"] for b in call.args["blocks"] if b["type"] in ("section",)]
    assert len(sections) == 2 and "evil.example" in "".join(sections)  # shown, as text
    links = [link for text in (call.args["text"], *sections) for link in _slack_links(text)]
    assert links and all(link.startswith(OURS) for link in links), links
    assert all(re.fullmatch(r"[^\s()<>\[\]|]+", link.replace("&amp;", "&")) for link in links), links
    assert _no_bidi(call.args)


async def test_discord_shows_hostile_transcripts_without_a_live_link_or_a_bidi_control(
    discord_api: DiscordStandIn,
    hostile_index_dir: Path,
    redis_server: RedisServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = discord_env(discord_api, hostile_index_dir, redis_server.url)
    async with discord_bot(env, monkeypatch):
        await discord_api.wait_ready()
        event = discord_api.message_create(QUESTION)
        await discord_api.dispatch("MESSAGE_CREATE", event)
        [answer] = await discord_api.wait_requests("POST", f"/channels/{event['id']}/messages")
        ask = discord_api.slash_command("ask", {"question": f"{MASKED} {QUESTION}"})
        await discord_api.dispatch("INTERACTION_CREATE", ask)
        [followup] = await discord_api.wait_requests("PATCH", "/webhooks/*/*/messages/@original")
    for sent in (answer, followup):
        assert sent.status == 200, sent.response  # Discord refuses an embed whose url is not a URL
        embeds = sent.json["embeds"]
        assert len(embeds) == 2 and "evil.example" in json.dumps(embeds)  # shown, as text
        texts = [sent.json["content"]] + [e.get(key, "") for e in embeds for key in ("title", "description")]
        links = [link for text in texts for link in _discord_links(text)]
        links += [e["url"] for e in embeds if "url" in e]
        assert links and all(link.startswith(OURS) for link in links), links
        assert _no_bidi(sent.json)
