"""A saved index as the commands meet it: unreadable, or built by root for another user."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ONRECORD = shutil.which("onrecord", path=str(Path(sys.executable).parent)) or "onrecord"
OTHER_USER = 65534  # nobody, as the Docker image's bot user is not root


def run(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ONRECORD, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
        check=False,
    )


def one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 1, proc.stdout
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr
    return proc.stderr


@pytest.fixture
def world_readable_tmp() -> Iterator[Path]:
    """A folder other users may enter (pytest's own are private), like /srv in the image."""
    folder = Path(tempfile.mkdtemp(prefix="onrecord-modes-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def as_other_user(*args: str | Path) -> subprocess.CompletedProcess[str]:
    ids = [f"--reuid={OTHER_USER}", f"--regid={OTHER_USER}", "--clear-groups"]
    return subprocess.run(
        ["setpriv", *ids, ONRECORD, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": os.environ["PATH"], "HOME": "/", "NO_COLOR": "1", "PYTHONDONTWRITEBYTECODE": "1"},
        cwd="/",
        check=False,
    )


@pytest.mark.skipif(os.geteuid() != 0, reason="building as root and reading as another user needs root")
def test_an_index_built_by_root_answers_another_user_as_in_the_docker_image(world_readable_tmp: Path) -> None:
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) is not installed")
    reachable = as_other_user("--help")
    if reachable.returncode != 0:
        pytest.skip(f"uid {OTHER_USER} cannot run this virtual environment: {reachable.stderr[-200:]}")
    out = world_readable_tmp / "index"
    before = os.umask(0o022)  # the image's default
    try:
        assert run("index", "build", "--out", out).returncode == 0
    finally:
        os.umask(before)
    proc = as_other_user("ask", "--index", out, "--json", "Why did Jerry leave OpenAI?")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["results"]

    out.chmod(0o700)  # as indexes were built before
    error = one_line_error(as_other_user("ask", "--index", out, "hello"))
    assert "permission denied" in error and "corrupt" not in error
