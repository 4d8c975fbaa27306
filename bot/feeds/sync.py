"""`onrecord feed sync`: fetch the new episodes' transcripts of some feeds into a folder, then re-index.

The folder keeps a small state file (``.onrecord-feeds.json``, hidden, so the index skips it): each feed's
ETag and Last-Modified, and the GUIDs of the episodes whose transcript was saved. An episode is recorded
only once its transcript and sidecar are on disk, so an interrupted run fetches it again next time, and a
failure never removes a file fetched before.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import aiohttp

from .download import MAX_BYTES, DownloadError, Validators, download, fetch_feed
from .episodes import SUFFIXES, Episode, NotAFeedError, parse_feed

STATE_NAME = ".onrecord-feeds.json"
_SLUG = re.compile(r"[^a-z0-9]+")
_TIMEOUT = aiohttp.ClientTimeout(total=None, sock_connect=30, sock_read=60)
# Hosts that turn away unnamed clients see who asks
_HEADERS = {"User-Agent": f"OnRecord/{version('onrecord')} (podcast feed sync)"}


@dataclass(slots=True)
class Summary:
    feeds: int = 0
    feeds_failed: int = 0
    new_episodes: int = 0
    fetched: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # by reason

    def lines(self) -> list[str]:
        failed = f" ({self.feeds_failed} failed)" if self.feeds_failed else ""
        lines = [
            f"Feeds: {self.feeds}{failed}. New episodes: {self.new_episodes}. "
            f"Transcripts fetched: {self.fetched}."
        ]
        if self.skipped:
            lines.append("Skipped: " + "; ".join(f"{n} {reason}" for reason, n in self.skipped.items()) + ".")
        return lines


class _State:
    def __init__(self, folder: Path) -> None:
        if folder.exists() and not folder.is_dir():
            raise OSError(f"{folder}: not a folder")
        folder.mkdir(parents=True, exist_ok=True)
        self._path = folder / STATE_NAME
        data: dict[str, Any] = {}
        if self._path.exists():
            try:
                data = json.loads(self._path.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError):
                raise OSError(f"{self._path}: not a feed state file; move it away to start afresh") from None
        self._feeds: dict[str, dict[str, Any]] = data.get("feeds", {})

    def validators(self, url: str) -> Validators:
        feed = self._feeds.get(url, {})
        return Validators(feed.get("etag"), feed.get("last_modified"))

    def seen(self, url: str, guid: str) -> bool:
        return guid in self._feeds.get(url, {}).get("episodes", [])

    def record_episode(self, url: str, guid: str) -> None:
        self._feeds.setdefault(url, {}).setdefault("episodes", []).append(guid)
        self._save()

    def record_feed(self, url: str, validators: Validators) -> None:
        feed = self._feeds.setdefault(url, {})
        feed["etag"], feed["last_modified"] = validators.etag, validators.last_modified
        self._save()

    def _save(self) -> None:
        fd, name = tempfile.mkstemp(dir=self._path.parent, prefix=".state-")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"feeds": self._feeds}, out, indent=1)
        Path(name).replace(self._path)


async def sync(
    urls: Sequence[str], folder: Path, report: Callable[[str], None], max_bytes: int = MAX_BYTES
) -> Summary:
    """Fetch each feed and the transcripts of its episodes not fetched before; ``report`` gets one line
    per feed, per transcript saved and per thing skipped."""
    state = _State(folder)
    summary = Summary()
    async with aiohttp.ClientSession(timeout=_TIMEOUT, headers=_HEADERS) as session:
        for url in urls:
            summary.feeds += 1
            try:
                fetched = await fetch_feed(session, url, state.validators(url), max_bytes)
                if fetched is None:
                    report(f"{url}: not changed since the last sync")
                    continue
                feed = parse_feed(fetched[0])
            except (DownloadError, NotAFeedError) as err:
                summary.feeds_failed += 1
                report(f"skipped feed {url}: {err}")
                continue
            new = [e for e in feed.episodes if e.offers and not state.seen(url, e.guid)]
            episodes = f"{len(feed.episodes)} episode{'' if len(feed.episodes) == 1 else 's'}"
            report(f"{url}: {feed.show or 'untitled'}, {episodes}, {len(new)} new")
            summary.new_episodes += len(new)
            for episode in new:
                if await _fetch_episode(session, episode, feed.show, folder, max_bytes, summary, report):
                    state.record_episode(url, episode.guid)
            state.record_feed(url, fetched[1])
    return summary


async def _fetch_episode(
    session: aiohttp.ClientSession,
    episode: Episode,
    show: str,
    folder: Path,
    max_bytes: int,
    summary: Summary,
    report: Callable[[str], None],
) -> bool:
    """Save the best transcript the episode offers that can be had (the next best after a failure), and
    its sidecar; True when one was saved."""
    stem = _stem(show, episode)
    for offer in episode.offers:
        target = folder / f"{stem}{offer.suffix}"
        try:
            await download(session, offer.url, target, max_bytes)
        except DownloadError as err:
            summary.skipped[_reason_group(str(err))] += 1
            report(f"skipped {offer.url} ({episode.title}): {err}")
            continue
        _drop_other_formats(target)
        _write_sidecar(folder / f"{stem}.meta.json", episode, show)
        summary.fetched += 1
        report(f"fetched {target.name}: {episode.title}")
        return True
    return False


def _drop_other_formats(saved: Path) -> None:
    """Remove the episode's transcript in another format, saved by a run that stopped before recording
    the episode: two would be indexed twice."""
    for suffix in SUFFIXES:
        other = saved.with_suffix(suffix)
        if other != saved:
            other.unlink(missing_ok=True)


def _stem(show: str, episode: Episode) -> str:
    """A file name that is readable and stays the same for the episode: show, title, a hash of the GUID."""
    digest = hashlib.sha256(episode.guid.encode()).hexdigest()[:10]
    words = [_SLUG.sub("-", text.lower()).strip("-")[:40].strip("-") for text in (show, episode.title)]
    return "_".join([*(w for w in words if w), digest])


def _write_sidecar(path: Path, episode: Episode, show: str) -> None:
    meta = {"title": episode.title, "url": episode.link, "show": show or None,
            "speakers": episode.speakers, "date": episode.date}  # fmt: skip
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=".meta-")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump({key: value for key, value in meta.items() if value}, out, ensure_ascii=False, indent=1)
    Path(name).replace(path)


def _reason_group(reason: str) -> str:
    """The summary's grouping of a reason ("HTTP 404 Not Found" -> "HTTP 404")."""
    if reason.startswith("wrong content type"):
        return "wrong content type"
    if reason.startswith("HTTP "):
        return " ".join(reason.split()[:2])
    return reason
