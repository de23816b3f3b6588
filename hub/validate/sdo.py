"""STIX Domain Objects (STIX 2.1 §4): per-type properties and rules."""

from __future__ import annotations

from typing import Any

from hub.validate import common as c
from hub.validate import properties as p
from hub.validate.detection import DETECTION_TYPES, check_detection
from hub.validate.errors import Problem
from hub.validate.patterns import check_pattern
from hub.validate.spec import TypeSpec, at_least_one, domain, order, requires, together

S, SL, TS = c.string, c.string_list, c.timestamp
KCP = p.kill_chain_phases
ANY_REFS = c.ref_list()
SOFTWARE_REF = c.ref(("software",))


def _indicator_pattern(obj: dict[str, Any], out: list[Problem]) -> None:
    if obj.get("pattern_type") == "stix" and isinstance(obj.get("pattern"), str):
        version = obj.get("pattern_version", "2.1")
        reason = check_pattern(obj["pattern"], version if isinstance(version, str) else "2.1")
        if reason is not None:
            c.problem(out, "pattern", reason)
    elif isinstance(obj.get("pattern"), str):
        # the vocabulary is lower-case; "YARA" is still a YARA rule to parse
        kind = str(obj.get("pattern_type", "")).lower()
        reason = check_detection(kind, obj["pattern"]) if kind in DETECTION_TYPES else None
        if reason is not None:
            c.problem(out, "pattern", reason)


def _malware_family_name(obj: dict[str, Any], out: list[Problem]) -> None:
    if obj.get("is_family") is True and "name" not in obj:
        c.problem(out, "name", "is required when is_family is true")


def _location_place(obj: dict[str, Any], out: list[Problem]) -> None:
    if not ("region" in obj or "country" in obj or ("latitude" in obj and "longitude" in obj)):
        c.problem(out, None, "a location needs region, country, or latitude and longitude")


def _observed_data_objects(obj: dict[str, Any], out: list[Problem]) -> None:
    # The deprecated embedded `objects` dictionary is refused on purpose: SCOs travel as
    # top-level objects in 2.1, which is what the sanitizer and the TAXII store work on.
    if "objects" in obj:
        c.problem(
            out,
            "objects",
            "is deprecated in STIX 2.1; send the SCOs as top-level "
            "objects and list them in object_refs",
        )
    elif "object_refs" not in obj:
        c.problem(out, "object_refs", "is required")


SDO_SPECS: dict[str, TypeSpec] = {
    "attack-pattern": domain(
        "sdo",
        {
            "name": S,
            "description": S,
            "aliases": SL,
            "kill_chain_phases": KCP,
        },
        ("name",),
    ),
    "campaign": domain(
        "sdo",
        {
            "name": S,
            "description": S,
            "aliases": SL,
            "first_seen": TS,
            "last_seen": TS,
            "objective": S,
        },
        ("name",),
        order("last_seen", "first_seen"),
    ),
    "course-of-action": domain("sdo", {"name": S, "description": S}, ("name",)),
    "grouping": domain(
        "sdo",
        {
            "name": S,
            "description": S,
            "context": S,
            "object_refs": ANY_REFS,
        },
        ("context", "object_refs"),
    ),
    "identity": domain(
        "sdo",
        {
            "name": S,
            "description": S,
            "roles": SL,
            "identity_class": S,
            "sectors": SL,
            "contact_information": S,
        },
        ("name",),
    ),
    "incident": domain(
        "sdo",
        {
            "name": S,
            "description": S,
            "kill_chain_phases": KCP,
        },
        ("name",),
    ),
    "indicator": domain(
        "sdo",
        {
            "name": S,
            "description": S,
            "indicator_types": SL,
            "pattern": S,
            "pattern_type": S,
            "pattern_version": S,
            "valid_from": TS,
            "valid_until": TS,
            "kill_chain_phases": KCP,
        },
        ("pattern", "pattern_type", "valid_from"),
        order("valid_until", "valid_from", strict=True),
        _indicator_pattern,
    ),
    "infrastructure": domain(
        "sdo",
        {
            "name": S,
            "description": S,
            "infrastructure_types": SL,
            "aliases": SL,
            "kill_chain_phases": KCP,
            "first_seen": TS,
            "last_seen": TS,
        },
        ("name",),
        order("last_seen", "first_seen"),
    ),
    "intrusion-set": domain(
        "sdo",
        {
            "name": S,
            "description": S,
            "aliases": SL,
            "first_seen": TS,
            "last_seen": TS,
            "goals": SL,
            "resource_level": S,
            "primary_motivation": S,
            "secondary_motivations": SL,
        },
        ("name",),
        order("last_seen", "first_seen"),
    ),
    "location": domain(
        "sdo",
        {
            "name": S,
            "description": S,
            "latitude": c.number(-90, 90),
            "longitude": c.number(-180, 180),
            "precision": c.number(0, None),
            "region": S,
            "country": S,
            "administrative_area": S,
            "city": S,
            "street_address": S,
            "postal_code": S,
        },
        (),
        _location_place,
        together("latitude", "longitude"),
        requires("precision", "latitude"),
    ),
    "malware": domain(
        "sdo",
        {
            "name": S,
            "description": S,
            "malware_types": SL,
            "is_family": c.boolean,
            "aliases": SL,
            "kill_chain_phases": KCP,
            "first_seen": TS,
            "last_seen": TS,
            "operating_system_refs": c.ref_list(("software",)),
            "architecture_execution_envs": SL,
            "implementation_languages": SL,
            "capabilities": SL,
            "sample_refs": c.ref_list(("artifact", "file")),
        },
        ("is_family",),
        order("last_seen", "first_seen"),
        _malware_family_name,
    ),
    "malware-analysis": domain(
        "sdo",
        {
            "product": S,
            "version": S,
            "host_vm_ref": SOFTWARE_REF,
            "operating_system_ref": SOFTWARE_REF,
            "installed_software_refs": c.ref_list(("software",)),
            "configuration_version": S,
            "modules": SL,
            "analysis_engine_version": S,
            "analysis_definition_version": S,
            "submitted": TS,
            "analysis_started": TS,
            "analysis_ended": TS,
            "result_name": S,
            "result": S,
            "analysis_sco_refs": c.ref_list(denied=c.SDO_LIKE_TYPES | c.SRO_TYPES),
            "sample_ref": c.ref(("artifact", "file", "network-traffic")),
        },
        ("product",),
        at_least_one("result", "analysis_sco_refs"),
    ),
    "note": domain(
        "sdo",
        {
            "abstract": S,
            "content": S,
            "authors": SL,
            "object_refs": ANY_REFS,
        },
        ("content", "object_refs"),
    ),
    "observed-data": domain(
        "sdo",
        {
            "first_observed": TS,
            "last_observed": TS,
            "number_observed": c.integer(1, 999999999),
            "object_refs": c.ref_list(denied=c.SDO_LIKE_TYPES),
        },
        ("first_observed", "last_observed", "number_observed"),
        order("last_observed", "first_observed"),
        _observed_data_objects,
    ),
    "opinion": domain(
        "sdo",
        {
            "explanation": S,
            "authors": SL,
            "opinion": c.enum(
                ("strongly-disagree", "disagree", "neutral", "agree", "strongly-agree")
            ),
            "object_refs": ANY_REFS,
        },
        ("opinion", "object_refs"),
    ),
    "report": domain(
        "sdo",
        {
            "name": S,
            "description": S,
            "report_types": SL,
            "published": TS,
            "object_refs": ANY_REFS,
        },
        ("name", "published", "object_refs"),
    ),
    "threat-actor": domain(
        "sdo",
        {
            "name": S,
            "description": S,
            "threat_actor_types": SL,
            "aliases": SL,
            "first_seen": TS,
            "last_seen": TS,
            "roles": SL,
            "goals": SL,
            "sophistication": S,
            "resource_level": S,
            "primary_motivation": S,
            "secondary_motivations": SL,
            "personal_motivations": SL,
        },
        ("name",),
        order("last_seen", "first_seen"),
    ),
    "tool": domain(
        "sdo",
        {
            "name": S,
            "description": S,
            "tool_types": SL,
            "aliases": SL,
            "kill_chain_phases": KCP,
            "tool_version": S,
        },
        ("name",),
    ),
    "vulnerability": domain("sdo", {"name": S, "description": S}, ("name",)),
}
