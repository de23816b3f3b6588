"""STIX Meta Objects (STIX 2.1 §7): marking definitions, language content, extension definitions."""

from __future__ import annotations

import re
from typing import Any

from hub.stix.tlp import TLP1_AMBER, TLP1_GREEN, TLP1_RED, TLP1_WHITE
from hub.validate import common as c
from hub.validate import properties as p
from hub.validate.errors import Problem
from hub.validate.registries import LANG_CODES
from hub.validate.spec import DOMAIN_COMMON, TypeSpec, domain, modified_after_created_any

_TLP_CREATED = "2017-01-20T00:00:00.000Z"
# The four TLP 1.0 marking definitions are fixed objects (§7.2.1.4); anything else that
# calls itself "tlp" or reuses one of these ids is refused by both references.
TLP_V1: dict[str, dict[str, Any]] = {
    marking_id: {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": marking_id,
        "created": _TLP_CREATED,
        "definition_type": "tlp",
        "name": f"TLP:{level.upper()}",
        "definition": {"tlp": level},
    }
    for level, marking_id in (
        ("white", TLP1_WHITE),
        ("green", TLP1_GREEN),
        ("amber", TLP1_AMBER),
        ("red", TLP1_RED),
    )
}


def _marking_extensions(value: Any, path: str, out: list[Problem]) -> None:
    p.extensions()(value, path, out)
    if isinstance(value, dict):
        for k in value:
            if p.EXT_NAME_RE.match(k):
                c.problem(
                    out,
                    f"{path}.{k}",
                    "marking definitions only take extension-definition extensions",
                )


def _marking_body(obj: dict[str, Any], out: list[Problem]) -> None:
    dtype, definition = obj.get("definition_type"), obj.get("definition")
    oid = obj.get("id")
    canonical = TLP_V1.get(oid) if isinstance(oid, str) else None
    if canonical is not None or dtype == "tlp":
        if obj != canonical:
            c.problem(
                out,
                None,
                "a TLP marking definition must be exactly one of the four STIX 2.1 TLP objects",
            )
        return
    if "definition_type" not in obj and "definition" not in obj:
        if "extensions" not in obj:
            c.problem(
                out,
                "definition",
                "definition_type and definition are required unless extensions is present",
            )
        return
    if "definition_type" not in obj or "definition" not in obj:
        c.problem(out, None, "definition_type and definition must be given together")
        return
    if dtype != "statement":
        c.problem(out, "definition_type", f"must be 'statement' or 'tlp', got {dtype!r}")
        return
    if not isinstance(definition, dict) or set(definition) != {"statement"}:
        c.problem(out, "definition", 'a statement marking\'s definition is {"statement": "..."}')
    elif not isinstance(definition["statement"], str):
        c.problem(out, "definition.statement", "must be a string")


def _no_self_marking(obj: dict[str, Any], out: list[Problem]) -> None:
    own = obj.get("id")
    refs = obj.get("object_marking_refs")
    if isinstance(refs, list) and own in refs:
        c.problem(out, "object_marking_refs", "a marking definition must not mark itself")
    gms = obj.get("granular_markings")
    if isinstance(gms, list):
        for i, gm in enumerate(gms):
            if isinstance(gm, dict) and gm.get("marking_ref") == own:
                c.problem(
                    out,
                    f"granular_markings[{i}].marking_ref",
                    "a marking definition must not mark itself",
                )


_CONTENT_KEY_RE = re.compile(r"^[a-z0-9_]{3,250}$")


def _contents(value: Any, path: str, out: list[Problem]) -> None:
    c.dictionary(value, path, out)
    if not isinstance(value, dict):
        return
    for lang, body in value.items():
        sub = f"{path}.{lang}"
        if lang not in LANG_CODES:
            c.problem(out, sub, f"{lang!r} is not a recognised RFC 5646 language code")
        if not isinstance(body, dict) or not body:
            c.problem(out, sub, "must be a non-empty object of translated properties")
            continue
        for k, v in body.items():
            if _CONTENT_KEY_RE.match(k) is None:
                c.problem(out, f"{sub}.{k}", "must be a property name")
            elif not (
                isinstance(v, str)
                or (isinstance(v, list) and v and all(isinstance(x, str) for x in v))
            ):
                c.problem(out, f"{sub}.{k}", "must be a string or a non-empty list of strings")


def _extension_properties(obj: dict[str, Any], out: list[Problem]) -> None:
    types = obj.get("extension_types")
    if "extension_properties" in obj and not (
        isinstance(types, list) and "toplevel-property-extension" in types
    ):
        c.problem(
            out,
            "extension_properties",
            "is only allowed with extension type toplevel-property-extension",
        )


META_SPECS: dict[str, TypeSpec] = {
    "marking-definition": TypeSpec(
        "meta",
        {
            "spec_version": c.fixed("2.1"),
            "created_by_ref": c.ref(("identity",)),
            "created": c.timestamp,
            "modified": c.timestamp,
            "lang": p.lang,
            "name": c.string,
            "definition_type": c.string,
            "definition": lambda v, path, out: (
                None if isinstance(v, dict) else c.problem(out, path, "must be an object")
            ),
            "external_references": p.external_references,
            "object_marking_refs": p.object_marking_refs,
            "granular_markings": p.granular_markings,
            "extensions": _marking_extensions,
        },
        ("spec_version", "created"),
        (_marking_body, _no_self_marking, modified_after_created_any),
    ),
    "language-content": domain(
        "meta",
        {
            "object_ref": c.ref(denied=("bundle", "language-content")),
            "object_modified": c.timestamp,
            "contents": _contents,
        },
        ("object_ref", "contents"),
    ),
    "extension-definition": domain(
        "meta",
        {
            "created_by_ref": DOMAIN_COMMON["created_by_ref"],
            "name": c.string,
            "description": c.string,
            "schema": c.string,
            "version": c.string,
            "extension_types": c.list_of(c.enum(p.EXTENSION_TYPES)),
            "extension_properties": c.string_list,
        },
        ("created_by_ref", "name", "schema", "version", "extension_types"),
        _extension_properties,
    ),
}
