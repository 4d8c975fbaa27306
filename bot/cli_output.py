"""How `onrecord ask` shows answers: readable text for a person, or one JSON object per line."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from index import Hit

from .wording import NO_MATCH, format_span, no_match_hint

__all__ = ["hits_json", "hits_text", "no_match_suggestion", "terms_text"]

_BOLD, _DIM, _RESET = "\033[1;33m", "\033[2m", "\033[0m"


def no_match_suggestion(suggestions: Sequence[str], hint: str | None = None) -> str:
    """ "Nothing on record", then ``hint`` or else the close words to try."""
    return f"{NO_MATCH} {hint or no_match_hint(suggestions)}"


def hits_json(
    question: str,
    hits: Sequence[Hit],
    suggestion: str | None,
    terms: Mapping[str, tuple[float, str]] | None = None,
    context_urls: Sequence[str] | None = None,
) -> str:
    """One JSON line; with ``terms`` (``Index.explain``), what the question became, under "terms"; with
    ``context_urls``, each hit's page in context (ONRECORD_PUBLIC_URL) as its "context_url"."""
    results = [
        {
            "rank": h.rank,
            "score": round(h.score, 6),
            "quote": h.quote,
            "passage": h.passage.text,
            "source": h.doc.source,
            "title": h.doc.title,
            "url": h.url,
            "start": h.start,
            "end": h.end,
            "speaker": h.speaker,
            "passage_start": h.passage.start,
            "passage_end": h.passage.end,
            "date": h.doc.date,
        }
        for h in hits
    ]
    if context_urls is not None:
        for result, url in zip(results, context_urls, strict=True):
            result["context_url"] = url
    record: dict[str, Any] = {"question": question, "results": results}
    if not hits:
        record["suggestion"] = suggestion
    if terms is not None:
        record["terms"] = [{"term": t, "weight": w, "from": origin} for t, (w, origin) in terms.items()]
    return json.dumps(record, ensure_ascii=False)


def terms_text(terms: Mapping[str, tuple[float, str]]) -> str:
    """What the question became, for a person: "term 1.23 (from), ..."."""
    shown = [f"{t} {w:g}" + ("" if origin == "typed" else f" ({origin})") for t, (w, origin) in terms.items()]
    return "Terms: " + (", ".join(shown) or "none") + "\n"


def hits_text(question: str, hits: Sequence[Hit], suggestion: str | None, color: bool) -> str:
    lines = [f"Q: {question}", ""]
    if not hits:
        lines.append(suggestion or "")
    for h in hits:
        lines.append(f"{h.rank}. “{_highlight(h.quote, h.matched, color)}”")
        lines.append(f"   — {_attribution(h)}")
        if h.url:
            lines.append(f"   {_DIM if color else ''}{h.url}{_RESET if color else ''}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _attribution(h: Hit) -> str:
    parts = [h.speaker] if h.speaker else []
    parts.append(h.doc.title if not h.doc.show else f"{h.doc.show}: {h.doc.title}")
    where = f"({h.doc.source}"
    if (when := format_span(h.start, h.end)) is not None:
        where += f", at {when}"
    parts.append(where + ")")
    return " · ".join(parts[:-1]) + " " + parts[-1] if len(parts) > 1 else parts[0]


def _highlight(text: str, words: Sequence[str], color: bool) -> str:
    """Mark the matched words: bold on a colour terminal, *stars* otherwise."""
    if not words:
        return text
    pattern = re.compile(
        r"(?<!\w)(" + "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)) + r")(?!\w)",
        re.IGNORECASE,
    )
    return pattern.sub(lambda m: f"{_BOLD}{m.group(1)}{_RESET}" if color else f"*{m.group(1)}*", text)
