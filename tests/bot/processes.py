"""`onrecord serve` as a real process, for the tests of several bots sharing one Redis."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ONRECORD = shutil.which("onrecord", path=str(Path(sys.executable).parent)) or "onrecord"


@contextlib.contextmanager
def serving(platform: str, env: dict[str, str], log_path: Path) -> Iterator[subprocess.Popen[str]]:
    """`onrecord serve PLATFORM` as a process, its JSON logs in `log_path` (read them when a test fails);
    stopped with SIGTERM (then killed) when the block ends."""
    log = log_path.open("w")
    proc = subprocess.Popen(
        [ONRECORD, "serve", platform],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=log,
        text=True,
    )
    try:
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
