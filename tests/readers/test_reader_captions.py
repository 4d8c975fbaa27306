from __future__ import annotations

from pathlib import Path

import pytest

from onrecord.index.readers import read_transcript
from onrecord.index.readers.times import parse_time

DATA = Path(__file__).resolve().parents[1] / "data" / "transcripts"


def _words(path: Path) -> list[str]:
    return " ".join(seg.text for seg in read_transcript(path).segments).split()


def test_timestamps_without_hours_single_digit_hours_and_srt_commas() -> None:
    assert parse_time("00:04.200") == pytest.approx(4.2)
    assert parse_time("59:57.200") == pytest.approx(3597.2)
    assert parse_time("1:00:00.160") == pytest.approx(3600.16)
    assert parse_time("00:00:00,240") == pytest.approx(0.24)


def test_one_time_parser_for_every_format() -> None:
    assert parse_time("100:08") == 6008  # Markdown marks past 99 minutes
    assert parse_time("00:44:03:20") == 2643  # frames ignored
    assert parse_time("48:00:00") == 48 * 3600
    assert parse_time("48:00:01") is None  # longer than any recording: not a time to trust
    for text in ("soon", "12", "1:2:3:4:5", "-0:01"):
        with pytest.raises(ValueError):
            parse_time(text)


def test_a_cue_that_ends_before_it_starts_has_no_times(tmp_path: Path) -> None:
    path = tmp_path / "backwards.vtt"  # as Whisper wrote 1:53:36.420 --> 1:53:24.540 in lexicap 153
    path.write_text(
        "WEBVTT\n\n00:01.000 --> 00:02.000\nhello\n\n00:05.000 --> 00:02.000\nthere\n\n"
        "00:06.000 --> 00:07.000\nand again\n",
        encoding="utf-8",
    )
    segments = read_transcript(path).segments
    assert [(seg.start, seg.end) for seg in segments] == [(1.0, 2.0), (None, None), (6.0, 7.0)]


def test_whisper_vtt_one_segment_per_cue() -> None:
    transcript = read_transcript(DATA / "lexicap_008_head.vtt")
    first = transcript.segments[0]
    assert first.text == "The following is a conversation with Eric Schmidt."
    assert (first.start, first.end) == pytest.approx((0.0, 3.18))
    assert not any(seg.text.startswith(" ") or "WEBVTT" in seg.text for seg in transcript.segments)
    assert transcript.title == "lexicap 008 head"
    assert transcript.language == "en"


def test_cues_across_the_hour() -> None:
    segments = read_transcript(DATA / "lexicap_192_hour.vtt").segments
    crossing = next(seg for seg in segments if seg.text.startswith("watching the whole thing"))
    assert (crossing.start, crossing.end) == pytest.approx((3598.84, 3600.96))
    assert segments[-1].start == pytest.approx(3602.6)


def test_whisper_loop_collapses_into_one_segment_that_lasts_the_whole_loop() -> None:
    segments = read_transcript(DATA / "lexicap_275_loop.vtt").segments
    loops = [seg for seg in segments if seg.text == "i have no enemies"]
    assert len(loops) == 1
    assert (loops[0].start, loops[0].end) == pytest.approx((6327.16, 7455.16))
    assert segments[-1].text == "you"

    ums = [seg for seg in read_transcript(DATA / "lexicap_192_um.vtt").segments if seg.text == "Um."]
    assert len(ums) == 1
    assert ums[0].start == pytest.approx(8677.5)
    assert ums[0].end == pytest.approx(8686.68)


def test_youtube_rolling_captions_give_each_word_once() -> None:
    vtt = read_transcript(DATA / "youtube_rolling.en.vtt")
    srt_words = _words(DATA / "youtube_derolled.en.srt")
    vtt_words = _words(DATA / "youtube_rolling.en.vtt")
    assert vtt_words == srt_words[: len(vtt_words)]
    assert " ".join(vtt_words).startswith(
        "Welcome to another episode of the light cone. Things are a bit different around here."
    )
    text = " ".join(seg.text for seg in vtt.segments)
    for debris in ("<", "align:", "&gt;", ">>", "[music]", "Kind:", "  "):
        assert debris not in text
    assert "impersonating my personal OpenClaw instance right" in text
    first, second = vtt.segments[:2]
    assert (first.text, first.start, first.turn) == ("Welcome to another episode of the light", 0.24, True)
    assert (second.text, second.start) == ("cone. Things are a bit different around", 2.8)
    assert vtt.title == "youtube rolling"
    assert vtt.language == "en"


def test_speaker_change_starts_a_turn_with_an_unknown_speaker() -> None:
    for name in ("youtube_rolling.en.vtt", "youtube_derolled.en.srt"):
        segments = read_transcript(DATA / name).segments
        change = next(seg for seg in segments if seg.text.startswith("I've been really addicted"))
        assert change.turn and change.speaker is None
        assert change.start == pytest.approx(15.44)
        assert sum(seg.turn for seg in segments) == 2  # the first segment and the speaker change


def test_srt_times_and_text() -> None:
    first = read_transcript(DATA / "youtube_derolled.en.srt").segments[0]
    assert first.text == "Welcome to another episode of the light"
    assert (first.start, first.end) == pytest.approx((0.24, 2.79))


def test_voice_tags_identifiers_notes_and_settings(tmp_path: Path) -> None:
    path = tmp_path / "voices.VTT"
    path.write_text(
        "WEBVTT - a title\nKind: captions\n\nNOTE made by hand\nover two lines\n\n"
        "intro\n00:01.000 --> 00:02.500 align:start position:0%\n<v Roger Bingham>We are in New York City\n\n"
        "2\n00:02.500 --> 00:04.000\n<v.loud Neil>We’re actually at the Lucern Hotel\n \n\n"
        "00:04.000 --> 00:05.000\n<v Neil>just down the street\n",
        encoding="utf-8",
    )
    transcript = read_transcript(path)
    assert [(s.text, s.speaker, s.turn) for s in transcript.segments] == [
        ("We are in New York City", "Roger Bingham", True),
        ("We’re actually at the Lucern Hotel", "Neil", True),
        ("just down the street", "Neil", False),
    ]
    assert transcript.speakers == ["Roger Bingham", "Neil"]
