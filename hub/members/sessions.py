"""Console sessions: opened with an API key, kept server-side, ended by expiry or sign-out.

The browser holds only a random token; the database keeps its SHA-256, so a copy of the
table cannot be replayed as cookies. A session lives at most `LIFETIME`, ends after `IDLE`
without a request, and ends with the key that opened it (revoked) or its account
(disabled). Failed sign-ins are counted per client address in the database, so every
worker and host behind a load balancer applies the same limit.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db import utcnow
from hub.members import principals
from hub.members.principals import Principal
from hub.models import Account, ApiKey, SignInFailure, WebSession

LIFETIME = timedelta(hours=8)
IDLE = timedelta(minutes=30)
# Writing last_seen on every page view would make each click a write; once a minute is enough.
TOUCH_AFTER = timedelta(minutes=1)
FAILURE_WINDOW = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class Opened:
    """A new session: the token for the cookie (never stored) and its CSRF token."""

    token: str
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Current:
    """The session behind a request and who it belongs to."""

    session: WebSession
    principal: Principal


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def open_session(
    db: AsyncSession, principal: Principal, key_id: str, *, lifetime: timedelta = LIFETIME
) -> Opened:
    """Start a session for an account just authenticated with `key_id`."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = utcnow()
    row = WebSession(
        id_hash=token_hash(token),
        account_id=principal.account_id,
        key_id=key_id,
        csrf_token=csrf,
        created_at=now,
        expires_at=now + lifetime,
        last_seen_at=now,
    )
    db.add(row)
    await db.flush()
    return Opened(token, csrf, row.expires_at)


async def lookup(
    db: AsyncSession,
    token: str,
    *,
    idle: timedelta = IDLE,
    now: datetime | None = None,
    touch: bool = True,
) -> Current | None:
    """The live session for a cookie token, or None (unknown, expired, idle, or revoked).

    ``touch=False`` only reads, for a check made on a read-only connection.
    """
    now = now or utcnow()
    found = (
        await db.execute(
            select(WebSession, Account, ApiKey)
            .join(Account, Account.id == WebSession.account_id)
            .join(ApiKey, ApiKey.key_id == WebSession.key_id)
            .where(WebSession.id_hash == token_hash(token))
        )
    ).first()
    if found is None:
        return None
    session, account, key = found
    if (
        session.revoked_at is not None
        or session.expires_at <= now
        or now - session.last_seen_at >= idle
        or key.revoked_at is not None
        or account.disabled_at is not None
    ):
        return None
    if touch and now - session.last_seen_at >= TOUCH_AFTER:
        session.last_seen_at = now
        await db.flush()
    return Current(session, await principals.of_account(db, account))


async def close(db: AsyncSession, token: str) -> bool:
    """Sign out: the session stops working at once; whether there was one to end."""
    result = await db.execute(
        update(WebSession)
        .where(WebSession.id_hash == token_hash(token), WebSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return bool(getattr(result, "rowcount", 0))


async def purge(db: AsyncSession, *, now: datetime | None = None) -> None:
    """Forget sessions past their lifetime, and failures the database kept before hub.throttle."""
    now = now or utcnow()
    await db.execute(delete(WebSession).where(WebSession.expires_at <= now))
    await db.execute(delete(SignInFailure).where(SignInFailure.at <= now - FAILURE_WINDOW))
