"""The `onrecord` command, run as a user runs it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ONRECORD = shutil.which("onrecord", path=str(Path(sys.executable).parent)) or "onrecord"


@pytest.fixture(scope="module")
def cache_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


def run(*args: str, stdin: str = "", cache: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "NO_COLOR": "1"}
    return subprocess.run(
        [ONRECORD, *args], input=stdin, capture_output=True, text=True, timeout=timeout, env=env, check=False
    )


def test_ask_prints_quotes_with_their_source(cache_home: Path) -> None:
    proc = run("ask", "Why did Jerry leave OpenAI?", cache=cache_home)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Q: Why did Jerry leave OpenAI?")
    assert "1. “" in proc.stdout and "002_954c39d5c1532380.txt" in proc.stdout
    assert "*OpenAI*" in proc.stdout  # the question's words are highlighted
    assert (cache_home / "onrecord").is_dir()  # the seeds' index was cached for next time


def test_json_has_the_documented_fields(cache_home: Path) -> None:
    proc = run("ask", "--json", "-k", "2", "cold", "shower", cache=cache_home)
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout)
    assert answer["question"] == "cold shower"
    assert [r["rank"] for r in answer["results"]] == [1, 2]
    assert set(answer["results"][0]) == {
        "rank", "score", "quote", "passage", "source", "title", "url", "start", "end", "speaker",
        "passage_start", "passage_end", "date",
    }  # fmt: skip
    assert "cold shower" in answer["results"][0]["quote"]


def test_questions_from_standard_input_are_answered_in_order(cache_home: Path) -> None:
    proc = run("ask", "--json", stdin="cold shower\n\n人类学习\nzxqvwk qqjjx\n", cache=cache_home)
    assert proc.returncode == 0, proc.stderr
    answers = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [a["question"] for a in answers] == ["cold shower", "人类学习", "zxqvwk qqjjx"]
    assert answers[1]["results"][0]["source"].startswith("001_")
    assert answers[2]["results"] == [] and answers[2]["suggestion"]


def test_no_match_says_so_with_a_suggestion(cache_home: Path) -> None:
    proc = run("ask", "superintelligance", cache=cache_home)
    assert proc.returncode == 0
    proc = run("ask", "qqxzv", cache=cache_home)
    assert proc.returncode == 0
    assert "Nothing on record about that" in proc.stdout


@pytest.mark.parametrize("args", [["ask", ""], ["ask", "   "]])
def test_an_empty_question_is_a_usage_error(args: list[str], cache_home: Path) -> None:
    proc = run(*args, cache=cache_home)
    assert proc.returncode == 2
    assert "empty" in proc.stderr and "Traceback" not in proc.stderr


def test_a_100_kb_question_is_answered(cache_home: Path) -> None:
    """How soon: benchmarks/suite_timings.py (a second, plus Python's start-up)."""
    proc = run("ask", "--json", "why did ilya start ssi " * 4500, cache=cache_home)
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["results"]


def test_index_build_then_ask_with_it(tmp_path: Path, cache_home: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "owls.txt").write_text("Owls\nOwls hunt at night. They fly without a sound.", "utf-8")
    (corpus / "broken.srt").write_bytes(b"\x00\xff\x00binary" * 100)
    proc = run("index", "build", str(corpus), "--out", str(tmp_path / "idx"), cache=cache_home)
    assert proc.returncode == 0, proc.stderr
    assert "Indexed 1 documents" in proc.stdout
    assert "broken.srt" in proc.stderr
    proc = run("ask", "--index", str(tmp_path / "idx"), "--json", "how do owls hunt", cache=cache_home)
    assert json.loads(proc.stdout)["results"][0]["source"] == "owls.txt"


def test_links_to_files_outside_the_folders_given_are_skipped_and_said(
    tmp_path: Path, cache_home: Path
) -> None:
    """`passwd.txt -> /etc/passwd` in a transcript folder would put the file's lines in chat."""
    secret, corpus, shared = tmp_path / "secret", tmp_path / "corpus", tmp_path / "shared"
    for folder in (secret, corpus, shared):
        folder.mkdir()
    (secret / "passwd.txt").write_text("root:x:0:0:root:/root:/bin/bash and a zanzibar password", "utf-8")
    (shared / "talk.txt").write_text("Owls hunt at night. They fly without a sound.", "utf-8")
    (corpus / "passwd.txt").symlink_to(secret / "passwd.txt")
    (corpus / "relative.txt").symlink_to(Path("..") / "secret" / "passwd.txt")
    (corpus / "talk.txt").symlink_to(shared / "talk.txt")  # into another folder given: read, once
    (corpus / "own.txt").write_text("Bats hunt at night too, by ear.", "utf-8")
    out = str(tmp_path / "idx")
    proc = run("index", "build", str(corpus), str(shared), "--out", out, cache=cache_home)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.rstrip().endswith("Skipped: 2 links to files outside the folders given.")
    assert "Indexed 2 documents" in proc.stdout
    assert f"skipped {corpus / 'passwd.txt'}: a link to {secret / 'passwd.txt'}" in proc.stderr
    proc = run("ask", "--index", out, "--json", "zanzibar password root", cache=cache_home)
    assert json.loads(proc.stdout)["results"] == []


def test_the_build_summary_says_which_files_were_one_episode(tmp_path: Path, cache_home: Path) -> None:
    corpus = tmp_path / "subs"
    corpus.mkdir()
    (corpus / "owls.en.txt").write_text("Owls hunt at night.", "utf-8")
    (corpus / "owls.en.srt").write_text("1\n00:00:01,000 --> 00:00:03,000\nOwls hunt at night.\n", "utf-8")
    proc = run("index", "build", str(corpus), "--out", str(tmp_path / "idx"), cache=cache_home)
    assert proc.returncode == 0, proc.stderr
    assert "Indexed 1 documents" in proc.stdout
    assert f"indexed {corpus / 'owls.en.srt'} (also in owls.en.txt)" in proc.stdout


def test_json_times_the_quote_and_its_passage_apart(tmp_path: Path, cache_home: Path) -> None:
    (tmp_path / "birds.vtt").write_text(
        "WEBVTT\n\n00:05.000 --> 00:09.000\n<v Host>Tonight we talk about birds of the night.\n\n"
        "00:09.000 --> 00:13.000\n<v Host>Why are owls so quiet in flight?\n\n"
        "00:13.000 --> 00:18.000\n<v Ann>Soft fringes on their feathers break up the air.\n",
        "utf-8",
    )
    (tmp_path / "birds.meta.json").write_text('{"url": "https://example.org/birds"}', "utf-8")
    assert (
        run("index", "build", str(tmp_path), "--out", str(tmp_path / "idx"), cache=cache_home).returncode == 0
    )
    proc = run("ask", "--index", str(tmp_path / "idx"), "--json", "why are owls quiet", cache=cache_home)
    top = json.loads(proc.stdout)["results"][0]
    assert top["quote"].startswith("… Soft fringes") and top["speaker"] == "Ann"
    assert (top["start"], top["end"], top["passage_start"], top["passage_end"]) == (13.0, 18.0, 5.0, 18.0)
    assert top["url"] == "https://example.org/birds?t=13"
    text = run("ask", "--index", str(tmp_path / "idx"), "-k", "1", "why are owls quiet", cache=cache_home)
    assert "— Ann · birds (birds.vtt, at 0:13–0:18)" in text.stdout  # the clip's range, not the passage's


def test_a_missing_or_corrupt_index_is_one_clear_line(tmp_path: Path, cache_home: Path) -> None:
    proc = run("ask", "--index", str(tmp_path / "nope"), "hello", cache=cache_home)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "no index at" in proc.stderr
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "manifest.json").write_text("{oops", "utf-8")
    proc = run("ask", "--index", str(tmp_path / "bad"), "hello", cache=cache_home)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "corrupt" in proc.stderr and "Traceback" not in proc.stderr


def test_a_missing_transcript_folder_is_one_clear_line(tmp_path: Path, cache_home: Path) -> None:
    out = str(tmp_path / "idx")
    proc = run("index", "build", str(tmp_path / "nowhere"), "--out", out, cache=cache_home)
    assert proc.returncode == 1
    assert "nowhere" in proc.stderr and "Traceback" not in proc.stderr


def test_a_build_that_reads_nothing_writes_no_index_and_says_what_it_reads(
    tmp_path: Path, cache_home: Path
) -> None:
    (tmp_path / "empty").mkdir()
    out = tmp_path / "idx"
    proc = run("index", "build", str(tmp_path / "empty"), "--out", str(out), cache=cache_home)
    assert proc.returncode == 1 and not out.exists()
    assert (
        proc.stdout.startswith("Nothing to index in ") and "OnRecord reads .htm, .html, .json" in proc.stdout
    )


def test_the_build_summary_groups_what_was_skipped_and_names_each_unreadable_file_once(
    tmp_path: Path, cache_home: Path
) -> None:
    folder = tmp_path / "show"
    folder.mkdir()
    (folder / "owls.txt").write_text("Owls hunt at night. They fly without a sound.", "utf-8")
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4")
    (folder / "stats.csv").write_text("a,b\n", "utf-8")
    (folder / "README.md").write_text("About this folder.", "utf-8")
    (folder / "LICENSE").write_text("CC BY-SA", "utf-8")
    (folder / "broken.txt").write_bytes(b"\x00\x01binary")
    (folder / "owls.meta.json").write_text('{"title": "Owls"}', "utf-8")  # metadata, not skipped
    proc = run("index", "build", str(folder), "--out", str(tmp_path / "idx"), cache=cache_home)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[1:] == [
        "Skipped: 2 a README, licence or source note; 2 not a transcript format (.csv, .pdf); "
        "1 that could not be read (named above).",
        "OnRecord reads .htm, .html, .json, .md, .srt, .txt, .vtt (see the README's Supported formats).",
    ]
    assert proc.stderr.count("broken.txt") == 1


def test_a_bad_out_place_is_one_clear_line(tmp_path: Path, cache_home: Path) -> None:
    (tmp_path / "file").write_text("x", "utf-8")
    for out in (tmp_path / "file", tmp_path / "file" / "sub"):
        proc = run("index", "build", "--out", str(out), cache=cache_home)
        assert proc.returncode == 1
        assert proc.stderr.startswith("onrecord: ") and "Traceback" not in proc.stderr


def test_a_closed_pipe_is_not_an_error(cache_home: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    proc = subprocess.run(
        f"yes cold shower | head -300 | {ONRECORD} ask | head -1",
        shell=True, capture_output=True, text=True, timeout=60, env=env, check=False,
    )  # fmt: skip
    assert proc.stdout.startswith("Q: cold shower")
    assert "Traceback" not in proc.stderr


def test_json_links_each_quote_to_its_page_when_there_is_a_public_url(cache_home: Path) -> None:
    question = ("ask", "--json", "-k", "2", "cold", "shower")
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home), "ONRECORD_PUBLIC_URL": "https://on.example/"}
    linked = subprocess.run([ONRECORD, *question], capture_output=True, text=True, env=env, check=False)
    assert linked.returncode == 0, linked.stderr
    plain = json.loads(run(*question, cache=cache_home).stdout)["results"]
    results = json.loads(linked.stdout)["results"]
    assert [{k: v for k, v in r.items() if k != "context_url"} for r in results] == plain
    link = re.compile(r"https://on\.example/q/[0-9a-f]{16}/\d+-\d+#quote")
    assert all(link.fullmatch(r["context_url"]) for r in results)
    env["ONRECORD_PUBLIC_URL"] = "on.example"
    bad = subprocess.run([ONRECORD, *question], capture_output=True, text=True, env=env, check=False)
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr == (
        "onrecord: ONRECORD_PUBLIC_URL must be an http:// or https:// URL with a host, without ? or # "
        '(got "on.example")\n'
    )


def test_explain_lists_the_terms_the_question_became(cache_home: Path) -> None:
    proc = run("ask", "--json", "--explain", "-k", "1", "cold showers", cache=cache_home)
    assert proc.returncode == 0, proc.stderr
    terms = json.loads(proc.stdout)["terms"]
    assert {"term": "cold", "weight": terms[0]["weight"], "from": "typed"} in terms
    assert all(t["weight"] > 0 for t in terms)
    text = run("ask", "--explain", "cold showers", cache=cache_home).stdout
    assert text.startswith("Terms: cold ")


def test_a_question_in_another_language_is_told_so(cache_home: Path) -> None:
    proc = run("ask", "Was denkt er über das Bewusstsein der Maschinen?", cache=cache_home)
    assert proc.returncode == 0, proc.stderr
    assert "Nothing on record about that. Your question looks like German" in proc.stdout
    assert "the transcripts are in English" in proc.stdout
