"""Make the README's pictures from the bot's real output on the bundled seed transcripts:

- context-page.png: the page of a seed quote (the bot's HTTP server) in headless Chromium (Debian's
  chromium and chromedriver, driven by Selenium, as tests/bot/test_context_browser.py does), from its
  header down to the marked quote;
- discord-reply.png: the Discord reply to the README's example question, drawn from the embeds and
  buttons the bot sends (bot/discord/render.py, bot/discord/buttons.py) with a minimal chat style of ours;
- quote-card.png: the daily quote card of the page's quote, as the bot attaches it (`…@card`).

    python docs/images/make_pictures.py      # from the repository, in its virtual environment

The quote is the most quotable seed passage (as index/quotability/ scores them).
"""

from __future__ import annotations

import asyncio
import base64
import io
import re
import shutil
import sys
import tempfile
import threading
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from html import escape
from pathlib import Path
from typing import Any, TypeVar

from discord.ui import Button
from PIL import Image
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

from onrecord import index
from onrecord.bot.answer import Result
from onrecord.bot.daily.card import quote_card
from onrecord.bot.discord.buttons import answer_view
from onrecord.bot.discord.render import DiscordMessage, answer_message
from onrecord.bot.health import HealthServer
from onrecord.bot.metrics import Metrics
from onrecord.bot.service import AnswerService
from onrecord.bot.state import State

HERE = Path(__file__).resolve().parent
SEEDS = HERE.parents[1] / "seeds"
WIDTH = 720  # CSS pixels: the page's column (42rem) and its margins, as on a tablet or a desktop
SCALE = 1.5  # device pixels per CSS pixel: sharp text, small files
COLOURS = 64  # the screenshots are text on flat colours: a palette keeps them small
QUESTION = "Why did Jerry leave OpenAI?"  # the README's example
PUBLIC_URL = "https://onrecord.example.org"  # the README's example ONRECORD_PUBLIC_URL
T = TypeVar("T")

# From the page's top to the end of the paragraph that holds the marked quote.
PAGE_BOTTOM = "return document.querySelector('mark').closest('section').getBoundingClientRect().bottom + 16"
REPLY_BOTTOM = "return document.querySelector('.message').getBoundingClientRect().bottom + 16"

_DISCORD_CSS = """\
body{margin:0;background:#313338;color:#dbdee1;font:16px/1.375 "DejaVu Sans",sans-serif}
.message{display:flex;gap:16px;padding:16px}
.avatar{flex:none;width:40px;height:40px;border-radius:50%;background:#5865f2;color:#fff;\
font-weight:bold;font-size:14px;display:flex;align-items:center;justify-content:center}
.name{font-weight:bold;color:#f2f3f5}
.tag{margin-left:6px;padding:0 4px;border-radius:3px;background:#5865f2;color:#fff;font-size:10px}
p{margin:2px 0}
a{color:#00a8fc;text-decoration:none}
.embed{margin-top:8px;max-width:520px;padding:8px 16px 12px 12px;border-left:4px solid;border-radius:4px;\
background:#2b2d31;font-size:14px}
.title{font-weight:bold;margin:4px 0 8px}
blockquote{margin:0 0 8px;padding-left:12px;border-left:4px solid #4e5058}
.buttons{display:flex;gap:8px;margin-top:8px}
.button{padding:4px 16px;border-radius:3px;background:#4e5058;color:#fff;font-size:14px}
"""
# The Markdown that bot/discord/render.py writes: backslash escapes and masked links, inline.
_DISCORD_INLINE = re.compile(r"\\(.)|\[([^\]]*)\]\(([^)\s]*)\)")


async def seed_quote(idx: index.Index, base: str) -> Result:
    """The most quotable seed excerpt of an episode with a show and title (one naming its speaker, if
    any does), with its page's address under `base`."""
    service = AnswerService(idx, State(None), public_url=base)
    version, candidates = await service.quotable()
    found: list[tuple[bool, float, str, Result]] = []
    for candidate in candidates:
        result, _ = await service.excerpt(version, candidate.passage_id, candidate.start, candidate.end)
        if result.show and result.context_url:
            found.append((result.speaker is None, -candidate.score, candidate.key, result))
    if not found:
        raise SystemExit("no seed quote comes from an episode with a show")
    return min(found, key=lambda f: f[:3])[3]


async def seed_reply(idx: index.Index) -> str:
    """The Discord reply to QUESTION (with "Read in context" links) as a page of HTML."""
    answer = await AnswerService(idx, State(None), public_url=PUBLIC_URL).ask(QUESTION)
    view = answer_view(answer)
    items = [] if view is None else [getattr(child, "item", child) for child in view.children]  # DynamicItem
    labels = [" ".join(str(p) for p in (b.emoji, b.label) if p) for b in items if isinstance(b, Button)]
    return discord_page(answer_message(answer), labels)


def discord_page(message: DiscordMessage, buttons: list[str]) -> str:
    """A bot's message as Discord shows it, roughly: its content line, embeds and buttons."""
    embeds = "".join(
        f'<div class="embed" style="border-color:#{embed.colour.value if embed.colour else 0:06x}">'
        f'<p class="title"><a href="{escape(embed.url or "")}">{discord_html(embed.title or "")}</a></p>'
        + "".join(_discord_paragraph(part) for part in (embed.description or "").split("\n\n"))
        + "</div>"
        for embed in message.embeds
    )
    row = "".join(f'<span class="button">{escape(label)}</span>' for label in buttons)
    return (
        f'<!doctype html>\n<html><head><meta charset="utf-8"><style>{_DISCORD_CSS}</style></head><body>'
        '<div class="message"><div class="avatar">OR</div><div>'
        '<p><span class="name">OnRecord</span><span class="tag">APP</span></p>'
        f"<p>{discord_html(message.content)}</p>{embeds}"
        f'<div class="buttons">{row}</div></div></div></body></html>\n'
    )


def _discord_paragraph(text: str) -> str:
    lines = text.split("\n")
    if all(line.startswith("> ") for line in lines):
        return f"<blockquote>{'<br>'.join(discord_html(line[2:]) for line in lines)}</blockquote>"
    return f"<p>{'<br>'.join(discord_html(line) for line in lines)}</p>"


def discord_html(text: str) -> str:
    """One line of the renderer's Discord Markdown as escaped HTML."""
    out, at = [], 0
    for match in _DISCORD_INLINE.finditer(text):
        out.append(escape(text[at : match.start()]))
        if match[1] is not None:
            out.append(escape(match[1]))
        else:
            out.append(f'<a href="{escape(match[3])}">{escape(match[2])}</a>')
        at = match.end()
    return "".join(out) + escape(text[at:])


@contextmanager
def chromium() -> Iterator[webdriver.Chrome]:
    path, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if path is None or driver is None:
        raise SystemExit("chromium and chromedriver are needed on PATH (.ci/run installs them)")
    options = Options()
    options.binary_location = path
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(argument)
    browser = webdriver.Chrome(service=Service(driver), options=options)
    try:
        metrics = {"width": WIDTH, "height": 900, "deviceScaleFactor": SCALE, "mobile": False}
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
        yield browser
    finally:
        browser.quit()


def screenshot(browser: webdriver.Chrome, url: str, bottom: str) -> bytes:
    """The page at `url` from its top down to `bottom` (a script returning a viewport y), however far it
    has scrolled, as a palette PNG."""
    browser.get(url)
    height = float(browser.execute_script(bottom)) + float(browser.execute_script("return window.scrollY"))
    clip = {"x": 0, "y": 0, "width": WIDTH, "height": height, "scale": 1}
    shot = browser.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
    )
    out = io.BytesIO()
    image = Image.open(io.BytesIO(base64.b64decode(shot["data"]))).convert("RGB")
    image.quantize(COLOURS).save(out, format="PNG", optimize=True)
    return out.getvalue()


def main() -> int:
    idx = index.build([str(SEEDS)])
    loop = asyncio.new_event_loop()  # the server runs in a thread: the browser blocks this one
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    def run(work: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, loop).result(timeout=300)

    server = HealthServer(
        port=0, index=lambda: idx, redis_status=lambda: "disabled", metrics=Metrics(), host="127.0.0.1"
    )
    run(server.__aenter__())
    try:
        result = run(seed_quote(idx, f"http://127.0.0.1:{server.port}"))
        assert result.context_url is not None
        with chromium() as browser, tempfile.TemporaryDirectory() as folder:
            page = screenshot(browser, result.context_url, PAGE_BOTTOM)
            html = Path(folder) / "reply.html"
            html.write_text(run(seed_reply(idx)), encoding="utf-8")
            reply = screenshot(browser, html.as_uri(), REPLY_BOTTOM)
    finally:
        run(server.__aexit__(None, None, None))
        loop.call_soon_threadsafe(loop.stop)
    (HERE / "context-page.png").write_bytes(page)
    (HERE / "discord-reply.png").write_bytes(reply)
    (HERE / "quote-card.png").write_bytes(quote_card(result).png)
    print(f"“{result.quote}” — {result.show}: {result.title}")
    for name in ("context-page.png", "discord-reply.png", "quote-card.png"):
        print(f"{HERE / name}: {(HERE / name).stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
