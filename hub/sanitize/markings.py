"""Markings: member statements become the hub's one statement; each object lists its markings.

A member's statement marking names its team or the member, and a marking id the member uses
on every submission would link all of them: every statement the hub did not write becomes
one hub-wide statement (a single id, the same for every member). The store publishes a
marking definition only where an object that references it is published, from
`referenced_markings`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from hub.sanitize.context import TLP_IDS, Context
from hub.sanitize.ids import mint

HUB_STATEMENT_SCOPE = "mamori-statement"
HUB_STATEMENT = (
    "Shared by a member of the hub through Mamori. Handle according to the TLP marking of the "
    "object; do not attribute it to any organisation."
)
FIXED_TIME = "2020-01-01T00:00:00.000Z"


def hub_statement_id(secret: bytes) -> str:
    """The id of the hub's statement marking (one for the whole hub)."""
    return mint(secret, HUB_STATEMENT_SCOPE, "marking-definition--hub-statement")


def hub_statement(secret: bytes, hub_id: str) -> dict[str, Any]:
    """The hub's statement marking-definition that replaces every member statement."""
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": hub_statement_id(secret),
        "created": FIXED_TIME,
        "created_by_ref": hub_id,
        "definition_type": "statement",
        "definition": {"statement": HUB_STATEMENT},
        "name": "Mamori hub statement",
    }


def is_statement(obj: Mapping[str, Any]) -> bool:
    """A statement marking (STIX 2.1 `definition_type: statement`)."""
    return obj.get("type") == "marking-definition" and (
        obj.get("definition_type") == "statement"
        or isinstance(obj.get("definition"), dict)
        and "statement" in obj["definition"]
    )


def transform(o: dict[str, Any], oid: str, ctx: Context, *, by_hub: bool) -> dict[str, Any]:
    """The published form of a marking-definition; a member statement becomes the hub's."""
    if oid in TLP_IDS or not is_statement(o) or by_hub:
        return o
    new = hub_statement(ctx.secret, ctx.hub_id)
    before = str((o.get("definition") or {}).get("statement", ""))
    ctx.recorder.add(oid, "definition.statement", "member-statement", before, HUB_STATEMENT)
    ctx.fixed_ids[oid] = new["id"]
    return new


def _marking_refs(obj: Mapping[str, Any]) -> list[str]:
    refs = [r for r in obj.get("object_marking_refs", ()) if isinstance(r, str)]
    for g in obj.get("granular_markings", ()):
        if isinstance(g, dict) and isinstance(g.get("marking_ref"), str):
            refs.append(g["marking_ref"])
    return list(dict.fromkeys(refs))


def referenced_markings(objects: Iterable[Mapping[str, Any]]) -> dict[str, tuple[str, ...]]:
    """For each object, the marking definitions it references (object and granular)."""
    return {str(o["id"]): tuple(_marking_refs(o)) for o in objects}


def unreferenced(kept: Mapping[str, Mapping[str, Any]], ctx: Context) -> set[str]:
    """Marking definitions among kept that no other kept object references (each recorded)."""
    used = {
        r for o in kept.values() if o.get("type") != "marking-definition" for r in _marking_refs(o)
    }
    unused = {
        oid for oid, o in kept.items() if o.get("type") == "marking-definition" and oid not in used
    }
    for oid in sorted(unused):
        ctx.recorder.add(oid, "", "marking-definition", "unreferenced", None, masked=True)
    return unused
