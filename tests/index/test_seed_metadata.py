"""The bundled seeds carry real titles, shows, links and speakers (their sidecars), never hash names."""

from __future__ import annotations

from pathlib import Path

from onrecord import index
from onrecord.index.readers.metadata import title_from_filename


def test_every_seed_has_a_real_title_and_the_conversations_name_show_and_speakers(
    seed_index: index.Index,
) -> None:
    for doc in seed_index.documents:
        assert doc.title != title_from_filename(Path(doc.source)), doc.source
    conversations = [doc for doc in seed_index.documents if doc.show]
    assert {doc.show for doc in conversations} == {
        "Dwarkesh Podcast",
        "Lex Fridman Podcast",
        "Unsupervised Learning: Redpoint's AI Podcast",
    }
    assert all(len(doc.speakers) >= 2 for doc in conversations)
