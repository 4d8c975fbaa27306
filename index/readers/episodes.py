"""An episode table: one ``episodes.csv`` beside the transcripts gives a whole folder its titles at once.

Columns (a header row names them; any order, all but ``file`` optional)::

    file,title,url,show,speakers,date
    episode_001,Ann on Birds,https://example.com/1,The Show,Host; Ann,2026-01-05

``file`` is a file name in the table's folder, with or without its suffix (``episode_001`` covers
``episode_001.srt`` and ``episode_001.vtt``); ``speakers`` are separated by ``;``. A sidecar
(``<stem>.meta.json``) still wins over the table for its file.
"""

from __future__ import annotations

import csv
import functools
import logging
from collections.abc import Iterable
from pathlib import Path

__all__ = ["TABLE_NAME", "episode_keys"]

TABLE_NAME = "episodes.csv"
_COLUMNS = ("title", "url", "show", "speakers", "date")

logger = logging.getLogger(__name__)


def episode_keys(folder: Path, names: Iterable[str]) -> dict[str, str]:
    """The keys of the first of ``names`` (a file's name, then its stems) in ``folder``'s table, if any."""
    table = folder / TABLE_NAME
    try:
        stat = table.stat()
    except OSError:
        return {}
    rows = _read_table(table, stat.st_mtime_ns, stat.st_size)
    return next((rows[name] for name in names if name in rows), {})


@functools.lru_cache(maxsize=64)
def _read_table(table: Path, _mtime_ns: int, _size: int) -> dict[str, dict[str, str]]:
    """Rows by file name; read once per folder (and again if the file changes) in each build process."""
    try:
        with table.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        logger.warning("ignoring unreadable episode table %s: %s", table, error)
        return {}
    found: dict[str, dict[str, str]] = {}
    for row in rows:
        name = (row.get("file") or "").strip()
        if not name:
            continue
        keys = {column: (row.get(column) or "").strip() for column in _COLUMNS}
        keys["speakers"] = keys["speakers"].replace(";", ",")
        found[name] = {column: value for column, value in keys.items() if value}
    if rows and not found:
        logger.warning("ignoring episode table %s: it has no 'file' column", table)
    return found
