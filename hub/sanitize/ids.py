"""Identifier minting: keyed, self-authenticating UUIDv4s and STIX deterministic SCO ids."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Mapping
from typing import Any

from stix2.canonicalization.Canonicalize import canonicalize

SCO_NAMESPACE = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")

# As stix2 3.0.2 `_id_contributing_properties` (v21/observables.py).
ID_CONTRIBUTING: dict[str, tuple[str, ...]] = {
    "artifact": ("hashes", "payload_bin"),
    "autonomous-system": ("number",),
    "directory": ("path",),
    "domain-name": ("value",),
    "email-addr": ("value",),
    "email-message": ("from_ref", "subject", "body"),
    "file": ("hashes", "name", "parent_directory_ref", "extensions"),
    "ipv4-addr": ("value",),
    "ipv6-addr": ("value",),
    "mac-addr": ("value",),
    "mutex": ("name",),
    "network-traffic": (
        "start",
        "end",
        "src_ref",
        "dst_ref",
        "src_port",
        "dst_port",
        "protocols",
        "extensions",
    ),
    "process": (),
    "software": ("name", "cpe", "swid", "vendor", "version"),
    "url": ("value",),
    "user-account": ("account_type", "user_id", "account_login"),
    "windows-registry-key": ("key", "values"),
    "x509-certificate": ("hashes", "serial_number"),
}
SCO_TYPES = frozenset(ID_CONTRIBUTING)
_HASH_ORDER = ("MD5", "SHA-1", "SHA-256", "SHA-512")


def _tag(secret: bytes, head: bytes) -> bytes:
    tag = bytearray(hmac.new(secret, b"mamori-id-tag\x00" + head, hashlib.sha256).digest()[:8])
    tag[0] = (tag[0] & 0x3F) | 0x80  # RFC 4122 variant bits
    return bytes(tag)


def mint(secret: bytes, scope: str, original_id: str) -> str:
    """Hub id for original_id within scope (a member key): stable, keyed, self-authenticating."""
    stix_type = original_id.split("--", 1)[0]
    digest = hmac.new(secret, f"{scope}\x00{original_id}".encode(), hashlib.sha256).digest()
    head = bytearray(digest[:8])
    head[6] = (head[6] & 0x0F) | 0x40  # version 4
    return f"{stix_type}--{uuid.UUID(bytes=bytes(head) + _tag(secret, bytes(head)))}"


def is_hub_id(secret: bytes, stix_id: str) -> bool:
    """True when the id was minted by this hub (its second half is a MAC of its first)."""
    try:
        raw = uuid.UUID(stix_id.split("--", 1)[1]).bytes
    except (IndexError, ValueError):
        return False
    return hmac.compare_digest(raw[8:], _tag(secret, raw[:8]))


def _choose_one_hash(hashes: Mapping[str, Any]) -> dict[str, Any] | None:
    for name in _HASH_ORDER:
        if name in hashes:
            return {name: hashes[name]}
    first = next(iter(hashes), None)
    return None if first is None else {first: hashes[first]}


def deterministic_sco_id(obj: Mapping[str, Any]) -> str | None:
    """The UUIDv5 id stix2 would compute for obj (refs must already be final), or None."""
    stix_type = obj["type"]
    contributing: dict[str, Any] = {}
    for key in ID_CONTRIBUTING.get(stix_type, ()):
        if key not in obj:
            continue
        if key == "hashes":
            chosen = _choose_one_hash(obj[key])
            if chosen is None:
                continue
            contributing[key] = chosen
        else:
            contributing[key] = obj[key]
    if not contributing:
        return None
    data = canonicalize(contributing, utf8=False)
    return f"{stix_type}--{uuid.uuid5(SCO_NAMESPACE, data)}"
