"""Deeply nested patterns are a validation error, never a RecursionError."""

from __future__ import annotations

import pytest

from hub import validate
from hub.validate.patterns import MAX_PATTERN_DEPTH, check_pattern, nesting_depth

COMPARISON = "ipv4-addr:value = '198.51.100.23'"


def observations(n: int) -> str:
    return "(" * n + f"[{COMPARISON}]" + ")" * n


def comparisons(n: int) -> str:
    return "[" + "(" * n + COMPARISON + ")" * n + "]"


@pytest.mark.parametrize("shape", [observations, comparisons])
@pytest.mark.parametrize("depth", [500, 5_000, 100_000])
def test_deep_nesting_is_a_one_line_pattern_error(shape: object, depth: int) -> None:
    assert callable(shape)
    reason = check_pattern(shape(depth))
    assert reason == f"invalid STIX pattern: nested deeper than {MAX_PATTERN_DEPTH} brackets"


@pytest.mark.parametrize("shape", [observations, comparisons])
def test_nesting_up_to_the_bound_is_checked_by_the_parsers(shape: object) -> None:
    assert callable(shape)
    assert check_pattern(shape(MAX_PATTERN_DEPTH - 1)) is None
    # Past the bound only by the brackets, and unbalanced: still the parser's verdict below it.
    assert check_pattern(shape(3)[:-1]) is not None


def test_brackets_inside_a_quoted_literal_do_not_count() -> None:
    literal = "(" * 1000 + "\\'" + "[" * 1000
    pattern = f"[file:name = '{literal}']"
    assert nesting_depth(pattern) == 1
    assert check_pattern(pattern) is None


def test_a_deep_pattern_rejects_its_object_only() -> None:
    indicator = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "created": "2026-11-20T09:00:00.000Z",
        "modified": "2026-11-20T09:00:00.000Z",
        "pattern": observations(600),
        "pattern_type": "stix",
        "valid_from": "2026-11-20T09:00:00Z",
    }
    problems = validate.check_object(indicator)
    assert [(p.property, "\n" in p.reason) for p in problems] == [("pattern", False)]


def test_any_recursion_in_a_checker_is_a_one_line_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    from hub.validate import objects

    def endless(obj: object) -> list[validate.Problem]:
        return endless(obj)

    monkeypatch.setattr(objects, "check_object_unguarded", endless)
    problems = validate.check_object({"type": "indicator"})
    assert [str(p) for p in problems] == ["could not be validated: nested too deeply"]
