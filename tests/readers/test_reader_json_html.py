"""Podcasting 2.0 JSON and HTML transcripts, Whisper and WhisperX JSON, and JSON that is none of them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from onrecord import index
from onrecord.index.readers import find_transcripts, read_transcript
from onrecord.index.transcript import TranscriptError

SHAPES = Path(__file__).resolve().parents[1] / "data" / "shapes"


def _rows(name: str) -> list[tuple[str, float | None, float | None, str | None, bool]]:
    return [(s.text, s.start, s.end, s.speaker, s.turn) for s in read_transcript(SHAPES / name).segments]


def test_podcasting_json_words_are_joined_into_sentences() -> None:
    assert _rows("podcasting20.json") == [
        ("Every beekeeper gets stung, eventually.", 0.5, 2.5, "Hana Ito", True),
        ("The trick is to stay calm when it happens.", 2.9, 4.6, "Hana Ito", False),
        ("How calm are we talking?", 5.0, 6.2, "Leo Park", True),
        ("Calm enough that the rest of the hive doesn't notice.", 6.5, 9.0, "Hana Ito", True),
    ]
    assert read_transcript(SHAPES / "podcasting20.json").speakers == ["Hana Ito", "Leo Park"]


def test_whisper_json() -> None:
    transcript = read_transcript(SHAPES / "whisper.json")
    assert _rows("whisper.json") == [
        ("The tide tables for the estuary are printed every January.", 0.0, 4.24, None, True),
        ("Fishermen still buy the paper copy, because a phone does not float.", 4.24, 8.9, None, False),
    ]
    assert (transcript.language, transcript.title, transcript.speakers) == ("en", "whisper", [])


def test_whisperx_json_speakers() -> None:
    assert _rows("whisperx.json") == [
        ("Welcome to the night shift at the observatory.", 0.031, 3.52, "SPEAKER_00", True),
        ("Is the dome always this cold?", 3.9, 6.2, "SPEAKER_01", True),
        ("Colder in winter. The mirror has to match the air outside.", 6.5, 9.75, "SPEAKER_00", True),
        ("Otherwise the stars shimmer.", 10.1, 11.3, None, False),  # diarisation left it unassigned
    ]


def test_times_written_as_strings(tmp_path: Path) -> None:
    path = tmp_path / "strings.json"
    items = [{"start": "00:01:02.500", "end": "1:03", "text": "One."}, {"start": "64", "text": "Two."}]
    path.write_text(json.dumps({"segments": items}), encoding="utf-8")
    assert [(s.start, s.end) for s in read_transcript(path).segments] == [(62.5, 63.0), (64.0, None)]


def test_html_transcript_cites_times_and_paragraphs() -> None:
    transcript = read_transcript(SHAPES / "podcast_transcript.html")
    assert (transcript.title, transcript.language) == ("Episode 12: Saving the Village Orchard", "en")
    assert _rows("podcast_transcript.html") == [
        (
            "We planted forty apple trees in the spring, and the deer ate thirty of them by June.",
            0.0,
            None,
            "Kevin",
            True,
        ),
        ("You're telling me the fence was the cheap kind.", 9.0, None, "Alban", True),
        ("The one with the gap at the bottom.", None, None, "Alban", True),
        ("The very cheap kind.", 3723.0, None, "Kevin", True),
    ]


def test_html_cite_inside_a_paragraph(tmp_path: Path) -> None:
    path = tmp_path / "inline.htm"
    path.write_text("<p><cite>Ann</cite> <time>00:00:05</time> Hello<br>there.</p><p>Still Ann.</p>")
    assert [(s.text, s.start, s.speaker) for s in read_transcript(path).segments] == [
        ("Hello there.", 5.0, "Ann"),
        ("Still Ann.", None, "Ann"),
    ]


def test_html_export_with_name_labels_instead_of_cites(tmp_path: Path) -> None:
    path = tmp_path / "exported.html"
    path.write_text(
        "<h1>Bread</h1><p><strong>Ines Dubois:</strong> Bread is older than writing.</p>"
        "<p>Speaker 2 (00:00:07):</p><p>How do we know?</p><p>Really?</p>"
        "<p><strong>Ines Dubois:</strong> Crumbs.</p><p>Speaker 2 (00:00:12):</p><p>Crumbs!</p>",
        encoding="utf-8",
    )
    assert [(s.text, s.start, s.speaker) for s in read_transcript(path).segments] == [
        ("Bread", None, None),
        ("Bread is older than writing.", None, "Ines Dubois"),
        ("How do we know?", 7.0, "Speaker 2"),
        ("Really?", None, "Speaker 2"),
        ("Crumbs.", None, "Ines Dubois"),
        ("Crumbs!", 12.0, "Speaker 2"),
    ]


def test_a_short_unclosed_cite_holds_the_name_and_the_text(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<html><title>T</title><p><cite>Alice: Hello there, this runs on.</p>"
        "<p><cite>Bob</cite> Hi.</p></html>",
        encoding="utf-8",
    )
    assert [(seg.speaker, seg.text) for seg in read_transcript(path).segments] == [
        ("Alice", "Hello there, this runs on."),
        ("Bob", "Hi."),
    ]


def test_an_unclosed_cite_ends_at_the_next_paragraph(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<html><body><cite>Kevin:\n<time>0:05</time>\n<p>We have an update planned.</p>\n"
        "<cite>Ann:</cite><p>Good to hear.</p>\n<cite>Kevin: and a cite left open over the text of "
        "a whole paragraph, which is no speaker's name</p><p>Bye.</p></body></html>",
        encoding="utf-8",
    )
    segments = read_transcript(path).segments
    assert [(seg.speaker, seg.start, seg.text) for seg in segments] == [
        ("Kevin", 5.0, "We have an update planned."),
        ("Ann", None, "Good to hear."),
        (
            "Ann",
            None,
            "Kevin: and a cite left open over the text of a whole paragraph, which is no speaker's name",
        ),
        ("Ann", None, "Bye."),
    ]


def test_answers_from_json_and_html_name_the_speaker() -> None:
    idx = index.build([SHAPES])
    for question, source, speaker, start in [
        ("beekeeper stung", "podcasting20.json", "Hana Ito", 0.5),
        ("night shift at the observatory", "whisperx.json", "SPEAKER_00", 0.031),
        ("apple trees deer", "podcast_transcript.html", "Kevin", 0.0),
    ]:
        hit = idx.search(question, k=1)[0]
        assert (hit.doc.source, hit.speaker, hit.start) == (source, speaker, start)
    assert idx.search("Alban", k=3) == []  # a <cite> is not text


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"version": "1.0.0", "segments": [', "malformed JSON: Expecting value: line 1 column 35"),
        ('["a", "b"]', "JSON without a list of segments"),
        ('{"title": "Episode 12", "url": "https://example.com/12"}', "JSON without a list of segments"),
        ('{"segments": {"body": "hi"}}', "JSON without a list of segments"),
        ('{"segments": ["hello"]}', "JSON segment 1 is not an object"),
        ('{"segments": [{"body": "hi"}, {"start": 1}]}', "JSON segment 2 has neither a body"),
        ('{"segments": [{"body": "hi"}, {"text": "yo"}]}', "mix Podcasting 2.0 and Whisper fields"),
        ('{"segments": [{"body": 3}]}', "JSON segment 1: body is not a string"),
        ('{"segments": [{"text": "hi", "start": "soon"}]}', "JSON segment 1: start is not a number"),
        ('{"segments": [{"body": "hi", "startTime": true}]}', "JSON segment 1: startTime is not a number"),
        ('{"segments": [{"body": "hi", "speaker": ["Ann"]}]}', "JSON segment 1: speaker is not a string"),
        ('{"version": "1.0.0", "segments": []}', "no transcript text"),
        ("[" * 100_000 + "]" * 100_000, "malformed JSON: nested too deeply"),
        ('{"segments": [{"text": "hi", "start": "1e400"}]}', "JSON segment 1: start is not a number"),
        ('{"segments": [{"text": "hi", "start": NaN}]}', "JSON segment 1: start is not a number"),
        ('{"segments": [{"text": "hi", "start": -3}]}', "JSON segment 1: start is not a number"),
    ],
)
def test_json_that_is_not_a_transcript_is_skipped_with_the_reason(
    tmp_path: Path, content: str, reason: str
) -> None:
    path = tmp_path / "episode.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TranscriptError, match=reason):
        read_transcript(path)
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "good.json").write_text('{"segments": [{"text": "Hello there."}]}', encoding="utf-8")
    path.rename(folder / "bad.json")
    idx, report = index.build_with_report([folder])
    assert len(report.skipped) == 1 and report.skipped[0].startswith(f"{folder / 'bad.json'}: ")
    assert [d.source for d in idx.documents] == ["good.json"]


def test_html_without_text_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_text(
        "<html><head><title>Nothing</title><script>let x = 1;</script></head><body></body></html>"
    )
    with pytest.raises(TranscriptError, match="no transcript text"):
        read_transcript(path)


def test_sidecars_are_never_transcripts(tmp_path: Path) -> None:
    (tmp_path / "talk.json").write_text('{"segments": [{"text": "Hello there."}]}', encoding="utf-8")
    # A sidecar shaped like a transcript, to show that the name alone rules it out.
    sidecar = json.dumps({"title": "The Talk", "segments": [{"text": "not a transcript"}]})
    (tmp_path / "talk.meta.json").write_text(sidecar, encoding="utf-8")
    (tmp_path / "talk.en.info.json").write_text(sidecar, encoding="utf-8")
    assert find_transcripts([tmp_path]).files == [tmp_path / "talk.json"]
    with pytest.raises(TranscriptError, match="sidecar"):
        read_transcript(tmp_path / "talk.meta.json")
    transcript = read_transcript(tmp_path / "talk.json")
    assert transcript.title == "The Talk"  # and the sidecar still names the transcript beside it
