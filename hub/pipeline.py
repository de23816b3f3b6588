"""Processing after intake: validate each object, off the request path, resumable after a crash."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub import intake, lifecycle, validate
from hub.models import (
    ObjectStatus,
    Submission,
    SubmissionBlob,
    SubmissionObject,
    SubmissionState,
)

log = logging.getLogger("mamori.pipeline")

# Intake already enforced the configured limits; re-parsing a stored body must not fail on
# a limit lowered since, so processing uses generous ones.
_STORED = intake.Limits(max_objects=10**9, max_depth=10**6, max_string_bytes=2**62)


@dataclass(frozen=True, slots=True)
class Outcome:
    submission_id: str
    state: SubmissionState
    accepted: int
    rejected: int


async def _claim(db: AsyncSession, submission_id: str) -> Submission | None:
    query = select(Submission).where(
        Submission.id == submission_id, Submission.state == SubmissionState.RECEIVED
    )
    if db.bind.dialect.name == "postgresql":
        # Several workers may race for the same submission; the loser skips it.
        query = query.with_for_update(skip_locked=True)
    return await db.scalar(query)


async def process(db: AsyncSession, submission_id: str) -> Outcome | None:
    """Validate a received submission; None when it is not (or no longer) waiting."""
    submission = await _claim(db, submission_id)
    if submission is None:
        return None
    blob = await db.get(SubmissionBlob, submission_id)
    if blob is None:  # pragma: no cover - the blob is written in the same transaction
        raise RuntimeError(f"submission {submission_id} has no stored body")
    envelope = intake.parse(blob.raw, _STORED, allow_taxii_envelope=True)
    rows = []
    accepted = 0
    for position, obj in enumerate(envelope.objects):
        problems = validate.check_object(obj)
        is_dict = isinstance(obj, dict)
        stix_id = obj.get("id") if is_dict else None
        stix_type = obj.get("type") if is_dict else None
        rows.append(
            {
                "submission_id": submission_id,
                "position": position,
                "stix_id": stix_id[:300] if isinstance(stix_id, str) else None,
                "stix_type": stix_type[:250] if isinstance(stix_type, str) else None,
                "status": ObjectStatus.REJECTED if problems else ObjectStatus.ACCEPTED,
                "problems": [{"property": p.property, "reason": p.reason} for p in problems],
            }
        )
        accepted += not problems
    await db.execute(insert(SubmissionObject), rows)
    submission.accepted_count = accepted
    submission.rejected_count = len(rows) - accepted
    reason = f"{accepted} of {len(rows)} objects valid"
    to = SubmissionState.VALIDATED if accepted else SubmissionState.REJECTED
    if to is SubmissionState.REJECTED:
        db.add(
            lifecycle.move(
                submission, SubmissionState.VALIDATED, actor_account_id=None, reason=reason
            )
        )
        reason = "no valid object in the submission"
    db.add(lifecycle.move(submission, to, actor_account_id=None, reason=reason))
    await db.flush()
    return Outcome(submission_id, submission.state, accepted, len(rows) - accepted)


async def process_in_own_transaction(
    maker: async_sessionmaker[AsyncSession], submission_id: str
) -> Outcome | None:
    """Process one submission; an unexpected error marks it failed instead of looping forever."""
    try:
        async with maker.begin() as db:
            return await process(db, submission_id)
    except Exception as exc:
        log.exception("processing failed", extra={"submission_id": submission_id})
        async with maker.begin() as db:
            submission = await db.get(Submission, submission_id)
            if submission is not None and submission.state == SubmissionState.RECEIVED:
                submission.failure = type(exc).__name__
                db.add(
                    lifecycle.move(
                        submission,
                        SubmissionState.FAILED,
                        actor_account_id=None,
                        reason="processing error; an operator can retry it",
                    )
                )
        return None


async def waiting(maker: async_sessionmaker[AsyncSession], limit: int = 100) -> list[str]:
    async with maker() as db:
        rows = await db.scalars(
            select(Submission.id)
            .where(Submission.state == SubmissionState.RECEIVED)
            .order_by(Submission.received_at)
            .limit(limit)
        )
        return list(rows)


async def drain(maker: async_sessionmaker[AsyncSession]) -> int:
    """Process everything acknowledged but not yet processed (after a restart, say)."""
    done = 0
    while ids := await waiting(maker):
        progressed = 0
        for submission_id in ids:
            if await process_in_own_transaction(maker, submission_id) is not None:
                progressed += 1
        done += progressed
        if progressed == 0:
            break
    return done
