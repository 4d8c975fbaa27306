from __future__ import annotations

from pathlib import Path

import pytest

from onrecord.bot import corpus
from onrecord.index import store


def test_the_cached_seeds_index_is_built_again_under_new_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = corpus.seeds_cache_dir(tmp_path)
    assert corpus.seeds_cache_dir(tmp_path) == before
    monkeypatch.setattr(corpus, "RULES", store.RULES + 1)
    assert corpus.seeds_cache_dir(tmp_path) != before
