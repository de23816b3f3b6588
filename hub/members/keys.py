"""API keys: 256-bit secrets shown once, kept only as hashes, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db import utcnow
from hub.errors import NotFound
from hub.models import Account, ApiKey

KEY_ID_PREFIX = "mk_"
# A key is "<key id>.<secret>"; the key id alone is public (it is the Basic user name).
_SEPARATOR = "."
# Hashing a 256-bit random secret needs no slow KDF: nothing is left to brute-force.
_DUMMY_HASH = hashlib.sha256(b"mamori-no-such-key").hexdigest()

# How long a process may keep answering for a verified key without asking the database.
# Revoking through `revoke` forgets the key in this process at once; a revocation made by
# another process (the CLI, another worker or host), a disabled account or a member moved
# to another sector is honoured by every process within this many seconds.
CACHE_SECONDS = 5.0
CACHE_MAX_KEYS = 10_000

T = TypeVar("T")
_caches: weakref.WeakSet[VerifiedCache[object]] = weakref.WeakSet()


class VerifiedCache(Generic[T]):
    """Key id -> what a verified key stood for, briefly; a wrong secret never matches."""

    def __init__(
        self,
        ttl: float = CACHE_SECONDS,
        max_keys: int = CACHE_MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.max_keys = max_keys
        self.clock = clock
        self._entries: dict[str, tuple[bytes, float, T]] = {}
        _caches.add(self)  # type: ignore[arg-type]

    def get(self, key_id: str, secret: str) -> T | None:
        entry = self._entries.get(key_id)
        if entry is None:
            return None
        digest, expires, value = entry
        if self.clock() >= expires:
            self._entries.pop(key_id, None)
            return None
        if not hmac.compare_digest(digest, _digest(secret)):
            return None
        return value

    def put(self, key_id: str, secret: str, value: T) -> None:
        if self.ttl <= 0:
            return
        if len(self._entries) >= self.max_keys:
            # Many keys at once is rare; starting over is simpler than LRU and still bounded.
            self._entries.clear()
        self._entries[key_id] = (_digest(secret), self.clock() + self.ttl, value)

    def forget(self, key_id: str) -> None:
        self._entries.pop(key_id, None)

    def clear(self) -> None:
        self._entries.clear()


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


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


async def lookup(db: AsyncSession, key_id: str, secret: str) -> tuple[ApiKey, Account] | None:
    """The live key and its account, or None; reads only, the same work whether or not it exists."""
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
    return api_key, account


def touch_due(last_used_at: datetime | None, touch_after: timedelta) -> bool:
    """Whether `last_used_at` is stale enough to write; once a minute is enough for audits."""
    return last_used_at is None or utcnow() - last_used_at >= touch_after


async def touch(db: AsyncSession, key_id: str) -> None:
    """Record that the key was just used."""
    await db.execute(update(ApiKey).where(ApiKey.key_id == key_id).values(last_used_at=utcnow()))


async def authenticate(
    db: AsyncSession, key_id: str, secret: str, *, touch_after: timedelta
) -> Account | None:
    """The account a key belongs to, or None; the same work is done whether or not it exists."""
    found = await lookup(db, key_id, secret)
    if found is None:
        return None
    api_key, account = found
    # Writing on every request would turn each TAXII poll into a write; once a minute is enough.
    if touch_due(api_key.last_used_at, touch_after):
        api_key.last_used_at = utcnow()
        await db.flush()
    return account


async def revoke(db: AsyncSession, key_id: str) -> ApiKey:
    api_key = await db.get(ApiKey, key_id)
    if api_key is None:
        raise NotFound(f"no API key {key_id!r}")
    for cache in list(_caches):
        cache.forget(key_id)
    if api_key.revoked_at is None:
        api_key.revoked_at = utcnow()
        await db.flush()
    return api_key
