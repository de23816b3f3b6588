"""TLP levels, the official marking ids, and the effective TLP of every object in a bundle.

Trust model: only the official OASIS marking ids (TLP 1.0, built into STIX 2.1, and the
TLP 2.0 extension's) are trusted at face value. A marking-definition that claims a TLP
level under any other id counts as the stricter of its claim and the hub default, so a
forged marking can make an object stricter but never looser. A marking id that cannot be
resolved at all counts as the hub default: it may be a restriction we cannot read.

The level that decides an object is the strictest marking on the object and on every
object it references, directly or transitively (a relationship to a TLP:RED indicator is
TLP:RED). Only when nothing in that closure carries a TLP marking does the default apply.
Marking-definition objects are definitions, not intelligence: unless they are marked
themselves they are TLP:CLEAR, so they can travel wherever an object using them goes.
"""

from __future__ import annotations

import enum
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Literal

TlpVersion = Literal["1.0", "2.0"]


class Tlp(enum.IntEnum):
    """A Traffic Light Protocol level; a larger value is stricter."""

    CLEAR = 0
    GREEN = 1
    AMBER = 2
    AMBER_STRICT = 3
    RED = 4

    @property
    def label(self) -> str:
        """The TLP 2.0 label, as shown to people and written in settings."""
        return _LABELS[self]

    @classmethod
    def parse(cls, text: str) -> Tlp:
        """Read a level from a label such as "TLP:AMBER+STRICT", "white" or "amber_strict"."""
        key = text.strip().lower()
        key = key.removeprefix("tlp:").strip()
        try:
            return _BY_NAME[key]
        except KeyError:
            raise ValueError(f"not a TLP level: {text!r}") from None


_LABELS: dict[Tlp, str] = {
    Tlp.CLEAR: "TLP:CLEAR",
    Tlp.GREEN: "TLP:GREEN",
    Tlp.AMBER: "TLP:AMBER",
    Tlp.AMBER_STRICT: "TLP:AMBER+STRICT",
    Tlp.RED: "TLP:RED",
}

_BY_NAME: dict[str, Tlp] = {
    "clear": Tlp.CLEAR,
    "white": Tlp.CLEAR,  # TLP 1.0 name of the same level
    "green": Tlp.GREEN,
    "amber": Tlp.AMBER,
    "amber+strict": Tlp.AMBER_STRICT,
    "amber_strict": Tlp.AMBER_STRICT,
    "amber-strict": Tlp.AMBER_STRICT,
    "red": Tlp.RED,
}

# TLP 1.0: the marking definitions built into STIX 2.1 (stix2.TLP_WHITE and friends).
TLP1_WHITE = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
TLP1_GREEN = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
TLP1_AMBER = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"
TLP1_RED = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"

# TLP 2.0: the OASIS extension and its five marking definitions.
TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2_CLEAR = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
TLP2_GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
TLP2_AMBER = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
TLP2_AMBER_STRICT = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
TLP2_RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"

TLP1_IDS: Mapping[Tlp, str] = {
    Tlp.CLEAR: TLP1_WHITE,
    Tlp.GREEN: TLP1_GREEN,
    Tlp.AMBER: TLP1_AMBER,
    Tlp.RED: TLP1_RED,
}
TLP2_IDS: Mapping[Tlp, str] = {
    Tlp.CLEAR: TLP2_CLEAR,
    Tlp.GREEN: TLP2_GREEN,
    Tlp.AMBER: TLP2_AMBER,
    Tlp.AMBER_STRICT: TLP2_AMBER_STRICT,
    Tlp.RED: TLP2_RED,
}

OFFICIAL_MARKINGS: Mapping[str, Tlp] = {
    **{marking_id: level for level, marking_id in TLP1_IDS.items()},
    **{marking_id: level for level, marking_id in TLP2_IDS.items()},
}


def marking_id_for(level: Tlp, version: TlpVersion = "2.0") -> str:
    """The official marking-definition id that puts `level` on an object."""
    ids = TLP1_IDS if version == "1.0" else TLP2_IDS
    try:
        return ids[level]
    except KeyError:
        raise ValueError(f"TLP {version} has no {level.label}") from None


_LABEL_IN_TEXT = re.compile(
    r"\bTLP\s*:\s*(CLEAR|WHITE|GREEN|AMBER\s*\+\s*STRICT|AMBER|RED)\b", re.IGNORECASE
)


def claimed_level(definition: Mapping[str, Any]) -> Tlp | None:
    """The strictest TLP level a marking-definition object claims, whoever wrote it.

    A claim is a TLP 1.0 `definition_type: tlp`, the TLP 2.0 extension, or a TLP label in
    the name. A TLP claim whose level cannot be read is returned as RED: unreadable
    restrictions are not something we loosen.
    """
    claims: list[Tlp] = []
    claims_tlp = False
    body = definition.get("definition")
    if definition.get("definition_type") == "tlp":
        claims_tlp = True
        if isinstance(body, Mapping):
            claims.extend(_levels_in(body.get("tlp")))
    extensions = definition.get("extensions")
    if isinstance(extensions, Mapping) and TLP2_EXTENSION in extensions:
        claims_tlp = True
        ext = extensions[TLP2_EXTENSION]
        if isinstance(ext, Mapping):
            claims.extend(_levels_in(ext.get("tlp_2_0")))
    name = definition.get("name")
    if isinstance(name, str):
        for match in _LABEL_IN_TEXT.finditer(name):
            claims_tlp = True
            claims.append(Tlp.parse(re.sub(r"\s+", "", match.group(1))))
    if not claims_tlp:
        return None
    return max(claims, default=Tlp.RED)


def _levels_in(value: Any) -> list[Tlp]:
    if not isinstance(value, str):
        return []
    try:
        return [Tlp.parse(value)]
    except ValueError:
        return [Tlp.RED]


def marking_level(
    marking_id: str,
    definition: Mapping[str, Any] | None,
    *,
    default: Tlp,
    known_markings: Mapping[str, Tlp] | None = None,
) -> Tlp | None:
    """The level a marking reference puts on an object, or None for a non-TLP marking."""
    claim = claimed_level(definition) if definition is not None else None
    official = OFFICIAL_MARKINGS.get(marking_id)
    if official is not None:
        # The id is what readers act on; a bundle that redefines it stricter still wins.
        return official if claim is None else max(official, claim)
    if known_markings is not None and marking_id in known_markings:
        known = known_markings[marking_id]
        return known if claim is None else max(known, claim)
    if definition is None:
        return default
    if claim is None:
        return None
    return max(claim, default)


def marking_refs(obj: Mapping[str, Any]) -> Iterator[str]:
    """Every marking-definition id the object is marked with, object-level or granular."""
    refs = obj.get("object_marking_refs")
    if isinstance(refs, list):
        yield from (ref for ref in refs if isinstance(ref, str))
    granular = obj.get("granular_markings")
    if isinstance(granular, list):
        for entry in granular:
            if isinstance(entry, Mapping) and isinstance(entry.get("marking_ref"), str):
                yield entry["marking_ref"]


_MARKING_KEYS = frozenset({"object_marking_refs", "granular_markings"})


def references(obj: Mapping[str, Any]) -> Iterator[str]:
    """Every id the object points at through `*_ref`/`*_refs`, nested ones included.

    Markings are left out: they decide a level, they are not content the object depends on.
    """
    yield from _walk_refs(obj)


def _walk_refs(value: Any) -> Iterator[str]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str) or key in _MARKING_KEYS:
                continue
            if key.endswith("_ref") and isinstance(item, str):
                yield item
            elif key.endswith("_refs") and isinstance(item, list):
                yield from (ref for ref in item if isinstance(ref, str))
            else:
                yield from _walk_refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk_refs(item)


def effective_tlp(
    objects: Sequence[Mapping[str, Any]],
    *,
    default: Tlp = Tlp.AMBER,
    known_markings: Mapping[str, Tlp] | None = None,
) -> dict[str, Tlp]:
    """The TLP level that decides where each object (by id) may be republished.

    `known_markings` gives levels the caller vouches for, for marking ids defined outside
    `objects` (e.g. a marking stored with an earlier submission). Several versions of one
    id are decided together: the strictest wins.
    """
    definitions: dict[str, Mapping[str, Any]] = {}
    for obj in objects:
        if obj.get("type") == "marking-definition" and isinstance(obj.get("id"), str):
            definitions.setdefault(obj["id"], obj)

    own: dict[str, int] = {}
    edges: dict[str, set[str]] = defaultdict(set)
    is_definition: set[str] = set()
    for obj in objects:
        oid = obj.get("id")
        if not isinstance(oid, str):
            continue
        level = own.get(oid, _NONE)
        for ref in marking_refs(obj):
            marked = marking_level(
                ref, definitions.get(ref), default=default, known_markings=known_markings
            )
            if marked is not None:
                level = max(level, int(marked))
        own[oid] = level
        edges[oid].update(references(obj))
        if obj.get("type") == "marking-definition":
            is_definition.add(oid)

    closure = _propagate_max(own, edges)
    result: dict[str, Tlp] = {}
    for oid, level in closure.items():
        if level != _NONE:
            result[oid] = Tlp(level)
        else:
            result[oid] = Tlp.CLEAR if oid in is_definition else default
    return result


_NONE = -1  # no TLP marking seen yet; below every level


def _propagate_max(own: Mapping[str, int], edges: Mapping[str, set[str]]) -> dict[str, int]:
    """For each node, the maximum of `own` over everything reachable from it, cycles included.

    A node's value only rises, and there are six possible values, so each node is requeued
    a bounded number of times: linear in the number of references.
    """
    referrers: dict[str, list[str]] = defaultdict(list)
    for source, targets in edges.items():
        for target in targets:
            if target in own and target != source:
                referrers[target].append(source)
    level = dict(own)
    work = [node for node, value in level.items() if value != _NONE]
    while work:
        node = work.pop()
        value = level[node]
        for source in referrers.get(node, ()):
            if level[source] < value:
                level[source] = value
                work.append(source)
    return level
