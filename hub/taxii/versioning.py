"""What a version is in TAXII 2.1: `modified`, else `created`, else `date_added` (§3.4.2)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hub.taxii.timestamps import parse_micros


def object_version(obj: Mapping[str, Any], date_added: int) -> int:
    """The TAXII version of a STIX object: `modified`, else `created`, else `date_added`."""
    for prop in ("modified", "created"):
        value = obj.get(prop)
        if isinstance(value, str):
            return parse_micros(value)
    return date_added


def spec_version_key(spec_version: str) -> tuple[int, ...]:
    """Numeric ordering for spec versions, so that "2.10" sorts after "2.9"."""
    return tuple(int(part) for part in spec_version.split("."))
