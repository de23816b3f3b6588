"""Sigma selections a condition only ever excludes (`not filter_*`): the member's own
environment (its admin accounts, backup jobs, management hosts), not the attacker's."""

from __future__ import annotations

import re
from collections.abc import Iterable

_PART_RE = re.compile(r"[()]|[^\s()]+")
# Words that may stand between a `not` and the selections it negates (`not 1 of filter_*`).
_QUANTIFIERS = frozenset({"1", "all", "any", "of"})
ACCOUNT_FIELD_RE = re.compile(r"user|account|logon|owner", re.IGNORECASE)
HOST_FIELD_RE = re.compile(
    r"^(?!dest|dst|remote|query|target)[a-z_]*(computer|workstation|machine|dvchost|hostname"
    r"|^host$|^device)",
    re.IGNORECASE,
)


def _glob(pattern: str, name: str) -> bool:
    """Sigma's `*` wildcard over selection names, matched greedily (linear, no regex)."""
    parts = pattern.split("*")
    if len(parts) == 1:
        return pattern == name
    if not (name.startswith(parts[0]) and name.endswith(parts[-1])):
        return False
    pos, end = len(parts[0]), len(name) - len(parts[-1])
    for middle in parts[1:-1]:
        found = name.find(middle, pos, end)
        if found < 0:
            return False
        pos = found + len(middle)
    return pos <= end


def excluded_only(conditions: Iterable[str], selections: Iterable[str]) -> set[str]:
    """The selections every condition names only under a `not`."""
    names = list(selections)
    positive: set[str] = set()
    negative: set[str] = set()
    for condition in conditions:
        stack, pending = [False], False
        for part in _PART_RE.findall(condition):
            low = part.lower()
            if low == "not":
                pending = not pending
            elif part == "(":
                stack.append(stack[-1] ^ pending)
                pending = False
            elif part == ")":
                if len(stack) > 1:
                    stack.pop()
                pending = False
            elif low in ("and", "or"):
                pending = False
            elif low not in _QUANTIFIERS and not low.isdigit():
                negated = stack[-1] ^ pending
                pending = False
                matched = names if low == "them" else [n for n in names if _glob(part, n)]
                (negative if negated else positive).update(matched)
    return negative - positive


def environment_token(field: str) -> str | None:
    """The token for a value of an excluded selection's field that names one of the member's
    accounts or hosts, or None for any other field."""
    if ACCOUNT_FIELD_RE.search(field):
        return "[REDACTED:username]"
    if HOST_FIELD_RE.search(field):
        return "[REDACTED:hostname]"
    return None
