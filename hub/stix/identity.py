"""The hub's own STIX identity: the author of everything it republishes."""

from __future__ import annotations

import uuid
from typing import Any

from hub.stix.tlp import TLP2_CLEAR

# Fixed namespace for ids the hub derives from names (its identity, collection ids).
MAMORI_NAMESPACE = uuid.UUID("6d616d6f-7269-4e00-8000-0000000000a1")
_EPOCH = "2026-01-01T00:00:00.000Z"
# The version that carries TLP:CLEAR: every published object names the hub as its creator, so
# a reader (or a GREEN-capped peer) must be able to get the identity wherever they go.
_MARKED = "2026-12-01T00:00:00.000Z"


def _stable_v4(name: str) -> uuid.UUID:
    """Derived from the name, but shaped as the UUIDv4 that STIX asks of SDO ids."""
    return uuid.UUID(bytes=uuid.uuid5(MAMORI_NAMESPACE, "hub:" + name).bytes, version=4)


def hub_identity(name: str) -> dict[str, Any]:
    """Stable across restarts and hosts: the id derives from the configured hub name."""
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": f"identity--{_stable_v4(name)}",
        "created": _EPOCH,
        "modified": _MARKED,
        "name": name,
        "identity_class": "organization",
        "description": "Threat-information-sharing hub; republishes members' reports sanitized.",
        "object_marking_refs": [TLP2_CLEAR],
    }
