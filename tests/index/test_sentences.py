from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onrecord.index.sentences import MAX_SENTENCE_CHARS, split_sentences
from onrecord.index.transcript import Segment


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
    assert split_sentences([Segment(text)]).texts == sentences


def test_times_speakers_and_turns_are_kept() -> None:
    segments = [
        Segment("Hello there. How are", 1.0, 2.0, "Ann", turn=True),
        Segment("you? Fine", 2.0, 3.0, "Ann"),
        Segment("Thanks.", None, None, "Bob", turn=True),
    ]
    out = split_sentences(segments)
    rows = zip(out.texts, out.start.tolist(), out.end.tolist(), out.segment.tolist(), strict=True)
    assert [
        (text, start, None if math.isnan(end) else end, segments[seg].speaker)
        for text, start, end, seg in rows
    ] == [
        ("Hello there.", 1.0, 2.0, "Ann"),
        ("How are you?", 1.0, 3.0, "Ann"),
        ("Fine", 2.0, 3.0, "Ann"),  # a turn ends a sentence even without punctuation
        ("Thanks.", 2.0, None, "Bob"),  # no time of its own: the last one known carries forward
    ]
    text = " ".join(seg.text for seg in segments)
    assert all(
        text[start : start + len(s)] == s for s, start in zip(out.texts, out.char_start.tolist(), strict=True)
    )


def test_a_run_without_punctuation_is_cut_at_words() -> None:
    texts = split_sentences([Segment("word " * 500)]).texts
    assert len(texts) > 5 and all(len(s) <= MAX_SENTENCE_CHARS for s in texts)
    assert all(s.split() == ["word"] * len(s.split()) for s in texts)


_PIECES = ["word", "Mr.", "J.", "R.", "AI.", "e.g.", "etc.", "ok!", "why?", "…", "。", "好", "”", ")", "x"]
_SPACES = [" ", "  ", "\u00a0", "\u2003", "\n", "\t", "\x1c", " " * 40]


@given(
    st.lists(
        st.tuples(st.lists(st.sampled_from(_PIECES + _SPACES), max_size=60), st.booleans()),
        min_size=1,
        max_size=5,
    )
)
@settings(max_examples=300, deadline=None)
def test_sentences_keep_every_character_but_white_space(segments: list[tuple[list[str], bool]]) -> None:
    """Whatever the white space (Unicode, long runs) and marks: each sentence is a stripped, non-empty
    slice of the text at its offset, none longer than the limit, and together they hold all of it but
    white space, in order."""
    segs = [Segment("".join(pieces), turn=turn) for pieces, turn in segments]
    text = " ".join(seg.text for seg in segs)
    out = split_sentences(segs)
    for sentence, start in zip(out.texts, out.char_start.tolist(), strict=True):
        assert sentence and sentence == sentence.strip() and len(sentence) <= MAX_SENTENCE_CHARS
        assert text[start : start + len(sentence)] == sentence
    assert out.char_start.tolist() == sorted(out.char_start.tolist())
    assert "".join("".join(s.split()) for s in out.texts) == "".join(text.split())
