"""Processing after intake, off the request path and resumable after a crash.

Each step runs in its own transaction and moves the submission one state on:
received → validated (each object checked) → sanitized → in review. A crash between steps
leaves the submission in the last committed state, and the sweep picks it up from there.

The CPU work (validating, sanitizing) runs in the runtime's worker processes, never on the
event loop, under one time limit per submission: a submission over it, or whose worker
dies, is failed with a reason the member and the operators read, and the next one goes on.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

import orjson
from pebble import ProcessExpired
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from hub import validate
from hub.db import utcnow
from hub.logs import stack_of
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
# Verdict rows are written in batches, so a 10,000-object submission never holds the event
# loop for the whole insert.
_BATCH = 500
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Outcome:
    submission_id: str
    state: SubmissionState


class Stopped(Exception):
    """Processing was stopped for a reason the member and the operators are told."""

    def __init__(self, failure: str, reason: str) -> None:
        super().__init__(reason)
        self.failure = failure  # short, stored on the submission
        self.reason = reason  # one line, the failed event's reason


async def off_loop(ctx: HubRuntime, deadline: float, fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` in a worker process, stopped (the process ended) past ``deadline``.

    Without a pool (tests, ``MAMORI_SANITIZE_PROCESSES=0``) it runs here and is not timed.
    """
    if ctx.pool is None:
        return fn(*args)
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _over_time(ctx)
    future = ctx.pool.schedule(fn, args=args, timeout=remaining)
    try:
        return await asyncio.wrap_future(future)
    except TimeoutError:
        raise _over_time(ctx) from None
    except ProcessExpired as exc:
        raise Stopped(
            "worker ended",
            f"the worker processing it ended unexpectedly (exit code {exc.exitcode}); "
            "an operator can retry it",
        ) from None


def _over_time(ctx: HubRuntime) -> Stopped:
    return Stopped(
        "time limit",
        f"processing took longer than the limit of {ctx.time_limit:g} s and was stopped; "
        "an operator can retry it",
    )


async def _claim(db: AsyncSession, submission_id: str, state: SubmissionState) -> Submission | None:
    query = select(Submission).where(Submission.id == submission_id, Submission.state == state)
    if db.get_bind().dialect.name == "postgresql":
        # Several workers may race for the same submission; the loser skips it.
        query = query.with_for_update(skip_locked=True)
    return await db.scalar(query)


@dataclass(frozen=True, slots=True)
class Verdict:
    """What validation found about one object, as its row will store it."""

    stix_id: str | None
    stix_type: str | None
    problems: list[dict[str, str | None]]


def validate_body(raw: bytes) -> list[Verdict]:
    """Every object of a stored body checked: pure and CPU-bound, run in a worker process."""
    envelope = intake.parse(raw, records.STORED_LIMITS, allow_taxii_envelope=True)
    out = []
    for obj in envelope.objects:
        problems = validate.check_object(obj)
        is_dict = isinstance(obj, dict)
        out.append(
            Verdict(
                _label(obj.get("id") if is_dict else None, 300),
                _label(obj.get("type") if is_dict else None, 250),
                [{"property": p.property, "reason": p.reason} for p in problems],
            )
        )
    return out


def _label(value: object, size: int) -> str | None:
    """An id or type kept to name a verdict: text a database column can store."""
    # PostgreSQL refuses NUL in text; an invalid id is reported, it must not fail the batch.
    return value.replace("\x00", "")[:size] if isinstance(value, str) else None


async def step(
    db: AsyncSession, submission_id: str, ctx: HubRuntime, deadline: float | None = None
) -> Outcome | None:
    """Validate a received submission; None when it is not waiting (or another took it)."""
    submission = await _claim(db, submission_id, S.RECEIVED)
    if submission is None:
        return None
    blob = await db.get(SubmissionBlob, submission_id)
    if blob is None:  # pragma: no cover - the blob is written in the same transaction
        raise RuntimeError(f"submission {submission_id} has no stored body")
    deadline = time.monotonic() + ctx.time_limit if deadline is None else deadline
    verdicts = await off_loop(ctx, deadline, validate_body, blob.raw)
    await _record_verdicts(db, submission, verdicts)
    return Outcome(submission_id, submission.state)


async def validate_step(
    maker: async_sessionmaker[AsyncSession], submission_id: str, ctx: HubRuntime, deadline: float
) -> Outcome | None:
    """Read, validate outside any transaction, then claim and write the verdicts."""
    async with maker() as db:
        raw = await db.scalar(
            select(SubmissionBlob.raw)
            .join(Submission, Submission.id == SubmissionBlob.submission_id)
            .where(Submission.id == submission_id, Submission.state == S.RECEIVED)
        )
    if raw is None:
        return None
    verdicts = await off_loop(ctx, deadline, validate_body, raw)
    async with maker.begin() as db:
        submission = await _claim(db, submission_id, S.RECEIVED)
        if submission is None:
            return None  # another worker validated it first
        await _record_verdicts(db, submission, verdicts)
        return Outcome(submission_id, submission.state)


async def _record_verdicts(
    db: AsyncSession, submission: Submission, verdicts: list[Verdict]
) -> None:
    rows = [
        {
            "submission_id": submission.id,
            "position": position,
            "stix_id": v.stix_id,
            "stix_type": v.stix_type,
            "status": ObjectStatus.REJECTED if v.problems else ObjectStatus.ACCEPTED,
            "problems": v.problems,
        }
        for position, v in enumerate(verdicts)
    ]
    for start in range(0, len(rows), _BATCH):
        await db.execute(insert(SubmissionObject), rows[start : start + _BATCH])
    accepted = sum(not v.problems for v in verdicts)
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
    await db.flush()


@dataclass(frozen=True)
class SanitizeJob:
    """Everything the pure sanitizer needs, read in one short transaction.

    The stored body goes as it is (bytes pickle fast); the worker parses it, so a big
    submission's objects are never built, nor pickled, on the event loop.
    """

    raw: bytes
    accepted: frozenset[int]
    profile: MemberProfile
    sector: SectorRef
    # Every other member's registry: protected in this submission as the submitter's is.
    others: tuple[MemberProfile, ...] = ()


async def sanitize_job(db: AsyncSession, submission_id: str) -> SanitizeJob | None:
    submission = await db.scalar(
        select(Submission).where(Submission.id == submission_id, Submission.state == S.VALIDATED)
    )
    if submission is None:
        return None
    blob = await db.get(SubmissionBlob, submission_id)
    if blob is None:  # pragma: no cover
        raise RuntimeError(f"submission {submission_id} has no stored body")
    accepted = frozenset(
        await db.scalars(
            select(SubmissionObject.position).where(
                SubmissionObject.submission_id == submission_id,
                SubmissionObject.status == ObjectStatus.ACCEPTED,
            )
        )
    )
    member = await db.scalar(
        select(Member).where(Member.id == submission.member_id).options(selectinload(Member.sector))
    )
    if member is None:  # pragma: no cover - a foreign key guarantees it
        raise RuntimeError(f"submission {submission_id} has no member")
    registry = await profiles.registry_for(db, member)
    return SanitizeJob(blob.raw, accepted, registry.profile, registry.sector, registry.others)


def watch_parent(parent: int) -> None:
    """Initializer of worker processes: exit when the hub that started them is gone.

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
    envelope = intake.parse(job.raw, records.STORED_LIMITS, allow_taxii_envelope=True)
    objects = [o for i, o in enumerate(envelope.objects) if i in job.accepted]
    result = sanitize(
        objects,
        job.profile,
        ctx.policy,
        secret=ctx.secret,
        hub_identity=ctx.hub_identity,
        sector=job.sector,
        others=job.others,
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
    maker: async_sessionmaker[AsyncSession],
    submission_id: str,
    ctx: HubRuntime,
    deadline: float | None = None,
) -> Outcome | None:
    """Read, sanitize outside any transaction (in a worker process), then write."""
    async with maker() as db:
        job = await sanitize_job(db, submission_id)
    if job is None:
        return None
    deadline = time.monotonic() + ctx.time_limit if deadline is None else deadline
    result = await off_loop(ctx, deadline, run_sanitizer, job, ctx)
    async with maker.begin() as db:
        return await store_sanitized(db, submission_id, *result)


async def process_in_own_transaction(
    maker: async_sessionmaker[AsyncSession], submission_id: str, ctx: HubRuntime
) -> Outcome | None:
    """Run every step still due, within the time limit; a failure marks the submission failed."""
    deadline = time.monotonic() + ctx.time_limit
    try:
        outcome = await validate_step(maker, submission_id, ctx, deadline)
        moved = await sanitize_step(maker, submission_id, ctx, deadline)
    except Stopped as exc:
        log.warning(
            "processing stopped", extra={"submission_id": submission_id, "failure": exc.failure}
        )
        await _mark_failed(maker, submission_id, exc.failure, exc.reason)
        return None
    except Exception as exc:
        # Where, and the class only: a message or a traceback's locals could quote content.
        log.error(
            "processing failed", extra={"submission_id": submission_id, "trace": stack_of(exc)}
        )
        await _mark_failed(
            maker, submission_id, type(exc).__name__, "processing error; an operator can retry it"
        )
        return None
    return moved or outcome


async def _mark_failed(
    maker: async_sessionmaker[AsyncSession], submission_id: str, failure: str, reason: str
) -> None:
    async with maker.begin() as db:
        submission = await db.get(Submission, submission_id)
        if submission is not None and submission.state in _RESUMABLE:
            submission.failure = failure
            db.add(lifecycle.move(submission, S.FAILED, actor_account_id=None, reason=reason))


async def schedule(
    maker: async_sessionmaker[AsyncSession], submission_id: str, ctx: HubRuntime
) -> None:
    """Process a submission: queued in its member's turn when the hub runs a queue, else now."""
    if ctx.queue is None:
        await process_in_own_transaction(maker, submission_id, ctx)
        return
    async with maker() as db:
        member_id = await db.scalar(
            select(Submission.member_id).where(Submission.id == submission_id)
        )
    if member_id is not None:
        ctx.queue.put(member_id, submission_id)


async def _waiting(
    maker: async_sessionmaker[AsyncSession], limit: int, idle_for: float = 0.0
) -> list[tuple[str, str]]:
    query = select(Submission.id, Submission.member_id).where(Submission.state.in_(_RESUMABLE))
    if idle_for > 0:
        query = query.where(Submission.updated_at <= utcnow() - timedelta(seconds=idle_for))
    async with maker() as db:
        rows = await db.execute(query.order_by(Submission.received_at).limit(limit))
        return [(sid, member) for sid, member in rows]


async def waiting(maker: async_sessionmaker[AsyncSession], limit: int = 100) -> list[str]:
    return [sid for sid, _ in await _waiting(maker, limit)]


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


async def sweep(
    maker: async_sessionmaker[AsyncSession], ctx: HubRuntime, *, idle_for: float = 0.0
) -> int:
    """Hand what is acknowledged but not processed to the queue (or process it, without one).

    ``idle_for``: only submissions unchanged for that many seconds, so that another server
    process's queue, which may be working on one right now, is not duplicated. Returns how
    many were newly queued (or processed).
    """
    if ctx.queue is None:
        return await drain(maker, ctx)
    waiting = await _waiting(maker, 10_000, idle_for)
    return sum(ctx.queue.put(member, sid) for sid, member in waiting)
