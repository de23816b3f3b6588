"""TLP levels, the official marking ids, and the effective TLP of every object in a bundle.

Trust model (fail closed): only the official OASIS marking ids (TLP 1.0, built into STIX
2.1, and the TLP 2.0 extension's) are trusted, and an id is compared without regard to
letter case (a UUID is case-insensitive; intake lower-cases these ids before anything else
reads them). Everything else that could carry a restriction withholds what it marks:

- a marking-definition that claims TLP (`definition_type: "tlp"`, a `tlp` definition, the
  TLP 2.0 extension, or a name such as "TLP:RED") under any other id is a forgery or a
  mistake, and the hub cannot know which level was meant;
- a marking the hub cannot resolve (not defined in the submission, not known to the hub,
  or of a kind the hub does not read) may be a restriction we cannot see.

Such an object is *unresolved*: it counts as TLP:RED, is never republished, and the report
names the marking. Only a statement marking (copyright, terms of use) is read as "no TLP".

The level that decides an object is the strictest marking on the object and on every
object it references, directly or transitively (a relationship to a TLP:RED indicator is
TLP:RED); an unresolved marking anywhere in that closure withholds the object. An object
whose closure carries no TLP marking inherits the least strict level among the objects of
the same bundle that reference it (an `ipv4-addr` that only a TLP:RED `observed-data`
points at is TLP:RED; one that a GREEN indicator also points at is GREEN, because the
indicator needs it); only an object that nothing marked references gets the hub default.
Marking-definition objects are definitions, not intelligence: unless they are marked
themselves they are TLP:CLEAR, and they are published only where an object using them is.
What is published carries its effective level as an official marking (`stamp`), so a
reader's tools see exactly the level the hub applied.
"""

from __future__ import annotations

import enum
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
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


TLP2_CREATED = "2022-10-01T00:00:00.000Z"


def tlp2_definition(level: Tlp) -> dict[str, Any]:
    """The OASIS TLP 2.0 marking-definition object of `level`, as the extension publishes it."""
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": TLP2_IDS[level],
        "created": TLP2_CREATED,
        "name": level.label,
        "extensions": {
            TLP2_EXTENSION: {
                "extension_type": "property-extension",
                "tlp_2_0": level.label.removeprefix("TLP:").lower(),
            }
        },
    }


TLP2_DEFINITIONS: Mapping[str, dict[str, Any]] = {
    marking_id: tlp2_definition(level) for level, marking_id in TLP2_IDS.items()
}


def stamp(obj: Mapping[str, Any], level: Tlp) -> Mapping[str, Any]:
    """`obj` carrying exactly `level` as its object-level TLP marking.

    An object's own TLP marking is replaced when the hub decided a different (always
    stricter, or the default) level; its other markings stay. The TLP version the object
    already uses is kept when it has the level, else TLP 2.0. Marking definitions and an
    object already carrying exactly `level` come back unchanged.
    """
    if obj.get("type") == "marking-definition":
        return obj
    refs = obj.get("object_marking_refs")
    current = [r for r in refs if isinstance(r, str)] if isinstance(refs, list) else []
    tlp_refs = [r for r in current if official_level(r) is not None]
    version: TlpVersion = "2.0"
    if tlp_refs and all(r in TLP1_IDS.values() for r in tlp_refs) and level in TLP1_IDS:
        version = "1.0"
    wanted = marking_id_for(level, version)
    if tlp_refs == [wanted]:
        return obj
    kept = [r for r in current if official_level(r) is None]
    return {**obj, "object_marking_refs": [*kept, wanted]}


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


@dataclass(frozen=True, slots=True)
class Unresolved:
    """A marking the hub cannot turn into a TLP level: what it marks is withheld."""

    marking_id: str
    reason: str

    def __str__(self) -> str:
        return f"marking {self.marking_id} {self.reason}; withheld (fail closed)"


def official_level(marking_id: str) -> Tlp | None:
    """The level of an official TLP marking id, in any letter case; None for any other id."""
    return OFFICIAL_MARKINGS.get(marking_id.lower())


def canonical_marking_id(marking_id: str) -> str:
    """An official TLP id in its canonical lower case; any other id unchanged."""
    lowered = marking_id.lower()
    return lowered if lowered in OFFICIAL_MARKINGS else marking_id


def canonical_markings(obj: Mapping[str, Any]) -> dict[str, Any]:
    """`obj` with every official TLP id it holds (its own id, marking refs) in lower case.

    Only the official ids are rewritten: they are the one family the hub acts on, and a
    reader's tool compares ids as strings, so "E828B379-..." must reach it as TLP:RED.
    """
    out = dict(obj)
    oid = out.get("id")
    if isinstance(oid, str) and out.get("type") == "marking-definition":
        out["id"] = canonical_marking_id(oid)
    refs = out.get("object_marking_refs")
    if isinstance(refs, list):
        out["object_marking_refs"] = [
            canonical_marking_id(r) if isinstance(r, str) else r for r in refs
        ]
    granular = out.get("granular_markings")
    if isinstance(granular, list):
        out["granular_markings"] = [
            {**g, "marking_ref": canonical_marking_id(g["marking_ref"])}
            if isinstance(g, Mapping) and isinstance(g.get("marking_ref"), str)
            else g
            for g in granular
        ]
    return out


def marking_level(
    marking_id: str,
    definition: Mapping[str, Any] | None,
    *,
    known_markings: Mapping[str, Tlp] | None = None,
) -> Tlp | Unresolved | None:
    """The level a marking reference puts on an object, None for a statement marking, or
    Unresolved when the hub cannot tell (see the module docstring)."""
    claim = claimed_level(definition) if definition is not None else None
    official = official_level(marking_id)
    if official is not None:
        # The id is what readers act on; a bundle that redefines it stricter still wins.
        return official if claim is None else max(official, claim)
    if known_markings is not None and marking_id in known_markings:
        known = known_markings[marking_id]
        return known if claim is None else max(known, claim)
    if definition is None:
        return Unresolved(marking_id, "is not defined in the submission nor known to the hub")
    if claim is not None:
        return Unresolved(
            marking_id, f"claims {claim.label} under an id that is not an official TLP marking"
        )
    if definition.get("definition_type") == "statement":
        return None
    return Unresolved(marking_id, "is not a kind of marking the hub can read")


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


@dataclass(frozen=True, slots=True)
class Verdict:
    """How one object's level was decided."""

    level: Tlp
    unresolved: Unresolved | None = None  # set: withheld whatever the level says
    source: Literal["marked", "inherited", "default", "definition"] = "marked"


def assess(
    objects: Sequence[Mapping[str, Any]],
    *,
    default: Tlp = Tlp.AMBER,
    known_markings: Mapping[str, Tlp] | None = None,
) -> dict[str, Verdict]:
    """The verdict on every object (by id): its level, and whether a marking fails closed.

    `known_markings` gives levels the caller vouches for, for marking ids defined outside
    `objects` (e.g. a marking stored with an earlier submission). Several versions of one
    id are decided together: the strictest wins.
    """
    definitions: dict[str, Mapping[str, Any]] = {}
    for obj in objects:
        if obj.get("type") == "marking-definition" and isinstance(obj.get("id"), str):
            definitions.setdefault(obj["id"], obj)

    own: dict[str, int] = {}
    blocked: dict[str, Unresolved] = {}
    edges: dict[str, set[str]] = defaultdict(set)
    is_definition: set[str] = set()
    for obj in objects:
        oid = obj.get("id")
        if not isinstance(oid, str):
            continue
        level = own.get(oid, _NONE)
        for ref in marking_refs(obj):
            marked = marking_level(ref, definitions.get(ref), known_markings=known_markings)
            if isinstance(marked, Unresolved):
                blocked.setdefault(oid, marked)
            elif marked is not None:
                level = max(level, int(marked))
        own[oid] = level
        edges[oid].update(references(obj))
        if obj.get("type") == "marking-definition":
            is_definition.add(oid)

    referrers = _referrers(own, edges)
    closure = _propagate_max(own, referrers)
    unresolved = _propagate_first(blocked, referrers)
    for oid in unresolved:
        closure[oid] = int(Tlp.RED)
    inherited = _inherit_min(closure, edges, referrers, is_definition, default=int(default))

    result: dict[str, Verdict] = {}
    for oid, level in closure.items():
        if oid in unresolved:
            result[oid] = Verdict(Tlp.RED, unresolved[oid])
        elif level != _NONE:
            result[oid] = Verdict(Tlp(level))
        elif oid in is_definition:
            result[oid] = Verdict(Tlp.CLEAR, source="definition")
        elif oid in inherited and _content_referrers(oid, referrers, is_definition):
            result[oid] = Verdict(Tlp(inherited[oid]), source="inherited")
        else:
            result[oid] = Verdict(default, source="default")
    return result


def effective_tlp(
    objects: Sequence[Mapping[str, Any]],
    *,
    default: Tlp = Tlp.AMBER,
    known_markings: Mapping[str, Tlp] | None = None,
) -> dict[str, Tlp]:
    """The TLP level that decides where each object (by id) may be republished.

    An unresolved object counts as TLP:RED here, so every caller that compares levels
    fails closed; `assess` says why.
    """
    verdicts = assess(objects, default=default, known_markings=known_markings)
    return {oid: verdict.level for oid, verdict in verdicts.items()}


_NONE = -1  # no TLP marking seen yet; below every level


def _referrers(own: Mapping[str, int], edges: Mapping[str, set[str]]) -> dict[str, list[str]]:
    referrers: dict[str, list[str]] = defaultdict(list)
    for source, targets in edges.items():
        for target in targets:
            if target in own and target != source:
                referrers[target].append(source)
    return referrers


def _propagate_max(own: Mapping[str, int], referrers: Mapping[str, list[str]]) -> dict[str, int]:
    """For each node, the maximum of `own` over everything reachable from it, cycles included.

    A node's value only rises, and there are six possible values, so each node is requeued
    a bounded number of times: linear in the number of references.
    """
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


def _propagate_first(
    blocked: Mapping[str, Unresolved], referrers: Mapping[str, list[str]]
) -> dict[str, Unresolved]:
    """Every node that reaches a blocked node, with the first marking that blocks it."""
    found = dict(blocked)
    work = list(blocked)
    while work:
        node = work.pop()
        for source in referrers.get(node, ()):
            if source not in found:
                found[source] = found[node]
                work.append(source)
    return found


def _inherit_min(
    closure: Mapping[str, int],
    edges: Mapping[str, set[str]],
    referrers: Mapping[str, list[str]],
    is_definition: set[str],
    *,
    default: int,
) -> dict[str, int]:
    """For each node with no level of its own, the least strict level of its referrers.

    A node that nothing references has the default and passes it on, as unmarked referrers
    pass on what they inherited. A value, once set, only falls (a referrer's value only
    falls, or a new one gets a value), so this terminates.
    """
    unmarked = {
        oid for oid, level in closure.items() if level == _NONE and oid not in is_definition
    }
    roots = {oid for oid in unmarked if not _content_referrers(oid, referrers, is_definition)}
    value: dict[str, int] = dict.fromkeys(roots, default)
    work = sorted(unmarked - roots)
    queued = set(work)
    while work:
        node = work.pop()
        queued.discard(node)
        candidates = [
            closure[r] if closure[r] != _NONE else value[r]
            for r in referrers.get(node, ())
            if r not in is_definition and (closure[r] != _NONE or r in value)
        ]
        if not candidates:
            continue
        best = min(candidates)
        if value.get(node) == best:
            continue
        value[node] = best
        for target in edges.get(node, ()):
            if target in unmarked and target not in roots and target not in queued:
                queued.add(target)
                work.append(target)
    return value


def _content_referrers(
    oid: str, referrers: Mapping[str, list[str]], is_definition: set[str]
) -> list[str]:
    """The objects that point at `oid` as content (definitions only define, they don't count)."""
    return [r for r in referrers.get(oid, ()) if r not in is_definition]
