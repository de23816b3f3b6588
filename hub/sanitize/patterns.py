"""Redaction inside STIX patterns: victim comparisons are pruned from the parsed pattern."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from stix2 import patterns as sp
from stix2.pattern_visitor import create_pattern_object

from hub.sanitize.people import PeopleRedactor
from hub.sanitize.text import TextRedactor

_USER_TYPES = ("user-account",)
_USER_PATHS = ("creator_user_ref", "user_ref")


def _unescape(raw: str) -> str:
    return re.sub(r"\\(.)", r"\1", raw)


def _const_text(const: Any) -> str | None:
    if isinstance(const, sp.StringConstant):
        return _unescape(const.value) if not const.needs_to_be_quoted else const.value
    return None


@dataclass
class PatternResult:
    """Outcome of pattern redaction: the new pattern (None = nothing of the attacker left)."""

    pattern: str | None
    removed: list[tuple[str, str, str]] = field(default_factory=list)  # (lhs, rule, raw value)
    changed: bool = False


class PatternRedactor:
    """Prunes comparisons on victim values; rewrites usernames in paths to LIKE wildcards."""

    def __init__(self, redactor: TextRedactor, *, drop_user_accounts: bool) -> None:
        self.redactor = redactor
        self.drop_user_accounts = drop_user_accounts
        # The member's people learned from the report: an account named after one is theirs.
        self.people: PeopleRedactor | None = None

    def _names_person(self, text: str) -> bool:
        return self.people is not None and bool(self.people.find(text))

    def redact(self, pattern: str) -> PatternResult:
        """Redacted STIX pattern; untouched (and unparsed) when it cannot hold victim values."""
        unescaped = pattern.replace("\\\\", "\\")
        suspicious = bool(self.redactor.find(unescaped))
        if self.drop_user_accounts and any(t in pattern for t in (*_USER_TYPES, *_USER_PATHS)):
            suspicious = suspicious or self._names_person(unescaped)
        if not suspicious:
            return PatternResult(pattern)
        result = PatternResult(None, changed=True)
        try:
            tree = create_pattern_object(pattern, version="2.1")
        except Exception:  # noqa: BLE001 - an unparsable pattern carries nothing we can trust
            result.removed.append(("pattern", "invalid-pattern", pattern))
            return result
        pruned = self._prune(tree, result)
        if pruned is None:
            return result
        text = str(pruned)
        try:
            create_pattern_object(text, version="2.1")
        except Exception:  # noqa: BLE001
            result.removed.append(("pattern", "invalid-pattern", text))
            return result
        result.pattern = text
        result.changed = text != pattern
        return result

    def _victim(self, lhs: str, value: str) -> tuple[str | None, bool]:
        """(rule, paths-only) for a compared value; rule None when it is attacker data."""
        hits = self.redactor.find(value)
        if self.drop_user_accounts and (
            lhs.startswith(_USER_TYPES) or any(p in lhs for p in _USER_PATHS)
        ):
            # An account an indicator names is the attacker's (one it created or uses),
            # unless it is one of the member's people or registered values.
            if hits or self._names_person(value):
                return "user-account", False
            return None, False
        if not hits:
            return None, False
        return hits[0].rule, all(h.rule == "user-path" for h in hits)

    def _comparison(self, node: Any, result: PatternResult) -> Any:
        lhs = str(node.lhs)
        rhs = node.rhs
        if isinstance(rhs, sp.ListConstant):
            kept = []
            for item in rhs.value:
                text = _const_text(item)
                rule = self._victim(lhs, text)[0] if text is not None else None
                if rule:
                    result.removed.append((lhs, rule, text or ""))
                else:
                    kept.append(item)
            if not kept:
                return None
            rhs.value = kept
            return node
        text = _const_text(rhs)
        if text is None:
            return node
        rule, paths_only = self._victim(lhs, text)
        if rule is None:
            return node
        if paths_only and node.operator in ("=", "LIKE") and not node.negated:
            wild = text if node.operator == "LIKE" else text.replace("%", r"\%")
            for h in sorted(self.redactor.find(wild), key=lambda h: -h.start):
                wild = wild[: h.start] + "%" + wild[h.end :]
            result.removed.append((lhs, rule, text))
            return sp.LikeComparisonExpression(node.lhs, sp.StringConstant(wild))
        result.removed.append((lhs, rule, text))
        return None

    def _prune(self, node: Any, result: PatternResult) -> Any:
        if isinstance(node, sp._ComparisonExpression):
            return self._comparison(node, result)
        if isinstance(node, sp._BooleanExpression | sp._CompoundObservationExpression):
            kept = [k for o in node.operands if (k := self._prune(o, result)) is not None]
            if not kept:
                return None
            if len(kept) == 1:
                return kept[0]
            node.operands = kept
            return node
        if isinstance(node, sp.ObservationExpression):
            inner = self._prune(node.operand, result)
            if inner is None:
                return None
            node.operand = inner
            return node
        if isinstance(node, sp.ParentheticalExpression):
            inner = self._prune(node.expression, result)
            if inner is None:
                return None
            node.expression = inner
            return node
        if isinstance(node, sp.QualifiedObservationExpression):
            inner = self._prune(node.observation_expression, result)
            if inner is None:
                return None
            node.observation_expression = inner
            return node
        return node
