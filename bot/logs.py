"""Logs on standard error, configured once by the composition root: plain lines for a person at a
terminal, one JSON object per line for a machine (a log collector, a container runtime)."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import IO, Any

__all__ = ["JsonFormatter", "TextFormatter", "configure_logging"]

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


class TextFormatter(logging.Formatter):
    """`03:07:24 WARNING onrecord.slack: message (key=value …): SomeError: why`.

    A traceback follows only errors (something is wrong with the bot) or every record at DEBUG: a
    warning that the network is down is one line."""

    def __init__(self, debug: bool) -> None:
        super().__init__()
        self.debug = debug

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        line = f"{when} {record.levelname} {record.name}: {record.getMessage()}"
        extra = [f"{k}={v}" for k, v in vars(record).items() if k not in _STANDARD]
        if extra:
            line += f" ({' '.join(extra)})"
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            line += f": {type(error).__name__}: {error}" if str(error) else f": {type(error).__name__}"
            if self.debug or record.levelno >= logging.ERROR:
                line += "\n" + self.formatException(record.exc_info)
        return line


class _OnRecordHandler(logging.StreamHandler[IO[str]]):
    """Marks the handler this module installed, so configuring again replaces it."""


def configure_logging(level: str = "INFO", stream: IO[str] | None = None, form: str = "auto") -> None:
    """Send every log record at `level` and above to `stream` (stderr), and only there: standard output
    stays for a command's own output. `form` is `text`, `json`, or `auto` (text on a terminal)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _OnRecordHandler)]:
        root.removeHandler(handler)
    stream = stream or sys.stderr
    handler = _OnRecordHandler(stream)
    text = form == "text" or (form == "auto" and stream.isatty())
    handler.setFormatter(TextFormatter(debug=level == "DEBUG") if text else JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)
