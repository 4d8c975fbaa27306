"""HTML transcripts as ``<podcast:transcript type="text/html">`` publishes them::

    <cite>Kevin:</cite>
    <time>0:00</time>
    <p>We have an update planned where…</p>

A ``<cite>`` names the speaker of the paragraphs after it, a ``<time>`` gives the time the next paragraph
starts. Every paragraph (or other block: ``<div>``, ``<li>``, a heading…) starts a new segment; it also
ends a ``<cite>`` or ``<time>`` left unclosed, so that one does not swallow the rest of the page. Pages
exported without ``<cite>`` often open paragraphs with ``Name:`` instead: such labels are read as speakers
when they recur. The page's ``<title>`` and ``<html lang>`` are its title and language; scripts and styles
are left out.

Read with the standard library's ``html.parser``: it is lenient with the loose markup these files often
have and needs no dependency for a format that uses four tags.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from onrecord.index.readers.cleaning import clean_text
from onrecord.index.readers.metadata import Parsed
from onrecord.index.readers.speakers import label_segments
from onrecord.index.readers.times import parse_time
from onrecord.index.transcript import Segment

_TIME = re.compile(r"\d+(?::\d{1,2}){1,2}(?:[.,]\d+)?")
_CAPTURED = frozenset({"cite", "time", "title"})
_MAX_SPEAKER = 80  # characters: a longer <cite> was left open over the text, which is kept as text
_HIDDEN = frozenset({"script", "style", "template", "noscript"})
_BLOCKS = frozenset(
    "p div li ul ol dl dt dd h1 h2 h3 h4 h5 h6 blockquote section article header footer "
    "hr tr td th table figure figcaption pre main".split()
)


class _TranscriptParser(HTMLParser):
    """Paragraphs as segments, said by the last ``<cite>``, starting at the ``<time>`` before them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parsed = Parsed([])
        self._speaker: str | None = None
        self._start: float | None = None
        self._paragraph: list[str] = []
        self._captured: tuple[str, list[str]] | None = None  # the tag being read (cite, time, title)
        self._hidden = 0  # depth inside elements whose text is not shown

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.parsed.language = next((value for key, value in attrs if key == "lang" and value), None)
        if tag in _HIDDEN:
            self._hidden += 1
        elif tag in _CAPTURED:
            self._end_capture()
            self._end_paragraph()
            self._captured = (tag, [])
        elif tag in _BLOCKS:
            self._end_capture(closed=False)
            self._end_paragraph()

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _CAPTURED or tag in _BLOCKS:
            self._end_capture(closed=tag in _CAPTURED)
            self._end_paragraph()

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        if self._captured is not None:
            self._captured[1].append(data)
        else:
            self._paragraph.append(data)

    def close(self) -> None:
        super().close()
        self._end_capture(closed=False)
        self._end_paragraph()

    def _end_capture(self, *, closed: bool = True) -> None:
        """Finish the ``<cite>``, ``<time>`` or ``<title>`` being read, if any. A short ``<cite>`` left
        open until a paragraph or the file ends (``closed`` False) holds a name and text: what stands
        before its first ": " and after it."""
        if self._captured is None:
            return
        tag, pieces = self._captured
        self._captured = None
        text = clean_text(" ".join(pieces))
        if tag == "cite" and len(text) > _MAX_SPEAKER:
            self._paragraph.append(text)
        elif tag == "cite" and not closed and ": " in text:
            name, said = text.split(": ", 1)
            self._speaker = name or self._speaker
            self._paragraph.append(said)
        elif tag == "cite":
            self._speaker = text.rstrip(": ") or None
        elif tag == "time":
            found = _TIME.fullmatch(text)
            start = parse_time(found.group(0)) if found else None
            self._start = self._start if start is None else start
        elif self.parsed.title is None:
            self.parsed.title = text or None

    def _end_paragraph(self) -> None:
        text = clean_text(" ".join(self._paragraph))
        self._paragraph.clear()
        if text:
            self.parsed.segments.append(Segment(text, self._start, None, self._speaker, True))
            self._start = None


def read_html(text: str) -> Parsed:
    """Read an HTML transcript (``<cite>`` speakers, ``<time>`` marks, ``<p>`` paragraphs)."""
    parser = _TranscriptParser()
    parser.feed(text)
    parser.close()
    parsed = parser.parsed
    parsed.segments = label_segments(parsed.segments)
    return parsed
