"""`onrecord feed sync` against podcast feeds served over loopback, run as a user runs it."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web

from onrecord import index

ONRECORD = shutil.which("onrecord", path=str(Path(sys.executable).parent)) or "onrecord"
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
Handler = Callable[[web.Request], Awaitable[web.Response]]

JSON_TRANSCRIPT = json.dumps({"version": "1.0.0", "segments": [
    {"speaker": "Mara Quill", "startTime": 0.5, "endTime": 4.0,
     "body": "The zephyrine lighthouse keeper logged every storm by hand."},
    {"speaker": "Tom Reyes", "startTime": 4.0, "endTime": 7.5, "body": "And he never missed a night?"},
]})  # fmt: skip
VTT = """WEBVTT

00:00:01.000 --> 00:00:05.000
<v Mara Quill>Glassblowers in the valley shaped the quorlite vases over open fire.

00:00:05.000 --> 00:00:09.000
<v Ines Baro>Every vase took three days to cool.
"""
PLAIN = "The cartographer drew the marshland with a brass ruler and vermilion ink, mile after mile.\n"
HTML = """<html><head><title>ignored</title></head><body>
<cite>Ines Baro:</cite><time>0:00</time><p>The ferryman rowed the tallowick barge across at dawn.</p>
<cite>Tom Reyes:</cite><time>0:12</time><p>How many crossings did he make a day?</p>
</body></html>"""
NEW_EPISODE_TEXT = "The beekeepers moved their hives up the mountain when the clover bloomed, said Mara.\n"


def item(guid: str, title: str, transcripts: list[tuple[str, str]], people: tuple[str, ...] = ()) -> str:
    tags = "".join(f'<podcast:transcript url="{{base}}{path}" type="{kind}"/>' for path, kind in transcripts)
    persons = "".join(f'<podcast:person role="guest">{name}</podcast:person>' for name in people)
    return (
        f"<item><title>{title}</title><link>https://shows.example/{guid}</link>"
        f'<guid isPermaLink="false">{guid}</guid><pubDate>Tue, 10 Nov 2026 10:00:00 GMT</pubDate>'
        f'<enclosure url="https://cdn.example/{guid}.mp3" type="audio/mpeg" length="1234"/>'
        f"{tags}{persons}</item>"
    )


def rss(show: str, items: list[str], channel_people: tuple[str, ...] = ()) -> str:
    persons = "".join(f"<podcast:person>{name}</podcast:person>" for name in channel_people)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:podcast="{PODCAST_NS}" '
        f'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>{show}</title>'
        f"<link>https://shows.example</link><language>en</language>{persons}{''.join(items)}</channel></rss>"
    )


@dataclass
class Shows:
    """The feeds' state and what the server was asked."""

    base: str = ""
    a_items: list[str] = field(default_factory=list)
    a_etag: str = '"a-1"'
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)


def app(shows: Shows) -> web.Application:
    last_modified = "Tue, 10 Nov 2026 12:00:00 GMT"

    async def feed_a(request: web.Request) -> web.Response:
        shows.requests.append((request.path, dict(request.headers)))
        if request.headers.get("If-None-Match") == shows.a_etag:
            return web.Response(status=304)
        body = rss("Harbor Stories", shows.a_items, ("Mara Quill",)).replace("{base}", shows.base)
        return web.Response(text=body, content_type="application/rss+xml", headers={"ETag": shows.a_etag})

    async def feed_b(request: web.Request) -> web.Response:
        # Sends Last-Modified but ignores If-Modified-Since, as many hosts do: GUIDs stop a second fetch
        shows.requests.append((request.path, dict(request.headers)))
        items = [
            item("b-1", "Wrong type", [("/b1.json", "application/json")]),
            item("b-2", "Too big", [("/huge.vtt", "text/vtt")]),
            item("b-3", "The ferry", [("/b3.html", "text/html")], ("Ines Baro", "Tom Reyes")),
        ]
        body = rss("Valley Crafts", items).replace("{base}", shows.base)
        return web.Response(
            text=body, content_type="application/rss+xml", headers={"Last-Modified": last_modified}
        )

    async def feed_c(request: web.Request) -> web.Response:
        body = rss("Broken", [item("c-1", "Cut off", [("/broken.json", "application/json")])])
        return web.Response(text=body.replace("{base}", shows.base), content_type="application/rss+xml")

    async def huge(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/vtt"})  # chunked: no length given
        await response.prepare(request)
        await response.write(b"WEBVTT\n\n")
        for _ in range(40):
            await response.write(b"x" * 64 * 1024)
        await response.write_eof()
        return response

    def serve(text: str, content_type: str) -> Handler:
        async def handler(request: web.Request) -> web.Response:
            return web.Response(text=text, content_type=content_type)

        return handler

    application = web.Application()
    application.add_routes([
        web.get("/a.xml", feed_a),
        web.get("/b.xml", feed_b),
        web.get("/huge.vtt", huge),
        web.get("/a1.json", serve(JSON_TRANSCRIPT, "application/json")),
        web.get("/a1.html", serve("<p>worse format</p>", "text/html")),
        web.get("/a2.vtt", serve(VTT, "text/vtt")),
        web.get("/a3.txt", serve(PLAIN, "text/plain")),
        web.get("/a5.txt", serve(NEW_EPISODE_TEXT, "text/plain")),
        web.get("/b1.json", serve("<html>Sign in</html>", "text/html")),
        web.get("/b3.html", serve(HTML, "text/html")),
        web.get("/broken.json", serve('{"segments": [', "application/json")),
        web.get("/c.xml", feed_c),
        web.get("/shop", serve("<html><title>Shop</title><p>Buy</p></html>", "text/html")),
    ])  # fmt: skip
    return application


@pytest.fixture
async def shows() -> AsyncIterator[Shows]:
    state = Shows()
    runner = web.AppRunner(app(state))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    state.base = f"http://127.0.0.1:{port}"
    state.a_items = [
        item("a-1", "The lighthouse", [("/a1.json", "application/json"), ("/a1.html", "text/html")]),
        item("a-2", "Glass in the valley", [("/a2.vtt", "text/vtt")], ("Mara Quill", "Ines Baro")),
        item("a-3", "Maps", [("/missing.srt", "application/x-subrip"), ("/a3.txt", "text/plain")]),
        item("a-4", "No transcript", []),
    ]
    yield state
    await runner.cleanup()


def refusing_url() -> str:
    """An address on loopback where nothing listens: the connection is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/feed.xml"


def transcript_files(folder: Path) -> dict[str, int]:
    """The transcripts and sidecars, with the time each was written."""
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir() if not p.name.startswith(".")}


async def onrecord(*args: str, cache: Path) -> tuple[int, str, str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "NO_COLOR": "1"}
    proc = await asyncio.create_subprocess_exec(
        ONRECORD, *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_feed_sync_fetches_new_episodes_skips_the_broken_and_rebuilds_the_index(
    shows: Shows, tmp_path: Path
) -> None:
    folder, out, cache = tmp_path / "feeds", tmp_path / "index", tmp_path / "cache"
    refused = refusing_url()
    urls = [f"{shows.base}/a.xml", f"{shows.base}/b.xml", refused]
    sync = ("feed", "sync", *urls, "--into", str(folder), "--index", str(out), "--max-mb", "1")

    code, stdout, stderr = await onrecord(*sync, cache=cache)
    print(stdout)
    assert code == 1, stderr  # a feed could not be read
    assert stderr == ""
    lines = stdout.splitlines()
    assert f"skipped {shows.base}/missing.srt (Maps): HTTP 404 Not Found" in lines
    assert (
        f"skipped {shows.base}/b1.json (Wrong type): wrong content type text/html for a .json file" in lines
    )
    assert f"skipped {shows.base}/huge.vtt (Too big): larger than 1 MB" in lines
    port = refused.split(":")[2].split("/")[0]
    assert f"skipped feed {refused}: cannot connect to 127.0.0.1:{port} (Connection refused)" in lines
    assert "Feeds: 3 (1 failed). New episodes: 6. Transcripts fetched: 4." in lines
    assert "Skipped: 1 HTTP 404; 1 wrong content type; 1 larger than 1 MB." in lines
    assert any(line.startswith(f"Indexed 4 documents -> {out}") for line in lines)

    saved = sorted(p.name for p in folder.iterdir())
    transcripts = [name for name in saved if not name.endswith(".meta.json") and not name.startswith(".")]
    assert sorted(Path(name).suffix for name in transcripts) == [".html", ".json", ".txt", ".vtt"]
    assert not any(name.startswith(".download-") for name in saved)  # no partial file left behind
    glass = next(name for name in transcripts if name.endswith(".vtt"))
    meta = json.loads((folder / glass).with_suffix(".meta.json").read_text())
    assert meta == {
        "title": "Glass in the valley", "url": "https://shows.example/a-2", "show": "Harbor Stories",
        "speakers": ["Mara Quill", "Ines Baro"], "date": "2026-11-10",
    }  # fmt: skip
    maps = next(name for name in transcripts if name.endswith(".txt"))
    assert json.loads((folder / maps).with_suffix(".meta.json").read_text())["speakers"] == ["Mara Quill"]

    code, stdout, stderr = await onrecord(
        "ask", "--index", str(out), "--json", "zephyrine lighthouse", cache=cache
    )
    assert code == 0, stderr
    best = json.loads(stdout)["results"][0]
    assert best["title"] == "The lighthouse" and "zephyrine lighthouse keeper" in best["quote"]
    assert best["speaker"] == "Mara Quill"

    # Again: feed A answers 304 to its ETag, feed B is re-read but its saved episodes are known by GUID
    before = transcript_files(folder)
    version = index.load(out).version
    shows.requests.clear()
    code, stdout, stderr = await onrecord(*sync, cache=cache)
    print(stdout)
    assert code == 1, stderr
    assert dict(shows.requests)["/a.xml"].get("If-None-Match") == '"a-1"'
    assert dict(shows.requests)["/a.xml"]["User-Agent"].startswith("OnRecord/")
    assert dict(shows.requests)["/b.xml"].get("If-Modified-Since") == "Tue, 10 Nov 2026 12:00:00 GMT"
    assert f"{shows.base}/a.xml: not changed since the last sync" in stdout
    assert "Transcripts fetched: 0." in stdout
    assert "Indexed" not in stdout  # nothing new: the index is left as it was
    assert transcript_files(folder) == before  # none fetched again, none lost
    assert index.load(out).version == version

    # A new episode in feed A: only it is fetched, and the index is rebuilt with it
    shows.a_items.insert(0, item("a-5", "Bees", [("/a5.txt", "text/plain")]))
    shows.a_etag = '"a-2"'
    code, stdout, stderr = await onrecord(*sync, cache=cache)
    print(stdout)
    assert f"{shows.base}/a.xml: Harbor Stories, 5 episodes, 1 new" in stdout
    assert "Transcripts fetched: 1." in stdout and "Indexed 5 documents" in stdout
    code, stdout, stderr = await onrecord(
        "ask", "--index", str(out), "--json", "beekeepers clover", cache=cache
    )
    assert json.loads(stdout)["results"][0]["title"] == "Bees"


async def test_bad_input_is_one_line(shows: Shows, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    code, stdout, stderr = await onrecord(
        "feed", "sync", f"{shows.base}/shop", "--into", str(tmp_path), cache=cache
    )
    assert code == 1
    assert f"skipped feed {shows.base}/shop: not an RSS or Atom feed" in stdout
    assert "Feeds: 1 (1 failed). New episodes: 0. Transcripts fetched: 0." in stdout

    code, stdout, stderr = await onrecord(
        "feed", "sync", "shows.example/rss", "--into", str(tmp_path), cache=cache
    )
    assert code == 2 and stderr.splitlines()[-1] == (
        "onrecord feed sync: error: argument URL: expected a feed's http:// or https:// address, "
        "got 'shows.example/rss'"
    )

    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("x")
    code, stdout, stderr = await onrecord(
        "feed", "sync", f"{shows.base}/a.xml", "--into", str(not_a_folder), cache=cache
    )
    assert (code, stderr) == (1, f"onrecord: {not_a_folder}: not a folder\n")


async def test_an_index_is_not_replaced_by_one_without_transcripts(shows: Shows, tmp_path: Path) -> None:
    folder, out, cache = tmp_path / "feeds", tmp_path / "index", tmp_path / "cache"
    sync = ("feed", "sync", "--into", str(folder), "--index", str(out))
    code, stdout, stderr = await onrecord(*sync, f"{shows.base}/c.xml", cache=cache)
    assert code == 0
    assert f"{shows.base}/c.xml: Broken, 1 episode, 1 new" in stdout
    assert "Transcripts fetched: 1." in stdout  # it is JSON, cut off: the index build names it and skips it
    assert f"No transcript in {folder} could be read; {out} left as it was" in stdout
    assert "malformed JSON" in stderr
    assert not out.exists()
