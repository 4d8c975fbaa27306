"""The Dockerfile's install steps, checked here (Docker itself cannot run on CI machines): build the wheel,
install it into a fresh virtual environment, build the seeds' index with the installed command, then ask
and run both start-up checks from outside the checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import venv
from pathlib import Path

import pytest

from tests.conftest import RedisServer

REPO = Path(__file__).resolve().parents[2]


def _run(*args: str | Path, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment holding the built wheel. Its dependencies come from this test run's
    environment (a path file), so the check needs no package index; the project itself only from the wheel."""
    work = tmp_path_factory.mktemp("wheel")
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    # What the Dockerfile copies, and nothing else: a checkout's own build/ folder (left by an earlier
    # build, perhaps of an older layout) must not end up in the wheel.
    source = work / "source"
    for folder in ("seeds", "index", "bot"):
        shutil.copytree(REPO / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    built = _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--wheel-dir",
        work / "dist",
        source,
        env=env,
        cwd=work,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    [wheel] = (work / "dist").glob("onrecord-*.whl")
    target = work / "venv"
    venv.EnvBuilder(with_pip=True).create(target)
    python = target / "bin" / "python"
    site = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", env=env, cwd=work)
    (Path(site.stdout.strip()) / "onrecord-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    done = _run(python, "-m", "pip", "install", "--no-deps", "--no-index", wheel, env=env, cwd=work)
    assert done.returncode == 0, done.stderr[-2000:]
    return target / "bin"


def test_the_installed_wheel_answers_and_passes_both_start_up_checks(
    installed: Path, tmp_path: Path, redis_server: RedisServer
) -> None:
    env = {
        "PATH": f"{installed}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "NO_COLOR": "1",
    }
    where = _run(
        installed / "python",
        "-c",
        "import importlib.util as u; from onrecord import bot, index, seeds;"
        "print(bot.__file__, index.__file__, *seeds.__path__, u.find_spec('bot'), u.find_spec('index'))",
        env=env,
        cwd=tmp_path,
    )
    assert where.returncode == 0, where.stderr
    assert (
        str(REPO) not in where.stdout and str(installed.parent) in where.stdout
    )  # the wheel, not the checkout
    assert where.stdout.split()[-2:] == ["None", "None"]  # no generic top-level `bot` or `index` installed

    built = _run(installed / "onrecord", "index", "build", "--out", tmp_path / "index", env=env, cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    asked = _run(
        installed / "onrecord",
        "ask",
        "--index",
        tmp_path / "index",
        "Why did Jerry leave OpenAI?",
        env=env,
        cwd=tmp_path,
    )
    assert asked.returncode == 0 and "Jerry" in asked.stdout
    assert "Unsupervised Learning" in asked.stdout  # the seeds' sidecars are installed with them

    served = {**env, "ONRECORD_INDEX": str(tmp_path / "index"), "REDIS_URL": redis_server.url}
    slack = _run(
        installed / "onrecord", "serve", "slack", "--check", "--offline",
        env={**served, "SLACK_BOT_TOKEN": "xoxb-x", "SLACK_APP_TOKEN": "xapp-x"}, cwd=tmp_path,
    )  # fmt: skip
    assert slack.returncode == 0 and slack.stdout.startswith("ok: index "), slack.stderr
    discord = _run(
        installed / "onrecord",
        "serve",
        "discord",
        "--check",
        "--offline",
        env={**served, "DISCORD_TOKEN": "t"},
        cwd=tmp_path,
    )
    assert discord.returncode == 0 and "Redis ok" in discord.stdout, discord.stderr


def test_every_package_folder_is_installed_under_onrecord() -> None:
    """`package-dir` maps folders to names one by one, so a new subpackage must be listed, or the wheel
    (and the Docker image) would lack it while the checkout still works."""
    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    folders = {
        "onrecord." + ".".join(init.parent.relative_to(REPO).parts)
        for top in ("index", "bot")
        for init in (REPO / top).rglob("__init__.py")
    }
    assert folders | {"onrecord.seeds"} == set(setuptools["packages"])
    assert setuptools["package-dir"] == {
        "onrecord.index": "index",
        "onrecord.bot": "bot",
        "onrecord.seeds": "seeds",
    }
