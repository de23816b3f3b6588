"""Connector credentials and webhook secrets at rest: sealed with the hub's keyring.

A sealed value names its key epoch beside its ciphertext (see `hub.keys`); the column it
belongs to is bound into the seal, so a credential copied into another column does not open.
"""

from __future__ import annotations

from hub.keys import Keyring, SealError, is_sealed

CONTEXTS = {
    "connector_source": "connector_source.credential",
    "connector_peer": "connector_peer.credential",
    "member_webhook": "member_webhook.secret",
}


def seal_credential(keyring: Keyring, value: str | None, table: str) -> str | None:
    return None if value is None else keyring.seal(value, context=CONTEXTS[table])


def open_credential(keyring: Keyring, value: str | None, table: str) -> str | None:
    """The stored secret in the clear, for the one request that presents it."""
    if value is None:
        return None
    if not is_sealed(value):
        raise SealError(f"a {table} secret is stored unsealed; run `mamori db upgrade`")
    return keyring.open(value, context=CONTEXTS[table])
