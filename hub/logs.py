"""Structured logs: one JSON object per line, and never a key, a header or a body."""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, datetime
from typing import Any

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "color_message",  # uvicorn's ANSI-coloured copy of the message
}
# Belt and braces: even if a caller passes one of these as an extra, it is not written.
_NEVER = {"authorization", "key", "secret", "password", "body", "raw", "cookie"}
# A traceback is kept to its head (where it started) and its tail (what was raised): a deep
# recursion would otherwise put a hundred kilobytes on one line.
MAX_TRACEBACK = 4096
_HEAD = 1024


def clip(text: str, limit: int = MAX_TRACEBACK) -> str:
    """``text`` if it fits in ``limit`` characters, else its head and tail around a marker."""
    if len(text) <= limit:
        return text
    tail = limit - _HEAD
    return f"{text[:_HEAD]}\n… {len(text) - limit} characters left out …\n{text[-tail:]}"


def stack_of(exc: BaseException) -> str:
    """Where ``exc`` was raised, and its class, without its message (which may quote content)."""
    frames = traceback.extract_tb(exc.__traceback__)
    lines = [f"{f.filename}:{f.lineno} in {f.name}" for f in frames]
    return clip("\n".join([*lines, type(exc).__name__]))


class PlainFormatter(logging.Formatter):
    """Text lines, for a terminal; tracebacks clipped like the JSON formatter's."""

    def formatException(self, ei: Any) -> str:  # noqa: N802 - logging's own name
        return clip(super().formatException(ei))


class JsonFormatter(PlainFormatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in vars(record).items():
            if name not in _STANDARD and name.lower() not in _NEVER:
                entry[name] = value
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure(level: str = "INFO", *, as_json: bool = True) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter()
        if as_json
        else PlainFormatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
