"""One episode, one document: the same episode in several files of a folder is indexed once."""

from __future__ import annotations

from pathlib import Path

from onrecord import index

LINES = ["Owls hunt at night and fly without a sound.", "Their feathers have soft fringed edges."]
SRT = "".join(
    f"{n}\n00:00:0{2 * n},000 --> 00:00:0{2 * n + 1},500\n{line}\n\n" for n, line in enumerate(LINES, 1)
)
VTT = "WEBVTT\n\n" + SRT.replace(",", ".")
TXT = " ".join(LINES) + "\n"
MD = "".join(f"**Ann Example:** {line}\n\n" for line in LINES)


def _write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, "utf-8")
    return folder


def test_the_same_episode_as_srt_vtt_and_txt_is_one_document_with_timings(tmp_path: Path) -> None:
    folder = _write(
        tmp_path / "subs", {"owls.en.srt": SRT, "owls.en.vtt": VTT, "owls.en.txt": TXT, "bats.txt": "Bats."}
    )
    idx, report = index.build_with_report([folder])
    assert sorted(d.source for d in idx.documents) == ["bats.txt", "owls.en.srt"]
    hits = idx.search("how do owls hunt", k=5)
    assert [h.doc.source for h in hits] == ["owls.en.srt"] and hits[0].start == 2.0
    assert [(m.kept.name, sorted(p.name for p in m.left_out)) for m in report.merged] == [
        ("owls.en.srt", ["owls.en.txt", "owls.en.vtt"])
    ]
    assert report.files == 2 and not report.skipped


def test_speakers_beat_timings_and_timings_beat_plain_text(tmp_path: Path) -> None:
    folder = _write(tmp_path / "a", {"talk.md": MD, "talk.vtt": VTT, "talk.txt": TXT})
    assert [d.source for d in index.build([folder]).documents] == ["talk.md"]
    folder = _write(tmp_path / "b", {"talk.txt": TXT, "talk.vtt": VTT})
    assert [d.source for d in index.build([folder]).documents] == ["talk.vtt"]


def test_the_same_name_in_other_folders_is_another_episode(tmp_path: Path) -> None:
    first = _write(tmp_path / "show1", {"episode.txt": TXT})
    second = _write(tmp_path / "show2", {"episode.txt": TXT, "episode.srt": SRT})
    idx, report = index.build_with_report([first, second])
    assert sorted(d.path for d in idx.documents) == [str(first / "episode.txt"), str(second / "episode.srt")]
    assert len(report.merged) == 1


def test_an_unreadable_copy_gives_way_to_a_readable_one(tmp_path: Path) -> None:
    folder = _write(tmp_path / "c", {"talk.txt": TXT})
    (folder / "talk.srt").write_bytes(b"\x00\xff\x00binary" * 100)
    idx, report = index.build_with_report([folder])
    assert [d.source for d in idx.documents] == ["talk.txt"] and not report.skipped
    (folder / "talk.txt").write_bytes(b"\x00\xff\x00binary" * 100)
    _, report = index.build_with_report([folder])
    assert not report.merged and len(report.skipped) == 2  # neither can be read: both are reported
