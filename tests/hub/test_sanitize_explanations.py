"""Every rule the sanitizer can record has a plain-words explanation."""

from __future__ import annotations

import ast
from pathlib import Path

from hub.sanitize.rules import RULE_EXPLANATIONS, explain
from hub.sanitize.text import PRIORITY, TOKENS

SANITIZE = Path(__file__).resolve().parents[2] / "hub" / "sanitize"


def _is_recorder(node: ast.expr) -> bool:
    """`rec`, `recorder`, `….recorder` or `….rec`: the change recorder, not any `.add`."""
    if isinstance(node, ast.Name):
        return node.id in ("rec", "recorder")
    return isinstance(node, ast.Attribute) and node.attr in ("rec", "recorder")


def _recorded_literals() -> set[str]:
    """String literals passed as the rule of every `recorder.add(oid, path, rule, …)` call."""
    found: set[str] = set()
    for path in SANITIZE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "add"
                and _is_recorder(node.func.value)
                and len(node.args) >= 3
            ):
                rule = node.args[2]
                if isinstance(rule, ast.Constant) and isinstance(rule.value, str):
                    found.add(rule.value)
    return found


def test_every_recorded_rule_literal_is_explained() -> None:
    literals = _recorded_literals()
    assert "provenance" in literals  # the scan sees the recorder calls
    assert sorted(literals - RULE_EXPLANATIONS.keys()) == []


def test_every_text_finding_rule_is_explained() -> None:
    assert sorted((TOKENS.keys() | PRIORITY.keys()) - RULE_EXPLANATIONS.keys()) == []


def test_explanations_are_plain_sentences() -> None:
    for rule, text in RULE_EXPLANATIONS.items():
        assert rule == rule.lower() and " " not in rule
        assert text[:1].isupper() and text.endswith("."), rule
        assert "REDACTED" not in text


def test_an_unknown_rule_is_named_not_hidden() -> None:
    assert "no-such-rule" in explain("no-such-rule")
    assert explain("provenance") == RULE_EXPLANATIONS["provenance"]
