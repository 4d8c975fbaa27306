"""A quote's page in a real browser: headless Chromium (Debian's package, driven by Selenium through
Debian's chromedriver), on a phone-sized screen, against the bot's HTTP server over loopback."""

from __future__ import annotations

import asyncio
import re
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from onrecord import index
from onrecord.bot.health import HealthServer
from onrecord.bot.metrics import Metrics
from onrecord.bot.service import AnswerService, AskOptions
from onrecord.bot.state import State
from onrecord.bot.wording import QUOTE_GONE
from onrecord.index.quotes import ELLIPSIS
from tests.bot.episode import CUES, HOSTILE_CUE, QUESTION, QUOTE, QUOTED_CUE, TITLE, VIDEO, speaker

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
PHONE = {"width": 390, "height": 844, "pixelRatio": 3.0}


class ServerThread:
    """The bot's HTTP server on its own event loop in a thread, so the (blocking) browser can call it."""

    def __init__(self, idx: index.Index) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server = HealthServer(
            port=0, index=lambda: idx, redis_status=lambda: "disabled", metrics=Metrics(), host="127.0.0.1"
        )

    def __enter__(self) -> str:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._server.__aenter__(), self._loop).result(timeout=30)
        return f"http://127.0.0.1:{self._server.port}"

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._server.__aexit__(None, None, None), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if chromium is None or driver is None:
        pytest.fail("chromium and chromedriver are not on PATH (.ci/run installs them)")
    options = Options()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(argument)
    options.add_experimental_option("mobileEmulation", {"deviceMetrics": PHONE})
    chrome = webdriver.Chrome(service=Service(driver), options=options)  # a given driver: nothing downloaded
    yield chrome
    chrome.quit()


@pytest.fixture(scope="module")
def episode_index(tmp_path_factory: pytest.TempPathFactory) -> index.Index:
    from tests.bot.episode import write_episode

    folder = tmp_path_factory.mktemp("episode")
    write_episode(folder)
    return index.build([folder])


@pytest.fixture(scope="module")
def served(episode_index: index.Index) -> Iterator[str]:
    with ServerThread(episode_index) as base:
        yield base


def quote_url(idx: index.Index, base: str) -> tuple[str, str]:
    """The link an answer gives to its first quote, and that quote as the page should mark it."""
    result = asyncio.run(AnswerService(idx, State(None), public_url=base).ask(QUESTION)).results[0]
    assert result.context_url is not None and QUOTE in result.quote
    return result.context_url, result.quote.removeprefix(f"{ELLIPSIS} ").removesuffix(f" {ELLIPSIS}")


def js(browser: WebDriver, script: str) -> Any:
    return browser.execute_script(script)


def cues_shown(browser: WebDriver) -> list[int]:
    """The episode's cues on the page, in order (the quoted cue is the one without a number)."""
    text = " ".join(p.text for p in browser.find_elements(By.CSS_SELECTOR, ".turn p:not(.who)"))
    return [int(n) if n else QUOTED_CUE for n in re.findall(r"Cue (\d+)|lighthouse keeper", text)]


def test_the_quote_is_marked_and_scrolled_into_view_on_a_phone(
    browser: WebDriver, served: str, episode_index: index.Index, tmp_path: Path
) -> None:
    url, quote = quote_url(episode_index, served)
    browser.get(url)
    marks = browser.find_elements(By.TAG_NAME, "mark")
    assert marks and marks[0].get_attribute("id") == "quote"
    assert " ".join(m.text for m in marks) == quote
    assert all(m.value_of_css_property("background-color") not in ("rgba(0, 0, 0, 0)", "") for m in marks)
    top, bottom, height = js(
        browser,
        "const r = document.getElementById('quote').getBoundingClientRect();"
        "return [r.top, r.bottom, window.innerHeight];",
    )
    assert js(browser, "return window.scrollY") > 0  # it was below the fold: the browser scrolled to it
    assert 0 <= top < bottom <= height
    assert js(browser, "return document.documentElement.scrollWidth <= window.innerWidth")  # no sideways
    assert js(browser, "return window.innerWidth") == PHONE["width"]
    shot = tmp_path / "quote-page.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 0


def test_each_turn_shows_its_speaker_and_links_its_time_to_that_moment(
    browser: WebDriver, served: str, episode_index: index.Index
) -> None:
    browser.get(quote_url(episode_index, served)[0])
    header = browser.find_element(By.TAG_NAME, "header")
    assert TITLE in header.text and "COAST & SEA" in header.text.upper()
    assert header.find_element(By.LINK_TEXT, "The recording").get_attribute("href") == VIDEO
    turns = browser.find_elements(By.CLASS_NAME, "turn")
    assert len(turns) >= 8
    for turn in turns:
        first = cues_shown_in(turn)
        assert turn.find_element(By.CLASS_NAME, "speaker").text == speaker(first)
        time_link = turn.find_element(By.CLASS_NAME, "time")
        assert time_link.text == f"{10 * first // 60}:{10 * first % 60:02d}"
        assert time_link.get_attribute("href") == f"{VIDEO}&t={10 * first}s"


def cues_shown_in(turn: Any) -> int:
    found = re.search(r"Cue (\d+)|lighthouse keeper", turn.find_element(By.CSS_SELECTOR, "p:not(.who)").text)
    assert found is not None
    return int(found[1]) if found[1] else QUOTED_CUE


def test_earlier_and_later_walk_through_the_whole_episode(
    browser: WebDriver, served: str, episode_index: index.Index
) -> None:
    url, _ = quote_url(episode_index, served)
    browser.get(url)
    around = cues_shown(browser)
    assert around == list(range(around[0], around[-1] + 1)) and QUOTED_CUE in around
    for link, end, step in (("Later ↓", "The end of the episode", 1), ("↑ Earlier", "The start", -1)):
        browser.get(url)
        seen = list(around)
        for _ in range(CUES):
            links = browser.find_elements(By.PARTIAL_LINK_TEXT, link.strip("↑↓ "))
            if not links:
                break
            links[0].click()
            page = cues_shown(browser)
            assert page == list(range(page[0], page[-1] + 1))  # one stretch, in order
            assert (page[0] if step == 1 else page[-1]) == (seen[-1] if step == 1 else seen[0]) + step
            seen = seen + page if step == 1 else page + seen
        assert end in browser.find_element(By.TAG_NAME, "main").text
        assert seen[0 if step == -1 else -1] == (0 if step == -1 else CUES - 1)
    # Far from the quote, a link leads back to it.
    browser.find_element(By.LINK_TEXT, "Back to the quote").click()
    assert browser.current_url == url and browser.find_element(By.ID, "quote").is_displayed()


def test_hostile_transcript_text_shows_as_text_and_runs_nothing(
    browser: WebDriver, served: str, episode_index: index.Index
) -> None:
    browser.get(quote_url(episode_index, served)[0])
    assert HOSTILE_CUE in cues_shown(browser)
    text = browser.find_element(By.TAG_NAME, "main").text
    assert '<script>window.pwned=1</script> and "><img src=x onerror="window.pwned=2">' in text
    assert browser.find_elements(By.CSS_SELECTOR, "script, img, b") == []
    assert browser.title.startswith(TITLE)
    assert js(browser, "return typeof window.pwned") == "undefined"


def test_a_link_to_a_gone_episode_gets_a_friendly_page(
    browser: WebDriver, episode_index: index.Index, served: str, tmp_path: Path
) -> None:
    url, _ = quote_url(episode_index, served)
    (tmp_path / "other.txt").write_text("Another episode, about gardens and nothing else.\n", "utf-8")
    with ServerThread(index.build([tmp_path / "other.txt"])) as base:
        browser.get(base + url.removeprefix(served))
        assert browser.find_element(By.TAG_NAME, "h1").text == "Not on record"
        assert QUOTE_GONE in browser.find_element(By.TAG_NAME, "main").text


def test_the_page_of_a_quote_in_the_largest_seed(browser: WebDriver, seed_index: index.Index) -> None:
    """Figures for the record, not limits: the page's size, the server's time, the browser's time."""
    largest = max(SEEDS.glob("*.txt"), key=lambda p: p.stat().st_size)
    doc = next(d for d in seed_index.documents if d.source == largest.name)
    with ServerThread(seed_index) as base:
        service = AnswerService(seed_index, State(None), public_url=base)
        answer = asyncio.run(service.ask("robots in the home", AskOptions(episode=doc.id)))
        url = answer.results[0].context_url
        assert url is not None
        started = time.perf_counter()
        browser.get(url)
        elapsed = time.perf_counter() - started
        timing = js(
            browser,
            "const n = performance.getEntriesByType('navigation')[0];"
            "return [n.responseStart - n.requestStart, n.domContentLoadedEventEnd, n.loadEventEnd,"
            " n.encodedBodySize];",
        )
    assert browser.find_element(By.ID, "quote").is_displayed()
    print(
        f"\nlargest seed {largest.name} ({largest.stat().st_size // 1024} KB): page {timing[3]} bytes, "
        f"{len(browser.find_elements(By.CLASS_NAME, 'turn'))} turns; "
        f"server {timing[0]:.1f} ms to first byte, DOM ready {timing[1]:.1f} ms, "
        f"loaded {timing[2]:.1f} ms; WebDriver get {elapsed * 1000:.0f} ms"
    )
