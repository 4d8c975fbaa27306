"""`--out` into a folder that merely has a `manifest.json` (a web app's, say) never removes its files."""

from __future__ import annotations

from pathlib import Path

import pytest

from onrecord import index


def test_a_folder_with_another_programs_manifest_is_not_replaced(
    seed_index: index.Index, tmp_path: Path
) -> None:
    app = tmp_path / "webapp"
    app.mkdir()
    (app / "manifest.json").write_text('{"name": "My App", "start_url": "/"}', encoding="utf-8")
    (app / "icons.npy").write_bytes(b"not an index array")
    with pytest.raises(OSError, match="webapp"):
        seed_index.save(app)
    assert sorted(p.name for p in app.iterdir()) == ["icons.npy", "manifest.json"]
