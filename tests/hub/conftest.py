"""Every sanitizer test doubles as a check that each rule it records is explained."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from hub.sanitize import report
from hub.sanitize.rules import RULE_EXPLANATIONS


@pytest.fixture(autouse=True)
def _rules_are_explained(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail any test whose sanitizing records a rule without a plain-words explanation."""
    original = report.Recorder.add

    def add(
        self: report.Recorder, object_id: str, path: str, rule: str, *args: Any, **kwargs: Any
    ) -> None:
        assert rule in RULE_EXPLANATIONS, f"rule {rule!r} has no entry in RULE_EXPLANATIONS"
        original(self, object_id, path, rule, *args, **kwargs)

    monkeypatch.setattr(report.Recorder, "add", add)
    yield
