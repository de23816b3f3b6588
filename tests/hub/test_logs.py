"""Log lines stay short and carry no content, even for a runaway recursion."""

from __future__ import annotations

import json
import logging
import sys

from hub.logs import MAX_TRACEBACK, JsonFormatter, PlainFormatter, stack_of

SECRET_CONTENT = "kansai-grid.example.jp"


def _ping(n: int) -> None:
    _pong(n)


def _pong(n: int) -> None:
    # Mutual recursion: Python does not fold these frames into "[Previous line repeated]".
    if n == 0:
        raise RecursionError(f"deep inside {SECRET_CONTENT}")
    _ping(n - 1)


def _record() -> logging.LogRecord:
    try:
        _ping(400)
    except RecursionError:
        return logging.LogRecord(
            "mamori.test", logging.ERROR, __file__, 1, "processing failed", None, sys.exc_info()
        )
    raise AssertionError("unreachable")


def test_a_deep_traceback_is_clipped_in_json() -> None:
    line = JsonFormatter().format(_record())
    assert "\n" not in line
    entry = json.loads(line)
    assert len(entry["error"]) <= MAX_TRACEBACK + 100
    assert "characters left out" in entry["error"]
    assert entry["error"].rstrip().endswith(f"RecursionError: deep inside {SECRET_CONTENT}")


def test_a_deep_traceback_is_clipped_in_plain_text() -> None:
    text = PlainFormatter("%(message)s").format(_record())
    assert len(text) <= MAX_TRACEBACK + 200


def test_a_stack_names_where_and_what_but_not_the_message() -> None:
    record = _record()
    assert record.exc_info is not None and record.exc_info[1] is not None
    stack = stack_of(record.exc_info[1])
    assert len(stack) <= MAX_TRACEBACK + 100
    assert stack.endswith("RecursionError")
    assert "_pong" in stack
    assert SECRET_CONTENT not in stack
