"""malware-analysis: the attacker's sample and verdict stay, the member's tooling does not.

Which sandbox, anti-virus engine, VM image, installed software and signature versions a
member runs identifies the member to anyone who knows its environment. Under the default
policy ("redact") the product is generalised to a category, versions, modules and the
host VM and its software go; "drop" also drops the analysis times; "keep" keeps them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hub.sanitize.context import Context
from hub.sanitize.policy import Policy
from hub.sanitize.text import TOKEN_RE

TOOLING_REFS = ("host_vm_ref", "operating_system_ref", "installed_software_refs")
TOOLING_VERSIONS = (
    "version",
    "configuration_version",
    "modules",
    "analysis_engine_version",
    "analysis_definition_version",
    "submitted",
)
TOOLING_TIMES = ("analysis_started", "analysis_ended")
# Public services whose name says nothing about the member's own environment.
PUBLIC_SERVICES = frozenset(
    {
        "virustotal",
        "any.run",
        "anyrun",
        "hybrid-analysis",
        "hybrid analysis",
        "tria.ge",
        "triage",
        "malwarebazaar",
        "urlscan.io",
        "urlscan",
        "intezer analyze",
        "unpac.me",
    }
)
# Containers list what they hold; being listed there is not a use of the tooling.
CONTAINERS = frozenset({"observed-data", "report", "grouping", "note", "opinion"})
CATEGORIES = frozenset({"sandbox", "anti-virus", "analysis-tool"})


def _refs(o: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    for k, v in o.items():
        if k.endswith("_ref") and isinstance(v, str):
            out.append(v)
        elif k.endswith("_refs") and isinstance(v, list):
            out.extend(r for r in v if isinstance(r, str))
    return out


def tooling_software(objects: Sequence[Mapping[str, Any]], policy: Policy) -> set[str]:
    """software objects that only an analysis's tooling refers to (dropped with it)."""
    if policy.malware_analysis_tooling == "keep":
        return set()
    tooling: set[str] = set()
    used: set[str] = set()
    for o in objects:
        if o.get("type") == "malware-analysis":
            for prop in TOOLING_REFS:
                v = o.get(prop)
                tooling.update([v] if isinstance(v, str) else v if isinstance(v, list) else [])
            used.update(_refs({k: v for k, v in o.items() if k not in TOOLING_REFS}))
        elif o.get("type") not in CONTAINERS:
            used.update(_refs(o))
    software = {str(o["id"]) for o in objects if o.get("type") == "software"}
    return (tooling & software) - used


def category(o: Mapping[str, Any]) -> str:
    """The kind of tool an analysis was made with, said without naming it."""
    if o.get("host_vm_ref") or o.get("analysis_started") or o.get("analysis_sco_refs"):
        return "sandbox"
    if o.get("analysis_definition_version") or o.get("result"):
        return "anti-virus"
    return "analysis-tool"


def transform(o: dict[str, Any], oid: str, ctx: Context) -> None:
    """Generalise or drop the member's tooling in one malware-analysis, in place."""
    mode, rec = ctx.policy.malware_analysis_tooling, ctx.recorder
    if mode == "keep":
        return
    product = o.get("product")
    settled = PUBLIC_SERVICES | CATEGORIES
    # A product already generalised, or already nothing but redaction tokens, stays as it is.
    if (
        isinstance(product, str)
        and product.strip().lower() not in settled
        and TOKEN_RE.sub("", product.lower()).strip()
    ):
        general = category(o)
        if product != general:
            rec.add(oid, "product", "analysis-tooling", product, general)
            o["product"] = general
    props = (*TOOLING_REFS, *TOOLING_VERSIONS, *(TOOLING_TIMES if mode == "drop" else ()))
    for prop in props:
        if prop in o:
            value = o.pop(prop)
            rec.add(oid, prop, "analysis-tooling", value if isinstance(value, str) else prop, None)
