from __future__ import annotations

import json
from pathlib import Path

import pytest

from onrecord.index.readers import SUPPORTED_SUFFIXES, find_transcripts, read_transcript
from onrecord.index.transcript import TranscriptError

DATA = Path(__file__).resolve().parents[1] / "data" / "transcripts"


def test_supported_suffixes() -> None:
    assert {".txt", ".md", ".vtt", ".srt", ".json", ".html", ".htm"} == SUPPORTED_SUFFIXES


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("notes.pdf", b"%PDF-1.4", "unsupported"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("empty.txt", b"   \n\n", "no transcript text"),
        ("music.vtt", b"WEBVTT\n\n00:00.000 --> 00:02.000\n[music]\n", "no transcript text"),
    ],
)
def test_files_that_are_not_transcripts(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(TranscriptError, match=reason) as caught:
        read_transcript(path)
    assert caught.value.path == str(path)


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(TranscriptError, match="cannot read"):
        read_transcript(tmp_path / "missing.txt")
    folder = tmp_path / "folder.md"
    folder.mkdir()
    with pytest.raises(TranscriptError, match="cannot read"):
        read_transcript(folder)


def test_cp1252_file_and_upper_case_suffix(tmp_path: Path) -> None:
    path = tmp_path / "old_export.SRT"
    path.write_bytes(b"1\r\n00:00:01,000 --> 00:00:02,500\r\nCaf\xe9 \x93talk\x94\r\n\r\n")
    transcript = read_transcript(path)
    assert [(s.text, s.start, s.end) for s in transcript.segments] == [("Café “talk”", 1.0, 2.5)]
    assert (transcript.source, transcript.path, transcript.title) == (
        "old_export.SRT",
        str(path),
        "old export",
    )


def test_meta_sidecar_wins(tmp_path: Path) -> None:
    path = tmp_path / "ep-12.txt"
    path.write_text(
        "# A Heading Title\n\nHello there, https://example.org/in-text is here.\n", encoding="utf-8"
    )
    meta = {"title": "Episode 12", "url": "https://example.com/12", "show": "The Show", "language": "de"}
    (tmp_path / "ep-12.meta.json").write_text(json.dumps({**meta, "speakers": ["Ann", "Bo"]}))
    transcript = read_transcript(path)
    assert (transcript.title, transcript.url, transcript.show, transcript.language) == tuple(meta.values())
    assert transcript.speakers == ["Ann", "Bo"]


def test_an_episode_table_names_a_whole_folder_and_a_sidecar_wins_over_it(tmp_path: Path) -> None:
    for name in ("episode_001.vtt", "episode_001.srt", "episode_002.txt", "episode_003.txt"):
        cue = "WEBVTT\n\n" if name.endswith(".vtt") else ""
        (tmp_path / name).write_text(f"{cue}1\n00:00:00,000 --> 00:00:01,000\nhello\n", encoding="utf-8")
    (tmp_path / "episodes.csv").write_text(
        "file,title,url,show,speakers,date\n"
        'episode_001,"Ann: Birds, Bees",https://example.com/1,The Show,Host; Ann,2026-01-05\n'
        "episode_002.txt,Bo on Boats,,The Show,,\n"
        "episode_003.txt,Cy on Clouds,https://example.com/3,The Show,,\n",
        encoding="utf-8",
    )
    (tmp_path / "episode_003.meta.json").write_text('{"title": "Cy, corrected"}', encoding="utf-8")
    first = read_transcript(tmp_path / "episode_001.srt")
    assert (first.title, first.url, first.show, first.date) == (
        "Ann: Birds, Bees",
        "https://example.com/1",
        "The Show",
        "2026-01-05",
    )
    assert (
        first.speakers == ["Host", "Ann"]
        and read_transcript(tmp_path / "episode_001.vtt").title == first.title
    )
    assert (
        read_transcript(tmp_path / "episode_002.txt").title,
        read_transcript(tmp_path / "episode_002.txt").url,
    ) == (
        "Bo on Boats",
        None,
    )
    third = read_transcript(tmp_path / "episode_003.txt")
    assert (third.title, third.url) == ("Cy, corrected", "https://example.com/3")


def test_a_yt_dlp_sidecar_wins_over_the_table_field_by_field(tmp_path: Path) -> None:
    (tmp_path / "ep2.txt").write_text("Hello there.\n", encoding="utf-8")
    (tmp_path / "episodes.csv").write_text(
        "file,title,url,show\nep2,Table Title,https://example.com/table,Table Show\n", encoding="utf-8"
    )
    info = {"title": "", "webpage_url": "https://example.com/yt", "channel": "Channel"}
    (tmp_path / "ep2.info.json").write_text(json.dumps(info), encoding="utf-8")
    transcript = read_transcript(tmp_path / "ep2.txt")
    assert (transcript.title, transcript.url, transcript.show) == (
        "Table Title",  # an empty sidecar title says nothing
        "https://example.com/yt",
        "Channel",
    )


def test_an_unreadable_episode_table_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "talk.txt").write_text("Hello there.\n", encoding="utf-8")
    (tmp_path / "episodes.csv").write_bytes(b"file,title\ntalk.txt,\xff\xfe bad\n")
    assert read_transcript(tmp_path / "talk.txt").title == "talk"
    (tmp_path / "episodes.csv").write_text("name,title\ntalk.txt,Other\n", encoding="utf-8")
    assert read_transcript(tmp_path / "talk.txt").title == "talk"


def test_yt_dlp_info_sidecar_and_url_from_the_text(tmp_path: Path) -> None:
    vtt = tmp_path / "Talk.en.vtt"
    vtt.write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nhello https://example.org/x\n", encoding="utf-8")
    assert read_transcript(vtt).url == "https://example.org/x"
    info = {"title": "The Talk", "webpage_url": "https://youtu.be/abc", "channel": "Chan", "uploader": "Up"}
    (tmp_path / "Talk.info.json").write_text(json.dumps(info))
    transcript = read_transcript(vtt)
    assert (transcript.title, transcript.url, transcript.show) == ("The Talk", "https://youtu.be/abc", "Chan")
    (tmp_path / "Talk.info.json").write_text("{not json")
    assert read_transcript(vtt).title == "Talk"


def test_find_transcripts_walks_folders(tmp_path: Path) -> None:
    for name in (
        "b/2.md",
        "b/1.VTT",
        "a.txt",
        "a.meta.json",
        "a.info.json",
        "README.md",
        "SOURCE.txt",
        "SOURCE_README.md",
        ".hidden.txt",
        ".git/x.md",
        "c/notes.pdf",
        "c/d/deep.srt",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    found = find_transcripts([tmp_path]).files
    assert found == [tmp_path / "a.txt", tmp_path / "b/1.VTT", tmp_path / "b/2.md", tmp_path / "c/d/deep.srt"]
    direct = find_transcripts(
        [str(tmp_path / "README.md"), tmp_path / "c/notes.pdf", tmp_path / "a.txt"]
    ).files
    assert direct == [tmp_path / "README.md", tmp_path / "a.txt"]
    assert find_transcripts([tmp_path / "a.txt", tmp_path]).files == found


def test_links_to_files_outside_the_folders_given_are_not_read(tmp_path: Path) -> None:
    outside, folder = tmp_path / "outside", tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.txt").write_text("x", encoding="utf-8")
    (folder / "own.txt").write_text("x", encoding="utf-8")
    (folder / "passwd.txt").symlink_to(outside / "secret.txt")
    (folder / "sub" / "up.txt").symlink_to(Path("..") / ".." / "outside" / "secret.txt")
    (folder / "sub" / "again.txt").symlink_to(Path("..") / "own.txt")  # inside, but read once
    (folder / "linked").symlink_to(outside, target_is_directory=True)  # folder links are not followed
    found = find_transcripts([folder])
    assert found.files == [folder / "own.txt"]
    assert found.links_outside == [folder / "passwd.txt", folder / "sub" / "up.txt"]
    both = find_transcripts([folder, outside])
    assert both.files == [folder / "own.txt", folder / "passwd.txt"] and not both.links_outside
    assert find_transcripts([folder / "passwd.txt"]).files == [folder / "passwd.txt"]  # named: read


def test_find_transcripts_reports_a_missing_path(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nope"):
        find_transcripts([tmp_path / "nope"])


def test_every_excerpt_reads() -> None:
    found = find_transcripts([DATA]).files
    assert len(found) == len([p for p in DATA.iterdir() if p.name != "SOURCES.md"])
    for path in found:
        transcript = read_transcript(path)
        assert transcript.segments and all(seg.text.strip() == seg.text != "" for seg in transcript.segments)
        assert transcript.segments[0].turn


BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_bidi_controls_are_dropped_from_text_speakers_and_titles(tmp_path: Path) -> None:
    """Overrides and isolates would show words in another order than they were said."""
    vtt = tmp_path / "talk\u202eavi.vtt"
    cues = "".join(
        f"00:0{i}.000 --> 00:0{i}.900\n<v A{c}nn>we {c}said{BIDI[-1]} it\n\n" for i, c in enumerate(BIDI)
    )
    vtt.write_text("WEBVTT\n\n" + cues, encoding="utf-8")
    transcript = read_transcript(vtt)
    shown = [transcript.title, *transcript.speakers, *(s.text for s in transcript.segments)]
    assert transcript.title == "talkavi" and set(transcript.speakers) == {"Ann"}
    assert not any(c in text for c in BIDI for text in shown)
    (tmp_path / "talk\u202eavi.meta.json").write_text(
        json.dumps({"title": "E\u202e1", "speakers": ["B\u2066o"]})
    )
    transcript = read_transcript(vtt)
    assert transcript.title == "E1" and transcript.speakers == ["Ann", "Bo"]


HOSTILE_URL = (
    "https://www.youtube.com/watch?v=abc#x) **Your server will be deleted unless you verify** "
    "[verify here](https://evil.example/login"
)


def test_a_sidecar_url_is_kept_only_as_a_web_link(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "ep.txt"
    path.write_text("Hello there, [verify here](https://evil.example/login) now.\n", encoding="utf-8")
    assert read_transcript(path).url is None  # a link target in the text is not the recording
    sidecar = tmp_path / "ep.meta.json"
    for url in (HOSTILE_URL, "javascript:alert(1)", "https://youtube.com@evil.example/x", "https:///x"):
        sidecar.write_text(json.dumps({"url": url}))
        caplog.clear()
        assert read_transcript(path).url is None
        assert "ep.txt: ignoring the url 'http" in caplog.text or "url 'javascript" in caplog.text
    sidecar.write_text(json.dumps({"url": "https://youtu.be/a_(b)[c]"}))
    assert read_transcript(path).url == "https://youtu.be/a_%28b%29%5Bc%5D"
