from __future__ import annotations

import pytest

from index.sentences import MAX_SENTENCE_CHARS, split_sentences
from index.transcript import Segment


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Nobody came but I. Then we went home.", ["Nobody came but I.", "Then we went home."]),
        ("Is it true? No. We never did.", ["Is it true?", "No.", "We never did."]),
        ("I met J. R. Tolkien once. He was kind.", ["I met J. R. Tolkien once.", "He was kind."]),
        ("Ask Mr. Smith, e.g. today. He knows!", ["Ask Mr. Smith, e.g. today.", "He knows!"]),
        ("George W. Bush spoke. Yes.", ["George W. Bush spoke.", "Yes."]),
        ("好的。我们走吧！ ok", ["好的。", "我们走吧！", "ok"]),
    ],
)
def test_sentence_ends(text: str, sentences: list[str]) -> None:
    assert [s.text for s in split_sentences([Segment(text)])] == sentences


def test_times_speakers_and_turns_are_kept() -> None:
    segments = [
        Segment("Hello there. How are", 1.0, 2.0, "Ann", turn=True),
        Segment("you? Fine", 2.0, 3.0, "Ann"),
        Segment("Thanks.", None, None, "Bob", turn=True),
    ]
    out = split_sentences(segments)
    assert [(s.text, s.start, s.end, s.speaker) for s in out] == [
        ("Hello there.", 1.0, 2.0, "Ann"),
        ("How are you?", 1.0, 3.0, "Ann"),
        ("Fine", 2.0, 3.0, "Ann"),  # a turn ends a sentence even without punctuation
        ("Thanks.", 2.0, None, "Bob"),  # no time of its own: the last one known carries forward
    ]
    text = " ".join(seg.text for seg in segments)
    assert all(text[s.char_start : s.char_start + len(s.text)] == s.text for s in out)


def test_a_run_without_punctuation_is_cut_at_words() -> None:
    out = split_sentences([Segment("word " * 500)])
    assert len(out) > 5 and all(len(s.text) <= MAX_SENTENCE_CHARS for s in out)
    assert all(s.text.split() == ["word"] * len(s.text.split()) for s in out)
