"""Triage aids for operators: known false positives and corroboration by other members.

* Warninglists: MISP's false-positive lists (public resolvers, top sites, cloud ranges,
  hashes of empty files, ...) from the `pymispwarninglists` package, so an operator does
  not publish 8.8.8.8 as a C2. Loading them takes a couple of seconds, so it happens once
  per process, on first use; without the package, no warninglist flags are raised and the
  review payload says the lists are unavailable.
* Corroboration: an object whose observable value or pattern another member already got
  published. Published values are kept only as SHA-256 digests (`PublishedObservable`),
  and a flag says how many other members reported it, never which.
* Sanitizer: what the sanitizer found probable but not certain (a possible person, company
  or site name in running text) and left in place; the change report records it with the
  after-value ``flagged``, its object, its path and offsets, masked like every change.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import PublishedObservable
from hub.review.rules import explain
from hub.sanitize.report import Report
from hub.sanitize.values import url_host

VALUE_TYPES = frozenset({"ipv4-addr", "ipv6-addr", "domain-name", "url", "email-addr", "mac-addr"})
# A quoted constant in a STIX pattern: '...' with backslash escapes.
# The closing quote is optional and the run possessive, so the regex never fails after a
# quote: one that had to find the closing quote would rescan to the end from every quote of
# an unclosed run (quadratic).
_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*+)'?")
_SPACE = re.compile(r"\s+")
_LOOKUP_CHUNK = 500

Kind = Literal["warninglist", "corroboration", "sanitizer"]
# The change report's after-value for a finding the sanitizer left for the operator.
FLAGGED = "flagged"


@dataclass(frozen=True, slots=True)
class Flag:
    """Something an operator should look at before publishing an object."""

    object_id: str
    kind: Kind
    detail: str
    value: str | None = None
    lists: tuple[str, ...] = ()
    members: int = 0
    # Sanitizer flags: the rule and where in the object (path, with [start:end] offsets).
    rule: str | None = None
    location: str | None = None


def _norm(value: str) -> str:
    return value.strip().lower()


def values_of(obj: Mapping[str, Any]) -> list[str]:
    """The observable values an object carries: SCO values, hashes, pattern constants."""
    found: list[str] = []
    stix_type = obj.get("type")
    value = obj.get("value")
    if stix_type in VALUE_TYPES and isinstance(value, str):
        found.append(value)
        if stix_type == "url" and (host := url_host(value)):
            found.append(host)
    hashes = obj.get("hashes")
    if isinstance(hashes, Mapping):
        found.extend(h for h in hashes.values() if isinstance(h, str))
    pattern = obj.get("pattern")
    if stix_type == "indicator" and isinstance(pattern, str) and obj.get("pattern_type") == "stix":
        for match in _QUOTED.finditer(pattern):
            constant = re.sub(r"\\(.)", r"\1", match.group(1))
            found.append(constant)
            if (host := url_host(constant)) is not None:
                found.append(host)
    return list(dict.fromkeys(v for v in found if v.strip()))


def observable_keys(obj: Mapping[str, Any]) -> set[str]:
    """Digests that say "same observable": each value, and a whitespace-normalized pattern."""
    keys = {"v:" + _norm(v) for v in values_of(obj)}
    pattern = obj.get("pattern")
    if obj.get("type") == "indicator" and isinstance(pattern, str):
        keys.add("p:" + _SPACE.sub(" ", pattern.strip()))
    return {hashlib.sha256(k.encode()).hexdigest() for k in keys}


@functools.cache
def _lists() -> Any | None:
    try:
        from pymispwarninglists.api import WarningLists
    except ImportError:  # pragma: no cover - the package is an optional triage aid
        return None
    return WarningLists(slow_search=False)


def warninglists_available() -> bool:
    return _lists() is not None


def warninglist_names(value: str) -> tuple[str, ...]:
    """The names of the MISP warninglists that contain `value` (empty when none do)."""
    lists = _lists()
    if lists is None:
        return ()
    try:
        hits = lists.search(value.strip())
    except ValueError:  # a value no list type can parse
        return ()
    return tuple(sorted({hit.name for hit in hits}))


def warninglist_flags(objects: Sequence[Mapping[str, Any]]) -> list[Flag]:
    """One flag per (object, value) found on a warninglist."""
    flags: list[Flag] = []
    for obj in objects:
        oid = obj.get("id")
        if not isinstance(oid, str):
            continue
        for value in values_of(obj):
            names = warninglist_names(value)
            if names:
                flags.append(
                    Flag(
                        oid,
                        "warninglist",
                        f"{value} is on {len(names)} MISP warninglist(s)",
                        value=value,
                        lists=names,
                    )
                )
    return flags


async def corroboration_flags(
    db: AsyncSession, member_id: str, objects: Sequence[Mapping[str, Any]]
) -> list[Flag]:
    """Objects whose value or pattern another member already got published."""
    per_object = {
        obj["id"]: observable_keys(obj) for obj in objects if isinstance(obj.get("id"), str)
    }
    every = sorted(set().union(*per_object.values())) if per_object else []
    others: dict[str, int] = {}
    for start in range(0, len(every), _LOOKUP_CHUNK):
        chunk = every[start : start + _LOOKUP_CHUNK]
        members = func.count(func.distinct(PublishedObservable.member_id))
        rows = await db.execute(
            select(PublishedObservable.key, members)
            .where(PublishedObservable.key.in_(chunk), PublishedObservable.member_id != member_id)
            .group_by(PublishedObservable.key)
        )
        others.update({key: int(n) for key, n in rows})
    flags = []
    for oid, keys in per_object.items():
        count = max((others.get(k, 0) for k in keys), default=0)
        if count:
            flags.append(
                Flag(
                    oid,
                    "corroboration",
                    f"already published from {count} other member(s)",
                    members=count,
                )
            )
    return flags


def is_flag(change: Any) -> bool:
    """Whether a change of the report is a finding left in place for the operator."""
    return getattr(change, "after", None) == FLAGGED


def flagged_count(report: Mapping[str, Any] | None) -> int:
    """How many findings the stored (JSON) change report leaves for the operator."""
    changes = (report or {}).get("changes") or ()
    return sum(1 for c in changes if isinstance(c, dict) and c.get("after") == FLAGGED)


def sanitizer_flags(report: Report) -> list[Flag]:
    """The sanitizer's probable findings, on the sanitized object they are in, with their
    location and the plain-words reason; the value is masked as in the report."""
    return [
        Flag(
            object_id=c.new_object_id or c.object_id,
            kind="sanitizer",
            detail=f"{explain(c.rule)} At {c.path or '(object)'}.",
            value=c.before,
            rule=c.rule,
            location=c.path,
        )
        for c in report.changes
        if is_flag(c)
    ]


async def flags(
    db: AsyncSession, member_id: str, objects: Sequence[Mapping[str, Any]], report: Report
) -> list[Flag]:
    """Every triage flag on a submission's sanitized objects."""
    return (
        sanitizer_flags(report)
        + warninglist_flags(objects)
        + await corroboration_flags(db, member_id, objects)
    )


async def remember(
    db: AsyncSession, *, member_id: str, submission_id: str, objects: Iterable[Mapping[str, Any]]
) -> None:
    """Record what a member got published, so later reports from others are corroborated."""
    rows = [
        {"key": key, "member_id": member_id, "submission_id": submission_id, "stix_id": obj["id"]}
        for obj in objects
        if isinstance(obj.get("id"), str)
        for key in sorted(observable_keys(obj))
    ]
    if rows:
        await db.execute(insert(PublishedObservable), rows)
