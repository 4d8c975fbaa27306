"""Shared fixtures: a real redis-server on a private unix socket, and the index over the bundled seeds."""

from __future__ import annotations

import asyncio
import inspect
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pytest

if TYPE_CHECKING:
    from onrecord import index

REPO = Path(__file__).resolve().parent.parent


class RedisServer:
    """A redis-server process the test may stop, start, pause (SIGSTOP) and resume (SIGCONT).

    With `REDIS_URL` set, that server is used instead and cannot be controlled (`external`).
    """

    def __init__(self, workdir: Path | None, url: str | None = None) -> None:
        self._workdir = workdir
        self._proc: subprocess.Popen[bytes] | None = None
        self._paused = False
        self.external = url is not None
        self.socket = workdir / "redis.sock" if workdir else None
        self.url = url or f"unix://{self.socket}"

    def start(self) -> None:
        self._require_control()
        assert self._workdir is not None and self.socket is not None
        self._proc = subprocess.Popen(
            ["redis-server", "--port", "0", "--unixsocket", str(self.socket), "--unixsocketperm", "700",
             "--save", "", "--appendonly", "no", "--dir", str(self._workdir), "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while not self._answers():
            if self._proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self._require_control()
        if self._proc is None:
            return
        self.resume()
        self._proc.terminate()
        self._proc.wait(timeout=10)
        self._proc = None

    def pause(self) -> None:
        self._require_control()
        assert self._proc is not None
        self._proc.send_signal(signal.SIGSTOP)
        self._paused = True

    def resume(self) -> None:
        if self._proc is not None and self._paused:
            self._proc.send_signal(signal.SIGCONT)
            self._paused = False

    def _answers(self) -> bool:
        assert self.socket is not None
        try:
            with socket.socket(socket.AF_UNIX) as sock:
                sock.settimeout(1)
                sock.connect(str(self.socket))
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def _require_control(self) -> None:
        if self.external:
            pytest.skip("REDIS_URL points at an external server, which this test would have to stop")


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A fresh redis-server (or the one at `REDIS_URL`), stopped after the test."""
    if os.environ.get("REDIS_URL"):
        yield RedisServer(None, os.environ["REDIS_URL"])
        return
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not on PATH (.ci/run installs it)")
    # Unix socket paths are limited to ~100 bytes, so not pytest's (long) tmp_path.
    workdir = Path(tempfile.mkdtemp(prefix="onrecord-redis-"))
    server = RedisServer(workdir)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def namespace() -> str:
    """A key namespace of this test's own, so a shared REDIS_URL server needs no flushing."""
    return f"onrecord-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def seed_index() -> index.Index:
    """The real index over the bundled seed transcripts, built once per session."""
    from onrecord import index

    return index.build([str(REPO / "seeds")])


Condition = Callable[[], Awaitable[bool] | bool]


class Poll(Protocol):
    async def __call__(self, condition: Condition, seconds: float = 5.0) -> None: ...


def claims_settled(outcomes: Mapping[str, int], claimed: int) -> bool:
    """Whether a bot's claim outcomes (`EventClaims.outcomes`, or several bots' summed) show at least
    `claimed` claims decided and every claim won done or released: no reply can still be on its way."""
    decided = outcomes.get("won", 0) + outcomes.get("lost", 0) >= claimed
    return decided and outcomes.get("won", 0) == outcomes.get("done", 0) + outcomes.get("released", 0)


@pytest.fixture
def until() -> Poll:
    """``await until(condition)``: poll a condition (async or not) for up to `seconds` (5), failing the
    test after. The limit only ends a wait that would never end: it is no measure of speed."""

    async def poll(condition: Condition, seconds: float = 5.0) -> None:
        for _ in range(max(1, round(seconds / 0.05))):
            met = condition()
            if await met if inspect.isawaitable(met) else met:
                return
            await asyncio.sleep(0.05)
        pytest.fail(f"condition not met within {seconds:g} s")

    return poll


@pytest.fixture(scope="session")
def seed_index_dir(seed_index: index.Index, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed index saved to a directory, as `onrecord index build` leaves it (for ONRECORD_INDEX)."""
    directory = tmp_path_factory.mktemp("seed-index") / "index"
    seed_index.save(directory)
    return directory
