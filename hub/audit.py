"""The audit trail: append-only entries, each MAC-chained to the one before it.

Each entry names the key epoch it was signed in, so the chain verifies across a rotation of
the hub secret; the newest entry is anchored outside the table (`hub.audit_anchor`), so a
truncated table does not verify either.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from hub import audit_anchor, keys
from hub.db import utcnow
from hub.keys import Keyring
from hub.members.principals import Principal
from hub.models import AuditEntry

GENESIS = "0" * 64
_LOCK_ID = 0x6D616D6F  # an arbitrary, fixed advisory-lock number for appends on PostgreSQL


def _keyring(db: AsyncSession) -> Keyring:
    return keys.of(db.info)


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
    keyring = _keyring(db)
    entry.key_id = keyring.current_id
    entry.mac = mac_of(keys.audit_key(keyring.current), entry)
    db.add(entry)
    await db.flush()
    audit_anchor.pending(
        db.info, audit_anchor.Anchor(entry.seq, entry.mac, entry.at.isoformat(), entry.key_id)
    )
    return entry


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool
    entries: int
    head: str
    problem: str | None = None
    bad_seq: int | None = None
    anchored_seq: int | None = None  # the newest entry the anchor file names


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
    """Walk the chain, then hold its end against the anchor: any altered, removed, re-ordered
    or truncated entry breaks it at that point."""
    keyring = _keyring(db)
    expected_seq, prev, count = 1, GENESIS, 0
    macs: dict[int, str] = {}
    path = db.info.get(audit_anchor.INFO_PATH)
    try:
        anchor = audit_anchor.read(path, keyring) if isinstance(path, Path) else None
    except audit_anchor.AnchorError as exc:
        return Verdict(False, 0, GENESIS, str(exc))
    async for rows in _entries(db):
        for entry in rows:
            if entry.seq != expected_seq:
                return Verdict(False, count, prev, f"entry {expected_seq} is missing", expected_seq)
            if entry.prev_mac != prev:
                return Verdict(False, count, prev, "chain link broken", entry.seq)
            key = keyring.audit_key(entry.key_id) if entry.key_id else None
            if key is None:
                problem = (
                    f"entry signed in key epoch {entry.key_id}, whose secret is not configured "
                    "(list it in MAMORI_PREVIOUS_SECRET_KEYS)"
                )
                return Verdict(False, count, prev, problem, entry.seq)
            if not hmac.compare_digest(entry.mac, mac_of(key, entry)):
                return Verdict(False, count, prev, "entry altered", entry.seq)
            if anchor is not None and entry.seq == anchor.seq:
                macs[entry.seq] = entry.mac
            prev, expected_seq, count = entry.mac, expected_seq + 1, count + 1
    if anchor is None:
        if isinstance(path, Path) and count:
            return Verdict(False, count, prev, f"the audit anchor {path} is missing", None)
        return Verdict(True, count, prev)
    if anchor.seq > count:
        problem = (
            f"truncated: the anchor names entry {anchor.seq} ({anchor.at}), "
            f"the table ends at {count}"
        )
        return Verdict(False, count, prev, problem, count + 1, anchor.seq)
    if not hmac.compare_digest(macs.get(anchor.seq, ""), anchor.mac):
        problem = f"entry {anchor.seq} is not the one the anchor names"
        return Verdict(False, count, prev, problem, anchor.seq, anchor.seq)
    return Verdict(True, count, prev, anchored_seq=anchor.seq)


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
