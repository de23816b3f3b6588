"""Processing after intake: validation, sanitizing, and resuming after a crash."""

from __future__ import annotations

from datetime import timedelta

import orjson
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub import demo, members
from hub.fairqueue import FairQueue
from hub.members.principals import Principal
from hub.models import Role, Submission, SubmissionBlob, SubmissionState
from hub.runtime import HubRuntime
from hub.stix.identity import hub_identity
from hub.submissions import intake, pipeline
from tests.factories import make_sector

CTX = HubRuntime(secret=b"s" * 48, hub_identity=hub_identity("Test Hub"))
LIMITS = intake.Limits(1000, 32, 1 << 20)
VICTIM = [
    "kansai-grid.example.jp",
    "t.yamada",
    "10.20.31.7",
    "関西グリッド電力",
    "kgp-ws-0231",
    "identity--a6f9b3c2-6f0e-4d4a-9a52-3b1f7e8c9d01",
]
ATTACKER = ["update-check.example-cdn.net", "198.51.100.23", "PlugX", "remote-access-trojan"]


async def kansai(db: AsyncSession) -> Principal:
    sector = await make_sector(db, "energy-test")
    slug, display, _, assets = demo.MEMBERS[0]
    member = await members.create_member(db, slug + "-t", display, sector.slug, assets)
    account = await members.create_account(db, Role.SUBMITTER, "soc", member.slug)
    return Principal(
        account.id, Role.SUBMITTER, "soc", member.id, member.slug, sector.id, sector.slug
    )


async def test_a_report_comes_out_sanitized_and_queued(
    db: AsyncSession, maker: async_sessionmaker[AsyncSession]
) -> None:
    principal = await kansai(db)
    body = orjson.dumps(demo.sample_report())
    submission = await intake.receive(
        db, principal, body, content_type="application/json", limits=LIMITS
    )
    await db.commit()
    outcome = await pipeline.process_in_own_transaction(maker, submission.id, CTX)
    assert outcome is not None and outcome.state is SubmissionState.IN_REVIEW
    blob = await db.get(SubmissionBlob, submission.id, populate_existing=True)
    assert blob is not None and blob.sanitized is not None and blob.report is not None
    text = blob.sanitized.decode()
    report = orjson.dumps(blob.report).decode()
    for value in VICTIM:
        assert value not in text
        # The report names the submitter's own object ids (they need them); no values.
        assert value.startswith("identity--") or value not in report
    for value in ATTACKER:
        assert value in text
    assert blob.raw == body  # the sealed original is untouched


async def test_acknowledged_submissions_resume_after_a_crash(
    db: AsyncSession, maker: async_sessionmaker[AsyncSession]
) -> None:
    principal = await kansai(db)
    body = orjson.dumps(demo.sample_report())
    ids = []
    for _ in range(3):
        s = await intake.receive(
            db, principal, body, content_type="application/json", limits=LIMITS
        )
        ids.append(s.id)
    await db.commit()
    # One got as far as validation before the "crash"; the others were only stored.
    async with maker.begin() as tx:
        await pipeline.step(tx, ids[0], CTX)
    assert await pipeline.drain(maker, CTX) == 3
    for submission_id in ids:
        s = await db.get(Submission, submission_id, populate_existing=True)
        assert s is not None and s.state is SubmissionState.IN_REVIEW
    assert await pipeline.drain(maker, CTX) == 0


async def test_a_processing_error_marks_the_submission_failed(
    db: AsyncSession, maker: async_sessionmaker[AsyncSession]
) -> None:
    principal = await kansai(db)
    s = await intake.receive(
        db,
        principal,
        orjson.dumps(demo.sample_report()),
        content_type="application/json",
        limits=LIMITS,
    )
    blob = await db.get(SubmissionBlob, s.id)
    assert blob is not None
    blob.raw = b"not json any more"  # storage corrupted behind the hub's back
    await db.commit()
    assert await pipeline.process_in_own_transaction(maker, s.id, CTX) is None
    s = await db.get(Submission, s.id, populate_existing=True)
    assert s is not None and s.state is SubmissionState.FAILED
    assert s.failure == "BadRequest"


async def test_the_sweep_queues_by_member_and_skips_what_is_moving(
    db: AsyncSession, maker: async_sessionmaker[AsyncSession]
) -> None:
    principal = await kansai(db)
    body = orjson.dumps(demo.sample_report())
    s = await intake.receive(db, principal, body, content_type="application/json", limits=LIMITS)
    await db.commit()
    fresh = HubRuntime(CTX.secret, CTX.hub_identity, queue=FairQueue())
    # Just received: another server process may be working on it, so the periodic sweep waits.
    assert await pipeline.sweep(maker, fresh, idle_for=3600) == 0
    assert await pipeline.sweep(maker, fresh) == 1
    assert fresh.queue is not None and fresh.queue.take() == (principal.member_id, s.id)
    s.updated_at = s.updated_at - timedelta(hours=2)
    await db.commit()
    later = HubRuntime(CTX.secret, CTX.hub_identity, queue=FairQueue())
    assert await pipeline.sweep(maker, later, idle_for=3600) == 1
