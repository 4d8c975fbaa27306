"""Markdown transcripts: speaker labels, escaped timestamps and generic Markdown markup.

Every heading, list item and paragraph starts a new segment with ``turn=True``, and so does a line that
opens with ``**Name:**``, a blank line before it or not: it is said by Name, and so are the paragraphs
after it until the next label; so is one that opens with a plain ``Name:`` label when these recur through
the file (a text export with a heading). A time mark such as ``\\[04:01\\]`` is removed and gives its
time to the text after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from onrecord.index.readers.cleaning import clean_text, is_debris
from onrecord.index.readers.metadata import Parsed, apply_keys, is_url, parse_front_matter
from onrecord.index.readers.speakers import recurring_labels
from onrecord.index.readers.times import parse_time
from onrecord.index.transcript import Segment

_MARK = r"\\*\[\\*(\d{1,3}(?::\d{1,2}){1,3}(?:\.\d{1,3})?)(?:\\*\])?"  # the closing ] is sometimes lost
_TIME_MARK = re.compile(_MARK)
_TIME_RANGE = re.compile(rf"{_MARK}\s*(?:to|-|–)\s*(?={_MARK})")
_SECTION = re.compile(r"\w+(?: \w+)?:")  # "Break:" next to a time mark marks a section, not speech
_SPEAKER = re.compile(r"\*\*([^*\n]{1,60}?)(?::\*\*|\*\*\s?:)\s+(?=\S)")
_HEADING = re.compile(r"#{1,6}\s+(.*?)(?:\s+#+)?")
_RULE = re.compile(r"(?:[-*_]\s*){3,}")
_FENCE = ("```", "~~~")
_BULLET = re.compile(r"(?:[-*+]|\d{1,3}[.)])\s+(?=\S)")
_QUOTE = re.compile(r"(?:>\s?)+")
# (trigger, pattern, replacement): a pattern only runs on text that contains its trigger.
_INLINE = (
    ("](", re.compile(r"!?\[([^\[\]\n]*)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)"), r"\1"),
    ("][", re.compile(r"(?<!\\)\[([^\[\]\n]+)\]\[[^\[\]\n]*\]"), r"\1"),
    ("<", re.compile(r"<(https?://[^<>\s]+)>"), r"\1"),
    ("<", re.compile(r"</?(?:br|p|div|span|sup|sub|em|strong|b|i|u|a|img|kbd|small)\b[^<>]*>"), " "),
    ("**", re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*"), r"\1"),
    ("__", re.compile(r"__(?=\S)(.+?)(?<=\S)__"), r"\1"),
    ("*", re.compile(r"(?<![\w*\\])\*(?=[^\s*])(.+?)(?<=[^\s*\\])\*(?![\w*])"), r"\1"),
    ("_", re.compile(r"(?<![\w\\])_(?=[^\s_])(.+?)(?<=[^\s_\\])_(?!\w)"), r"\1"),
    ("~~", re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1"),
    ("`", re.compile(r"`+([^`]+)`+"), r"\1"),
    ("\\", re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|~\"'$&])"), r"\1"),
)
_HARD_BREAK = ("  ", "\\")
_HEADING_LINE = re.compile(r"^#{1,6} +\S", re.MULTILINE)
_BOLD_OR_LINK = re.compile(r"\*\*[^*\n]+\*\*|\]\(https?://")


def looks_like_markdown(text: str) -> bool:
    """Whether text has Markdown structure: a heading, or several bold spans or links."""
    if "#" in text and _HEADING_LINE.search(text):  # (plain substring tests first: they are much faster)
        return True
    if "**" not in text and "](" not in text:
        return False
    spans = _BOLD_OR_LINK.finditer(text)
    return next(spans, None) is not None and next(spans, None) is not None


def strip_inline(text: str) -> str:
    """Remove inline Markdown markup (links keep their text) and backslash escapes."""
    for trigger, pattern, replacement in _INLINE:
        if trigger in text:
            text = pattern.sub(replacement, text)
    return text


@dataclass(slots=True)
class _Builder:
    """Turns Markdown lines into segments, tracking the speaker and the time of the next segment."""

    segments: list[Segment] = field(default_factory=list)
    speaker: str | None = None
    new_block: bool = True
    start: float | None = None

    def add(self, line: str, *, labelled: bool = True) -> None:
        """Add one line of a block; ``labelled`` lets a ``**Name:**`` label open it (and a new block)."""
        label = _SPEAKER.match(line) if labelled else None
        if label:
            line, self.new_block = line[label.end() :], True
        line = strip_inline(line)
        pieces = [line]
        if "[" in line:  # text, time, text, time, text...
            pieces = _TIME_MARK.split(_TIME_RANGE.sub("", line))
        for index, piece in enumerate(pieces):
            if index % 2:
                self.start = parse_time(piece)
                continue
            text = clean_text(piece)
            if not text or (len(pieces) > 1 and _SECTION.fullmatch(text)):
                continue
            if label:
                self.speaker, label = label.group(1).strip(), None
            self.segments.append(Segment(text, self.start, None, self.speaker, self.new_block))
            self.start, self.new_block = None, False


def read_markdown(text: str) -> Parsed:
    """Read a Markdown transcript; a first-line heading becomes the title, a bare URL line the URL."""
    lines = text.split("\n")
    keys, first = parse_front_matter(lines)
    stripped_lines = [line.strip() for line in lines[first:]]
    bold = (_SPEAKER.match(line) for line in stripped_lines if line.startswith("**"))
    labels = recurring_labels(stripped_lines, known={found.group(1).strip() for found in bold if found})
    parsed = Parsed([])
    builder = _Builder(parsed.segments)
    fenced = False
    for number, line in enumerate(lines[first:]):
        stripped = line.strip()
        if number in labels and not fenced:  # a plain ``Name:`` label, as a text export writes it
            label = labels[number]
            builder.speaker, builder.start, builder.new_block = label.name, label.start, True
            stripped = line = stripped[label.end :]
        if stripped.startswith(_FENCE):
            fenced, builder.new_block = not fenced, True
            continue
        if not stripped or (not fenced and _RULE.fullmatch(stripped)):
            builder.new_block = True
            continue
        if is_debris(stripped):
            continue
        if fenced:
            builder.add(stripped, labelled=False)
            continue
        _add_line(parsed, builder, stripped, hard_break=line.endswith(_HARD_BREAK))
    apply_keys(parsed, keys)
    return parsed


def _add_line(parsed: Parsed, builder: _Builder, line: str, *, hard_break: bool) -> None:
    heading = _HEADING.fullmatch(line)
    if heading and not parsed.segments and parsed.title is None:
        parsed.title = clean_text(strip_inline(heading.group(1))) or None
        return
    if is_url(line.strip("<>")):
        parsed.url = parsed.url or line.strip("<>")
        builder.new_block = True
        return
    if heading:
        builder.new_block = True
        builder.add(heading.group(1))
        builder.new_block = True
        return
    bullet = _BULLET.match(line)
    if bullet:
        builder.new_block = True
        builder.add(line[bullet.end() :], labelled=False)
    else:
        builder.add(_QUOTE.sub("", line, count=1) if line.startswith(">") else line)
    builder.new_block = builder.new_block or hard_break
