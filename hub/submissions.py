"""Reading submissions back: a member sees its own, operators see all."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from hub.errors import BadRequest, NotFound
from hub.models import Member, Submission, SubmissionState
from hub.principals import Principal


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
