"""The operator's queue and a submission's full picture for review."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from hub import sharing
from hub.db import utcnow
from hub.errors import NotFound
from hub.members.principals import Principal
from hub.models import Member, Sector, Submission, SubmissionBlob, SubmissionReview, SubmissionState
from hub.review import diff, triage
from hub.review.decisions import QUEUE_SCAN, _member, _staff, accepted_originals
from hub.runtime import HubRuntime
from hub.sanitize import SectorRef
from hub.sanitize.report import Report
from hub.stix.tlp import Tlp, effective_tlp
from hub.submissions import publication, records
from hub.submissions.records import decode_cursor, encode_cursor

S = SubmissionState


@dataclass(slots=True)
class Detail:
    """Everything an operator needs to decide on one submission."""

    submission: Submission
    member: Member
    row: SubmissionReview | None
    original: list[dict[str, Any]]
    sanitized: list[dict[str, Any]]
    report: Report
    diff: list[diff.ObjectDiff]
    flags: list[triage.Flag]
    tlp: dict[str, Tlp]
    plan: publication.Plan | None


async def detail(
    db: AsyncSession,
    operator: Principal,
    submission_id: str,
    *,
    ctx: HubRuntime,
    rules: sharing.Rules,
) -> Detail:
    """The original beside the sanitized version, the report, the diff and triage flags."""
    _staff(operator)
    submission = await db.scalar(
        select(Submission)
        .where(Submission.id == submission_id)
        .options(selectinload(Submission.objects), selectinload(Submission.events))
    )
    if submission is None:
        raise NotFound(f"no submission {submission_id}")
    member = await _member(db, submission.member_id)
    row = await db.get(SubmissionReview, submission.id)
    blob = await db.get(SubmissionBlob, submission.id)
    original = await accepted_originals(db, submission) if submission.accepted_count else []
    sanitized = records.sanitized_objects(blob) if blob is not None else []
    report = records.stored_report(blob)
    context = publication.context_ids(ctx, SectorRef(member.sector.slug, member.sector.name))
    intelligence = [o for o in sanitized if o.get("id") not in context]
    plan = None
    if row is not None and row.breadth is not None:
        plan = await publication.plan_for(
            db,
            submission,
            row,
            ctx=ctx,
            rules=rules,
            consent=publication.consent_of(row, approved=True),
        )
    return Detail(
        submission=submission,
        member=member,
        row=row,
        original=original,
        sanitized=sanitized,
        report=report,
        diff=diff.diff(original, sanitized, diff.id_map(report, sanitized)),
        flags=await triage.flags(db, submission.member_id, intelligence, report),
        tlp=effective_tlp(intelligence, default=rules.default_tlp),
        plan=plan,
    )


@dataclass(slots=True)
class QueueItem:
    submission: Submission
    member_slug: str
    sector_slug: str
    tlp_counts: dict[str, int]
    awaiting_second: bool
    flagged: int = 0  # the sanitizer's probable findings left for the operator


@dataclass(slots=True)
class QueuePage:
    items: list[QueueItem]
    next_cursor: str | None


async def queue(
    db: AsyncSession,
    operator: Principal,
    *,
    ctx: HubRuntime,
    rules: sharing.Rules,
    states: frozenset[SubmissionState] = frozenset({S.IN_REVIEW}),
    sector: str | None = None,
    member: str | None = None,
    tlp: frozenset[Tlp] = frozenset(),
    min_age: timedelta | None = None,
    max_age: timedelta | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> QueuePage:
    """Oldest first; `tlp` keeps submissions holding at least one object at one of the levels."""
    _staff(operator)
    now = utcnow()
    query = (
        select(
            Submission,
            Member.slug,
            Sector.slug,
            Sector.name,
            SubmissionBlob.sanitized,
            SubmissionBlob.report,
            SubmissionReview.approved_by,
            SubmissionReview.second_by,
        )
        .join(Member, Member.id == Submission.member_id)
        .join(Sector, Sector.id == Member.sector_id)
        .join(SubmissionBlob, SubmissionBlob.submission_id == Submission.id)
        .outerjoin(SubmissionReview, SubmissionReview.submission_id == Submission.id)
        .where(Submission.state.in_(states))
    )
    if sector is not None:
        query = query.where(Sector.slug == sector)
    if member is not None:
        query = query.where(Member.slug == member)
    if min_age is not None:
        query = query.where(Submission.received_at <= now - min_age)
    if max_age is not None:
        query = query.where(Submission.received_at >= now - max_age)
    after = decode_cursor(cursor) if cursor is not None else None
    items: list[QueueItem] = []
    scanned = 0
    last: tuple[datetime, str] | None = after
    exhausted = False
    while len(items) <= limit and scanned < QUEUE_SCAN:
        page = query
        if last is not None:
            page = page.where(
                or_(
                    Submission.received_at > last[0],
                    and_(Submission.received_at == last[0], Submission.id > last[1]),
                )
            )
        batch = (
            await db.execute(page.order_by(Submission.received_at, Submission.id).limit(limit + 1))
        ).all()
        if not batch:
            exhausted = True
            break
        for sub, member_slug, sector_slug, sector_name, body, report, first, second in batch:
            scanned += 1
            last = (sub.received_at, sub.id)
            counts = _tlp_counts(body, ctx, rules, SectorRef(sector_slug, sector_name))
            if tlp and not any(level.label in counts for level in tlp):
                continue
            items.append(
                QueueItem(
                    sub,
                    member_slug,
                    sector_slug,
                    counts,
                    first is not None and second is None and sub.state is S.IN_REVIEW,
                    triage.flagged_count(report),
                )
            )
            if len(items) > limit:
                break
        if len(batch) <= limit and len(items) <= limit:
            exhausted = True
            break
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        next_cursor = encode_cursor(items[-1].submission.received_at, items[-1].submission.id)
    elif not exhausted and last is not None:
        # Scanned as far as one request may without filling the page: continue from there.
        next_cursor = encode_cursor(*last)
    return QueuePage(items, next_cursor)


def _tlp_counts(
    body: bytes | None, ctx: HubRuntime, rules: sharing.Rules, sector: SectorRef
) -> dict[str, int]:
    if not body:
        return {}
    context = publication.context_ids(ctx, sector)
    objects = [o for o in orjson.loads(body) if o.get("id") not in context]
    levels = effective_tlp(objects, default=rules.default_tlp)
    return dict(sorted(Counter(level.label for level in levels.values()).items()))
