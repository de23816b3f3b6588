"""Checks for the nested property types every object shares: external references, kill chain
phases, markings and granular-marking selectors, `lang`, and `extensions`."""

from __future__ import annotations

import re
from typing import Any

from hub.validate.common import (
    UUID_PATTERN,
    Check,
    custom_property,
    embedded,
    hashes,
    list_of,
    problem,
    ref,
    string,
    uri,
)
from hub.validate.errors import Problem
from hub.validate.registries import LANG_CODES

# External references may only use the spec's hash names (schema propertyNames).
EXTREF_HASH_NAMES = frozenset(
    {"MD5", "SHA-1", "SHA-256", "SHA-512", "SHA3-256", "SHA3-512", "SSDEEP", "TLSH"}
)

SELECTOR_RE = re.compile(r"^(?:[a-z0-9_-]{3,249}(?:\.(?:\[\d+\]|[a-z0-9_-]{1,250}))*|id)$")


def _extref_hashes(value: Any, path: str, out: list[Problem]) -> None:
    hashes(value, path, out)
    if isinstance(value, dict):
        for k in value:
            if k not in EXTREF_HASH_NAMES:
                problem(
                    out,
                    f"{path}.{k}",
                    "external reference hashes must use a STIX hash name "
                    "(MD5, SHA-1, SHA-256, SHA-512, SHA3-256, SHA3-512, SSDEEP, TLSH)",
                )


_CVE_RE = re.compile(r"^CVE-\d{4}-(0\d{3}|[1-9]\d{3,})$")
_CAPEC_RE = re.compile(r"^CAPEC-\d+$")
_EXTREF_PROPS: dict[str, Check] = {
    "source_name": string,
    "description": string,
    "url": uri,
    "external_id": string,
    "hashes": _extref_hashes,
}


_extref_shape = embedded(_EXTREF_PROPS, ("source_name",), "external reference", custom=True)


def _external_reference(value: Any, path: str, out: list[Problem]) -> None:
    _extref_shape(value, path, out)
    if not isinstance(value, dict):
        return
    if not any(k in value for k in ("description", "url", "external_id")):
        problem(out, path, "needs at least one of description, url, external_id")
    src, ext = value.get("source_name"), value.get("external_id")
    if src == "cve":
        if not isinstance(ext, str) or not _CVE_RE.match(ext):
            problem(out, f"{path}.external_id", "a cve reference needs external_id CVE-YYYY-NNNN")
    elif src == "capec":
        if not isinstance(ext, str) or not _CAPEC_RE.match(ext):
            problem(out, f"{path}.external_id", "a capec reference needs external_id CAPEC-N")
    elif isinstance(ext, str) and (_CVE_RE.match(ext) or _CAPEC_RE.match(ext)):
        problem(out, f"{path}.source_name", f"must be 'cve' or 'capec' for external_id {ext!r}")


external_references = list_of(_external_reference)

kill_chain_phases = list_of(
    embedded(
        {"kill_chain_name": string, "phase_name": string},
        ("kill_chain_name", "phase_name"),
        "kill chain phase",
    )
)

marking_ref = ref(("marking-definition",))
object_marking_refs = list_of(marking_ref)


def _selector(value: Any, path: str, out: list[Problem]) -> None:
    if not isinstance(value, str) or SELECTOR_RE.match(value) is None:
        problem(out, path, f"{value!r} is not a valid selector")


_granular_marking = embedded(
    {"selectors": list_of(_selector), "marking_ref": marking_ref, "lang": string},
    ("selectors", "marking_ref"),
    "granular marking",
)
granular_markings = list_of(_granular_marking)

_LIST_INDEX_RE = re.compile(r"^\[(\d+)\]$")


def check_selectors(obj: dict[str, Any], out: list[Problem]) -> None:
    """Every granular marking selector must point at content present in the object."""
    gms = obj.get("granular_markings")
    if not isinstance(gms, list):
        return
    for i, gm in enumerate(gms):
        if not isinstance(gm, dict) or not isinstance(gm.get("selectors"), list):
            continue
        for j, sel in enumerate(gm["selectors"]):
            if not isinstance(sel, str) or SELECTOR_RE.match(sel) is None:
                continue
            node: Any = obj
            for seg in sel.split("."):
                m = _LIST_INDEX_RE.match(seg)
                if m is not None:
                    idx = int(m.group(1))
                    ok = isinstance(node, list) and idx < len(node)
                    node = node[idx] if ok else None
                else:
                    ok = isinstance(node, dict) and seg in node
                    node = node[seg] if ok else None
                if not ok:
                    problem(
                        out,
                        f"granular_markings[{i}].selectors[{j}]",
                        f"selector {sel!r} does not match any content of the object",
                    )
                    break


def lang(value: Any, path: str, out: list[Problem]) -> None:
    """An RFC 5646 tag from the validator's list."""
    if not isinstance(value, str) or value not in LANG_CODES:
        problem(out, path, f"{value!r} is not a recognised RFC 5646 language code")


EXT_NAME_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*-ext$")
EXT_DEF_RE = re.compile(rf"^extension-definition--{UUID_PATTERN}$")
EXTENSION_TYPES = frozenset(
    {
        "new-sdo",
        "new-sco",
        "new-sro",
        "property-extension",
        "toplevel-property-extension",
    }
)


def extension_body(value: Any, path: str, out: list[Problem], known: Check | None = None) -> None:
    """One entry of an `extensions` dictionary."""
    if not isinstance(value, dict):
        problem(out, path, "must be an object")
        return
    if not value:
        problem(out, path, "must not be empty")
        return
    if known is not None:
        known(value, path, out)
        return
    for k, v in value.items():
        custom_property(k, v, f"{path}.{k}", out)


def extensions(known: dict[str, Check] | None = None) -> Check:
    """The `extensions` dictionary; ``known`` holds the predefined extensions of the type."""
    known = known or {}

    def check(value: Any, path: str, out: list[Problem]) -> None:
        if not isinstance(value, dict):
            problem(out, path, "must be a dictionary")
            return
        if not value:
            problem(out, path, "must not be empty")
        for k, v in value.items():
            sub = f"{path}.{k}"
            if EXT_DEF_RE.match(k):
                if not isinstance(v, dict):
                    problem(out, sub, "must be an object")
                    continue
                et = v.get("extension_type")
                if not isinstance(et, str) or et not in EXTENSION_TYPES:
                    problem(
                        out,
                        f"{sub}.extension_type",
                        "is required and must be one of: " + ", ".join(sorted(EXTENSION_TYPES)),
                    )
                for ek, ev in v.items():
                    if ek != "extension_type":
                        custom_property(ek, ev, f"{sub}.{ek}", out)
            elif EXT_NAME_RE.match(k) and len(k) <= 250:
                extension_body(v, sub, out, known.get(k))
            else:
                problem(out, sub, "extension names are an extension-definition id or end in '-ext'")

    return check
