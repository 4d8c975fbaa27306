"""A document's sentences by character offsets, and where a hit's quote sits in its document."""

from __future__ import annotations

from pathlib import Path

import pytest

from onrecord import index
from onrecord.index.context import DocumentText, quote_span
from onrecord.index.quotes import ELLIPSIS
from onrecord.index.sentences import document_text
from onrecord.index.transcript import Segment, Transcript

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
QUESTIONS = ("what is trust", "why did he leave openai", "age of research", "robots in the home", "人类学习")


@pytest.mark.parametrize("question", QUESTIONS)
def test_a_quote_span_holds_exactly_the_quoted_sentences(seed_index: index.Index, question: str) -> None:
    text = DocumentText(seed_index)
    for hit in seed_index.search(question, k=5):
        start, end = quote_span(seed_index, hit)
        sentences = text.sentences(hit.doc.id, start, end)
        assert (sentences[0].char_start, sentences[-1].char_end) == (start, end)
        quoted = hit.quote.removeprefix(f"{ELLIPSIS} ").removesuffix(f" {ELLIPSIS}")
        assert " ".join(s.text for s in sentences).startswith(quoted.removesuffix(ELLIPSIS).rstrip())
        assert sentences[0].start == hit.start and sentences[0].speaker == hit.speaker


def test_offsets_are_in_the_documents_own_text_whatever_the_spaces() -> None:
    """CJK sentences follow each other without a space, and segments are joined by one: offsets are the
    document's, not the passage text's."""
    segments = [
        Segment("第一句。第二句！", 0.0, 4.0, "甲", True),
        Segment("Then a long pause, and English.", 4.0, 9.0, "B", True),
        Segment("Short.", 9.0, 10.0, "B"),
    ]
    idx = index.build_from_transcripts([Transcript("t.txt", "t.txt", "T", segments)])
    whole, _ = document_text(segments)
    doc = idx.documents[0].id
    text = DocumentText(idx)
    got = text.sentences(doc, 0, len(whole))
    assert [whole[s.char_start : s.char_end] for s in got] == [s.text for s in got]
    assert [s.text for s in got] == ["第一句。", "第二句！", "Then a long pause, and English.", "Short."]
    assert [(s.start, s.speaker) for s in got] == [(0.0, "甲"), (0.0, "甲"), (4.0, "B"), (9.0, "B")]
    assert text.extent(doc) == (0, len(whole))
    assert [s.text for s in text.sentences(doc, 4, 5)] == ["第二句！"]
    assert text.sentences(doc, 8, 9) == []  # the space between two segments
    assert text.extent("0000000000000000") == (0, 0) and text.document("nope") is None
    assert text.sentences("0000000000000000", 0, 10) == []


def test_documents_keep_their_ids_and_text_over_a_rebuild_with_other_files(tmp_path: Path) -> None:
    first = index.build([SEEDS])
    (tmp_path / "000 first.txt").write_text("A new episode that sorts first. " * 50, encoding="utf-8")
    rebuilt = index.build([tmp_path / "000 first.txt", SEEDS])
    before, after = DocumentText(first), DocumentText(rebuilt)
    for doc in first.documents:
        assert after.document(doc.id) == doc
        assert after.extent(doc.id) == before.extent(doc.id)
        assert after.sentences(doc.id, 500, 900) == before.sentences(doc.id, 500, 900)
