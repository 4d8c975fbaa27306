"""`onrecord ask` answers as the bots do (the answering service), with speaker and episode filters."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from onrecord.bot.wording import EMPTY
from tests.cli.test_onrecord_command import run

SPEAKERS = Path(__file__).resolve().parents[1] / "data" / "speakers"


@pytest.fixture(scope="module")
def cache_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def talks(tmp_path_factory: pytest.TempPathFactory, cache_home: Path) -> str:
    """An index of two episodes whose turns name their speakers, built by `onrecord index build`."""
    out = tmp_path_factory.mktemp("talks") / "idx"
    proc = run("index", "build", str(SPEAKERS), "--out", str(out), cache=cache_home)
    assert proc.returncode == 0, proc.stderr
    return str(out)


def ask(talks: str, cache: Path, *args: str) -> dict[str, Any]:
    proc = run("ask", "--index", talks, "--json", *args, cache=cache)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    answer: dict[str, Any] = json.loads(proc.stdout)
    return answer


def test_a_speaker_filter_quotes_only_them(talks: str, cache_home: Path) -> None:
    everyone = ask(talks, cache_home, "sourdough bread")
    assert {r["speaker"] for r in everyone["results"]} == {"Renée Dubois", "Maya Lindqvist"}
    for typed in ("renee", "Renée Dubois", "DUBOIS"):
        only = ask(talks, cache_home, "--speaker", typed, "sourdough bread")
        assert only["results"] and {r["speaker"] for r in only["results"]} == {"Renée Dubois"}
        assert only["filters"] == {"speaker": typed, "episode": None, "scope": "Renée Dubois"}
    inline = ask(talks, cache_home, 'speaker:"Renée Dubois" sourdough bread')
    assert inline["question"] == "sourdough bread" and inline["results"] == only["results"]


def test_speaker_and_episode_filters_together(talks: str, cache_home: Path) -> None:
    both = ask(
        talks, cache_home, "--speaker", "Maya Lindquist", "--episode", "tomatoes in winter", "sourdough"
    )
    assert [(r["speaker"], r["source"]) for r in both["results"]] == [("Maya Lindqvist", "garden.md")]
    assert both["filters"]["scope"] == "Maya Lindqvist in “Garden Hour: Tomatoes in Winter”"
    text = run("ask", "--index", talks, "episode:garden.md", "sourdough", cache=cache_home).stdout
    assert text.startswith("Q: sourdough\n   (only in “Garden Hour: Tomatoes in Winter”)\n")


def test_a_filter_that_matches_nobody_says_so_and_lists_close_names(talks: str, cache_home: Path) -> None:
    nobody = ask(talks, cache_home, "--speaker", "Mayo Lindgren", "sourdough")
    assert nobody["status"] == "unknown_filter" and nobody["results"] == []
    assert nobody["suggestion"].startswith("No speaker on record is named “Mayo Lindgren”. Close names: Maya")
    two = run("ask", "--index", talks, "speaker:oskar", "tomatoes", cache=cache_home).stdout
    assert "“oskar” could be Oskar Berg, Oskar Nilsson; say which one" in two
    episode = ask(talks, cache_home, "--episode", "Tomato Winters Special", "light")
    assert episode["suggestion"] == (
        "No episode matches “Tomato Winters Special”. Close titles: “Garden Hour: Tomatoes in Winter”."
    )


def test_who_said_it_names_the_speaker_first(talks: str, cache_home: Path) -> None:
    text = run(
        "ask", "--index", talks, "-k", "1", "Who said a starter that is fed forgives you?", cache=cache_home
    )
    assert text.returncode == 0, text.stderr
    assert "\n1. Renée Dubois said: “… You feed it flour and water once a day. A *starter*" in text.stdout
    answer = ask(talks, cache_home, "who said a starter that is fed forgives you")
    assert answer["who"] is True and answer["results"][0]["speaker"] == "Renée Dubois"


def test_a_speaker_named_only_in_metadata_is_explained(cache_home: Path) -> None:
    proc = run("ask", "--speaker", "Ilya", "scaling", cache=cache_home)
    assert proc.returncode == 0, proc.stderr
    assert (
        "list Ilya Sutskever among an episode's speakers, but do not say which words are theirs"
        in proc.stdout
    )


def test_questions_are_normalised_and_refused_as_in_chat(cache_home: Path) -> None:
    answer = json.loads(run("ask", "--json", "<@U123> **cold** shower", cache=cache_home).stdout)
    assert answer["question"] == "cold shower" and answer["status"] == "ok" and answer["results"]
    refused = json.loads(run("ask", "--json", "<@U123> ???", cache=cache_home).stdout)
    assert refused["status"] == "empty" and refused["results"] == [] and refused["suggestion"] == EMPTY


def test_ask_keeps_its_state_in_process_without_loading_the_redis_client(talks: str) -> None:
    """As the bots' service answers it, but no Redis client: what that needs may be missing where `ask`
    runs (another user's Python, as in the Docker image)."""
    script = (
        "import sys\n"
        "from bot.cli import main\n"
        f"code = main(['ask', '--index', {talks!r}, '--json', 'sourdough bread'])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'redis'), file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and json.loads(proc.stdout)["results"], proc.stderr
    assert proc.stderr == "[]\n"
