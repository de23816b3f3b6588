"""STIX Relationship Objects (STIX 2.1 §5)."""

from __future__ import annotations

from hub.validate import common as c
from hub.validate.spec import TypeSpec, domain, order

# Neither end of a relationship may be another SRO or a meta object (schema and stix2 agree).
_NOT_RELATABLE = ("marking-definition", "relationship", "sighting", "language-content", "bundle")

SRO_SPECS: dict[str, TypeSpec] = {
    "relationship": domain(
        "sro",
        {
            "relationship_type": c.regex(
                r"^[a-z0-9\-]+$", "must be lowercase letters, digits and '-'"
            ),
            "description": c.string,
            "source_ref": c.ref(denied=_NOT_RELATABLE),
            "target_ref": c.ref(denied=_NOT_RELATABLE),
            "start_time": c.timestamp,
            "stop_time": c.timestamp,
        },
        ("relationship_type", "source_ref", "target_ref"),
        order("stop_time", "start_time", strict=True),
    ),
    "sighting": domain(
        "sro",
        {
            "description": c.string,
            "first_seen": c.timestamp,
            "last_seen": c.timestamp,
            "count": c.integer(0, 999999999),
            # stix2 only lets a sighting be of an SDO (custom types aside).
            "sighting_of_ref": c.ref(denied=(*_NOT_RELATABLE, *c.SCO_TYPES, *c.SRO_TYPES)),
            "observed_data_refs": c.ref_list(("observed-data",)),
            "where_sighted_refs": c.ref_list(("identity", "location")),
            "summary": c.boolean,
        },
        ("sighting_of_ref",),
        order("last_seen", "first_seen"),
    ),
}
