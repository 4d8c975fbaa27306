"""The quote card: the daily quote as a PNG image (the quote, who said it, the episode), drawn with Pillow.

The quote is set in DejaVu Sans (the serif lacks Arabic and Hebrew) as large as it fits: its words wrap
to the card's width and the size shrinks until they fit its height; a quote too long even at the
smallest size ends with "…". Transcript text is only drawn (no markup is read from it); control
characters are dropped, and a character the font lacks is drawn as the font's empty box. The fonts are
DejaVu where the system has them (the Docker image installs fonts-dejavu-core), else Pillow's own.
"""

from __future__ import annotations

import functools
import io
import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from onrecord.bot.answer import Result
from onrecord.bot.daily.channels import DailyChannel, Platform
from onrecord.bot.wording import format_span

__all__ = ["CARD_SIZE", "FONT_DIRS", "Fitted", "QuoteCard", "card_channels", "fit_quote", "quote_card"]

log = logging.getLogger(__name__)

CARD_SIZE = (1200, 630)  # the shape link previews use
FONT_DIRS = (  # where distributions put DejaVu (Debian, Fedora, Arch/Alpine)
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
)
MAX_ALT_TEXT = 1000  # Slack's limit for alt_txt (Discord allows 1024 for a description)
FILENAME = "quote-of-the-day.png"

_MARGIN = 96
_HEADING_TOP = 64
_QUOTE_TOP, _QUOTE_BOTTOM = 150, 440
_SPEAKER_TOP = 478
_SOURCE_TOP, _SOURCE_LINE = 536, 36
_QUOTE_SIZES = range(60, 21, -2)
_LINE_SPACING = 1.3
_MAX_DRAWN = 2000  # characters of a quote: more than the card holds at its smallest size
_BACKGROUND, _INK, _ACCENT, _MUTED = "#1f2430", "#f4f1ea", "#e0a458", "#a9adb8"
_NOT_DRAWN = re.compile(r"\s+")

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass(frozen=True, slots=True)
class QuoteCard:
    png: bytes
    alt_text: str  # the quote itself, for screen readers
    filename: str = FILENAME


@dataclass(frozen=True, slots=True)
class Fitted:
    size: int  # of the quote's font
    lines: list[str]
    complete: bool  # False when the quote was cut to fit, ending with "…"


def quote_card(quote: Result, font_dirs: Sequence[Path] = FONT_DIRS) -> QuoteCard:
    """The card of a quote, with its alt text."""
    return QuoteCard(png=_render(quote, tuple(font_dirs)), alt_text=_clip(_clean(quote.quote), MAX_ALT_TEXT))


def fit_quote(text: str, font_dirs: Sequence[Path] = FONT_DIRS) -> Fitted:
    """The quote's lines at the largest size at which they fit the card (cut at the smallest if none)."""
    text, dirs = f"“{_clean(text)[:_MAX_DRAWN]}”", tuple(font_dirs)
    width, height = CARD_SIZE[0] - 2 * _MARGIN, _QUOTE_BOTTOM - _QUOTE_TOP
    for size in _QUOTE_SIZES:
        room = max(1, int(height // _line_height(size)))
        font = _font("DejaVuSans.ttf", size, dirs)
        lines = _wrap(text, font, width, room + 1)
        if len(lines) <= room:
            return Fitted(size, lines, complete=True)
    kept = lines[:room]
    kept[-1] = _ellipsized(kept[-1] + " …", font, width)
    return Fitted(size, kept, complete=False)


def _render(quote: Result, dirs: tuple[Path, ...]) -> bytes:
    image = Image.new("RGB", CARD_SIZE, _BACKGROUND)
    draw = ImageDraw.Draw(image)
    width = CARD_SIZE[0] - 2 * _MARGIN
    heading = _font("DejaVuSans.ttf", 26, dirs)
    draw.text((_MARGIN, _HEADING_TOP), "Quote of the day", font=heading, fill=_ACCENT)
    fitted = fit_quote(quote.quote, dirs)
    font = _font("DejaVuSans.ttf", fitted.size, dirs)
    for row, line in enumerate(fitted.lines):
        draw.text((_MARGIN, _QUOTE_TOP + row * _line_height(fitted.size)), line, font=font, fill=_INK)
    if quote.speaker:
        speaker = _font("DejaVuSans-Bold.ttf", 34, dirs)
        draw.text(
            (_MARGIN, _SPEAKER_TOP),
            _ellipsized(f"— {_clean(quote.speaker)}", speaker, width),
            font=speaker,
            fill=_ACCENT,
        )
    source = _font("DejaVuSans.ttf", 26, dirs)
    lines = _wrap(_source(quote), source, width, 3)
    if len(lines) > 2:
        lines[1] = _ellipsized(f"{lines[1]} {lines[2]}", source, width)
    for row, line in enumerate(lines[:2]):
        draw.text((_MARGIN, _SOURCE_TOP + row * _SOURCE_LINE), line, font=source, fill=_MUTED)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _source(quote: Result) -> str:
    """The episode, and when the quote is said in it."""
    title = _clean(quote.title)
    episode = f"{_clean(quote.show)}: {title}" if quote.show else title
    when = format_span(quote.start, quote.end)
    return episode if when is None else f"{episode} · at {when}"


def _wrap(text: str, font: Font, width: int, most: int) -> list[str]:
    """Words to lines no wider than `width` (the first `most` lines); a word wider than a line is
    broken where it must be."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        if len(lines) >= most:
            return lines[:most]
        candidate = f"{line} {word}" if line else word
        if font.getlength(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        while len(lines) < most and font.getlength(word) > width:
            cut = _longest_fitting(word, font, width)
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    return ([*lines, line] if line else lines)[:most]


def _longest_fitting(word: str, font: Font, width: int) -> int:
    """How many leading characters of `word` fit `width` (at least one)."""
    low, high = 1, min(len(word), width)  # no glyph is narrower than a pixel
    while low < high:
        middle = (low + high + 1) // 2
        if font.getlength(word[:middle]) <= width:
            low = middle
        else:
            high = middle - 1
    return low


def _ellipsized(text: str, font: Font, width: int) -> str:
    """`text`, cut with "…" to fit `width` on one line."""
    if font.getlength(text) <= width:
        return text
    return text[: _longest_fitting(text, font, int(width - font.getlength("…")))].rstrip() + "…"


def _line_height(size: int) -> float:
    return size * _LINE_SPACING


def _clean(text: str) -> str:
    """Text as drawn: control characters, lone surrogates and line breaks as spaces, spaces collapsed."""
    kept = "".join(" " if unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp") else c for c in text)
    return _NOT_DRAWN.sub(" ", kept).strip()


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@functools.cache
def _font(name: str, size: int, dirs: tuple[Path, ...]) -> Font:
    path = _font_file(name, dirs)
    return ImageFont.truetype(str(path), size) if path else ImageFont.load_default(size=size)


@functools.cache
def _font_file(name: str, dirs: tuple[Path, ...]) -> Path | None:
    found = next((d / name for d in dirs if (d / name).is_file()), None)
    if found is None:
        log.warning("font %s not found in %s: the quote card uses Pillow's default font", name, dirs)
    return found


def card_channels(channels: Iterable[DailyChannel], platform: Platform) -> frozenset[str]:
    """The ids of the platform's channels whose daily post carries the card (`…@card`)."""
    return frozenset(c.channel for c in channels if c.platform == platform and c.card)
