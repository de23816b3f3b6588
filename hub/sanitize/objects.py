"""Per-object rules: provenance, custom content, per-type victim channels, free text, time."""

from __future__ import annotations

import copy
import importlib
from collections.abc import Callable, Mapping
from typing import Any

from hub.sanitize import analysis, markings
from hub.sanitize.context import TLP_IDS, Context
from hub.sanitize.ids import ID_CONTRIBUTING, SCO_TYPES
from hub.sanitize.observables import only_victim, transform_sco
from hub.sanitize.rules import RULE_EXPLANATIONS
from hub.sanitize.timestamps import coarsen

STIX_TYPES = frozenset(
    {
        "attack-pattern",
        "campaign",
        "course-of-action",
        "grouping",
        "identity",
        "incident",
        "indicator",
        "infrastructure",
        "intrusion-set",
        "location",
        "malware",
        "malware-analysis",
        "note",
        "observed-data",
        "opinion",
        "report",
        "threat-actor",
        "tool",
        "vulnerability",
        "relationship",
        "sighting",
        "marking-definition",
        "language-content",
        "extension-definition",
        *SCO_TYPES,
    }
)
FREE_TEXT_PROPS = ("description", "content", "abstract", "explanation")
LOCATION_PRECISE = ("street_address", "postal_code", "latitude", "longitude", "precision")
IDENTITY_MEMBER_RULES = frozenset({"member-name", "member-domain", "email", "term"})
HUB_AUTHOR = "Mamori hub"
CONTACT_MEMBER_RULES = frozenset({"member-name", "member-domain", "email", "phone", "term"})


def is_member_identity(obj: Mapping[str, Any], ctx: Context) -> bool:
    """An identity object that names the member or one of its people."""
    if obj.get("type") != "identity":
        return False
    name_hits = ctx.redactor.find(str(obj.get("name", "")))
    contact_hits = ctx.redactor.find(str(obj.get("contact_information", "")))
    return any(h.rule in IDENTITY_MEMBER_RULES for h in name_hits) or any(
        h.rule in CONTACT_MEMBER_RULES for h in contact_hits
    )


def transform(obj: Mapping[str, Any], ctx: Context) -> dict[str, Any] | None:
    """The sanitized copy of one object (ids and refs not yet rewritten), or None to drop it."""
    oid = str(obj["id"])
    if oid in TLP_IDS:
        return dict(obj)
    o: dict[str, Any] = copy.deepcopy(dict(obj))
    stix_type = o["type"]
    rec, pol = ctx.recorder, ctx.policy
    if stix_type not in STIX_TYPES and (
        pol.custom_objects == "drop" and stix_type not in pol.allowed_custom_types
    ):
        rec.add(oid, "", "custom-object", stix_type, None, masked=True)
        return None
    if stix_type == "extension-definition" and oid not in pol.allowed_extensions:
        rec.add(oid, "", "extension-definition", stix_type, None, masked=True)
        return None
    if oid in ctx.member_identities:
        rec.add(oid, "", "member-identity", o.get("name"), None)
        return None
    _custom_content(o, oid, ctx)
    if "created_by_ref" in o and o["created_by_ref"] != ctx.hub_id:
        o["created_by_ref"] = ctx.hub_id
        rec.add(oid, "created_by_ref", "provenance", "member", ctx.hub_id, masked=True)
    if stix_type == "marking-definition":
        # Only the hub's own statement passes unchanged: a member cannot claim the hub wrote it.
        by_hub = obj.get("created_by_ref") == ctx.hub_id and obj.get("definition") == {
            "statement": markings.HUB_STATEMENT
        }
        marking: dict[str, Any] = ctx.redact_tree(
            oid, "", markings.transform(o, oid, ctx, by_hub=by_hub)
        )
        return marking
    if not _type_rules(o, oid, ctx):
        return None
    if pol.free_text == "drop":
        for prop in FREE_TEXT_PROPS:
            if o.pop(prop, None) is not None:
                rec.add(oid, prop, "free-text", "text", None, masked=True)
    o = ctx.redact_tree(oid, "", o)
    if stix_type in SCO_TYPES and only_victim(o, ID_CONTRIBUTING[stix_type]):
        # Nothing of the attacker is left: the object and its deterministic id go, since a
        # kept id lets anyone confirm a guessed value.
        rec.add(oid, "", "victim-observable", stix_type, None, masked=True)
        return None
    if pol.timestamps != "off":
        coarsen(o, oid, pol.timestamps, rec)
    return o


def _custom_content(o: dict[str, Any], oid: str, ctx: Context) -> None:
    pol, rec = ctx.policy, ctx.recorder
    for key in [k for k in o if k.startswith("x_")]:
        if pol.custom_properties == "drop" and key not in pol.allowed_custom_properties:
            del o[key]
            rec.add(oid, key, "custom-property", key, None, masked=True)
    exts = o.get("extensions")
    if isinstance(exts, dict):
        for key in [k for k in exts if k not in pol.allowed_extensions]:
            del exts[key]
            rec.add(oid, f"extensions.{key}", "extension", key, None, masked=True)
        if not exts:
            del o["extensions"]
    refs = o.get("external_references")
    if isinstance(refs, list):
        kept = []
        for i, ref in enumerate(refs):
            source = str(ref.get("source_name", "")) if isinstance(ref, dict) else ""
            allowed = pol.external_references == "keep" or (
                pol.external_references == "redact" and source in pol.allowed_external_sources
            )
            url = str(ref.get("url", "")) if isinstance(ref, dict) else ""
            if allowed and url and ctx.redactor.find(url):
                allowed = False
            if allowed:
                kept.append(ref)
            else:
                rec.add(oid, f"external_references[{i}]", "external-reference", source, None)
        if kept:
            o["external_references"] = kept
        else:
            del o["external_references"]


def _type_rules(o: dict[str, Any], oid: str, ctx: Context) -> bool:
    """Type-specific channels; False when the object must be dropped."""
    stix_type, pol, rec = o["type"], ctx.policy, ctx.recorder
    if stix_type == "software" and oid in ctx.analysis_software:
        rec.add(oid, "", "analysis-software", o.get("name"), None)
        return False
    if stix_type in SCO_TYPES:
        return transform_sco(o, oid, ctx)
    if stix_type == "sighting" and "where_sighted_refs" in o:
        if pol.sighting_where_sighted == "drop":
            del o["where_sighted_refs"]
            rec.add(oid, "where_sighted_refs", "where-sighted", "refs", None, masked=True)
        elif o["where_sighted_refs"] != [ctx.sector_id]:
            o["where_sighted_refs"] = [ctx.sector_id]
            rec.add(oid, "where_sighted_refs", "where-sighted", "refs", ctx.sector_id, masked=True)
            if ctx.small_sector:
                rec.add(
                    oid, "where_sighted_refs", "small-sector", "sector", ctx.sector_id, masked=True
                )
    elif stix_type in ("note", "opinion") and "authors" in o:
        del o["authors"]
        rec.add(oid, "authors", "authors", "authors", None, masked=True)
    elif stix_type == "location" and pol.location_precision == "drop":
        # A street-level location is the victim's premises: its town goes with the street.
        street = any(prop in o for prop in LOCATION_PRECISE if prop != "precision")
        for prop in (*LOCATION_PRECISE, "city") if street else LOCATION_PRECISE:
            if prop in o:
                rec.add(oid, prop, "location-precision", str(o.pop(prop)), None)
        if "region" not in o and "country" not in o:
            rec.add(oid, "", "location-precision", "location", None, masked=True)
            return False
    elif stix_type == "malware-analysis":
        analysis.transform(o, oid, ctx)
    elif stix_type == "indicator":
        return _indicator(o, oid, ctx)
    return True


def _indicator(o: dict[str, Any], oid: str, ctx: Context) -> bool:
    pattern = o.get("pattern")
    if not isinstance(pattern, str):
        return True
    if o.get("pattern_type") in ("yara", "sigma"):
        return _detection(o, oid, ctx)
    if o.get("pattern_type") != "stix":
        o["pattern"] = ctx.redact_text(oid, "pattern", pattern)
        return True
    result = ctx.patterns.redact(pattern)
    for lhs, rule, value in result.removed:
        ctx.recorder.add(oid, f"pattern<{lhs}>", rule, value, "removed")
    if result.pattern is None:
        ctx.recorder.add(oid, "", "pattern-emptied", "indicator", None, masked=True)
        return False
    o["pattern"] = result.pattern
    return True


def _rewriter(kind: str) -> Callable[..., Any] | None:
    """The YARA or Sigma rewriter, None while the detection package does not provide it."""
    try:
        module = importlib.import_module("hub.sanitize.detection")
    except ImportError:
        return None
    found: Callable[..., Any] | None = getattr(module, f"rewrite_{kind}", None)
    return found


def _detection(o: dict[str, Any], oid: str, ctx: Context) -> bool:
    """A YARA or Sigma indicator: rewritten by parsing it, or not published at all."""
    kind = str(o.get("pattern_type"))
    rewrite = _rewriter(kind)
    if rewrite is None:
        ctx.recorder.add(oid, "pattern", "detection-unsupported", kind, None, masked=True)
        return False
    try:
        result = rewrite(
            str(o["pattern"]), lambda t: ctx.redact_text(oid, "pattern", t), hub_author=HUB_AUTHOR
        )
    except ValueError as exc:  # DetectionError: the rule does not parse or breaks a bound
        ctx.recorder.add(oid, "pattern", "invalid-pattern", str(exc), None)
        return False
    except Exception:  # noqa: BLE001 - fail closed: a rule we could not check is not published
        ctx.recorder.add(oid, "pattern", "detection-unsupported", kind, None, masked=True)
        return False
    for change in result.changes:
        rule = change.rule if change.rule in RULE_EXPLANATIONS else "detection-rewrite"
        ctx.recorder.add(oid, f"pattern<{change.path}>", rule, change.before, change.after)
    o["pattern"] = result.text
    return True
