"""A saved index as the commands meet it: damaged, unreadable, or built by root for another user."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from tests.conftest import RedisServer

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


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds' index as `onrecord index build` saves it."""
    out = tmp_path_factory.mktemp("built") / "index"
    proc = run("index", "build", "--out", out)
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture
def copy(saved: Path, tmp_path: Path) -> Path:
    """A copy of the saved index this test may damage."""
    return Path(shutil.copytree(saved, tmp_path / "index", symlinks=True))


def version_folder(directory: Path) -> Path:
    """The folder holding the files of the index's current version."""
    pointer = directory / "CURRENT"
    return directory / pointer.read_text("utf-8").strip() if pointer.exists() else directory


def one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 1, proc.stdout
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr
    return proc.stderr


def test_verify_says_ok_for_a_good_index(saved: Path) -> None:
    proc = run("index", "verify", saved)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"ok: {saved}: index ") and "every file matches its checksum" in proc.stdout


def test_random_bytes_in_the_text_are_found_at_load_not_mid_answer(
    copy: Path, redis_server: RedisServer
) -> None:
    text = version_folder(copy) / "text.bin"
    text.write_bytes(np.random.default_rng(7).bytes(text.stat().st_size))
    served = {"ONRECORD_INDEX": str(copy), "REDIS_URL": redis_server.url, "SLACK_BOT_TOKEN": "xoxb-x",
              "SLACK_APP_TOKEN": "xapp-x"}  # fmt: skip
    for args, env in (
        (["ask", "--index", copy, "why did Jerry leave OpenAI?"], {}),
        (["index", "verify", copy], {}),
        (["serve", "slack", "--check"], served),
    ):
        assert "text.bin does not match its checksum" in one_line_error(run(*args, env=env))


def test_a_truncated_missing_or_unlisted_file_is_named(copy: Path) -> None:
    ids = version_folder(copy) / "postings_ids.npy"
    ids.write_bytes(ids.read_bytes()[:-8])
    assert "postings_ids.npy has" in one_line_error(run("index", "verify", copy))
    ids.unlink()
    assert "postings_ids.npy is missing" in one_line_error(run("index", "verify", copy))
    (version_folder(copy) / "postings_ids.npy").with_suffix(".npz").write_bytes(b"stray")
    assert "postings_ids.npz is not in the manifest" in one_line_error(run("index", "verify", copy))


def save_as_built(folder: Path, name: str, array: npt.NDArray[Any]) -> None:
    """Save ``array`` as ``name`` as a faulty build would write it: the manifest agrees with the file."""
    np.save(folder / name, array)
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    if "files" in manifest:
        content = (folder / name).read_bytes()
        manifest["files"][name] = {"bytes": len(content), "sha256": hashlib.sha256(content).hexdigest()}
        (folder / "manifest.json").write_text(json.dumps(manifest), "utf-8")


def test_nan_weights_do_not_load_even_with_matching_checksums(copy: Path) -> None:
    folder = version_folder(copy)
    weights = np.load(folder / "postings_weights.npy")
    save_as_built(folder, "postings_weights.npy", np.full_like(weights, np.nan))
    error = one_line_error(run("ask", "--index", copy, "why did Jerry leave OpenAI?"))
    assert "weights are not all finite" in error


def _set(field: str, value: int) -> Callable[[npt.NDArray[Any]], npt.NDArray[Any]]:
    def change(quotes: npt.NDArray[Any]) -> npt.NDArray[Any]:
        quotes[field][0] = value
        return quotes

    return change


def _outside_its_passage(quotes: npt.NDArray[Any]) -> npt.NDArray[Any]:
    quotes["passage"][0] = 0
    quotes["sentence"][0] = max(quotes["sentence"]) + 1  # the seeds' first passage is not the last
    return quotes


@pytest.mark.parametrize(
    ("name", "damage"),
    [
        ("quotes.npy", _set("sentence", -5)),
        ("quotes.npy", _set("passage", -3)),
        ("quotes.npy", _set("start", 10**6)),
        ("quotes.npy", _set("sentences", 0)),
        ("quotes.npy", _outside_its_passage),
        ("quotes.npy", lambda quotes: np.arange(5)),
        ("quotes.npy", lambda quotes: quotes[["passage", "sentence", "sentences", "start", "end", "score"]]),
        ("sent_tokens.npy", lambda tokens: tokens.astype(np.float64)),
        ("sent_token_ptr.npy", lambda ptr: ptr.astype(np.float64)),
        ("sent_speaker.npy", lambda speakers: np.full_like(speakers, -7)),
        ("sent_doc.npy", lambda docs: np.full_like(docs, -1)),
    ],
    ids=[
        "quote-sentence-negative",
        "quote-passage-negative",
        "quote-start-after-end",
        "quote-of-no-sentence",
        "quote-outside-its-passage",
        "quotes-plain-integers",
        "quotes-without-key",
        "sentence-terms-floats",
        "sentence-term-offsets-floats",
        "sentence-speaker-below-unknown",
        "sentence-document-negative",
    ],
)
def test_quotes_and_sentence_arrays_out_of_bounds_or_of_another_type_do_not_load(
    copy: Path, name: str, damage: Callable[[npt.NDArray[Any]], npt.NDArray[Any]]
) -> None:
    folder = version_folder(copy)
    save_as_built(folder, name, damage(np.load(folder / name)))
    error = one_line_error(run("ask", "--index", copy, "why did Jerry leave OpenAI?"))
    assert "corrupt" in error and "rebuild" in error


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
    assert as_other_user("index", "verify", out).returncode == 0

    out.chmod(0o700)  # as indexes were built before
    error = one_line_error(as_other_user("ask", "--index", out, "hello"))
    assert "permission denied" in error and "corrupt" not in error


@pytest.mark.parametrize("names", ["Ada Quill", [["Ada"]]])
def test_a_documents_guests_that_are_not_a_list_of_names_do_not_load(copy: Path, names: object) -> None:
    manifest_path = version_folder(copy) / "manifest.json"
    manifest = json.loads(manifest_path.read_text("utf-8"))
    manifest["documents"][0]["guests"] = names
    manifest_path.write_text(json.dumps(manifest), "utf-8")
    assert "are not lists of names" in one_line_error(run("index", "verify", copy))
