"""Stateless, signed keyset cursors for TAXII `next` (§3.4, §3.5).

A cursor is the position of the last record a page returned, `(date_added, seq)`, signed
with HMAC-SHA256 over the collection id and the query fingerprint. Nothing is stored on
the server, so any worker behind a load balancer, or a restarted one, can continue a page
walk. `limit` is deliberately not bound: a client may change it between pages.

Wire format (33 bytes, 44 base64url characters, no padding):

    version (1) | date_added (8, signed big-endian) | seq (8, signed) | tag (16)

The tag is HMAC-SHA256(key, domain | version | len+collection_id | len+fingerprint | body)
truncated to 128 bits. 33 bytes is a multiple of 3, so the base64 text has no spare bits:
every character change alters the decoded bytes and so the tag check.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import struct
from dataclasses import dataclass

__all__ = [
    "CURSOR_KEY_PURPOSE",
    "CursorError",
    "Position",
    "decode",
    "derive_key",
    "encode",
]

CURSOR_KEY_PURPOSE = "mamori/taxii/next-cursor/v1"

_VERSION = 1
_BODY = struct.Struct(">Bqq")
_TAG_BYTES = 16
_RAW_BYTES = _BODY.size + _TAG_BYTES
_TOKEN_CHARS = 44  # 33 bytes of base64 without padding
_DOMAIN = b"mamori.taxii.cursor\x00"
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+", re.ASCII)
_INT64 = range(-(2**63), 2**63)


class CursorError(ValueError):
    """A `next` value this server did not issue for this collection and query; answer 400."""


@dataclass(frozen=True, slots=True, order=True)
class Position:
    """The last record a page returned; the next page starts strictly after it."""

    date_added: int
    seq: int


def derive_key(secret: bytes, purpose: str) -> bytes:
    """A 32-byte key for one purpose, from the hub's secret (HKDF-SHA256, RFC 5869)."""
    if not secret:
        raise ValueError("the secret key must not be empty")
    if not purpose:
        raise ValueError("a key purpose label is required")
    prk = hmac.new(b"mamori.hkdf.salt.v1", secret, hashlib.sha256).digest()
    # One expand block is enough for 32 bytes: T(1) = HMAC(PRK, info | 0x01).
    return hmac.new(prk, purpose.encode("utf-8") + b"\x01", hashlib.sha256).digest()


def encode(position: Position, *, collection_id: str, fingerprint: bytes, key: bytes) -> str:
    """The opaque `next` token for continuing after `position`."""
    if position.date_added not in _INT64 or position.seq not in _INT64:
        raise ValueError("cursor position out of the signed 64-bit range")
    body = _BODY.pack(_VERSION, position.date_added, position.seq)
    raw = body + _tag(body, collection_id=collection_id, fingerprint=fingerprint, key=key)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode(token: str, *, collection_id: str, fingerprint: bytes, key: bytes) -> Position:
    """Verify a `next` token for this collection and query and return its position."""
    if not isinstance(token, str) or len(token) != _TOKEN_CHARS:
        raise CursorError("invalid next cursor")
    if _BASE64URL.fullmatch(token) is None:
        raise CursorError("invalid next cursor")
    try:
        raw = base64.urlsafe_b64decode(token)
    except (binascii.Error, ValueError):
        raise CursorError("invalid next cursor") from None
    if len(raw) != _RAW_BYTES:
        raise CursorError("invalid next cursor")
    body, tag = raw[: _BODY.size], raw[_BODY.size :]
    expected = _tag(body, collection_id=collection_id, fingerprint=fingerprint, key=key)
    if not hmac.compare_digest(tag, expected):
        raise CursorError("next cursor does not belong to this collection and query")
    version, date_added, seq = _BODY.unpack(body)
    if version != _VERSION:
        raise CursorError("unsupported next cursor version")
    return Position(date_added=date_added, seq=seq)


def _tag(body: bytes, *, collection_id: str, fingerprint: bytes, key: bytes) -> bytes:
    if not key:
        raise ValueError("the cursor key must not be empty")
    collection = collection_id.encode("utf-8")
    # Length prefixes keep (collection, fingerprint) pairs from colliding when concatenated.
    message = b"".join(
        (
            _DOMAIN,
            struct.pack(">I", len(collection)),
            collection,
            struct.pack(">I", len(fingerprint)),
            fingerprint,
            body,
        )
    )
    return hmac.new(key, message, hashlib.sha256).digest()[:_TAG_BYTES]
