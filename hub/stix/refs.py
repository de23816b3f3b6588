"""Which references an object cannot do without, and the object without the ones it can.

A published object must not point at something its readers cannot get. A reference the
object is defined by (a relationship's ends, what a sighting saw, a marking, anything nested
inside an extension) holds the object back when its target is not readable; any other
reference (`created_by_ref`, one entry of a report's `object_refs`, `sample_refs`, ...) is
removed from the copy those readers get. A required list keeps the object while one entry
is left.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from hub.stix.tlp import marking_refs, references

_REQUIRED_REF: Mapping[str, frozenset[str]] = {
    "relationship": frozenset({"source_ref", "target_ref"}),
    "sighting": frozenset({"sighting_of_ref"}),
}
_REQUIRED_LIST: Mapping[str, frozenset[str]] = {
    kind: frozenset({"object_refs"})
    for kind in ("observed-data", "report", "grouping", "note", "opinion")
}
# STIX 2.1 §6.12: a network-traffic object has a src_ref or a dst_ref (or both).
_ONE_OF: Mapping[str, tuple[frozenset[str], ...]] = {
    "network-traffic": (frozenset({"src_ref", "dst_ref"}),),
}


@dataclass(frozen=True, slots=True)
class Needs:
    """An object's references, by what their loss does to it."""

    required: frozenset[str]  # each must be readable, or the object is held back
    groups: tuple[frozenset[str], ...]  # at least one of each group must be readable
    optional: frozenset[str]  # removed when not readable


def needs(obj: Mapping[str, Any]) -> Needs:
    """Sort every reference of `obj` (markings included) by what its loss does to it."""
    kind = str(obj.get("type"))
    required: set[str] = set(marking_refs(obj))
    groups: list[frozenset[str]] = []
    optional: set[str] = set()
    top_level: set[str] = set()
    for key, value in obj.items():
        if key in ("object_marking_refs", "granular_markings") or not isinstance(key, str):
            continue
        if key.endswith("_ref") and isinstance(value, str):
            top_level.add(value)
            (required if key in _REQUIRED_REF.get(kind, ()) else optional).add(value)
        elif key.endswith("_refs") and isinstance(value, list):
            entries = frozenset(v for v in value if isinstance(v, str))
            top_level |= entries
            if key in _REQUIRED_LIST.get(kind, ()):
                groups.append(entries)
            else:
                optional |= entries
    for group in _ONE_OF.get(kind, ()):
        ends = frozenset(obj[k] for k in group if isinstance(obj.get(k), str))
        if ends:
            groups.append(ends)
            optional -= ends
    # Nested references (extensions, embedded types) are held to: they are rarely optional.
    required |= set(references(obj)) - top_level
    return Needs(frozenset(required), tuple(groups), frozenset(optional - required))


def without(obj: Mapping[str, Any], missing: Iterable[str]) -> Mapping[str, Any]:
    """`obj` with its top-level references to `missing` removed (an emptied list goes)."""
    gone = frozenset(missing)
    if not gone:
        return obj
    out: dict[str, Any] = {}
    for key, value in obj.items():
        if key.endswith("_ref") and isinstance(value, str) and value in gone:
            continue
        if key.endswith("_refs") and isinstance(value, list) and key != "object_marking_refs":
            kept = [v for v in value if v not in gone]
            if not kept:
                continue
            out[key] = kept
        else:
            out[key] = value
    return out
