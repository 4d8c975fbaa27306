"""Searching the bundled seeds: what a person asking questions meets."""

from __future__ import annotations

import gc
import itertools
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from onrecord import index
from onrecord.index.analyzer import is_cjk
from onrecord.index.quotes import MAX_QUOTE_CHARS

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def test_hits_carry_quote_passage_and_source(seed_index: index.Index) -> None:
    hits = seed_index.search("cold shower suffering", k=3)
    assert [h.rank for h in hits] == [1, 2, 3]
    assert hits[0].score >= hits[1].score >= hits[2].score > 0
    top = hits[0]
    assert "cold shower" in top.quote
    assert top.quote.strip("… ") in top.passage.text
    assert len(top.quote) <= MAX_QUOTE_CHARS
    assert top.doc.source == "003_d23df86fad9ea286.txt"
    assert top.passage.char_start < top.passage.char_end


def test_results_do_not_quote_the_same_stretch_of_text(seed_index: index.Index) -> None:
    hits = seed_index.search("reinforcement learning", k=10)
    quotes = [(h, h.quote.removeprefix("… ").removesuffix(" …")) for h in hits]
    starts = [(h, h.passage.char_start + h.passage.text.index(q), len(q)) for h, q in quotes]
    spans = sorted((h.doc.id, start, start + size) for h, start, size in starts)
    for (d1, _, e1), (d2, s2, _) in itertools.pairwise(spans):
        assert d1 != d2 or s2 >= e1


def test_a_chinese_question_finds_the_chinese_passages(seed_index: index.Index) -> None:
    hits = seed_index.search("人类的学习效率和先验知识", k=3)
    assert hits and hits[0].doc.source.startswith("001_")
    assert is_cjk(hits[0].quote)


def test_spelling_variants_meet(seed_index: index.Index) -> None:
    joined = seed_index.search("AlphaZero homework problem", k=3)
    assert any("Alpha Zero" in h.passage.text for h in joined)
    misspelled = seed_index.search("Solomonoff", k=3)  # the transcript spells it Solomonov
    assert misspelled and "Solomonov" in misspelled[0].passage.text


def _fillers(folder: Path) -> None:
    for i, place in enumerate(["hills", "coast", "river", "plain", "lake", "forest", "valley", "town"]):
        (folder / f"other{i}.txt").write_text(f"Rain fell on the {place} all day long.", "utf-8")


def test_two_words_joined_count_once_where_a_passage_holds_both(tmp_path: Path) -> None:
    """A hyphenated "birth-weight" is indexed as "birth", "weight" and "birthweight". The question's two
    words joined meet the passage that writes them as one word; where a passage holds both words they
    score already, and counting the joined term there too ranked the hyphenated passage above one that
    says both words twice."""
    (tmp_path / "hyphen.txt").write_text("Low birth-weight was common in the north.", "utf-8")
    (tmp_path / "apart.txt").write_text("Low birth weight, and high birth weight, were common.", "utf-8")
    (tmp_path / "one.txt").write_text("Low birthweight was rare in the west.", "utf-8")
    _fillers(tmp_path)
    hits = index.build([tmp_path]).search("birth weight", k=3)
    assert [h.doc.source for h in hits] == ["apart.txt", "hyphen.txt", "one.txt"]  # each word said twice


def test_two_words_joined_keep_their_score_where_a_passage_also_says_both(tmp_path: Path) -> None:
    """A passage that writes the two words as one, again and again, and each word apart elsewhere,
    counts the joined word in full: only a hyphenated compound's whole is not counted again."""
    (tmp_path / "many.txt").write_text(
        "Sunflower oil comes from the seeds. The sunflower follows the light, and every sunflower in the "
        "field turned at once. The sun was low. Each flower bent.",
        "utf-8",
    )
    (tmp_path / "apart.txt").write_text("The sun shone on a flower.", "utf-8")
    _fillers(tmp_path)
    hits = index.build([tmp_path]).search("sun flower", k=2)
    assert [h.doc.source for h in hits] == ["many.txt", "apart.txt"]


def test_a_joined_word_counts_its_own_places_but_not_a_compound_of_both(tmp_path: Path) -> None:
    """Three passages of six terms, each holding "birth" and "weight" once: the hyphenated one says
    "birthweight" once more on its own, which counts as much as the one that says it once apart from
    the words; the third does not say it, and scores less."""
    (tmp_path / "hyphen.txt").write_text("Low birth-weight and birthweight noted.", "utf-8")
    (tmp_path / "once.txt").write_text("Birthweight low at birth and weight noted, fine.", "utf-8")
    (tmp_path / "none.txt").write_text("Low birth and weight, cattle noted, fine.", "utf-8")
    _fillers(tmp_path)
    idx = index.build([tmp_path])
    scores = idx._scores(idx._analyze("birth weight"))
    by_file = {p.doc.source: float(scores[p.id]) for p in idx.passages}
    assert by_file["hyphen.txt"] == pytest.approx(by_file["once.txt"])
    assert by_file["once.txt"] > by_file["none.txt"] > 0


def test_acronyms_meet_their_expansions(seed_index: index.Index) -> None:
    query = seed_index._analyze("ML experiments")
    assert {"machin", "learn"} <= set(query.weights)
    assert "rl" in seed_index._analyze("scaling reinforcement learning").weights


def test_a_dropped_index_leaves_nothing_of_its_acronyms_behind(seed_index_dir: Path) -> None:
    """A live index switch drops the old index: no cache outside it keeps its tables (they weigh MBs)."""
    loaded = index.load(seed_index_dir)
    acronyms = loaded._data.acronyms
    assert acronyms and loaded.search("scaling reinforcement learning experiments")
    del loaded
    gc.collect()
    assert sys.getrefcount(acronyms) == 2  # ``acronyms`` and the call's argument: nothing else


def test_a_question_about_the_us_meets_the_us_not_the_pronoun(tmp_path: Path) -> None:
    (tmp_path / "pronoun.txt").write_text("Tell us about your boats. Boats are fun to sail.", "utf-8")
    (tmp_path / "country.txt").write_text("The US sells more boats now than it buys.", "utf-8")
    hits = index.build([tmp_path]).search("boats in the US", k=2)
    assert [h.doc.source for h in hits] == ["country.txt", "pronoun.txt"]


def test_an_all_caps_transcript_says_us_not_the_us(tmp_path: Path) -> None:
    (tmp_path / "shouting.txt").write_text("TELL US ABOUT YOUR BOATS. BOATS ARE FUN TO SAIL.", "utf-8")
    (tmp_path / "country.txt").write_text("The US sells more boats now than it buys.", "utf-8")
    assert [h.doc.source for h in index.build([tmp_path]).search("the US", k=5)] == ["country.txt"]


def test_a_search_can_be_limited_to_documents(seed_index: index.Index) -> None:
    only = seed_index.search("OpenAI", k=5, documents={"000_80e722cf41c41265.txt"})
    assert only and {h.doc.source for h in only} == {"000_80e722cf41c41265.txt"}


def test_nothing_matches_gives_no_hits_and_suggestions(seed_index: index.Index) -> None:
    assert seed_index.search("zxqv wqkj", k=3) == []
    assert seed_index.search("", k=3) == []
    assert seed_index.suggest("superintelligance")[0] == "superintelligence"


def test_a_huge_question_is_answered(seed_index: index.Index) -> None:
    """How soon: benchmarks/suite_timings.py (within a second)."""
    question = "why did ilya start ssi " * 5000  # ~115 kB
    hits = seed_index.search(question, k=3)
    assert hits and hits == seed_index.search("why did ilya start ssi", k=3)


def test_passages_cover_every_document(seed_index: index.Index) -> None:
    assert len(seed_index.documents) == 5
    assert {p.doc.id for p in seed_index.passages} == {d.id for d in seed_index.documents}
    assert all(p.text for p in seed_index.passages[:50])


def test_save_and_load_give_the_same_answers(seed_index: index.Index, tmp_path: Path) -> None:
    seed_index.save(tmp_path / "idx")
    loaded = index.load(tmp_path / "idx")
    assert loaded.version == seed_index.version
    question = "Why did Jerry leave OpenAI?"
    assert [(h.passage.id, h.quote) for h in loaded.search(question)] == [
        (h.passage.id, h.quote) for h in seed_index.search(question)
    ]
    assert not list((tmp_path / "idx").glob("*.pkl"))


def test_the_version_follows_the_content(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("One sentence about owls. Another about cats.", "utf-8")
    first = index.build([tmp_path]).version
    assert index.build([tmp_path]).version == first
    (tmp_path / "a.txt").write_text("One sentence about owls. Another about dogs.", "utf-8")
    assert index.build([tmp_path]).version != first


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: (d / "manifest.json").unlink(),
        lambda d: (d / "manifest.json").write_text("{not json", "utf-8"),
        lambda d: (d / "manifest.json").write_text('{"format": 999}', "utf-8"),
        lambda d: (d / "postings_ids.npy").write_bytes(b"garbage"),
        lambda d: (d / "text.bin").write_bytes(b"short"),
        lambda d: np.save(d / "postings_ptr.npy", np.zeros(0, np.int64)),
        lambda d: np.save(d / "postings_ids.npy", np.load(d / "postings_ids.npy") + 10**6),
        lambda d: np.save(d / "pass_hi.npy", np.load(d / "pass_hi.npy") + 10**6),
        lambda d: np.save(d / "sent_doc.npy", np.load(d / "sent_doc.npy").reshape(1, -1)),
    ],
)
def test_a_damaged_index_fails_to_load_with_a_clear_error(
    seed_index: index.Index, tmp_path: Path, damage: Callable[[Path], object]
) -> None:
    seed_index.save(tmp_path / "idx")
    damage(tmp_path / "idx" / (tmp_path / "idx" / "CURRENT").read_text("utf-8").strip())  # its version
    with pytest.raises(index.IndexLoadError, match="idx"):
        index.load(tmp_path / "idx")


def test_an_unreadable_file_is_skipped_and_reported(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("Owls hunt at night. They fly silently.", "utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01\x02binary\x00" * 50)
    built, report = index.build_with_report([tmp_path, SEEDS / "000_80e722cf41c41265.txt"])
    assert report.files == 2
    assert len(report.skipped) == 1 and "bad.txt" in report.skipped[0]
    assert built.search("owls")[0].doc.source == "good.txt"


def test_hits_know_time_speaker_and_link_to_the_moment(tmp_path: Path) -> None:
    (tmp_path / "ep1.vtt").write_text(
        "WEBVTT\n\n01:05.000 --> 01:09.500\n Owls hunt at night and fly without a sound.\n\n"
        "01:09.500 --> 01:12.000\n That was the show about birds.\n",
        "utf-8",
    )
    (tmp_path / "ep1.meta.json").write_text('{"title": "Birds", "url": "https://youtu.be/abc?si=x"}', "utf-8")
    (tmp_path / "ep2.md").write_text(
        "**Ada Lovelace:** \\[02:10\\] The engine weaves algebraic patterns.\n", "utf-8"
    )
    idx = index.build([tmp_path])
    owl = idx.search("how do owls hunt", k=1)[0]
    assert (owl.doc.title, owl.start, owl.end) == ("Birds", 65.0, 72.0)
    assert owl.url == "https://youtu.be/abc?si=x&t=65s"
    ada = idx.search("algebraic patterns", k=1)[0]
    assert (ada.speaker, ada.start, ada.url) == ("Ada Lovelace", 130.0, None)


def test_saving_never_replaces_a_folder_that_is_not_an_index(seed_index: index.Index, tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "keep.txt").write_text("precious", "utf-8")
    with pytest.raises(FileExistsError, match="not an OnRecord index"):
        seed_index.save(tmp_path / "notes")
    assert (tmp_path / "notes" / "keep.txt").read_text("utf-8") == "precious"
    seed_index.save(tmp_path / "idx")
    seed_index.save(tmp_path / "idx")  # an index is replaced by its new version
    assert index.load(tmp_path / "idx").version == seed_index.version
