"""Speaker labels written into captions and text exports (Zoom, Otter, Rev, Descript)."""

from __future__ import annotations

from pathlib import Path

import pytest

from onrecord import index
from onrecord.index.readers import read_transcript
from onrecord.index.readers.speakers import match_label, recurring_labels

SHAPES = Path(__file__).resolve().parents[1] / "data" / "shapes"


def _turns(name: str) -> list[tuple[str | None, float | None, str]]:
    """(speaker, start, text) of each turn, the text of its segments joined."""
    turns: list[tuple[str | None, float | None, str]] = []
    for seg in read_transcript(SHAPES / name).segments:
        if seg.turn or not turns:
            turns.append((seg.speaker, seg.start, seg.text))
        else:
            speaker, start, text = turns[-1]
            assert seg.speaker == speaker, (name, seg)
            turns[-1] = (speaker, start, f"{text} {seg.text}")
    return turns


def test_zoom_label_on_every_cue() -> None:
    assert _turns("zoom_every_cue.vtt") == [
        (
            "Dan Ott",
            1.02,
            "If you don't remember the first time you heard a modem, "
            "it sounded like a fax machine arguing with a kettle.",
        ),
        ("Priya Raman", 8.31, "I remember it. We had one phone line and my mother was always on it."),
        ("Dan Ott", 12.4, "So you learned to wait for the dial tone."),
        ("Priya Raman", 16.1, "I learned to pick up the other handset very, very quietly."),
    ]


def test_otter_label_on_the_first_cue_of_a_turn_carries_to_the_next_cues() -> None:
    transcript = read_transcript(SHAPES / "otter_first_cue.srt")
    assert [(s.speaker, s.start, s.turn) for s in transcript.segments] == [
        ("Sarah Lin", 0.0, True),
        ("Sarah Lin", 2.76, False),
        ("Gillian Moss", 6.09, True),
        ("Gillian Moss", 9.61, False),
        ("Sarah Lin", 13.8, True),
        ("Gillian Moss", 17.1, True),
    ]
    assert transcript.segments[2].text == "Hi, Gillian here from the breaking through careers podcast."
    assert transcript.speakers == ["Sarah Lin", "Gillian Moss"]


def test_rev_label_lines_give_speaker_and_time() -> None:
    transcript = read_transcript(SHAPES / "rev_label_lines.txt")
    assert transcript.title == "rev label lines"  # the first label line is not a title
    assert _turns("rev_label_lines.txt") == [
        (
            "Speaker 1",
            1.0,
            "Welcome back to the workshop. Today we are restoring a cast iron pan "
            "that spent ten years in a barn.",
        ),
        ("Speaker 2", 9.0, "Ten years. Is there anything left of it?"),
        ("Speaker 1", 12.0, "More than you would think. Rust is mostly on the surface."),
        ("Speaker 2", 17.0, "So we start with vinegar?"),
        ("Speaker 1", 19.0, "We start with a wire brush, then vinegar for an hour, no longer."),
    ]


def test_otter_name_and_time_lines() -> None:
    assert _turns("otter_name_time.txt") == [
        ("Dan Ott", 0.0, "Let's talk about the lighthouse keepers of the northern coast."),
        ("Mara Quist", 7.0, "My grandfather kept the light at Skarv Point for thirty years."),
        ("Dan Ott", 15.0, "Alone?"),
        ("Mara Quist", 16.0, "With a radio, a dog, and a stack of seed catalogues."),
    ]


def test_descript_timed_labels_and_wrapped_lines() -> None:
    assert _turns("descript_inline.txt") == [
        (
            "Ines Dubois",
            0.0,
            "Bread is older than writing, and I think "
            "that says something about what people cared about first.",
        ),
        ("Tom Berg", 7.0, "Older than writing? How do we know that?"),
        ("Ines Dubois", 10.0, "Charred crumbs in a fireplace in Jordan, about fourteen thousand years old."),
        ("Tom Berg", 16.0, "Crumbs are evidence now."),
    ]


def test_plain_labels_in_markdown_looking_text(tmp_path: Path) -> None:
    path = tmp_path / "bread.txt"  # a heading sends a text file to the Markdown reader
    path.write_text(
        "# Bread Before Writing\n\nInes Dubois: Bread is older than writing.\n\n"
        "Tom Berg: How do we know that?\n\nInes Dubois: Charred crumbs.\n\n**Tom Berg:** Crumbs!\n",
        encoding="utf-8",
    )
    transcript = read_transcript(path)
    assert transcript.title == "Bread Before Writing"
    assert [(s.speaker, s.text) for s in transcript.segments] == [
        ("Ines Dubois", "Bread is older than writing."),
        ("Tom Berg", "How do we know that?"),
        ("Ines Dubois", "Charred crumbs."),
        ("Tom Berg", "Crumbs!"),
    ]


def test_a_note_and_a_chapter_list_in_prose_stay_text() -> None:
    transcript = read_transcript(SHAPES / "prose_note.txt")
    text = " ".join(seg.text for seg in transcript.segments)
    assert "Note: the towpath is closed" in text
    assert "Intro 0:00 The lock keeper 4:12 Coal barges 18:40" in text
    assert transcript.speakers == []


@pytest.mark.parametrize(
    ("line", "name", "start", "rest"),
    [
        ("Dan Ott: If you don't remember", "Dan Ott", None, "If you don't remember"),
        ("Speaker 1 (00:01:02):", "Speaker 1", 62.0, ""),
        ("Speaker 2: (01:05)", "Speaker 2", 65.0, ""),
        ("Dan Ott  1:02:03", "Dan Ott", 3723.0, ""),
        ("[00:00:07] Tom Berg: Older", "Tom Berg", 7.0, "Older"),
        ("Tom Berg: [00:00:07] Older", "Tom Berg", 7.0, "Older"),
        ("SPEAKER_00: yes", "SPEAKER_00", None, "yes"),
        ("Ludwig van Beethoven: da da", "Ludwig van Beethoven", None, "da da"),
    ],
)
def test_label_shapes(line: str, name: str, start: float | None, rest: str) -> None:
    label = match_label(line)
    assert label is not None
    assert (label.name, label.start, line[label.end :]) == (name, start, rest)


@pytest.mark.parametrize(
    "line", ["I said: no", "Topics covered:", "https://example.com/a", "10:30 is late", "We met at 10:30"]
)
def test_not_label_shapes(line: str) -> None:
    assert match_label(line) is None


@pytest.mark.parametrize(
    ("lines", "found"),
    [
        (["Ann: hi", "Bo: hello", "Ann: bye", "Bo: so"], [0, 1, 2, 3]),  # names used again
        (["Ann: hi", "Bo: hello", "Answer: no", "Ann: bye", "Bo: so"], [0, 1, 3, 4]),  # a one-off
        (["Ann: hi", "more", "Ann: yes", "Ann: so"], [0, 2, 3]),  # one name labelling most lines
        (["Note: closed", "text", "Update: open"], []),  # no name used again
        (["Intro 0:00", "Middle 4:12", "End 18:40"], []),  # a chapter list
        (["Ann: hi", "text", "text", "text", "Ann: again", "text", "Ann: bye", "text", "text"], []),
    ],
)
def test_labels_count_only_when_they_recur(lines: list[str], found: list[int]) -> None:
    assert sorted(number for number, label in recurring_labels(lines).items() if label.name) == found


def test_answers_name_the_speaker_and_a_name_is_not_a_word_of_every_line() -> None:
    idx = index.build([SHAPES])
    hits = idx.search("fax machine arguing with a kettle", k=1)
    assert hits and hits[0].speaker == "Dan Ott"
    assert hits[0].doc.source == "zoom_every_cue.vtt"
    assert idx.search("Raman", k=5) == []  # Priya Raman's name was only ever a label
    lighthouse = idx.search("lighthouse keepers of the northern coast", k=1)
    assert (lighthouse[0].speaker, lighthouse[0].start) == ("Dan Ott", 0.0)
    assert "Dan Ott" not in lighthouse[0].passage.text and "0:07" not in lighthouse[0].passage.text


def test_a_one_off_label_in_a_labelled_file_is_text(tmp_path: Path) -> None:
    path = tmp_path / "canal.txt"
    path.write_text(
        "Ann: The lock opens at dawn.\nBo: Who opens it?\n"
        "Ann: The keeper. Update: the keeper retired last spring.\n"
        "Bo: So nobody does?\nCorrection: the lock is automatic now.\nAnn: Then it opens itself.\n",
        encoding="utf-8",
    )
    transcript = read_transcript(path)
    assert transcript.speakers == ["Ann", "Bo"]
    said = [(seg.speaker, seg.text, seg.turn) for seg in transcript.segments]
    assert (None, "Correction: the lock is automatic now.", True) in said  # not Bo's: who said it is unknown
    assert ("Ann", "The keeper. Update: the keeper retired last spring.", True) in said


def test_a_one_off_label_in_labelled_html_paragraphs_is_no_one_elses(tmp_path: Path) -> None:
    path = tmp_path / "call.html"
    path.write_text(
        "<p>Alice: Hello there.</p><p>Bob: Hi.</p><p>Alice: How are you?</p><p>Bob: Fine.</p>"
        "<p>Producer: We have a caller.</p><p>Alice: Great.</p>",
        encoding="utf-8",
    )
    assert [(seg.speaker, seg.text) for seg in read_transcript(path).segments][-2:] == [
        (None, "Producer: We have a caller."),
        ("Alice", "Great."),
    ]


def test_a_one_off_label_in_a_cited_paragraph_keeps_the_cited_speaker(tmp_path: Path) -> None:
    path = tmp_path / "call.html"
    path.write_text(
        "<p>Alice: Hello there.</p><p>Bob: Hi.</p><p>Alice: How are you?</p><p>Bob: Fine.</p>"
        "<p><cite>Carol</cite> Note: recorded later.</p><p>Alice: Great.</p>",
        encoding="utf-8",
    )
    assert [(seg.speaker, seg.text) for seg in read_transcript(path).segments][-2:] == [
        ("Carol", "Note: recorded later."),
        ("Alice", "Great."),
    ]


def test_label_times_beyond_48_hours_or_running_backwards_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "workshop.txt"
    path.write_text(
        "Speaker 1 (00:00:01):\nWelcome back to the workshop.\n\n"
        "Speaker 2 (49:00:00):\nTen years in a barn?\n\n"
        "Speaker 1 (00:00:12):\nMore than you would think.\n\n"
        "Speaker 2 (00:00:09):\nSo we start with vinegar?\n\n"
        "Speaker 1 (00:00:19):\nWith a wire brush.\n",
        encoding="utf-8",
    )
    segments = read_transcript(path).segments
    assert [(seg.speaker, seg.start) for seg in segments] == [
        ("Speaker 1", 1.0),
        ("Speaker 2", None),
        ("Speaker 1", 12.0),
        ("Speaker 2", None),
        ("Speaker 1", 19.0),
    ]
