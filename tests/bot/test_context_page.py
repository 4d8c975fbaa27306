"""A quote's page on the bot's HTTP server, over real HTTP: links that outlive restarts and rebuilds, the
answers that carry them, bad addresses, escaping and the security headers. (The browser's view of the page
is tested in test_context_browser.py.)"""

from __future__ import annotations

import re
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from html import unescape
from pathlib import Path

import aiohttp
import pytest

from onrecord import index
from onrecord.bot.app import build_runtime
from onrecord.bot.context_html import CONTENT_SECURITY_POLICY
from onrecord.bot.context_link import context_path
from onrecord.bot.health import HealthServer
from onrecord.bot.metrics import Metrics
from onrecord.bot.service import AnswerService, AskOptions
from onrecord.bot.state import State
from onrecord.bot.wording import QUOTE_GONE
from onrecord.index.context import DocumentText
from onrecord.index.quotes import ELLIPSIS
from onrecord.index.transcript import Segment, Transcript
from tests.bot.environment import settings_from
from tests.bot.episode import HOSTILE, QUESTION, QUOTE, TITLE, VIDEO, write_episode

_MARK = re.compile(r"<mark[^>]*>(.*?)</mark>", re.DOTALL)


def marked(page: str) -> str:
    """The text the page marks as the quote (a mark per turn it spans), the first mark the anchor."""
    assert '<mark id="quote">' in page
    return " ".join(unescape(text) for text in _MARK.findall(page))


@asynccontextmanager
async def serving(idx: index.Index) -> AsyncIterator[str]:
    """A bot's HTTP server over ``idx``; its base URL."""
    server = HealthServer(
        port=0, index=lambda: idx, redis_status=lambda: "disabled", metrics=Metrics(), host="127.0.0.1"
    )
    async with server:
        yield f"http://127.0.0.1:{server.port}"


async def fetch(url: str) -> tuple[int, str, dict[str, str]]:
    async with aiohttp.ClientSession() as session, session.get(url) as resp:
        return resp.status, await resp.text(), dict(resp.headers)


def core(quote: str) -> str:
    return quote.removeprefix(f"{ELLIPSIS} ").removesuffix(f" {ELLIPSIS}")


def saved(paths: list[Path], directory: Path) -> index.Index:
    """An index of ``paths`` built, saved and loaded again, as a restarted bot loads it."""
    index.build(paths).save(directory)
    return index.load(directory)


@pytest.fixture
def episode_dir(tmp_path: Path) -> Path:
    write_episode(tmp_path / "episodes")
    (tmp_path / "episodes" / "other.txt").write_text(
        "A second talk about gardens. It mentions nothing of the sea.\n", encoding="utf-8"
    )
    return tmp_path / "episodes"


async def test_a_link_names_the_same_words_after_a_restart_and_a_rebuild(
    episode_dir: Path, tmp_path: Path
) -> None:
    first = saved([episode_dir], tmp_path / "first")
    service = AnswerService(first, State(None), public_url="https://onrecord.example.org")
    answer = await service.ask(QUESTION)
    result = answer.results[0]
    assert QUOTE in result.quote and result.context_url is not None
    path = result.context_url.removeprefix("https://onrecord.example.org").removesuffix("#quote")
    async with serving(first) as base:
        status, page, _ = await fetch(base + path)
    assert status == 200 and marked(page) == core(result.quote)

    # Rebuilt with a file that sorts first: every passage id moves, the link still names the same words.
    (episode_dir / "000 intro.txt").write_text("An introduction. " * 400, encoding="utf-8")
    rebuilt = saved([episode_dir], tmp_path / "rebuilt")
    assert rebuilt.search(QUESTION, k=1)[0].passage.id != result.passage_id
    async with serving(rebuilt) as base:
        status, page, _ = await fetch(base + path)
    assert status == 200 and marked(page) == core(result.quote)

    # The episode leaves the transcripts: a friendly 404.
    for name in ("harbour.vtt", "harbour.meta.json"):
        (episode_dir / name).unlink()
    without = saved([episode_dir], tmp_path / "without")
    async with serving(without) as base:
        status, page, headers = await fetch(base + path)
    assert status == 404 and "Not on record" in page and unescape(QUOTE_GONE) in unescape(page)
    assert headers["Content-Type"] == "text/html; charset=utf-8"


@pytest.fixture(scope="module")
def episode_index(tmp_path_factory: pytest.TempPathFactory) -> index.Index:
    folder = tmp_path_factory.mktemp("episode")
    write_episode(folder)
    (folder / "bad.txt").write_text("Follow this link to hear more about the harbour.\n", encoding="utf-8")
    (folder / "bad.meta.json").write_text('{"url": "javascript:alert(1)", "title": "Bad link"}', "utf-8")
    return index.build([folder])


async def test_transcript_text_is_escaped_and_the_headers_are_strict(episode_index: index.Index) -> None:
    hit = episode_index.search(QUESTION, k=1)[0]
    service = AnswerService(episode_index, State(None), public_url="http://x.test")
    url = (await service.ask(QUESTION)).results[0].context_url
    assert url is not None and url.startswith("http://x.test/q/")
    async with serving(episode_index) as base:
        status, page, headers = await fetch(base + url.removeprefix("http://x.test"))
        bad = episode_index.search("link harbour hear more", k=1)[0]
        bad_path = context_path(bad.doc.id, bad.passage.char_start, bad.passage.char_end)
        _, bad_page, _ = await fetch(base + bad_path)
    assert status == 200
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert CONTENT_SECURITY_POLICY.startswith("default-src 'none'; style-src 'sha256-")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "<script" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in page and "&lt;b&gt;live&lt;/b&gt;" in page
    assert HOSTILE.split(" &amp;")[0] in unescape(page) and TITLE in unescape(page)
    # Each turn's time links to its moment in the video (YouTube's t=…s), the quote's turn included.
    assert f'<a class="time" href="{VIDEO}&amp;t={int(hit.start or 0) // 30 * 30}s">' in page
    assert "Bad link" in bad_page and "javascript:" not in bad_page and "The recording" not in bad_page


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/q/", 404),
        ("/q/zz", 404),
        ("/q/{doc}", 404),
        ("/q/{doc}/", 404),
        ("/q/{doc}/9-3", 404),
        ("/q/{doc}/3-3", 404),
        ("/q/{doc}/1-2-3", 404),
        ("/q/{doc}/a-b", 404),
        ("/q/{DOC}/0-10", 404),
        ("/q/{doc}/0-1234567890123", 404),
        ("/q/{doc}/0-99999999", 404),  # past the end of the document
        ("/q/{doc}/0-6000", 404),  # too long to be a quote
        ("/q/0123456789abcdef/0-10", 404),  # no such document
        ("/q/%00%ff/1-2", 404),
        ("/q/{doc}/١-٢", 404),  # digits, but not ASCII ones
        ("/q/{doc}/0-10?before=²", 400),
        ("/q/{doc}/0-10?before=x", 400),
        ("/q/{doc}/0-10?before=-1", 400),
        ("/q/{doc}/0-10?before=1&after=2", 400),
        ("/q/{doc}/0-10?after=1e9", 400),
        ("/q/{doc}/0-10?before=99999999999", 200),  # as far as the episode goes
        ("/q/{doc}/0-10?after=99999999999", 200),
        ("/q/{doc}/0-10?before=0", 200),
        ("/q/{doc}/0-10?after=0", 200),
        ("/q/{doc}/0-10?utm_source=chat", 200),
    ],
)
async def test_bad_addresses_get_a_friendly_4xx_never_a_500(
    episode_index: index.Index, path: str, status: int
) -> None:
    doc = next(d.id for d in episode_index.documents if d.source == "harbour.vtt")
    async with serving(episode_index) as base:
        got, page, headers = await fetch(base + path.format(doc=doc, DOC=doc.upper()))
    assert got == status
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert ("Not on record" in page) == (status != 200)
    assert ('<section class="turn">' in page) == (status == 200)  # never an empty page


async def test_answers_link_their_quotes_only_with_a_public_url(seed_index: index.Index) -> None:
    state = State(None)
    plain = await AnswerService(seed_index, state).ask("what is trust")
    assert plain.status == "ok" and all(r.context_url is None for r in plain.results)
    assert all(r.char_start is not None and r.char_end is not None for r in plain.results)
    # The same cached answer, read by a bot with a public URL: the links are made on the way out.
    linked = await AnswerService(seed_index, state, public_url="https://a.example/bot").ask("what is trust")
    assert linked.cached
    assert [r.context_url for r in linked.results] == [
        f"https://a.example/bot/q/{r.document_id}/{r.char_start}-{r.char_end}#quote" for r in plain.results
    ]
    service = AnswerService(seed_index, state, public_url="https://a.example")
    more = await service.more(linked.id, 1, question="what is trust", options=AskOptions())
    assert more is not None and all(r.context_url for r in more.results)
    quote = await service.quote()
    assert quote.results[0].context_url is not None


async def test_the_runtime_serves_the_pages_its_answers_link_to(episode_dir: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        "ONRECORD_CORPUS": str(episode_dir),
        "ONRECORD_HEALTH_PORT": str(port),
        "ONRECORD_PUBLIC_URL": f"http://127.0.0.1:{port}/",
    }
    async with build_runtime(settings_from(env)) as runtime:
        result = (await runtime.service.ask(QUESTION)).results[0]
        assert result.context_url is not None
        assert result.context_url.startswith(f"http://127.0.0.1:{port}/q/")
        status, page, _ = await fetch(result.context_url)
    assert status == 200 and marked(page) == core(result.quote)


async def test_sparse_time_marks_still_give_context_and_are_not_repeated() -> None:
    """As in Markdown transcripts with a time mark now and then: the turns before a mark are shown though
    their (carried) time is far from the quote's, a time is shown once, and a long turn is cut into
    paragraphs that do not repeat its speaker."""
    talk = [
        f"Ann's sentence number {i} is about the quiet weather on the northern coast today."
        for i in range(12)
    ]
    segments = [
        Segment(" ".join(talk), 0.0, None, "Ann", True),
        Segment("Zebras crossing the road at dawn surprised everyone.", 300.0, None, "Bob", True),
        Segment(" ".join(talk), None, None, "Ann", True),
    ]
    idx = index.build_from_transcripts(
        [Transcript("t.md", "t.md", "Sparse", segments, url="https://x.test/a")]
    )
    doc = idx.documents[0].id
    bob = next(s for s in DocumentText(idx).sentences(doc, 0, 10_000) if s.speaker == "Bob")
    assert bob.start == 300.0
    async with serving(idx) as base:
        status, page, _ = await fetch(base + context_path(doc, bob.char_start, bob.char_end))
    assert status == 200
    before, _, after = page.partition('<mark id="quote">')
    assert "number 11 is about" in before and "number 0 is about" not in before
    assert page.count('<a class="time" href="https://x.test/a?t=300">5:00</a>') == 1
    assert after.count('<section class="turn">') >= 2 and after.count('<span class="speaker">Ann</span>') == 1
