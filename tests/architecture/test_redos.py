"""Every compiled regex of the hub (its modules found by walking the packages, so new ones
are covered) stays fast on 1 MB of adversarial text: runs of word characters, dots, ``@``,
``-``, spaces, ``a.``, ``%41``, quotes, nested brackets.

The regexes run in a child process; a case that gives no sign of life within the budget is
a hang (a quadratic or exponential pattern takes minutes to hours on 1 MB, a linear one
well under a second), the child is killed and the walk goes on after that pattern.
"""

from __future__ import annotations

import queue
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUDGET = 5.0  # seconds per pattern and input: a hang detector, not a measurement


def _lines(proc: subprocess.Popen[str], out: queue.Queue[str | None]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        out.put(line.rstrip("\n"))
    out.put(None)


def probe(start: int) -> tuple[str | None, int | None, int]:
    """Run from pattern ``start``; (the case that hung, its pattern, total) or (None, None, n)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.architecture.redos_probe", "run", str(start)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_lines, args=(proc, lines), daemon=True).start()
    last = None
    try:
        while True:
            try:
                line = lines.get(timeout=BUDGET if last is not None else 120)
            except queue.Empty:
                if last is None:
                    raise AssertionError("the probe did not start") from None
                return last, int(last.split()[1]), -1
            if line is None:
                _, err = proc.communicate(timeout=30)
                raise AssertionError(f"the probe stopped: {err[-2000:]}")
            if line.startswith("end "):
                return None, None, int(line.split()[1])
            last = line
    finally:
        proc.kill()
        proc.wait(timeout=30)


def test_every_regex_is_linear_on_1_mb_of_adversarial_text() -> None:
    hung: list[str] = []
    start = 0
    while True:
        case, pattern, total = probe(start)
        if case is None:
            break
        assert pattern is not None
        hung.append(case.split(" ", 3)[3])
        start = pattern + 1
    assert total > 40, "the walk found too few patterns: is the discovery broken?"
    assert not hung, "no sign of life within the budget:\n" + "\n".join(hung)
