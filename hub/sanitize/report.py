"""The change report: every change, with sensitive values masked so the report itself is safe."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from hub.sanitize.values import parse_ip


def _mask_word(text: str) -> str:
    """First and last character with stars between; short words keep only a hint."""
    text = text.strip()
    if len(text) <= 2:
        return "***"
    if len(text) <= 5:
        return text[0] + "***"
    return text[0] + "***" + text[-1]


def _mask_domain(domain: str) -> str:
    labels = [x for x in re.split(r"\.|\[\.\]", domain.strip()) if x]
    if len(labels) <= 1:
        return _mask_word(domain)
    tail = labels[-1:] if len(labels[-2]) > 3 or len(labels) == 2 else labels[-2:]
    return labels[0][:1] + "***." + ".".join(tail)


def _mask_ip(value: str) -> str:
    ip = parse_ip(value)
    if ip is None:
        return "***"
    text = str(ip)
    if ":" in text:
        head = text.split(":")[0]
        return f"{head}:*:*"
    octets = text.split("/")[0].split(".")
    return f"{octets[0]}.*.*.{octets[-1]}" if "/" not in text else f"{octets[0]}.*.*.*/*"


def mask(value: Any, rule: str) -> str | None:
    """A recognisable but incomplete rendering of a sensitive value, for the report."""
    if value is None:
        return None
    if not isinstance(value, str):
        return f"<{type(value).__name__}>"
    if rule in ("private-ip", "member-ip"):
        return _mask_ip(value)
    if rule == "email" or ("@" in value and rule in ("member-domain", "victim-recipient")):
        local, _, dom = value.rpartition("@")
        return _mask_word(local)[:1] + "***@" + _mask_domain(dom)
    if rule in ("member-domain", "member-url"):
        return _mask_domain(value) if " " not in value else _mask_word(value)
    if rule == "windows-sid":
        return "S-1-5-21-***"
    if rule == "phone":
        digits = re.sub(r"\D", "", value)
        return digits[:2] + "***" + digits[-1:] if len(digits) > 4 else "***"
    return _mask_word(value)


@dataclass(frozen=True)
class Change:
    """One change to one object: which property, why, and masked before -> after."""

    object_id: str
    new_object_id: str | None
    path: str
    rule: str
    before: str | None
    after: str | None


@dataclass
class Report:
    """All changes a sanitization made, in a deterministic order."""

    changes: list[Change] = field(default_factory=list)

    @property
    def counts_by_rule(self) -> dict[str, int]:
        """How many changes each rule made, sorted by rule name."""
        return dict(sorted(Counter(c.rule for c in self.changes).items()))

    def to_json(self) -> dict[str, Any]:
        """The report as plain JSON data."""
        return {"changes": [asdict(c) for c in self.changes], "counts_by_rule": self.counts_by_rule}


class Recorder:
    """Collects changes while an object's new id is not known yet."""

    def __init__(self) -> None:
        self.pending: list[tuple[str, str, str, str | None, str | None]] = []

    def add(
        self, object_id: str, path: str, rule: str, before: Any, after: Any, *, masked: bool = False
    ) -> None:
        """Record a change; `before` is masked unless the caller already did."""
        b = before if masked else mask(before, rule)
        a = after if isinstance(after, str) or after is None else f"<{type(after).__name__}>"
        self.pending.append((object_id, path, rule, b, a))

    def finish(self, new_ids: dict[str, str | None]) -> Report:
        """The report, with each change's object resolved to its hub id (None if dropped)."""
        return Report(
            [
                Change(oid, new_ids.get(oid), path, rule, b, a)
                for oid, path, rule, b, a in self.pending
            ]
        )
