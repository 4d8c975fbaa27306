"""Searching one speaker's words: every quote is theirs, the top k are all theirs."""

from __future__ import annotations

from pathlib import Path

import pytest

from onrecord import index

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def talks() -> index.Index:
    """Markdown episodes whose turns name their speakers, among others' transcripts."""
    return index.build([DATA / "speakers", DATA / "transcripts"])


def test_the_index_names_the_speakers_its_transcripts_name(talks: index.Index) -> None:
    assert {"Renée Dubois", "Maya Lindqvist", "Oskar Berg", "Adam Stacoviak"} <= set(talks.speakers)


@pytest.mark.parametrize("speaker", ["Renée Dubois", "Maya Lindqvist"])
def test_every_quote_is_the_chosen_speakers_own(talks: index.Index, speaker: str) -> None:
    hits = talks.search("sourdough bread", k=5, speakers=[speaker])
    assert hits and all(h.speaker == speaker for h in hits)
    for hit in hits:  # each sentence of the quote is theirs: the quote is one turn of theirs
        turn = f"**{speaker}:** "
        text = (DATA / "speakers" / hit.doc.source).read_text("utf-8")
        assert any(hit.quote.strip("… ") in line for line in text.splitlines() if line.startswith(turn))


def test_a_speaker_who_says_nothing_of_it_is_not_quoted_for_it(talks: index.Index) -> None:
    assert talks.search("sourdough bread", k=5) != []
    assert talks.search("sourdough bread", k=5, speakers=["Oskar Berg"]) == []


def test_the_top_k_are_all_the_speakers_and_other_filters_still_apply(talks: index.Index) -> None:
    everyone = talks.search("open source", k=3)
    assert {h.speaker for h in everyone} - {"Adam Stacoviak"}  # another's words are among them
    only = talks.search("open source", k=3, speakers=["Adam Stacoviak"])
    assert len(only) == 3 and {h.speaker for h in only} == {"Adam Stacoviak"}
    bread = next(d for d in talks.documents if d.source == "bread.md")
    scoped = talks.search("sourdough bread", k=5, speakers=["Maya Lindqvist"], documents=[bread.id])
    assert [h.doc.source for h in scoped] == ["bread.md"]
