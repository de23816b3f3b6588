"""API keys: 256-bit secrets shown once, kept only as hashes, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db import utcnow
from hub.errors import NotFound
from hub.models import Account, ApiKey

KEY_ID_PREFIX = "mk_"
# A key is "<key id>.<secret>"; the key id alone is public (it is the Basic user name).
_SEPARATOR = "."
# Hashing a 256-bit random secret needs no slow KDF: nothing is left to brute-force.
_DUMMY_HASH = hashlib.sha256(b"mamori-no-such-key").hexdigest()


@dataclass(frozen=True)
class IssuedKey:
    key_id: str
    key: str
    account_id: str


def new_key() -> tuple[str, str]:
    """A fresh key id and full key string (the only time the secret exists in clear)."""
    key_id = KEY_ID_PREFIX + secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)  # 32 bytes = 256 bits of randomness
    return key_id, f"{key_id}{_SEPARATOR}{secret}"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split_key(key: str) -> tuple[str, str] | None:
    key_id, sep, secret = key.partition(_SEPARATOR)
    if not sep or not key_id.startswith(KEY_ID_PREFIX) or not secret or len(key) > 200:
        return None
    return key_id, secret


async def issue(db: AsyncSession, account: Account) -> IssuedKey:
    key_id, key = new_key()
    _, secret = key.split(_SEPARATOR, 1)
    db.add(ApiKey(key_id=key_id, account_id=account.id, secret_hash=hash_secret(secret)))
    await db.flush()
    return IssuedKey(key_id=key_id, key=key, account_id=account.id)


async def authenticate(
    db: AsyncSession, key_id: str, secret: str, *, touch_after: timedelta
) -> Account | None:
    """The account a key belongs to, or None; the same work is done whether or not it exists."""
    row = (
        await db.execute(
            select(ApiKey, Account)
            .join(Account, Account.id == ApiKey.account_id)
            .where(ApiKey.key_id == key_id)
        )
    ).first()
    expected = row[0].secret_hash if row is not None else _DUMMY_HASH
    ok = hmac.compare_digest(expected, hash_secret(secret))
    if row is None or not ok:
        return None
    api_key, account = row
    if api_key.revoked_at is not None or account.disabled_at is not None:
        return None
    now = utcnow()
    # Writing on every request would turn each TAXII poll into a write; once a minute is enough.
    if api_key.last_used_at is None or now - api_key.last_used_at >= touch_after:
        api_key.last_used_at = now
        await db.flush()
    return account


async def revoke(db: AsyncSession, key_id: str) -> ApiKey:
    api_key = await db.get(ApiKey, key_id)
    if api_key is None:
        raise NotFound(f"no API key {key_id!r}")
    if api_key.revoked_at is None:
        api_key.revoked_at = utcnow()
        await db.flush()
    return api_key
