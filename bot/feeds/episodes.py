"""The episodes of a podcast feed and the transcripts each offers (``<podcast:transcript>``).

feedparser reads the feed (any RSS or Atom dialect, dates, GUIDs), but of a namespaced element that repeats
it keeps only the last, and an episode usually offers several transcripts and names several people. Those
elements are read again from the feed's XML with the standard library; a feed that is not well-formed XML
keeps what feedparser found.
"""

from __future__ import annotations

import datetime
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

import feedparser

# The namespace, and the address the spec says clients must also recognize
_PODCAST = ("https://podcastindex.org/namespace/1.0",
            "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md")  # fmt: skip

# Best first: the formats with timings and speakers, then HTML, then plain text; each saved with the
# suffix the readers choose by.
SUFFIX_BY_TYPE: dict[str, str] = {
    "application/json": ".json",
    "text/vtt": ".vtt",
    "application/x-subrip": ".srt",
    "application/srt": ".srt",
    "text/srt": ".srt",
    "text/html": ".html",
    "text/plain": ".txt",
}
SUFFIXES = (".json", ".vtt", ".srt", ".html", ".txt")  # best first


class NotAFeedError(ValueError):
    """Bytes that are not an RSS or Atom feed; the message says why."""


@dataclass(frozen=True, slots=True)
class Offer:
    """A transcript an episode links to, and the suffix its type is saved with."""

    url: str
    suffix: str


@dataclass(slots=True)
class Episode:
    guid: str
    title: str
    link: str | None
    date: str | None
    speakers: list[str]
    offers: list[Offer] = field(default_factory=list)


@dataclass(slots=True)
class Feed:
    show: str
    episodes: list[Episode]


def parse_feed(body: bytes) -> Feed:
    """The show and its episodes; raises NotAFeedError when ``body`` holds neither."""
    parsed = feedparser.parse(body)
    if not parsed.entries and not parsed.feed.get("title"):
        reason = parsed.get("bozo_exception") or "no channel and no episodes"
        raise NotAFeedError(f"not an RSS or Atom feed ({reason})")
    items = _podcast_elements(body)
    channel_people = items.pop("", ([], []))[1]
    episodes = []
    for entry in parsed.entries:
        guid = str(entry.get("id") or entry.get("link") or entry.get("title") or "")
        if not guid:
            continue
        transcripts, people = items.get(guid) or (_single(entry.get("podcast_transcript")), [])
        episodes.append(
            Episode(
                guid=guid,
                title=str(entry.get("title") or guid),
                link=entry.get("link"),
                date=_date(entry.get("published_parsed") or entry.get("updated_parsed")),
                speakers=people or channel_people,
                offers=_best_first(transcripts),
            )
        )
    return Feed(show=str(parsed.feed.get("title") or ""), episodes=episodes)


def _podcast_elements(body: bytes) -> dict[str, tuple[list[dict[str, str]], list[str]]]:
    """Each item's transcripts (attributes) and people (names) by GUID (else link, else title); the
    channel's people under ``""``. Empty when the XML is not well-formed."""
    try:
        root = ET.fromstring(body)  # expat refuses entity expansion bombs
    except ET.ParseError:
        return {}
    channel = root.find("channel")
    if channel is None:
        return {}
    found: dict[str, tuple[list[dict[str, str]], list[str]]] = {"": ([], _people(channel))}
    for item in channel.iter("item"):
        key = next((text for tag in ("guid", "link", "title") if (text := item.findtext(tag))), None)
        if key:
            transcripts = [dict(e.attrib) for ns in _PODCAST for e in item.iter(f"{{{ns}}}transcript")]
            found[key.strip()] = (transcripts, _people(item))
    return found


def _people(element: ET.Element) -> list[str]:
    names = (e.text or "" for ns in _PODCAST for e in element.findall(f"{{{ns}}}person"))
    return list(dict.fromkeys(name.strip() for name in names if name.strip()))


def _single(attributes: Any) -> list[dict[str, str]]:
    return [dict(attributes)] if isinstance(attributes, dict) else []


def _best_first(transcripts: list[dict[str, str]]) -> list[Offer]:
    offers = []
    for attributes in transcripts:
        mime = attributes.get("type", "").split(";")[0].strip().lower()
        suffix = SUFFIX_BY_TYPE.get(mime)
        url = attributes.get("url", "").strip()
        if suffix and url.startswith(("http://", "https://")):
            offers.append(Offer(url, suffix))
    return sorted(dict.fromkeys(offers), key=lambda offer: SUFFIXES.index(offer.suffix))


def _date(parsed: time.struct_time | None) -> str | None:
    if parsed is None:
        return None
    return datetime.date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday).isoformat()
