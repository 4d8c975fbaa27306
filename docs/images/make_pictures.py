"""Make the README's pictures from the bot's real output on the bundled seed transcripts:

- context-page.png: the page of a seed quote (the bot's HTTP server), as headless Chromium shows it on a
  phone (Debian's chromium and chromedriver, driven by Selenium, as tests/bot/test_context_browser.py does);
- quote-card.png: the daily quote card of the same quote, as the bot attaches it (`…@card`).

    python docs/images/make_pictures.py      # from the repository, in its virtual environment

The quote is the most quotable seed passage (as index/quotable.py scores them).
"""

from __future__ import annotations

import asyncio
import io
import shutil
import sys
import threading
from pathlib import Path

from PIL import Image
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

from onrecord import index
from onrecord.bot.answer import Result
from onrecord.bot.daily.card import quote_card
from onrecord.bot.health import HealthServer
from onrecord.bot.metrics import Metrics
from onrecord.bot.service import AnswerService
from onrecord.bot.state import State

HERE = Path(__file__).resolve().parent
SEEDS = HERE.parents[1] / "seeds"
PHONE = {"width": 390, "height": 844, "pixelRatio": 2.0}
PAGE_COLOURS = 64  # the screenshot is text on flat colours: a palette keeps it small


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


def screenshot(url: str) -> bytes:
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if chromium is None or driver is None:
        raise SystemExit("chromium and chromedriver are needed on PATH (.ci/run installs them)")
    options = Options()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(argument)
    options.add_experimental_option("mobileEmulation", {"deviceMetrics": PHONE})
    browser = webdriver.Chrome(service=Service(driver), options=options)
    try:
        browser.get(url)
        return browser.get_screenshot_as_png()
    finally:
        browser.quit()


def small_png(png: bytes, colours: int) -> bytes:
    out = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").quantize(colours).save(out, format="PNG", optimize=True)
    return out.getvalue()


def main() -> int:
    idx = index.build([str(SEEDS)])
    loop = asyncio.new_event_loop()  # the server runs in a thread: the browser blocks this one
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server = HealthServer(
        port=0, index=lambda: idx, redis_status=lambda: "disabled", metrics=Metrics(), host="127.0.0.1"
    )
    asyncio.run_coroutine_threadsafe(server.__aenter__(), loop).result(timeout=60)
    try:
        quote = asyncio.run_coroutine_threadsafe(seed_quote(idx, f"http://127.0.0.1:{server.port}"), loop)
        result = quote.result(timeout=300)
        assert result.context_url is not None
        page = small_png(screenshot(result.context_url), PAGE_COLOURS)
    finally:
        asyncio.run_coroutine_threadsafe(server.__aexit__(None, None, None), loop).result(timeout=60)
        loop.call_soon_threadsafe(loop.stop)
    (HERE / "context-page.png").write_bytes(page)
    (HERE / "quote-card.png").write_bytes(quote_card(result).png)
    print(f"“{result.quote}” — {result.show}: {result.title}")
    for name in ("context-page.png", "quote-card.png"):
        print(f"{HERE / name}: {(HERE / name).stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
