"""Processing after intake, off the request path and resumable after a crash.

Each step runs in its own transaction and moves the submission one state on:
received → validated (each object checked) → sanitized → in review. A crash between steps
leaves the submission in the last committed state, and the sweep picks it up from there.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from hub import validate
from hub.members import profiles
from hub.models import (
    Member,
    ObjectStatus,
    Submission,
    SubmissionBlob,
    SubmissionObject,
    SubmissionState,
)
from hub.runtime import HubRuntime
from hub.sanitize import MemberProfile, SectorRef, sanitize
from hub.sanitize.report import Report
from hub.submissions import intake, lifecycle, records

log = logging.getLogger("mamori.pipeline")

S = SubmissionState
_RESUMABLE = (S.RECEIVED, S.VALIDATED)


@dataclass(frozen=True, slots=True)
class Outcome:
    submission_id: str
    state: SubmissionState


async def _claim(db: AsyncSession, submission_id: str, state: SubmissionState) -> Submission | None:
    query = select(Submission).where(Submission.id == submission_id, Submission.state == state)
    if db.get_bind().dialect.name == "postgresql":
        # Several workers may race for the same submission; the loser skips it.
        query = query.with_for_update(skip_locked=True)
    return await db.scalar(query)


async def step(db: AsyncSession, submission_id: str, ctx: HubRuntime) -> Outcome | None:
    """Validate a received submission; None when it is not waiting (or another took it)."""
    submission = await _claim(db, submission_id, S.RECEIVED)
    if submission is None:
        return None
    blob = await db.get(SubmissionBlob, submission_id)
    if blob is None:  # pragma: no cover - the blob is written in the same transaction
        raise RuntimeError(f"submission {submission_id} has no stored body")
    await _validate(db, submission, blob)
    await db.flush()
    return Outcome(submission_id, submission.state)


async def _validate(db: AsyncSession, submission: Submission, blob: SubmissionBlob) -> None:
    envelope = intake.parse(blob.raw, records.STORED_LIMITS, allow_taxii_envelope=True)
    rows = []
    accepted = 0
    for position, obj in enumerate(envelope.objects):
        problems = validate.check_object(obj)
        is_dict = isinstance(obj, dict)
        stix_id = obj.get("id") if is_dict else None
        stix_type = obj.get("type") if is_dict else None
        rows.append(
            {
                "submission_id": submission.id,
                "position": position,
                "stix_id": _label(stix_id, 300),
                "stix_type": _label(stix_type, 250),
                "status": ObjectStatus.REJECTED if problems else ObjectStatus.ACCEPTED,
                "problems": [{"property": p.property, "reason": p.reason} for p in problems],
            }
        )
        accepted += not problems
    await db.execute(insert(SubmissionObject), rows)
    submission.accepted_count = accepted
    submission.rejected_count = len(rows) - accepted
    db.add(
        lifecycle.move(
            submission,
            S.VALIDATED,
            actor_account_id=None,
            reason=f"{accepted} of {len(rows)} objects valid",
        )
    )
    if not accepted:
        db.add(
            lifecycle.move(
                submission,
                S.REJECTED,
                actor_account_id=None,
                reason="no valid object in the submission",
            )
        )


def _label(value: object, size: int) -> str | None:
    """An id or type kept to name a verdict: text a database column can store."""
    # PostgreSQL refuses NUL in text; an invalid id is reported, it must not fail the batch.
    return value.replace("\x00", "")[:size] if isinstance(value, str) else None


@dataclass(frozen=True)
class SanitizeJob:
    """Everything the pure sanitizer needs, read in one short transaction."""

    objects: list[Any]
    profile: MemberProfile
    sector: SectorRef


async def sanitize_job(db: AsyncSession, submission_id: str) -> SanitizeJob | None:
    submission = await db.scalar(
        select(Submission).where(Submission.id == submission_id, Submission.state == S.VALIDATED)
    )
    if submission is None:
        return None
    blob = await db.get(SubmissionBlob, submission_id)
    if blob is None:  # pragma: no cover
        raise RuntimeError(f"submission {submission_id} has no stored body")
    envelope = intake.parse(blob.raw, records.STORED_LIMITS, allow_taxii_envelope=True)
    accepted = set(
        await db.scalars(
            select(SubmissionObject.position).where(
                SubmissionObject.submission_id == submission_id,
                SubmissionObject.status == ObjectStatus.ACCEPTED,
            )
        )
    )
    member = await db.scalar(
        select(Member)
        .where(Member.id == submission.member_id)
        .options(selectinload(Member.assets), selectinload(Member.sector))
    )
    if member is None:  # pragma: no cover - a foreign key guarantees it
        raise RuntimeError(f"submission {submission_id} has no member")
    objects = [o for i, o in enumerate(envelope.objects) if i in accepted]
    return SanitizeJob(objects, profiles.profile_of(member), profiles.sector_of(member))


def watch_parent(parent: int) -> None:
    """Initializer of sanitizer processes: exit when the hub that started them is gone.

    A killed hub (SIGKILL, OOM) cannot shut its pool down; without this its workers would
    linger as orphans.
    """

    def watch() -> None:
        # The hub's pid is passed in: a worker that finishes starting after the hub died
        # must notice too, and by then os.getppid() no longer names the hub.
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def run_sanitizer(job: SanitizeJob, ctx: HubRuntime) -> tuple[bytes, Report, int]:
    """The CPU-heavy part, pure, so it can run in another process."""
    result = sanitize(
        job.objects,
        job.profile,
        ctx.policy,
        secret=ctx.secret,
        hub_identity=ctx.hub_identity,
        sector=job.sector,
    )
    return orjson.dumps(result.objects), result.report, len(result.objects)


async def store_sanitized(
    db: AsyncSession, submission_id: str, sanitized: bytes, report: Report, count: int
) -> Outcome | None:
    submission = await _claim(db, submission_id, S.VALIDATED)
    if submission is None:
        return None  # another worker finished it first
    blob = await db.get(SubmissionBlob, submission_id)
    if blob is None:  # pragma: no cover
        raise RuntimeError(f"submission {submission_id} has no stored body")
    blob.sanitized = sanitized
    blob.report = report.to_json()
    changes = len(report.changes)
    db.add(
        lifecycle.move(
            submission,
            S.SANITIZED,
            actor_account_id=None,
            reason=f"{count} objects out, {changes} changes",
        )
    )
    db.add(
        lifecycle.move(
            submission, S.IN_REVIEW, actor_account_id=None, reason="waiting for an operator"
        )
    )
    await db.flush()
    return Outcome(submission_id, submission.state)


async def sanitize_step(
    maker: async_sessionmaker[AsyncSession], submission_id: str, ctx: HubRuntime
) -> Outcome | None:
    """Read, sanitize outside any transaction (in the pool when there is one), then write."""
    async with maker() as db:
        job = await sanitize_job(db, submission_id)
    if job is None:
        return None
    if ctx.executor is None:
        result = run_sanitizer(job, ctx)
    else:
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(ctx.executor, run_sanitizer, job, ctx)
    async with maker.begin() as db:
        return await store_sanitized(db, submission_id, *result)


async def process_in_own_transaction(
    maker: async_sessionmaker[AsyncSession], submission_id: str, ctx: HubRuntime
) -> Outcome | None:
    """Run every step still due; an unexpected error marks the submission failed."""
    outcome = None
    try:
        async with maker.begin() as db:
            outcome = await step(db, submission_id, ctx)
        moved = await sanitize_step(maker, submission_id, ctx)
    except Exception as exc:
        log.exception("processing failed", extra={"submission_id": submission_id})
        await _mark_failed(maker, submission_id, exc)
        return None
    return moved or outcome


async def _mark_failed(
    maker: async_sessionmaker[AsyncSession], submission_id: str, exc: Exception
) -> None:
    async with maker.begin() as db:
        submission = await db.get(Submission, submission_id)
        if submission is not None and submission.state in _RESUMABLE:
            # The class name only: a message could quote submitted content.
            submission.failure = type(exc).__name__
            db.add(
                lifecycle.move(
                    submission,
                    S.FAILED,
                    actor_account_id=None,
                    reason="processing error; an operator can retry it",
                )
            )


async def waiting(maker: async_sessionmaker[AsyncSession], limit: int = 100) -> list[str]:
    async with maker() as db:
        rows = await db.scalars(
            select(Submission.id)
            .where(Submission.state.in_(_RESUMABLE))
            .order_by(Submission.received_at)
            .limit(limit)
        )
        return list(rows)


async def drain(maker: async_sessionmaker[AsyncSession], ctx: HubRuntime) -> int:
    """Process everything acknowledged but not yet processed (after a restart, say)."""
    done = 0
    while ids := await waiting(maker):
        progressed = 0
        for submission_id in ids:
            if await process_in_own_transaction(maker, submission_id, ctx) is not None:
                progressed += 1
        done += progressed
        if progressed == 0:
            break
    return done
