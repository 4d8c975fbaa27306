from __future__ import annotations

from pathlib import Path

import pytest

from onrecord.index.readers import read_transcript
from onrecord.index.transcript import Segment

DATA = Path(__file__).resolve().parents[1] / "data" / "transcripts"


def _starting(segments: list[Segment], prefix: str) -> Segment:
    return next(seg for seg in segments if seg.text.startswith(prefix))


def test_speaker_labels_turns_and_paragraphs_of_the_same_speaker() -> None:
    transcript = read_transcript(DATA / "changelog_103_head.md")
    segments = transcript.segments
    assert transcript.speakers == ["Adam Stacoviak", "Andrew Thorp", "Sid Sijbrandij"]
    assert all(seg.turn for seg in segments)  # one paragraph per segment here
    assert segments[0].speaker == "Adam Stacoviak"
    assert segments[0].text.startswith("Welcome back, everyone, this is The Changelog.")
    same = segments[1]
    assert same.speaker == "Adam Stacoviak"
    assert same.text == (
        "This show is hosted by myself, Adam Stacoviak... I almost said Andrew Thorpe... "
        "And also Andrew Thorpe. Say hello, man."
    )
    assert _starting(segments, "Hey, how's it going?").speaker == "Andrew Thorp"
    assert "episode #103, man" in segments[3].text
    assert transcript.title == "changelog 103 head"


def test_break_time_range_and_timed_annotations() -> None:
    segments = read_transcript(DATA / "changelog_103_head.md").segments
    assert not any(seg.speaker == "Break" or seg.text in ("to", "Break:") for seg in segments)
    after = _starting(segments, "That's kind of neat though")
    assert after.start == 180.0 and after.end is None
    assert "we have a friend at that works with us" in after.text
    text = " ".join(seg.text for seg in segments)
    assert "unintelligible" not in text and "\\" not in text and "[" not in text and "*" not in text


@pytest.mark.parametrize(
    ("name", "prefix", "start", "speaker"),
    [
        (
            "gotime_56_frames.md",
            "Powerline -- so it's at github.com/justjanne/powerline-go.",
            2643.0,
            "Brian Ketelsen",
        ),
        ("friends_125_long_minutes.md", "...man, we can't end the show", 6008.0, "Techno Tim"),
        ("gotime_162_hours.md", "I can definitely say, when I've worked", 3617.0, "Jon Calhoun"),
        ("changelog_420_hundredths.md", "What else do I dislike?", 4807.06, "George Neville-Neil"),
    ],
)
def test_escaped_time_marks(name: str, prefix: str, start: float, speaker: str) -> None:
    segments = read_transcript(DATA / name).segments
    marked = _starting(segments, prefix)
    assert marked.start == pytest.approx(start)
    assert marked.speaker == speaker and marked.turn
    assert [seg.start for seg in segments].count(None) == len(segments) - 1


def test_annotation_with_a_time_is_not_a_time_mark() -> None:
    segments = read_transcript(DATA / "friends_63_unintelligible.md").segments
    assert all(seg.start is None for seg in segments)
    nick = _starting(segments, "Okay. My favorite one")
    assert "starts off with like and then you just" in nick.text


def test_entities_and_no_break_spaces() -> None:
    segments = read_transcript(DATA / "changelog_379_entities.md").segments
    assert "from maybe a developer's perspective" in segments[0].text
    assert _starting(segments, "So he said, \"Imagine someone could give you a loan, but there's")
    assert _starting(segments, "Yeah. It matters who's buying that company, right?").speaker == "Jerod Santo"
    nbsp = read_transcript(DATA / "changelog_202_nbsp.md").segments
    assert "you must be under a rock" in nbsp[0].text
    assert not any("\u00a0" in seg.text or "  " in seg.text for seg in nbsp)


def test_file_without_time_marks() -> None:
    transcript = read_transcript(DATA / "gotime_1_no_timestamps.md")
    assert all(seg.start is None and seg.end is None for seg in transcript.segments)
    assert transcript.speakers == ["Erik St. Martin", "Brian Ketelsen"]
    assert transcript.segments[1].speaker == "Erik St. Martin"  # a paragraph without a label


def test_front_matter_and_generic_markdown(tmp_path: Path) -> None:
    path = tmp_path / "episode.md"
    path.write_text(
        '---\ntitle: "Episode 1: Hello"\nurl: https://example.com/e1\nshow: Example Show\n---\n\n'
        "# Ignored Heading\n\nSome *emphasis* and __strong__ text with a [link](https://x.org/a_(b)).  \n"
        "Next line after a hard break.\n\n1. first item\n2. second item\n\n***\n\n> quoted `code`\n",
        encoding="utf-8",
    )
    transcript = read_transcript(path)
    assert (transcript.title, transcript.url, transcript.show) == (
        "Episode 1: Hello",
        "https://example.com/e1",
        "Example Show",
    )
    assert [(seg.text, seg.turn) for seg in transcript.segments] == [
        ("Some emphasis and strong text with a link.", True),
        ("Next line after a hard break.", True),
        ("first item", True),
        ("second item", True),
        ("quoted code", True),
    ]


def test_front_matter_with_a_speaker_list_and_a_leading_rule_that_is_not_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "two.md"
    path.write_text("---\ntitle: Two\nspeakers:\n  - Ann\n  - Bo\n---\n**Ann:** Hi.\n", encoding="utf-8")
    transcript = read_transcript(path)
    assert (transcript.title, transcript.speakers) == ("Two", ["Ann", "Bo"])
    path.write_text("---\nFirst part: it is long.\nStill text.\n---\nMore.\n", encoding="utf-8")
    assert [(seg.text, seg.turn) for seg in read_transcript(path).segments] == [
        ("First part: it is long.", True),
        ("Still text.", False),
        ("More.", True),
    ]


def test_a_bold_label_right_under_a_paragraph_starts_a_turn(tmp_path: Path) -> None:
    """As in changelog--friends-1.md: no blank line before the label, which still names who speaks."""
    path = tmp_path / "friends.md"
    path.write_text(
        "**Adam Stacoviak:** And of those conversations, maybe six get published.\n"
        "**Jerod Santo:** Something like that.\n\n**Adam Stacoviak:** Some of them hit the news.\n",
        encoding="utf-8",
    )
    assert [(seg.speaker, seg.text, seg.turn) for seg in read_transcript(path).segments] == [
        ("Adam Stacoviak", "And of those conversations, maybe six get published.", True),
        ("Jerod Santo", "Something like that.", True),
        ("Adam Stacoviak", "Some of them hit the news.", True),
    ]
