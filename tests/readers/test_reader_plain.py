from __future__ import annotations

from pathlib import Path

from onrecord.index.readers import read_transcript

DATA = Path(__file__).resolve().parents[1] / "data" / "transcripts"


def _text(path: Path) -> str:
    return " ".join(seg.text for seg in read_transcript(path).segments)


def test_a_short_title_case_first_line_is_the_title() -> None:
    transcript = read_transcript(DATA / "seed000_title.txt")
    assert transcript.title == "We Have All Lost: Once Trust Is Broken, It Can Never Be Mended."
    assert transcript.segments[0].text.startswith("This was my immediate reaction")
    assert transcript.segments[0].turn
    assert "Once Trust Is Broken" not in _text(DATA / "seed000_title.txt")


def test_markdown_content_in_a_txt_file_is_stripped() -> None:
    transcript = read_transcript(DATA / "seed001_markdown_head.txt")
    assert transcript.title == "Ilya Sutskever – We're moving from the age of scaling to the age of research"
    texts = [seg.text for seg in transcript.segments]
    assert texts[0] == "Summary (in English):"
    assert texts[1].startswith("Ilya Sutskever reflected on current AI technology bottlenecks")
    assert texts[2] == "Key Points:"
    assert texts[3].startswith("Contradiction between AI investment and real impact: Tech giants invest")
    assert all(seg.turn for seg in transcript.segments)
    assert all(seg.speaker is None for seg in transcript.segments)
    for markup in ("**", "##", "---", "- "):
        assert not any(text.startswith(markup) or markup in text for text in texts if markup != "- ")
    assert not any(text.startswith("- ") for text in texts)


def test_mixed_chinese_stays_intact_and_the_reference_url_is_found() -> None:
    transcript = read_transcript(DATA / "seed001_chinese_tail.txt")
    texts = [seg.text for seg in transcript.segments]
    assert (
        "循环Bug现象：AI在代码生成中可能陷入“修改→新Bug→再修改→回到原点”的死循环，说明其推理能力不足。"
        in texts
    )
    assert transcript.url == "https://www.youtube.com/watch?v=aR20FWCCjAs"
    assert not any("http" in text for text in texts)
    assert texts[-1] == "Reference:"
    assert transcript.language == "zh"


def test_caption_rollup_repeats_are_removed() -> None:
    transcript = read_transcript(DATA / "seed002_rollup.txt")
    assert transcript.title.startswith("Ex-OpenAI Researcher On Why He Left")
    text = _text(DATA / "seed002_rollup.txt")
    assert text.count("Without further ado, here's Jerry.") == 1
    assert text.count("training corpus? Probably not.") == 1
    assert text.count("It is pretty clear that if you, again") == 1
    assert "in a pre-training corpus? Probably not. How do models do tasks" in text
    assert "pre -training" not in text
    first_bullet = next(
        seg for seg in transcript.segments if seg.text == "Scaling Delivers What You Train For"
    )
    assert first_bullet.turn
    body = next(seg for seg in transcript.segments if seg.text.startswith("As VP of Research"))
    assert body.turn
    wrapped = next(seg for seg in transcript.segments if seg.text.startswith("the space is headed."))
    assert not wrapped.turn


def test_wrapped_caption_lines_debris_and_nbsp() -> None:
    transcript = read_transcript(DATA / "seed004_debris_nbsp.txt")
    assert transcript.title == "seed004 debris nbsp"
    texts = [seg.text for seg in transcript.segments]
    assert texts[:3] == ["You know what's crazy? That all of this is real.", "Meaning what?", texts[2]]
    assert texts[2] == "Don't you think so? All this AI stuff and"
    assert [seg.turn for seg in transcript.segments] == [True] + [False] * (len(texts) - 1)
    joined = " ".join(texts)
    for debris in ("Kind:", "Language:", "Transcript extracted", "&nbsp;", "\u00a0", "  "):
        assert debris not in joined


def test_youtube_text_with_speaker_changes() -> None:
    transcript = read_transcript(DATA / "youtube_cleaned.en.txt")
    assert transcript.title == "youtube cleaned"
    turns = [seg.text for seg in transcript.segments if seg.turn]
    assert turns[1].startswith("I've been really addicted to this new site")
    assert "but then it feels like it's here." in turns
    assert "impersonating my personal OpenClaw" in _text(DATA / "youtube_cleaned.en.txt")


def test_one_very_long_line_is_read(tmp_path: Path) -> None:
    """How soon: benchmarks/suite_timings.py (within a second)."""
    excerpt = (DATA / "seed003_one_line.txt").read_bytes()
    assert (
        read_transcript(DATA / "seed003_one_line.txt")
        .segments[0]
        .text.startswith("The following is a conversation with Wojciech Zaremba")
    )
    big = tmp_path / "big.txt"
    big.write_bytes(b" ".join([excerpt] * 40))  # 160 kB on one line, like seed 003
    segments = read_transcript(big).segments
    assert 1 <= len(segments) <= 3
