"""The submission record: reading submissions back (a member sees its own, operators see all),
locking one for a decision, its review row and its stored bodies."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from hub.config import Limits
from hub.db import utcnow
from hub.errors import BadRequest, NotFound
from hub.members.principals import Principal
from hub.models import Member, Submission, SubmissionBlob, SubmissionReview, SubmissionState
from hub.sanitize.report import Change, Report

# Intake already enforced the configured limits; re-reading a stored body must not fail on
# a limit lowered since it was accepted, so stored bodies are parsed with generous ones.
STORED_LIMITS = Limits(max_objects=10**9, max_depth=10**6, max_string_bytes=2**62)


@dataclass(frozen=True, slots=True)
class Page:
    items: list[Submission]
    next_cursor: str | None


def encode_cursor(received_at: datetime, submission_id: str) -> str:
    """An opaque keyset position in a newest-first list of submissions."""
    raw = f"{received_at.isoformat()}|{submission_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, submission_id = raw.split("|", 1)
        at = datetime.fromisoformat(stamp)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadRequest("cursor is not one this hub issued") from None
    if at.tzinfo is None:
        raise BadRequest("cursor is not one this hub issued")
    return at, submission_id


async def get(db: AsyncSession, principal: Principal, submission_id: str) -> Submission:
    """One submission with its per-object results; another member's is simply not found."""
    submission = await db.scalar(
        select(Submission)
        .where(Submission.id == submission_id)
        .options(
            selectinload(Submission.objects),
            selectinload(Submission.events),
            selectinload(Submission.member),
        )
    )
    if submission is None or not (
        principal.is_staff or submission.member_id == principal.member_id
    ):
        raise NotFound(f"no submission {submission_id}")
    return submission


async def search(
    db: AsyncSession,
    principal: Principal,
    *,
    states: frozenset[SubmissionState] | None = None,
    member_slug: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page:
    """Newest first, keyset-paged on (received_at, id)."""
    query = select(Submission).options(selectinload(Submission.member))
    if not principal.is_staff:
        query = query.where(Submission.member_id == principal.member_id)
    if member_slug is not None:
        query = query.join(Member, Member.id == Submission.member_id).where(
            Member.slug == member_slug
        )
    if states:
        query = query.where(Submission.state.in_(states))
    if since is not None:
        query = query.where(Submission.received_at >= since)
    if until is not None:
        query = query.where(Submission.received_at < until)
    if cursor is not None:
        at, last_id = decode_cursor(cursor)
        query = query.where(
            or_(
                Submission.received_at < at,
                and_(Submission.received_at == at, Submission.id < last_id),
            )
        )
    query = query.order_by(Submission.received_at.desc(), Submission.id.desc()).limit(limit + 1)
    items = list((await db.scalars(query)).all())
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        next_cursor = encode_cursor(items[-1].received_at, items[-1].id)
    return Page(items, next_cursor)


async def lock(db: AsyncSession, submission_id: str) -> Submission:
    """The submission, row-locked on PostgreSQL so two decisions cannot interleave."""
    query = select(Submission).where(Submission.id == submission_id)
    if db.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    submission = await db.scalar(query)
    if submission is None:
        raise NotFound(f"no submission {submission_id}")
    return submission


async def review_row(db: AsyncSession, submission_id: str) -> SubmissionReview:
    """The submission's review row, created on first use."""
    row = await db.get(SubmissionReview, submission_id)
    if row is None:
        row = SubmissionReview(
            submission_id=submission_id,
            extra_sectors=[],
            edits={},
            published_to={},
            consent_cross_sector=False,
            consent_amber_strict=False,
            consent_auto=False,
            updated_at=utcnow(),
        )
        db.add(row)
        await db.flush()
    return row


def sanitized_objects(blob: SubmissionBlob) -> list[dict[str, Any]]:
    return list(orjson.loads(blob.sanitized)) if blob.sanitized else []


def stored_report(blob: SubmissionBlob | None) -> Report:
    """The sanitizer's change report as it was stored beside the sanitized objects."""
    data = blob.report if blob is not None else None
    if not data:
        return Report()
    return Report([Change(**change) for change in data.get("changes", ())])
