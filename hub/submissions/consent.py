"""The submitter's side: see exactly what will be published, approve or withdraw, auto-consent.

Nothing is published without the submitter's approval of the sanitized version (J-CSIP's
provider approval). A member may approve in advance, per scope breadth, with auto-consent;
TLP:AMBER+STRICT content is never covered by it and always needs a per-submission answer.
A member sees only its own submissions; any other id is simply not found.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub import audit, sharing
from hub.db import utcnow
from hub.errors import Forbidden, NotFound, Unprocessable
from hub.members.principals import Principal
from hub.models import (
    AutoConsent,
    Member,
    Role,
    Sector,
    Submission,
    SubmissionBlob,
    SubmissionEvent,
    SubmissionObject,
    SubmissionReview,
    SubmissionState,
)
from hub.runtime import HubRuntime
from hub.sanitize import SectorRef
from hub.sanitize.report import Report
from hub.store import revocations
from hub.submissions import intake, lifecycle, publication, records

S = SubmissionState
# After publication too: what went out is then taken back (`hub.store.revocations`).
WITHDRAWABLE = (S.IN_REVIEW, S.AWAITING_CONSENT, S.SENT_BACK, S.PUBLISHED)


@dataclass(frozen=True, slots=True)
class AutoSettings:
    """The scope breadths a member approves in advance, and whether AMBER may cross sectors."""

    breadths: tuple[sharing.Breadth, ...] = ()
    cross_sector: bool = False

    @classmethod
    def parse(cls, breadths: Iterable[str], cross_sector: bool) -> AutoSettings:
        """Settings from the words a member sent; 422 for an unknown breadth."""
        words = list(breadths)
        unknown = [b for b in words if b not in sharing.BREADTHS]
        if unknown:
            raise Unprocessable(f"unknown scope breadth {unknown[0]!r}")
        return cls(tuple(sharing.Breadth(b) for b in words), cross_sector)


@dataclass(slots=True)
class Preview:
    """What the submitter sees: state, reason, the sanitized objects, report, and the plan."""

    submission: Submission
    row: SubmissionReview | None
    events: list[SubmissionEvent]
    sanitized: list[dict[str, Any]]
    report: Report
    plan: publication.Plan | None
    consent: sharing.Consent | None


def _submitter(principal: Principal) -> str:
    if principal.role is not Role.SUBMITTER or principal.member_id is None:
        raise Forbidden("only the member's submitter accounts answer for its submissions")
    return principal.member_id


async def _own(db: AsyncSession, principal: Principal, submission_id: str) -> Submission:
    submission = await records.lock(db, submission_id)
    if not (principal.is_staff or submission.member_id == principal.member_id):
        raise NotFound(f"no submission {submission_id}")
    return submission


async def get_auto(db: AsyncSession, member_id: str) -> AutoSettings:
    row = await db.get(AutoConsent, member_id)
    if row is None:
        return AutoSettings()
    return AutoSettings.parse(row.breadths, row.cross_sector)


async def set_auto(db: AsyncSession, principal: Principal, settings: AutoSettings) -> AutoSettings:
    """Replace the member's auto-consent; an empty list of breadths turns it off."""
    member_id = _submitter(principal)
    breadths = [b for b in sharing.BREADTHS if b in settings.breadths]
    row = await db.get(AutoConsent, member_id)
    if row is None:
        row = AutoConsent(member_id=member_id)
        db.add(row)
    row.breadths = [b.value for b in breadths]
    row.cross_sector = settings.cross_sector
    row.updated_by = principal.account_id
    row.updated_at = utcnow()
    await audit.record(
        db,
        actor=principal,
        action="consent.auto_settings",
        subject=f"member:{principal.member_slug}",
        details={"breadths": row.breadths, "cross_sector": settings.cross_sector},
    )
    await db.flush()
    return AutoSettings(tuple(breadths), settings.cross_sector)


async def apply_auto(
    db: AsyncSession,
    submission: Submission,
    row: SubmissionReview,
    *,
    scope: sharing.Scope,
    ctx: HubRuntime,
    rules: sharing.Rules,
) -> bool:
    """Consent and publish at once when the member approved this breadth in advance."""
    auto = await get_auto(db, submission.member_id)
    if scope.breadth not in auto.breadths:
        return False
    now = utcnow()
    row.consent, row.consent_auto, row.consent_by, row.consent_at = "approved", True, None, now
    row.consent_cross_sector, row.consent_amber_strict = auto.cross_sector, False
    row.updated_at = now
    await audit.record(
        db,
        actor=None,
        action="consent.approve",
        subject=f"submission:{submission.id}",
        details={
            "auto": True,
            "scope": scope.breadth,
            "cross_sector": auto.cross_sector,
            "amber_strict": False,
        },
    )
    await publication.publish_submission(
        db,
        submission,
        row,
        actor=None,
        ctx=ctx,
        rules=rules,
        reason="published under the member's auto-consent",
    )
    return True


async def preview(
    db: AsyncSession,
    principal: Principal,
    submission_id: str,
    *,
    ctx: HubRuntime,
    rules: sharing.Rules,
    cross_sector: bool | None = None,
    amber_strict: bool | None = None,
) -> Preview:
    """Exactly what would be published with the given answers (the stored ones by default)."""
    submission = await _own(db, principal, submission_id)
    row = await db.get(SubmissionReview, submission.id)
    blob = await db.get(SubmissionBlob, submission.id)
    events = list(
        await db.scalars(
            select(SubmissionEvent)
            .where(SubmissionEvent.submission_id == submission.id)
            .order_by(SubmissionEvent.id)
        )
    )
    sanitized = records.sanitized_objects(blob) if blob is not None else []
    report = records.stored_report(blob)
    plan = given = None
    if row is not None and row.breadth is not None and blob is not None and blob.sanitized:
        given = sharing.Consent(
            approved=True,
            cross_sector=row.consent_cross_sector if cross_sector is None else cross_sector,
            amber_strict=row.consent_amber_strict if amber_strict is None else amber_strict,
        )
        plan = await publication.plan_for(db, submission, row, ctx=ctx, rules=rules, consent=given)
    return Preview(submission, row, events, sanitized, report, plan, given)


async def approve(
    db: AsyncSession,
    principal: Principal,
    submission_id: str,
    *,
    cross_sector: bool,
    amber_strict: bool,
    ctx: HubRuntime,
    rules: sharing.Rules,
    note: str | None = None,
) -> publication.Plan:
    """The submitter approves the sanitized version; it is published in the same transaction."""
    _submitter(principal)
    submission = await _own(db, principal, submission_id)
    if submission.state is not S.AWAITING_CONSENT:
        raise lifecycle.InvalidTransition(
            f"submission {submission.id} is {submission.state.value}; only a submission "
            "awaiting consent can be approved"
        )
    row = await records.review_row(db, submission.id)
    now = utcnow()
    row.consent, row.consent_auto, row.consent_by, row.consent_at = (
        "approved",
        False,
        principal.account_id,
        now,
    )
    row.consent_cross_sector, row.consent_amber_strict = cross_sector, amber_strict
    row.updated_at = now
    await audit.record(
        db,
        actor=principal,
        action="consent.approve",
        subject=f"submission:{submission.id}",
        details={
            "auto": False,
            "cross_sector": cross_sector,
            "amber_strict": amber_strict,
            "note": note,
        },
    )
    return await publication.publish_submission(
        db,
        submission,
        row,
        actor=principal,
        ctx=ctx,
        rules=rules,
        reason="approved by the submitter" + (f": {note}" if note else ""),
    )


async def withdraw(
    db: AsyncSession,
    principal: Principal,
    submission_id: str,
    *,
    ctx: HubRuntime,
    reason: str | None = None,
) -> Submission:
    """The submitter withdraws its report: before publication nothing of it goes out; after,
    every object it published is revoked (readers and peers get the revoked version)."""
    _submitter(principal)
    submission = await _own(db, principal, submission_id)
    if submission.state not in WITHDRAWABLE:
        raise lifecycle.InvalidTransition(
            f"submission {submission.id} is {submission.state.value}; a rejected or withdrawn "
            "submission cannot be withdrawn"
        )
    taken_back: dict[str, list[str]] = {}
    if submission.state is S.PUBLISHED:
        sector = await db.scalar(
            select(Sector)
            .join(Member, Member.sector_id == Sector.id)
            .where(Member.id == submission.member_id)
        )
        keep = (
            publication.context_ids(ctx, SectorRef(sector.slug, sector.name))
            if sector is not None
            else frozenset({str(ctx.hub_identity["id"])})
        )
        taken_back = await revocations.withdraw_published(db, submission.id, keep)
    row = await records.review_row(db, submission.id)
    row.consent, row.consent_by, row.consent_at = "withdrawn", principal.account_id, utcnow()
    row.updated_at = row.consent_at
    db.add(
        lifecycle.move(
            submission,
            S.WITHDRAWN,
            actor_account_id=principal.account_id,
            reason=reason or "withdrawn by the submitter",
        )
    )
    await audit.record(
        db,
        actor=principal,
        action="consent.withdraw",
        subject=f"submission:{submission.id}",
        details={"reason": reason, "taken_back": taken_back},
    )
    await db.flush()
    return submission


async def revise(
    db: AsyncSession,
    principal: Principal,
    submission_id: str,
    raw: bytes,
    *,
    content_type: str,
    limits: intake.Limits,
) -> Submission:
    """Answer a send-back with a corrected body; it is validated and sanitized from scratch."""
    _submitter(principal)
    submission = await _own(db, principal, submission_id)
    if submission.state is not S.SENT_BACK:
        raise lifecycle.InvalidTransition(
            f"submission {submission.id} is {submission.state.value}; only a submission sent "
            "back can be revised"
        )
    envelope = intake.parse(raw, limits, allow_taxii_envelope=False)
    blob = await db.get(SubmissionBlob, submission.id)
    if blob is None:  # pragma: no cover
        raise RuntimeError(f"submission {submission.id} has no stored body")
    blob.raw, blob.sanitized, blob.report = raw, None, None
    await db.execute(
        delete(SubmissionObject).where(SubmissionObject.submission_id == submission.id)
    )
    submission.content_type = content_type
    submission.byte_count = len(raw)
    submission.object_count = len(envelope.objects)
    submission.bundle_id = envelope.bundle_id
    submission.accepted_count = submission.rejected_count = 0
    row = await records.review_row(db, submission.id)
    row.edits, row.reason, row.updated_at = {}, None, utcnow()
    db.add(
        lifecycle.move(
            submission,
            S.RECEIVED,
            actor_account_id=principal.account_id,
            reason="revised by the submitter after a send-back",
        )
    )
    await audit.record(
        db,
        actor=principal,
        action="submission.revise",
        subject=f"submission:{submission.id}",
        details={"objects": len(envelope.objects), "bytes": len(raw)},
    )
    await db.flush()
    return submission
