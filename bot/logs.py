"""Structured logs: one JSON object per line on stdout, configured once by the composition root."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import IO, Any

__all__ = ["JsonFormatter", "configure_logging"]

# Attributes every LogRecord has; anything else was passed with `extra=` and is logged as a field.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """`{"ts", "level", "logger", "msg", …extra fields, "exc"}` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class _OnRecordHandler(logging.StreamHandler[IO[str]]):
    """Marks the handler this module installed, so configuring again replaces it."""


def configure_logging(level: str = "INFO", stream: IO[str] | None = None) -> None:
    """Send every log record at `level` and above to `stream` (stderr) as JSON lines, and only there:
    standard output stays for a command's own output."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _OnRecordHandler)]:
        root.removeHandler(handler)
    handler = _OnRecordHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)
