"""The audit trail: append-only entries, each MAC-chained to the one before it."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db import utcnow
from hub.members.principals import Principal
from hub.models import AuditEntry

GENESIS = "0" * 64
KEY_INFO = "audit_key"  # where a session finds the chain's key (see hub.db.make_sessionmaker)
_LOCK_ID = 0x6D616D6F  # an arbitrary, fixed advisory-lock number for appends on PostgreSQL


def audit_key(secret: bytes) -> bytes:
    """The chain's key, derived from the hub secret so it never equals any other key."""
    return hmac.new(secret, b"mamori audit chain v1", hashlib.sha256).digest()


def _key(db: AsyncSession) -> bytes:
    key = db.info.get(KEY_INFO)
    if not isinstance(key, bytes):
        raise RuntimeError("session has no audit key; build it with hub.db.make_sessionmaker")
    return key


def mac_of(key: bytes, entry: AuditEntry) -> str:
    payload = orjson.dumps(
        {
            "seq": entry.seq,
            "at": entry.at.isoformat(),
            "actor_account_id": entry.actor_account_id,
            "actor": entry.actor,
            "action": entry.action,
            "subject": entry.subject,
            "details": entry.details,
            "prev": entry.prev_mac,
        },
        option=orjson.OPT_SORT_KEYS,
    )
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


async def record(
    db: AsyncSession,
    *,
    actor: Principal | None,
    action: str,
    subject: str,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction; it lands or vanishes with the action."""
    if db.get_bind().dialect.name == "postgresql":
        # One appender at a time, or two entries could claim the same predecessor.
        await db.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
    last = await db.scalar(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1))
    entry = AuditEntry(
        seq=(last.seq + 1) if last else 1,
        at=utcnow(),
        actor_account_id=actor.account_id if actor else None,
        actor=f"{actor.role.value}:{actor.label}" if actor else "hub",
        action=action,
        subject=subject,
        details=orjson.loads(orjson.dumps(details or {})),
        prev_mac=last.mac if last else GENESIS,
    )
    entry.mac = mac_of(_key(db), entry)
    db.add(entry)
    await db.flush()
    return entry


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool
    entries: int
    head: str
    problem: str | None = None
    bad_seq: int | None = None


async def _entries(db: AsyncSession, batch: int = 1000) -> AsyncIterator[Sequence[AuditEntry]]:
    after = 0
    while True:
        rows = (
            await db.scalars(
                select(AuditEntry)
                .where(AuditEntry.seq > after)
                .order_by(AuditEntry.seq)
                .limit(batch)
            )
        ).all()
        if not rows:
            return
        yield rows
        after = rows[-1].seq


async def verify(db: AsyncSession) -> Verdict:
    """Walk the chain: any altered, removed or re-ordered entry breaks it at that point."""
    key = _key(db)
    expected_seq, prev, count = 1, GENESIS, 0
    async for rows in _entries(db):
        for entry in rows:
            if entry.seq != expected_seq:
                return Verdict(False, count, prev, f"entry {expected_seq} is missing", expected_seq)
            if entry.prev_mac != prev:
                return Verdict(False, count, prev, "chain link broken", entry.seq)
            if not hmac.compare_digest(entry.mac, mac_of(key, entry)):
                return Verdict(False, count, prev, "entry altered", entry.seq)
            prev, expected_seq, count = entry.mac, expected_seq + 1, count + 1
    return Verdict(True, count, prev)


async def recent(
    db: AsyncSession,
    *,
    limit: int = 100,
    before_seq: int | None = None,
    action: str | None = None,
    subject: str | None = None,
) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
    if before_seq is not None:
        query = query.where(AuditEntry.seq < before_seq)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    if subject is not None:
        query = query.where(AuditEntry.subject == subject)
    return list((await db.scalars(query)).all())
