"""The HTML of a quote's page and of its "not on record" page: plain markup, one inline style sheet, no
script. Every string from a transcript goes through `html.escape` and every attribute value is quoted."""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
from html import escape

from onrecord.bot.context_link import ANCHOR
from onrecord.bot.context_view import Block, ContextView
from onrecord.bot.wording import format_time
from onrecord.index.model import link_at
from onrecord.index.urls import web_url

__all__ = ["CONTENT_SECURITY_POLICY", "missing_page", "quote_page"]

_CSS = """\
:root{color-scheme:light dark;--ink:#1d1d1f;--paper:#fff;--soft:#6e6e73;--mark:#ffe680;--line:#e5e5ea}
@media (prefers-color-scheme:dark){:root{--ink:#f2f2f7;--paper:#1c1c1e;--soft:#a1a1a6;--mark:#7a5d00;\
--line:#3a3a3c}}
*{box-sizing:border-box}
body{margin:0;background:var(--paper);color:var(--ink);font:1.0625rem/1.6 system-ui,-apple-system,\
"Segoe UI",Roboto,sans-serif;overflow-wrap:anywhere}
header,main,footer{max-width:42rem;margin:0 auto;padding:0 1rem}
header{padding-top:1.5rem;border-bottom:1px solid var(--line)}
h1{font-size:1.35rem;line-height:1.3;margin:.2rem 0 .5rem}
.show,.meta,.who,footer{color:var(--soft);font-size:.9rem}
.show{margin:0;text-transform:uppercase;letter-spacing:.04em}
a{color:inherit}
nav{margin:1rem 0}
nav a{display:inline-block;padding:.5rem .9rem;border:1px solid var(--line);border-radius:.5rem;\
text-decoration:none}
.turn{margin:1.25rem 0}
.turn p{margin:.2rem 0}
.speaker{font-weight:600;color:var(--ink)}
mark{background:var(--mark);color:inherit;padding:.05em .15em;border-radius:.2em;scroll-margin-top:30vh}
footer{border-top:1px solid var(--line);padding-bottom:2rem}
"""
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; "
    f"style-src 'sha256-{base64.b64encode(hashlib.sha256(_CSS.encode()).digest()).decode()}'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
"""Nothing but the page's own style sheet may load or run, even if some markup slipped through."""

_LANGUAGE = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*")


def quote_page(view: ContextView) -> str:
    doc = view.document
    recording = _http(doc.url)
    meta = [escape(doc.date)] if doc.date else []
    if recording is not None:
        meta.append(f'<a href="{escape(recording)}">The recording</a>')
    header = "".join(
        (
            f'<p class="show">{escape(doc.show)}</p>' if doc.show else "",
            f"<h1>{escape(doc.title)}</h1>",
            f'<p class="meta">{" · ".join(meta)}</p>' if meta else "",
        )
    )
    back = f"{view.quote.start}-{view.quote.end}#{ANCHOR}"  # relative: the page's own path
    earlier = (
        f'<a href="?before={view.earlier}" rel="prev">↑ Earlier</a>'
        if view.earlier is not None
        else "<span>The start of the episode</span>"
    )
    later = (
        f'<a href="?after={view.later}" rel="next">Later ↓</a>'
        if view.later is not None
        else "<span>The end of the episode</span>"
    )
    first_quoted = next((s for b in view.blocks for s in b.sentences if view.quoted(s)), None)
    anchor_at = first_quoted.char_start if first_quoted is not None else None
    to_quote = "" if first_quoted is not None else f' <a href="{back}">Back to the quote</a>'
    times = [b.start for b in view.blocks]  # a time carried over from the turn before is not repeated
    turns = "\n".join(
        _block(view, block, recording, anchor_at, timed=i == 0 or times[i] != times[i - 1])
        for i, block in enumerate(view.blocks)
    )
    body = (
        f"<header>{header}</header>\n<main>\n<nav>{earlier}{to_quote}</nav>\n{turns}\n"
        f"<nav>{later}{to_quote}</nav>\n</main>\n"
        f"<footer><p>From the transcript {escape(doc.source)}, quoted by OnRecord.</p></footer>"
    )
    return _document(doc.title, body, doc.language)


def missing_page(message: str) -> str:
    body = f"<header><h1>Not on record</h1></header>\n<main><p>{escape(message)}</p></main>"
    return _document("Not on record", body, None)


def _block(
    view: ContextView, block: Block, recording: str | None, anchor_at: int | None, *, timed: bool
) -> str:
    """A turn: who and when (a link to that moment), then its sentences, the quoted ones marked."""
    who = (
        f'<span class="speaker">{escape(block.speaker)}</span>'
        if block.speaker and not block.continued
        else ""
    )
    when = (format_time(block.start) if timed else None) or ""
    moment = link_at(recording, block.start) if when and recording else None
    if moment is not None:
        when = f'<a class="time" href="{escape(moment)}">{when}</a>'
    label = f'<p class="who">{" ".join(filter(None, (who, when)))}</p>' if who or when else ""
    pieces: list[str] = []
    for quoted, group in itertools.groupby(block.sentences, key=view.quoted):
        sentences = list(group)
        text = " ".join(escape(s.text) for s in sentences)
        if quoted:
            anchor = f' id="{ANCHOR}"' if sentences[0].char_start == anchor_at else ""
            text = f"<mark{anchor}>{text}</mark>"
        pieces.append(text)
    return f'<section class="turn">{label}<p>{" ".join(pieces)}</p></section>'


def _http(url: str | None) -> str | None:
    """A link worth following: a web link with a real host (``index.urls.web_url``: a sidecar could say
    ``javascript:``, or hide its host behind ``https://youtube.com@evil.example``)."""
    return web_url(url)


def _document(title: str, body: str, language: str | None) -> str:
    lang = f' lang="{escape(language)}"' if language and _LANGUAGE.fullmatch(language) else ""
    return (
        f'<!doctype html>\n<html{lang}>\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)} · OnRecord</title>\n<style>{_CSS}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )
