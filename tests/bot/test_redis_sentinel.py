"""Shared state on the master a real Sentinel names (one master, one sentinel, on loopback)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from onrecord.bot.state import open_state
from tests.bot.slack_bot import free_port


def _cli(port: int, *args: str) -> str:
    return subprocess.run(
        ["redis-cli", "-h", "127.0.0.1", "-p", str(port), *args], capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture
def sentinel() -> Iterator[tuple[int, int]]:
    """(the master's port, the sentinel's port), the sentinel watching the master as `mymaster`."""
    if shutil.which("redis-server") is None or shutil.which("redis-cli") is None:
        pytest.fail("redis-server and redis-cli are not on PATH (.ci/run installs them)")
    workdir = Path(tempfile.mkdtemp(prefix="onrecord-sentinel-"))
    master_port, sentinel_port = free_port(), free_port()
    config = workdir / "sentinel.conf"
    config.write_text(
        f"port {sentinel_port}\nbind 127.0.0.1\ndir {workdir}\n"
        f"sentinel monitor mymaster 127.0.0.1 {master_port} 1\n"
    )
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    procs = [
        subprocess.Popen(
            ["redis-server", "--port", str(master_port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(workdir)], **quiet,
        ),
        subprocess.Popen(["redis-server", str(config), "--sentinel"], **quiet),
    ]  # fmt: skip
    try:
        deadline = time.monotonic() + 30  # (only ends a wait that would never end)
        while _cli(sentinel_port, "sentinel", "get-master-addr-by-name", "mymaster").split() != [
            "127.0.0.1",
            str(master_port),
        ]:
            if time.monotonic() > deadline or any(proc.poll() is not None for proc in procs):
                raise RuntimeError("the sentinel did not start")
            time.sleep(0.05)
        yield master_port, sentinel_port
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


async def test_state_lives_on_the_master_the_sentinel_names(
    sentinel: tuple[int, int], namespace: str
) -> None:
    master_port, sentinel_port = sentinel
    url = f"redis+sentinel://127.0.0.1:{sentinel_port}/mymaster"
    # (A generous budget for quick calls: a busy machine must not make them fall back to this process.)
    async with open_state(url, namespace=namespace, timeout=10) as state:
        assert await state.ping()
        assert await state.claims.claim("Ev1")
        await state.answers.put("A1", "page", ttl=60)
        assert await state.answers.get("A1") == "page"
        assert state.redis_status == "ok"
    assert _cli(master_port, "hget", f"{namespace}:answer:A1", "payload") == "page"
    assert _cli(master_port, "exists", f"{namespace}:claim:Ev1") == "1"
