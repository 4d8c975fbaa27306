"""How `onrecord ask` shows answers: readable text for a person, or one JSON object per line."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from onrecord.bot.answer import Answer, Result

from .wording import format_span, said_by

__all__ = ["answer_json", "answer_text", "terms_text"]

_BOLD, _DIM, _RESET = "\033[1;33m", "\033[2m", "\033[0m"


def answer_json(
    question: str,
    answer: Answer,
    terms: Mapping[str, tuple[float, str]] | None = None,
    *,
    links: bool = False,
) -> str:
    """One JSON line; with ``terms`` (``AnswerService.explain``), what the question became, under "terms";
    with ``links``, each result's page in context (ONRECORD_PUBLIC_URL) as its "context_url"."""
    results = [_result_json(r, links) for r in answer.results]
    record: dict[str, Any] = {"question": answer.question or question, "results": results}
    if not results:
        record["suggestion"] = answer.message
    record["status"] = answer.status
    if answer.speaker or answer.episode:
        record["filters"] = {"speaker": answer.speaker, "episode": answer.episode, "scope": answer.scope}
    if answer.who:
        record["who"] = True
    if terms is not None:
        record["terms"] = [{"term": t, "weight": w, "from": origin} for t, (w, origin) in terms.items()]
    return json.dumps(record, ensure_ascii=False)


def _result_json(r: Result, link: bool) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "rank": r.rank,
        "score": round(r.score, 6),
        "quote": r.quote,
        "passage": r.passage_text,
        "source": r.source,
        "title": r.title,
        "url": r.url,
        "start": r.start,
        "end": r.end,
        "speaker": r.speaker,
        "passage_start": r.passage_start,
        "passage_end": r.passage_end,
        "date": r.date,
    }
    if link:
        fields["context_url"] = r.context_url
    return fields


def terms_text(terms: Mapping[str, tuple[float, str]]) -> str:
    """What the question became, for a person: "term 1.23 (from), ..."."""
    shown = [f"{t} {w:g}" + ("" if origin == "typed" else f" ({origin})") for t, (w, origin) in terms.items()]
    return "Terms: " + (", ".join(shown) or "none") + "\n"


def answer_text(question: str, answer: Answer, color: bool) -> str:
    lines = [f"Q: {answer.question or question}"]
    if answer.scope:
        lines.append(f"   (only {answer.scope})")
    lines.append("")
    if not answer.results:
        lines.append(answer.message)
    for r in answer.results:
        said = f"{said_by(r.speaker)} " if answer.who else ""
        lines.append(f"{r.rank}. {said}“{_highlight(r.quote, r.matched, color)}”")
        lines.append(f"   — {_attribution(r)}")
        if r.url:
            lines.append(f"   {_DIM if color else ''}{r.url}{_RESET if color else ''}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _attribution(r: Result) -> str:
    parts = [r.speaker] if r.speaker else []
    parts.append(r.title if not r.show else f"{r.show}: {r.title}")
    where = f"({r.source}"
    if (when := format_span(r.start, r.end)) is not None:
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
