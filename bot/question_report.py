"""`onrecord report`: the question log (`bot.state.questions`) read from Redis, as text or JSON."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from onrecord.bot.state import QuestionStats, open_state

__all__ = ["TOP", "read_report", "report_json", "report_text", "run_report"]

TOP = 10  # questions per list


async def read_report(redis_url: str, days: int) -> dict[str, list[QuestionStats]]:
    """Each platform's questions of the last `days` days; RedisUnavailableError when Redis does not answer."""
    async with open_state(redis_url, patience=5.0) as state:
        return await state.questions.report(days)


def run_report(redis_url: str, days: int) -> dict[str, list[QuestionStats]]:
    return asyncio.run(read_report(redis_url, days))


def _lists(stats: Sequence[QuestionStats]) -> dict[str, list[QuestionStats]]:
    return {
        "most_asked": list(stats[:TOP]),
        "no_answer": sorted((s for s in stats if s.no_match), key=lambda s: (-s.no_match, s.question))[:TOP],
        "voted_down": sorted((s for s in stats if s.down), key=lambda s: (-s.down, s.question))[:TOP],
    }


def report_json(report: Mapping[str, Sequence[QuestionStats]], days: int) -> dict[str, Any]:
    return {
        "days": days,
        "platforms": {
            platform: {
                "questions": sum(s.asked for s in stats),
                **{name: [s.to_dict() for s in chosen] for name, chosen in _lists(stats).items()},
            }
            for platform, stats in report.items()
        },
    }


_HEADINGS = {
    "most_asked": ("Most asked", "asked"),
    "no_answer": ("Nothing on record", "no_match"),
    "voted_down": ("Voted down", "down"),
}


def report_text(report: Mapping[str, Sequence[QuestionStats]], days: int) -> str:
    span = "today" if days == 1 else f"the last {days} days"
    if not report:
        return f"No questions recorded in {span}."
    lines = [f"Questions asked in {span}"]
    for platform, stats in report.items():
        asked = sum(s.asked for s in stats)
        lines += ["", f"{platform}: {asked} question{'s' if asked != 1 else ''}, {len(stats)} different"]
        for name, chosen in _lists(stats).items():
            heading, count = _HEADINGS[name]
            lines.append(f"  {heading}:")
            if not chosen:
                lines.append("    (none)")
            for s in chosen:
                lines.append(f"    {getattr(s, count):>4}  {s.question or '(empty)'}")
    return "\n".join(lines)
