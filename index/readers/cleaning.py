"""Text cleaning shared by every transcript format.

A cleaned piece of text is single-spaced, has no leading or trailing whitespace, no HTML entities, no
zero-width characters, no bidirectional overrides or isolates and no sound annotations such as ``[laughter]``.
"""

from __future__ import annotations

import codecs
import html
import re
from collections.abc import Iterable

from onrecord.index.transcript import Segment

_SAMPLE = 8192
_MAX_CONTROL_RATIO = 0.1
_MOSTLY_UTF8 = 10  # a file with this many valid non-ASCII characters per broken byte is UTF-8
_MAX_ROLLUP_WORDS = 80
_MIN_LOOP = 3  # a sentence said this many times back to back inside one line is a recognition loop
_MIN_LOOP_WORDS = 4
_PUNCTUATION = " .,;:!?…-—\"'“”‘’()"
_KEY_SLACK = 4  # texts that differ more in length cannot have the same words

_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# Bidirectional overrides and isolates (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI) show the text around
# them in another order than it was written: a quote could read as words never said, a file name as
# another one. Dropped when a file is read, and from sidecar values.
_BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BIDI = re.compile(f"[{_BIDI_CONTROLS}]")
# Zero-width characters, bidi controls, the soft hyphen and control characters go; tabs and other blanks
# become spaces.
_DROP = {
    **dict.fromkeys([*range(0x20), 0x7F, *range(0x80, 0xA0)]),
    **dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad" + _BIDI_CONTROLS)),
}
_DROP.update(dict.fromkeys(map(ord, "\t\v\f\r"), ord(" ")))
del _DROP[ord("\n")]

_TS = r"\d{1,3}(?::\d{1,2}){1,3}(?:[.,]\d{1,3})?"
# A bracketed annotation that carries a time: ``[unintelligible 00:05:35.09]``, ``[sample 01:02]``.
_TIMED_ANNOTATION = re.compile(rf"\\?\[\\*[A-Za-z$][^\[\]\n]{{0,40}}?\s*{_TS}\\*\]")
# Sound and event annotations are recognised by their words, so that citations like ``[1]`` and
# editorial insertions like ``[Jane]`` stay in the text.
_SOUND_WORDS = (
    r"laugh\w*|chuckl\w*|giggl\w*|applause|clapping|cheer\w*|music|singing|sings|humming|"
    r"unintelligible|inaudible|indiscernible|cross-?talk|silence|pause|sighs?|cough\w*|"
    r"whisper\w*|sound|sounds|alert|noise|ringing|beeps?|bleeps?|groans?|foreign|static|mumbl\w*|"
    r"playing|plays|snickers?|gasps?|sniffs?|crowd|audience"
)
_SOUND_ANNOTATION = re.compile(
    rf"\\?\[\s*(?:[A-Za-z'-]+\s+){{0,3}}(?:{_SOUND_WORDS})(?:\s+[A-Za-z'-]+){{0,3}}\s*\\?\]",
    re.IGNORECASE,
)
_SPEAKER_CHANGE = re.compile(r"(?:^|\s)>>(?:\s|$)")
# Prefixes that ASR splits from the rest of the word (``pre -training``); other words keep `` -x``
# because it is more often a command-line flag (``go test -race``).
_ASR_PREFIXES = frozenset(
    "pre post non re co self multi anti semi sub inter over under cross meta hyper ultra".split()
)
_DEBRIS = re.compile(
    r"(?:WEBVTT\b.*|Kind:\s*\w+|Language:\s*[\w-]+|Loading video analysis\W*"
    r"|\**\s*Transcript extracted from YouTube video\s*\**)",
    re.IGNORECASE,
)


def decode(data: bytes) -> str:
    """Decode a text file (UTF-8 with or without BOM, UTF-16 with BOM, else cp1252).

    Raises ``ValueError`` when the bytes look binary. Newlines are normalised to ``\\n``; bidi controls
    are dropped (from speaker labels and titles too, which are not cleaned like spoken text).
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    elif b"\x00" in data[:_SAMPLE]:
        raise ValueError("binary file (NUL bytes)")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = _decode_legacy(data)
    sample = text[:_SAMPLE]
    if len(_CONTROL.findall(sample)) > _MAX_CONTROL_RATIO * len(sample):
        raise ValueError("binary file (control characters)")
    return drop_bidi_controls(text.replace("\r\n", "\n").replace("\r", "\n"))


def drop_bidi_controls(text: str) -> str:
    """``text`` without bidirectional overrides and isolates."""
    return text if text.isascii() else _BIDI.sub("", text)


def _decode_legacy(data: bytes) -> str:
    """cp1252, unless the bytes are mostly valid UTF-8 with a few broken sequences."""
    utf8 = data.decode("utf-8-sig", errors="replace")
    non_ascii = len(utf8) - len(utf8.encode("ascii", errors="ignore"))
    if utf8.count("\ufffd") * _MOSTLY_UTF8 < non_ascii:
        return utf8
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined
        return data.decode("latin-1")


def is_debris(line: str) -> bool:
    """Whether a stripped line is page or caption-file debris rather than spoken text."""
    return _DEBRIS.fullmatch(line) is not None


def clean_text(text: str, *, fix_hyphens: bool = True) -> str:
    """Unescape entities, drop invisible characters and sound annotations, collapse whitespace.

    ``fix_hyphens`` glues ASR-split prefixes (``pre -training``); turn it off to compare raw words.
    """
    if "&" in text:
        text = html.unescape(text)
    printable = text.isprintable()  # then its only white space is " " (all other is unprintable)
    if not printable:
        text = text.translate(_DROP)
    if "[" in text:
        text = _SOUND_ANNOTATION.sub(" ", _TIMED_ANNOTATION.sub(" ", text))
    if not printable or "  " in text or text.startswith(" ") or text.endswith(" "):
        text = " ".join(text.split())
    if len(text) > 60:
        text = collapse_repeated_sentences(text)
    return fix_asr_hyphens(text) if fix_hyphens else text


def fix_asr_hyphens(text: str) -> str:
    """``pre -training`` -> ``pre-training``, only after common prefixes so ``go test -race`` stays."""
    if " -" not in text:
        return text
    parts = text.split(" -")
    out = [parts[0]]
    for part in parts[1:]:
        glue = part[:1].islower() and out[-1].rpartition(" ")[2].lower() in _ASR_PREFIXES
        out.append(f"-{part}" if glue else f" -{part}")
    return "".join(out)


def split_speaker_changes(text: str) -> list[str]:
    """Split at ``>>`` speaker-change markers; every piece after the first starts a new turn.

    The first piece is empty when the text starts with the marker. Call before :func:`clean_text`
    (``&gt;&gt;`` is unescaped here).
    """
    if "&gt;" in text:
        text = text.replace("&gt;&gt;", ">>")
    if ">>" not in text:
        return [text]
    return _SPEAKER_CHANGE.split(text)


def collapse_repeated_sentences(text: str) -> str:
    """Keep one copy of a sentence of several words said back to back many times (a recognition loop)."""
    stop = "." if text.endswith(".") else ""
    sentences = text.removesuffix(stop).split(". ")
    if len(sentences) < _MIN_LOOP or len(set(sentences)) == len(sentences):
        return text
    kept: list[str] = []
    run = 0
    for sentence in sentences:
        if kept and sentence == kept[-1] and sentence.count(" ") >= _MIN_LOOP_WORDS - 1:
            run += 1
            if run < _MIN_LOOP - 1:
                kept.append(sentence)
            elif run == _MIN_LOOP - 1:
                del kept[len(kept) - run + 1 :]
            continue
        run = 0
        kept.append(sentence)
    return ". ".join(kept) + stop


def drop_rollup(previous: list[str], line: str) -> str:
    """Remove from ``line`` the words that repeat the end of the text before it (caption roll-up).

    ``previous`` holds the words said so far (only the last few dozen are looked at). The longest
    overlap of at least two words and eight characters is removed.
    """
    if not previous:
        return line
    tail = previous[-_MAX_ROLLUP_WORDS:]
    words = line.split(maxsplit=len(tail))  # no more words than the tail can overlap, and the rest
    if not words:
        return line
    first, end = words[0], len(tail) - 1
    i = max(0, len(tail) - len(words))
    while first in tail[i:end]:
        i = tail.index(first, i, end)
        if tail[i:] == words[: len(tail) - i]:
            overlap = len(tail) - i
            if sum(map(len, words[:overlap])) + overlap - 1 >= 8:
                return " ".join(line.split()[overlap:])
            break
        i += 1
    return line


def _key(text: str) -> str:
    """Text compared for repeats: case and surrounding punctuation ignored."""
    return text.lower().strip(_PUNCTUATION)


def collapse_repeats(segments: Iterable[Segment]) -> list[Segment]:
    """Collapse consecutive segments with the same words (Whisper loops): keep the first, extend its end.

    A repeat that starts a turn of an unknown or different speaker is a reply and is kept.
    """
    out: list[Segment] = []
    for seg in segments:
        prev = out[-1] if out else None
        if (
            prev is not None
            and abs(len(seg.text) - len(prev.text)) <= _KEY_SLACK
            and _key(seg.text) == _key(prev.text)
            and seg.speaker == prev.speaker
            and not (seg.turn and seg.speaker is None)
        ):
            if seg.end is not None and (prev.end is None or seg.end > prev.end):
                out[-1] = Segment(prev.text, prev.start, seg.end, prev.speaker, prev.turn)
            continue
        out.append(seg)
    return out
