from __future__ import annotations

import pytest

from onrecord.index.readers.cleaning import (
    clean_text,
    collapse_repeated_sentences,
    collapse_repeats,
    decode,
    drop_rollup,
    is_debris,
    split_speaker_changes,
)
from onrecord.index.transcript import Segment


def test_decode_utf8_with_and_without_bom_and_cp1252_fallback() -> None:
    assert decode("café\r\nnaïve".encode()) == "café\nnaïve"
    assert decode(b"\xef\xbb\xbfhello") == "hello"
    assert decode(b"\x93smart quotes\x94 and caf\xe9") == "“smart quotes” and café"
    assert decode("utf-16 text".encode("utf-16")) == "utf-16 text"


def test_decode_rejects_binary() -> None:
    with pytest.raises(ValueError, match="NUL"):
        decode(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(ValueError, match="control"):
        decode(bytes(range(1, 9)) * 100)


def test_entities_odd_spaces_and_invisible_characters() -> None:
    text = "it&#39;s &quot;fine&quot;&nbsp;&lt;T&gt; &amp; co\u00a0\u2009 done\u200b\ufeff."
    assert clean_text(text) == 'it\'s "fine" <T> & co done.'
    assert clean_text("  a\tb \n c  ") == "a b c"


def test_sound_annotations_are_removed_but_real_brackets_stay() -> None:
    assert clean_text("I am [music] here [Laughter] now \\[laughs\\] ok [applause]") == "I am here now ok"
    assert clean_text("like \\[unintelligible 00:05:35.09\\] and then") == "like and then"
    assert clean_text("as shown in [1] by [Jane] and \\[fail alert\\]") == "as shown in [1] by [Jane] and"


def test_asr_hyphen_is_glued_only_after_a_prefix() -> None:
    assert clean_text("a pre -training corpus, co -founder") == "a pre-training corpus, co-founder"
    assert clean_text("run go test -race now - or later") == "run go test -race now - or later"


def test_speaker_change_markers() -> None:
    assert split_speaker_changes("&gt;&gt; I've been") == ["", "I've been"]
    assert split_speaker_changes("several years, >> but then") == ["several years,", "but then"]
    assert split_speaker_changes("x >>= 2") == ["x >>= 2"]


def test_page_debris() -> None:
    for line in ("Kind: captions", "Language: en", "Loading video analysis...", "WEBVTT"):
        assert is_debris(line)
    assert is_debris("**Transcript extracted from YouTube video**")
    assert not is_debris("Language: it is what we use to think.")


def test_a_sentence_looped_inside_one_line_is_kept_once() -> None:
    looped = "So it goes. " + "I have no enemies at all. " * 6 + "The end."
    assert collapse_repeated_sentences(looped.strip()) == "So it goes. I have no enemies at all. The end."
    natural = "Yeah. Yeah. Yeah. It is what it is. It is what it is."
    assert collapse_repeated_sentences(natural) == natural


def test_rollup_overlap_is_dropped_at_word_boundaries() -> None:
    said = "we have a pre -training corpus? Probably not. How do models do tasks".split()
    assert drop_rollup(said, "-training corpus? Probably not. How do models do tasks") == ""
    assert drop_rollup(said, "How do models do tasks you don't train on?") == "you don't train on?"
    assert drop_rollup(said, "tasks are hard") == "tasks are hard"  # one short word is not a roll-up
    # Lines not yet cleaned: what is left keeps its words, single-spaced.
    assert drop_rollup(said, "do models\t do  tasks  you\u00a0don't\n  train") == "you don't train"


def test_consecutive_repeats_collapse_and_keep_the_first_start() -> None:
    segments = [
        Segment("i have no enemies", 1.0, 2.0),
        Segment(" I have no enemies.", 2.0, 3.0),
        Segment("i have no enemies", 3.0, 9.0),
        Segment("you", 9.0, 10.0),
        Segment("Yeah.", 10.0, 11.0, speaker="A", turn=True),
        Segment("Yeah.", 11.0, 12.0, speaker="B", turn=True),
    ]
    assert collapse_repeats(segments) == [
        Segment("i have no enemies", 1.0, 9.0),
        Segment("you", 9.0, 10.0),
        Segment("Yeah.", 10.0, 11.0, speaker="A", turn=True),
        Segment("Yeah.", 11.0, 12.0, speaker="B", turn=True),
    ]


def test_mostly_utf8_with_one_broken_byte_stays_utf8() -> None:
    text = "naïve café — “quotes” déjà vu. " * 3
    assert decode(text.encode() + b"\xff end") == text + "\ufffd end"
