"""A structured diff of a submission's original objects against their sanitized versions.

Objects are paired through the sanitizer's report (original id -> hub id); within a pair,
every leaf that differs is listed by property path (`a.b[2].c`), so a console can render
the two versions side by side and highlight exactly what changed. Reference rewrites
(`*_ref`, `*_refs`) are tagged so a console can show them quieter than redactions.
Operators only: `before` holds original values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from hub.sanitize.report import Report

Op = Literal["changed", "removed", "added"]
Status = Literal["unchanged", "changed", "dropped", "added"]
_MISSING = object()


@dataclass(frozen=True, slots=True)
class Entry:
    """One differing leaf (or a whole subtree that exists on one side only)."""

    path: str
    op: Op
    before: Any = None
    after: Any = None
    reference: bool = False


@dataclass(frozen=True, slots=True)
class ObjectDiff:
    """One object: its original and hub ids, what happened to it, and the differing paths."""

    original_id: str | None
    sanitized_id: str | None
    type: str
    status: Status
    entries: list[Entry] = field(default_factory=list)


def id_map(report: Report, sanitized: Iterable[Mapping[str, Any]]) -> dict[str, str | None]:
    """Original id -> hub id (None when dropped) from the report; unchanged ids map to self."""
    mapping: dict[str, str | None] = {}
    for change in report.changes:
        mapping[change.object_id] = change.new_object_id
    for obj in sanitized:
        sid = obj.get("id")
        if isinstance(sid, str):
            mapping.setdefault(sid, sid)
    return mapping


def diff(
    original: Sequence[Mapping[str, Any]],
    sanitized: Sequence[Mapping[str, Any]],
    mapping: Mapping[str, str | None],
) -> list[ObjectDiff]:
    """Per original object in order, then objects the hub added (its identity, a sector's)."""
    by_id = {o["id"]: o for o in sanitized if isinstance(o.get("id"), str)}
    paired: set[str] = set()
    out: list[ObjectDiff] = []
    for obj in original:
        oid = obj.get("id") if isinstance(obj.get("id"), str) else None
        stix_type = str(obj.get("type", ""))
        new_id = mapping.get(oid) if oid is not None else None
        new = by_id.get(new_id) if new_id is not None else None
        if new is None:
            out.append(ObjectDiff(oid, None, stix_type, "dropped"))
            continue
        paired.add(new_id)  # type: ignore[arg-type]
        entries = list(_walk("", obj, new))
        out.append(
            ObjectDiff(oid, new_id, stix_type, "changed" if entries else "unchanged", entries)
        )
    for sid, obj in by_id.items():
        if sid not in paired:
            out.append(ObjectDiff(None, sid, str(obj.get("type", "")), "added"))
    return out


def _is_ref(path: str) -> bool:
    leaf = path.rsplit(".", 1)[-1].split("[", 1)[0]
    return leaf.endswith(("_ref", "_refs")) or leaf == "id"


def _walk(path: str, before: Any, after: Any) -> Iterable[Entry]:
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        for key in list(before) + [k for k in after if k not in before]:
            sub = f"{path}.{key}" if path else str(key)
            b, a = before.get(key, _MISSING), after.get(key, _MISSING)
            if b is _MISSING:
                yield Entry(sub, "added", after=a, reference=_is_ref(sub))
            elif a is _MISSING:
                yield Entry(sub, "removed", before=b, reference=_is_ref(sub))
            else:
                yield from _walk(sub, b, a)
        return
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for i, (b, a) in enumerate(zip(before, after, strict=True)):
            yield from _walk(f"{path}[{i}]", b, a)
        return
    if before != after:
        yield Entry(path, "changed", before=before, after=after, reference=_is_ref(path))
