"""/healthz and /metrics over real HTTP, and the runtime that composes everything."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

import aiohttp
import pytest

from onrecord import index
from onrecord.bot.app import Runtime, build_runtime, load_index, run
from onrecord.bot.health import HealthServer
from onrecord.bot.logs import configure_logging
from onrecord.bot.metrics import Metrics
from onrecord.bot.service import AnswerService
from onrecord.bot.startup import StartupError
from onrecord.bot.state import State
from tests.bot.environment import settings_from
from tests.ports import free_port

if TYPE_CHECKING:
    from conftest import RedisServer


async def get(port: int, path: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}{path}") as resp:
        return resp.status, await resp.text()


async def test_healthz_and_metrics(seed_index: index.Index) -> None:
    metrics, state = Metrics(), State(None)
    service = AnswerService(seed_index, state, metrics=metrics)
    await service.ask("what is trust")
    await service.ask("what is trust")
    await service.ask("")
    server = HealthServer(port=0, index=lambda: seed_index, redis_status=lambda: "disabled", metrics=metrics)
    async with server:
        status, body = await get(server.port, "/healthz")
        assert status == 200
        health = json.loads(body)
        assert health["index"]["loaded"] and health["index"]["version"] == seed_index.version
        assert health["index"]["passages"] == len(seed_index.passages) > 0
        assert health["redis"] == "disabled"
        status, text = await get(server.port, "/metrics")
        assert status == 200
        assert 'onrecord_questions_total{outcome="ok"} 2.0' in text
        assert 'onrecord_questions_total{outcome="empty"} 1.0' in text
        assert "onrecord_cache_hits_total 1.0" in text and "onrecord_cache_misses_total 1.0" in text
        assert "onrecord_answer_seconds_bucket" in text and "onrecord_errors_total 0.0" in text


@pytest.fixture(scope="module")
def saved_index(seed_index: index.Index, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("index")
    seed_index.save(directory)
    return directory


async def test_the_runtime_composes_and_closes(saved_index: Path, redis_server: RedisServer) -> None:
    port = free_port()
    env = {
        "ONRECORD_INDEX": str(saved_index),
        "ONRECORD_HEALTH_PORT": str(port),
        "REDIS_URL": redis_server.url,
    }
    async with build_runtime(settings_from(env)) as runtime:
        answer = await runtime.service.ask("what is trust")
        assert answer.status == "ok" and not runtime.stopping.is_set()
        status, body = await get(port, "/healthz")
        assert status == 200 and json.loads(body)["redis"] == "ok"
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.wait_for(runtime.stopping.wait(), 5)
    with pytest.raises(aiohttp.ClientConnectorError):
        await get(port, "/healthz")


def test_a_corpus_is_indexed_at_start_even_beside_a_saved_index(saved_index: Path, tmp_path: Path) -> None:
    """As in the Docker image, which sets ONRECORD_INDEX: a corpus the user gives is what is answered from."""
    (tmp_path / "talk.txt").write_text("Owls hunt at night by sound alone.\n", encoding="utf-8")
    env = {"ONRECORD_INDEX": str(saved_index), "ONRECORD_CORPUS": str(tmp_path)}
    loaded = load_index(settings_from(env))
    assert [doc.source for doc in loaded.documents] == ["talk.txt"]


async def test_a_broken_index_stops_start_up(tmp_path: Path) -> None:
    env = {"ONRECORD_INDEX": str(tmp_path), "ONRECORD_HEALTH_PORT": str(free_port())}
    with pytest.raises(StartupError, match="ONRECORD_INDEX"):
        async with build_runtime(settings_from(env)):
            pass


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    stream = io.StringIO()
    configure_logging("DEBUG", stream)
    yield stream
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.captureWarnings(False)


def test_logs_are_json_lines(json_logs: io.StringIO) -> None:
    log = logging.getLogger("onrecord.bot.test")
    log.info("answered %s", "q1", extra={"answer_id": "abc"})
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("failed")
    first, second = (json.loads(line) for line in json_logs.getvalue().splitlines())
    assert first["msg"] == "answered q1" and first["answer_id"] == "abc" and first["level"] == "INFO"
    assert second["level"] == "ERROR" and "ValueError: boom" in second["exc"]


@pytest.fixture
def terminal() -> Iterator[tuple[IO[str], int]]:
    """A real terminal (a pseudo-terminal): its writing end as a text stream, and its reading end."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    reader, writer = os.openpty()
    with open(writer, "w", encoding="utf-8") as stream:  # noqa: PTH123 (a file descriptor, not a path)
        yield stream, reader
    os.close(reader)
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.captureWarnings(False)


def _log_a_warning_and_an_error(stream: IO[str], reader: int) -> list[str]:
    log = logging.getLogger("onrecord.bot.test")
    for emit in (log.warning, log.error):
        try:
            raise ConnectionError("network is unreachable")
        except ConnectionError:
            emit("cannot reach Slack", exc_info=True, extra={"attempt": 3})
    stream.write("end\n")
    stream.flush()
    shown = b""
    while not shown.endswith(b"end\r\n"):  # a terminal hands its lines over a few at a time
        shown += os.read(reader, 65536)
    return shown.decode().splitlines()[:-1]


def test_logs_on_a_terminal_are_plain_lines_with_tracebacks_only_for_errors(
    terminal: tuple[IO[str], int],
) -> None:
    stream, reader = terminal
    configure_logging("INFO", stream)
    lines = _log_a_warning_and_an_error(stream, reader)
    tail = "onrecord.bot.test: cannot reach Slack (attempt=3): ConnectionError: network is unreachable"
    assert lines[0].endswith(f"WARNING {tail}") and lines[1].endswith(f"ERROR {tail}")
    assert lines[2] == "Traceback (most recent call last):" and len(lines) > 3


def test_json_logs_on_a_terminal_when_asked(terminal: tuple[IO[str], int]) -> None:
    stream, reader = terminal
    configure_logging("INFO", stream, form="json")
    warning, error = (json.loads(line) for line in _log_a_warning_and_an_error(stream, reader))
    assert warning["attempt"] == 3 and "ConnectionError" in error["exc"]


def test_run_stops_on_a_bad_setting_with_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def main(runtime: Runtime) -> None:
        raise AssertionError("must not start")

    monkeypatch.setenv("ONRECORD_RESULTS", "many")
    assert run(main) == 2
    err = capsys.readouterr().err
    assert err == 'onrecord: ONRECORD_RESULTS must be a whole number from 1 to 10 (got "many")\n'
