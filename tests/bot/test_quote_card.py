"""The quote card: a PNG of the card's size, the quote set as large as it fits (wrapped, shrunk, cut with
"…" only when it cannot fit), any text drawn without a crash, with or without DejaVu on the system; and
the `…@card` suffix of a daily channel entry."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from zoneinfo import ZoneInfo

import pytest
from PIL import Image, ImageFont

from onrecord.bot.answer import Result
from onrecord.bot.daily.card import CARD_SIZE, FONT_DIRS, MAX_ALT_TEXT, card_channels, fit_quote, quote_card
from onrecord.bot.daily.channels import parse_channels

SHORT = "Trust is built in drops and lost in buckets."
TEXT_WIDTH = CARD_SIZE[0] - 2 * 96


def _result(quote: str, speaker: str | None = "Ada Lovelace", show: str | None = "The Engine Room") -> Result:
    return Result(
        rank=1, score=1.0, quote=quote, matched=(), passage_id=0, passage_text=quote, document_id="d",
        source="ep1.md", title="Episode 1: Looms", show=show, link=None, url=None, start=724.0, end=761.0,
        speaker=speaker,
    )  # fmt: skip


def _image(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return image


def _words(lines: list[str]) -> list[str]:
    return " ".join(lines).strip("“”").split()


def test_the_card_is_a_png_of_the_card_size_with_ink_where_the_quote_and_the_speaker_are() -> None:
    card = quote_card(_result(SHORT))
    image = _image(card.png).convert("RGB")
    assert image.size == CARD_SIZE
    quote_area = image.crop((96, 150, CARD_SIZE[0] - 96, 440))
    speaker_area = image.crop((96, 478, CARD_SIZE[0] - 96, 520))
    background = image.getpixel((5, 5))
    for area in (quote_area, speaker_area):
        colours = area.getcolors(maxcolors=1 << 16) or []
        assert any(colour != background for _, colour in colours)
    assert card.alt_text == SHORT and card.filename.endswith(".png")
    without_speaker = _image(quote_card(_result(SHORT, speaker=None, show=None)).png).convert("RGB")
    blank = without_speaker.crop((96, 478, CARD_SIZE[0] - 96, 520)).getcolors()
    assert [colour for _, colour in blank or []] == [background]


def test_a_long_quote_wraps_and_shrinks_keeping_every_word_in_order() -> None:
    short = fit_quote(SHORT)
    long_quote = " ".join([SHORT] * 9)
    long = fit_quote(long_quote)
    assert short.complete and long.complete
    assert long.size < short.size and len(long.lines) > len(short.lines)
    assert _words(long.lines) == long_quote.split()
    font = ImageFont.truetype(str(FONT_DIRS[0] / "DejaVuSans.ttf"), long.size)
    assert all(font.getlength(line) <= TEXT_WIDTH for line in long.lines)


def test_a_quote_too_long_for_the_smallest_size_is_cut_with_an_ellipsis_and_the_alt_text_clipped() -> None:
    endless = " ".join(f"word{i}" for i in range(2000))
    fitted = fit_quote(endless)
    assert not fitted.complete and fitted.lines[-1].endswith("…")
    shown = _words(fitted.lines)[:-1]
    assert shown == endless.split()[: len(shown)] and len(shown) > 50
    card = quote_card(_result(endless))
    assert _image(card.png).size == CARD_SIZE
    assert len(card.alt_text) == MAX_ALT_TEXT and card.alt_text.endswith("…")


@pytest.mark.parametrize(
    "quote",
    [
        "Emoji 🎙️👩🏽‍🚀 and 漢字 and العربية and e\u0301 and \u200d\u202e reversed",
        '<script>alert(1)</script> "><img src=x onerror=alert(1)> {0} %s $(rm -rf) **bold**',
        "a lone surrogate \ud800, a NUL \x00, a bell \x07, line\u2028separators\r\nand tabs\t.",
        "https://example.org/" + "x" * 400,
        "",
    ],
)
def test_any_text_is_drawn_as_text_without_a_crash(quote: str) -> None:
    card = quote_card(_result(quote, speaker="\U0001f600 " + quote[:30], show=quote[:40] or None))
    assert _image(card.png).size == CARD_SIZE
    fitted = fit_quote(quote)
    assert not {unicodedata.category(c) for line in fitted.lines for c in line} & {"Cc", "Cs", "Zl", "Zp"}
    if quote.startswith("<script>"):  # markup-like text is kept word for word
        assert _words(fitted.lines) == quote.split()
    if quote.startswith("https://"):  # a word wider than the card is broken across lines
        assert len(fitted.lines) > 1 and "".join(fitted.lines).strip("“”") == quote


def test_without_dejavu_the_card_uses_pillows_own_font() -> None:
    card = quote_card(_result(SHORT), font_dirs=())
    assert _image(card.png).size == CARD_SIZE
    assert _words(fit_quote(SHORT, font_dirs=()).lines) == SHORT.split()


def test_the_card_suffix_of_a_daily_channel_entry_keeps_every_other_form() -> None:
    nine, utc = dt.time(9), ZoneInfo("UTC")
    channels = parse_channels(
        "slack",
        "C0001, C0002@card, C0003@07:30@CARD, C0004@07:30@Asia/Tokyo@card, C0005@07:30@Asia/Tokyo",
        nine,
        utc,
    )
    assert [(c.channel, c.at, c.zone.key, c.card) for c in channels] == [
        ("C0001", nine, "UTC", False),
        ("C0002", nine, "UTC", True),
        ("C0003", dt.time(7, 30), "UTC", True),
        ("C0004", dt.time(7, 30), "Asia/Tokyo", True),
        ("C0005", dt.time(7, 30), "Asia/Tokyo", False),
    ]
    assert card_channels(channels, "slack") == {"C0002", "C0003", "C0004"}
    assert card_channels(channels, "discord") == frozenset()
    for bad, why in [
        ("C0001@card@07:30", "“card” is not a time of day like 09:00"),
        ("C0001@07:30@UTC@card@card", "it needs a Slack channel id like C0123ABCD, then optionally"),
        ("C0001@cards", "“cards” is not a time of day"),
    ]:
        with pytest.raises(ValueError, match=why):
            parse_channels("slack", bad, nine, utc)
