"""The audit chain verifies when untouched and names the first entry that was tampered with."""

from __future__ import annotations

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub import audit
from hub.members.principals import Principal
from hub.models import AuditEntry, Role

OPERATOR = Principal("acct-1", Role.OPERATOR, "alice")


async def chain(db: AsyncSession, n: int) -> None:
    for i in range(n):
        await audit.record(
            db,
            actor=OPERATOR if i % 2 else None,
            action="test.step",
            subject=f"thing:{i}",
            details={"i": i, "名前": "テスト"},
        )


async def test_untouched_chain_verifies(db: AsyncSession) -> None:
    await chain(db, 5)
    verdict = await audit.verify(db)
    assert verdict.ok and verdict.entries == 5
    newest = await audit.recent(db, limit=1)
    assert verdict.head == newest[0].mac


async def test_altered_details_are_detected(db: AsyncSession) -> None:
    await chain(db, 5)
    await db.execute(update(AuditEntry).where(AuditEntry.seq == 3).values(details={"i": 99}))
    db.expire_all()
    verdict = await audit.verify(db)
    assert (verdict.ok, verdict.bad_seq, verdict.problem) == (False, 3, "entry altered")


async def test_altered_actor_with_recomputed_plain_hash_is_detected(db: AsyncSession) -> None:
    await chain(db, 3)
    await db.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(actor="admin:mallory"))
    db.expire_all()
    assert (await audit.verify(db)).bad_seq == 2


async def test_removed_entries_are_detected(db: AsyncSession) -> None:
    await chain(db, 5)
    await db.execute(delete(AuditEntry).where(AuditEntry.seq == 2))
    db.expire_all()
    verdict = await audit.verify(db)
    assert (verdict.ok, verdict.bad_seq) == (False, 2)
    assert "missing" in (verdict.problem or "")


async def test_reordered_links_are_detected(db: AsyncSession) -> None:
    await chain(db, 4)
    await db.execute(update(AuditEntry).where(AuditEntry.seq == 4).values(prev_mac="f" * 64))
    db.expire_all()
    verdict = await audit.verify(db)
    assert (verdict.ok, verdict.bad_seq, verdict.problem) == (False, 4, "chain link broken")


async def test_key_changes_are_audited(db: AsyncSession) -> None:
    from hub import members

    _, issued = await members.create_key(db, role=Role.OPERATOR, actor=OPERATOR)
    await members.revoke(db, issued.key_id, actor=OPERATOR)
    actions = [e.action for e in await audit.recent(db, limit=2)]
    assert actions == ["key.revoke", "key.create"]
    assert (await audit.verify(db)).ok
