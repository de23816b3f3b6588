"""Key epochs: the current hub secret and the previous ones, and what is keyed from them.

Each secret is an epoch, named by a short key id (a fingerprint that reveals nothing of the
secret). What the hub signs or seals carries the key id it was made with, so rotating
`MAMORI_SECRET_KEY` (and listing the old one in `MAMORI_PREVIOUS_SECRET_KEYS`) keeps every
audit entry verifying, every cursor valid until it expires and every sealed connector secret
readable. New signatures and seals use the current epoch.

Hub ids are different: the same original id must map to the same hub id forever, so they
are minted with the oldest configured secret (the epoch that first minted them).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SEALED_PREFIX = "mamori-sealed:1:"
INFO_KEY = "keyring"  # where a session finds the keyring (see hub.db.make_sessionmaker)
_NONCE_BYTES = 12


class SealError(ValueError):
    """A sealed value that no configured epoch opens (wrong key, altered, or not sealed)."""


def key_id(secret: bytes) -> str:
    """The epoch's name: 12 hex digits of a keyed fingerprint, safe to store and show."""
    return hmac.new(secret, b"mamori key id v1", hashlib.sha256).hexdigest()[:12]


def derive(secret: bytes, purpose: str, length: int = 32) -> bytes:
    """A key for one purpose from one epoch's secret (HKDF-SHA256, RFC 5869)."""
    return HKDF(
        algorithm=hashes.SHA256(), length=length, salt=b"mamori.keys.v1", info=purpose.encode()
    ).derive(secret)


def audit_key(secret: bytes) -> bytes:
    """The audit chain's key of one epoch (kept as it was before epochs, so old chains verify)."""
    return hmac.new(secret, b"mamori audit chain v1", hashlib.sha256).digest()


@dataclass(frozen=True)
class Keyring:
    """The current secret first, then the previous ones, oldest last in the settings' order."""

    current: bytes = field(repr=False)
    previous: tuple[bytes, ...] = field(default=(), repr=False)

    @classmethod
    def of(cls, current: bytes | str, previous: Sequence[bytes | str] = ()) -> Keyring:
        def raw(value: bytes | str) -> bytes:
            return value.encode() if isinstance(value, str) else value

        cur = raw(current)
        return cls(cur, tuple(p for p in map(raw, previous) if p != cur))

    @property
    def current_id(self) -> str:
        return key_id(self.current)

    @cached_property
    def epochs(self) -> Mapping[str, bytes]:
        """Every configured secret by key id, the current one first."""
        return {key_id(s): s for s in (self.current, *self.previous)}

    @property
    def id_secret(self) -> bytes:
        """What hub ids are minted with: the oldest epoch, so ids never change on rotation."""
        return self.previous[-1] if self.previous else self.current

    def secret_of(self, kid: str) -> bytes | None:
        return self.epochs.get(kid)

    def audit_key(self, kid: str | None = None) -> bytes | None:
        secret = self.current if kid is None else self.secret_of(kid)
        return None if secret is None else audit_key(secret)

    def derived(self, purpose: str) -> list[tuple[str, bytes]]:
        """(key id, key) for a purpose in every epoch, the current first: to verify with."""
        return [(kid, derive(s, purpose)) for kid, s in self.epochs.items()]

    def seal(self, plaintext: str, *, context: str) -> str:
        """Encrypt a secret for storage (AES-256-GCM); `context` binds it to its column."""
        nonce = os.urandom(_NONCE_BYTES)
        key = derive(self.current, "seal")
        sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), context.encode())
        token = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
        return f"{SEALED_PREFIX}{self.current_id}:{token}"

    def open(self, value: str, *, context: str) -> str:
        """The plaintext of a sealed value, with the epoch named beside its ciphertext."""
        if not is_sealed(value):
            raise SealError("the value is not sealed")
        kid, _, token = value[len(SEALED_PREFIX) :].partition(":")
        secret = self.secret_of(kid)
        if secret is None:
            raise SealError(
                f"sealed with key epoch {kid}, whose secret is not configured "
                "(list it in MAMORI_PREVIOUS_SECRET_KEYS)"
            )
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        try:
            plain = AESGCM(derive(secret, "seal")).decrypt(
                raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], context.encode()
            )
        except InvalidTag:
            raise SealError(f"a sealed value of key epoch {kid} does not open") from None
        return plain.decode()

    def session_info(self) -> dict[str, Any]:
        """What a session factory carries so the audit log and sealed columns find their keys."""
        return {INFO_KEY: self}


def is_sealed(value: str | None) -> bool:
    return value is not None and value.startswith(SEALED_PREFIX)


def sealed_epoch(value: str) -> str | None:
    """The key id a sealed value names, None when not sealed."""
    if not is_sealed(value):
        return None
    return value[len(SEALED_PREFIX) :].split(":", 1)[0]


def of(info: Mapping[str, Any]) -> Keyring:
    """The keyring a session carries."""
    found = info.get(INFO_KEY)
    if not isinstance(found, Keyring):
        raise RuntimeError("session has no keyring; build it with hub.db.make_sessionmaker")
    return found
