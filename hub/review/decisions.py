"""Operator decisions on a submission: approve, reject, send back, reopen, edit.

Decisions: approve with a sharing scope (with four-eyes, a scope beyond the submitter's
sector needs a second, different operator), reject or send back with a reason the submitter
sees, reopen an approved submission, and edit: drop objects, add redactions the sanitizer
missed, or keep values as attacker data. Edits are stored and replayed over the sealed
original through the sanitizer, so ids and references stay consistent and a later edit
never loses an earlier one. Every decision is a recorded transition and an audit entry.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from hub import audit, sharing
from hub.config import Settings
from hub.db import utcnow
from hub.errors import Conflict, Forbidden, Unprocessable
from hub.members import profiles
from hub.members.principals import Principal
from hub.models import (
    Member,
    ObjectStatus,
    Submission,
    SubmissionBlob,
    SubmissionObject,
    SubmissionReview,
    SubmissionState,
)
from hub.review import diff
from hub.runtime import HubRuntime
from hub.sanitize import MemberProfile, SectorRef, sanitize
from hub.sanitize.matchers import long_enough
from hub.sanitize.report import Change, Report
from hub.submissions import consent, intake, lifecycle, pipeline, publication, records

S = SubmissionState
MAX_EDIT_VALUES = 200
QUEUE_SCAN = 2000  # rows read at most to fill one filtered page


@dataclass(frozen=True, slots=True)
class Edits:
    """Operator edits replayed on every re-sanitization."""

    drop: tuple[str, ...] = ()  # original ids
    redact: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Edits:
        data = data or {}
        return cls(*(tuple(data.get(k, ())) for k in ("drop", "redact", "keep")))

    def to_json(self) -> dict[str, list[str]]:
        return {"drop": list(self.drop), "redact": list(self.redact), "keep": list(self.keep)}

    def merged(self, other: Edits) -> Edits:
        return Edits(
            *(
                tuple(dict.fromkeys((*a, *b)))
                for a, b in (
                    (self.drop, other.drop),
                    (self.redact, other.redact),
                    (self.keep, other.keep),
                )
            )
        )


@dataclass(slots=True)
class Approval:
    """What an approval led to: waiting for a second operator, for consent, or published."""

    submission: Submission
    row: SubmissionReview
    stage: str  # awaiting_second | awaiting_consent | published


def _staff(principal: Principal) -> None:
    if not principal.is_staff:
        raise Forbidden("only hub operators review submissions")


def _require(submission: Submission, *states: SubmissionState, doing: str) -> None:
    if submission.state not in states:
        allowed = " or ".join(s.value for s in states)
        raise lifecycle.InvalidTransition(
            f"submission {submission.id} is {submission.state.value}; it can be {doing} only "
            f"when {allowed}"
        )


def _text(value: str, what: str) -> str:
    value = value.strip()
    if not value:
        raise Unprocessable(f"{what} must not be empty")
    return value


# --- the sealed original and the sanitized version -------------------------------------


async def accepted_originals(db: AsyncSession, submission: Submission) -> list[dict[str, Any]]:
    """The original objects that passed validation, in body order (operators only)."""
    blob = await db.get(SubmissionBlob, submission.id)
    if blob is None:  # pragma: no cover - written with the submission
        raise RuntimeError(f"submission {submission.id} has no stored body")
    accepted = set(
        await db.scalars(
            select(SubmissionObject.position).where(
                SubmissionObject.submission_id == submission.id,
                SubmissionObject.status == ObjectStatus.ACCEPTED,
            )
        )
    )
    envelope = intake.parse(blob.raw, records.STORED_LIMITS, allow_taxii_envelope=True)
    return [o for i, o in enumerate(envelope.objects) if i in accepted and isinstance(o, dict)]


async def _member(db: AsyncSession, member_id: str) -> Member:
    member = await db.scalar(
        select(Member)
        .where(Member.id == member_id)
        .options(selectinload(Member.assets), selectinload(Member.sector))
    )
    if member is None:  # pragma: no cover - a foreign key guarantees it
        raise RuntimeError(f"no member {member_id}")
    return member


def _resolve_drops(
    requested: Iterable[str], originals: Sequence[Mapping[str, Any]], mapping: Mapping[str, Any]
) -> tuple[str, ...]:
    """Original ids for ids given either as the original's or as the sanitized hub id."""
    original_ids = {str(o["id"]) for o in originals if isinstance(o.get("id"), str)}
    by_hub: dict[str, list[str]] = {}
    for oid, hub_id in mapping.items():
        if hub_id is not None and oid in original_ids:
            by_hub.setdefault(hub_id, []).append(oid)
    out: list[str] = []
    for ident in requested:
        if ident in original_ids:
            out.append(ident)
        elif ident in by_hub:
            out.extend(by_hub[ident])
        else:
            raise Unprocessable(f"{ident} is not an object of this submission")
    return tuple(dict.fromkeys(out))


async def resanitize(
    db: AsyncSession, submission: Submission, edits: Edits, ctx: HubRuntime
) -> tuple[list[dict[str, Any]], Report]:
    """Run the sanitizer again over the sealed original with the operator's edits applied."""
    originals = await accepted_originals(db, submission)
    member = await _member(db, submission.member_id)
    registry = await profiles.registry_for(db, member)
    profile = dataclasses.replace(
        registry.profile,
        terms=(*registry.profile.terms, *edits.redact),
        keep_values=(*registry.profile.keep_values, *edits.keep),
    )
    dropped = set(edits.drop)
    kept = [o for o in originals if o.get("id") not in dropped]
    # Off the event loop and under the submission time limit, like the pipeline's first pass.
    deadline = time.monotonic() + ctx.time_limit
    try:
        objects, changes = await pipeline.off_loop(
            ctx, deadline, sanitize_edited, kept, profile, ctx, registry.sector, registry.others
        )
    except pipeline.Stopped as exc:
        raise Unprocessable(f"the edit could not be applied: {exc.reason}") from None
    report = Report(
        [
            *changes.changes,
            *(
                Change(o["id"], None, "", "operator-drop", str(o.get("type")), None)
                for o in originals
                if o.get("id") in dropped
            ),
        ]
    )
    blob = await db.get(SubmissionBlob, submission.id)
    if blob is None:  # pragma: no cover
        raise RuntimeError(f"submission {submission.id} has no stored body")
    blob.sanitized = orjson.dumps(objects)
    blob.report = report.to_json()
    return objects, report


def sanitize_edited(
    objects: list[dict[str, Any]],
    profile: MemberProfile,
    ctx: HubRuntime,
    sector: SectorRef,
    others: Sequence[MemberProfile],
) -> tuple[list[dict[str, Any]], Report]:
    """The sanitizer over an edited submission: pure, run in a worker process."""
    result = sanitize(
        objects,
        profile,
        ctx.policy,
        secret=ctx.secret,
        hub_identity=ctx.hub_identity,
        sector=sector,
        others=others,
    )
    return result.objects, result.report


# --- decisions ---------------------------------------------------------------------------


def _clear_approval(row: SubmissionReview) -> None:
    row.breadth, row.extra_sectors = None, []
    row.approved_by = row.approved_at = row.second_by = row.second_at = None
    row.consent = row.consent_by = row.consent_at = None
    row.consent_cross_sector = row.consent_amber_strict = row.consent_auto = False


async def approve(
    db: AsyncSession,
    operator: Principal,
    submission_id: str,
    scope: sharing.Scope,
    *,
    settings: Settings,
    ctx: HubRuntime,
    note: str | None = None,
) -> Approval:
    """Approve with a sharing scope; then consent is asked (or given by auto-consent)."""
    _staff(operator)
    submission = await records.lock(db, submission_id)
    _require(submission, S.IN_REVIEW, doing="approved")
    member = await _member(db, submission.member_id)
    unknown = sorted(scope.extra_sectors - await publication.known_sectors(db))
    if unknown:
        raise Unprocessable(f"unknown sector(s) in the scope: {', '.join(unknown)}")
    row = await records.review_row(db, submission.id)
    now = utcnow()
    beyond = len(sharing.scope_targets(scope, member.sector.slug)) > 1
    same_scope = row.breadth == scope.breadth and sorted(row.extra_sectors or ()) == sorted(
        scope.extra_sectors
    )
    described = _describe(scope)
    details: dict[str, Any] = {"scope": described, "note": note}
    if settings.four_eyes and beyond and not (row.approved_by is not None and same_scope):
        row.breadth, row.extra_sectors = scope.breadth, sorted(scope.extra_sectors)
        row.approved_by, row.approved_at, row.second_by, row.second_at = (
            operator.account_id,
            now,
            None,
            None,
        )
        row.updated_at = now
        db.add(
            lifecycle.move(
                submission,
                S.IN_REVIEW,
                actor_account_id=operator.account_id,
                reason=f"first approval for {described}; four-eyes: a second operator must confirm",
            )
        )
        await audit.record(
            db,
            actor=operator,
            action="review.approve",
            subject=f"submission:{submission.id}",
            details=details | {"stage": "first of two"},
        )
        await db.flush()
        return Approval(submission, row, "awaiting_second")
    if settings.four_eyes and beyond:
        if row.approved_by == operator.account_id:
            raise Conflict(
                "four-eyes rule: a scope beyond the submitter's sector needs a second, "
                "different operator's approval"
            )
        row.second_by, row.second_at = operator.account_id, now
        details["stage"] = "second of two"
    else:
        row.breadth, row.extra_sectors = scope.breadth, sorted(scope.extra_sectors)
        row.approved_by, row.approved_at, row.second_by, row.second_at = (
            operator.account_id,
            now,
            None,
            None,
        )
    row.updated_at = now
    db.add(
        lifecycle.move(
            submission,
            S.AWAITING_CONSENT,
            actor_account_id=operator.account_id,
            reason=f"approved for {described}" + (f": {note}" if note else ""),
        )
    )
    await audit.record(
        db,
        actor=operator,
        action="review.approve",
        subject=f"submission:{submission.id}",
        details=details,
    )
    if await consent.apply_auto(db, submission, row, scope=scope, ctx=ctx, rules=settings.sharing):
        return Approval(submission, row, "published")
    await db.flush()
    return Approval(submission, row, "awaiting_consent")


def _describe(scope: sharing.Scope) -> str:
    if scope.extra_sectors:
        return f"{scope.breadth} ({', '.join(sorted(scope.extra_sectors))})"
    return scope.breadth


async def _decide(
    db: AsyncSession,
    operator: Principal,
    submission_id: str,
    to: SubmissionState,
    reason: str,
    *,
    action: str,
    doing: str,
    states: tuple[SubmissionState, ...],
) -> Submission:
    _staff(operator)
    reason = _text(reason, "the reason")
    submission = await records.lock(db, submission_id)
    _require(submission, *states, doing=doing)
    row = await records.review_row(db, submission.id)
    _clear_approval(row)
    row.reason = reason
    row.updated_at = utcnow()
    db.add(lifecycle.move(submission, to, actor_account_id=operator.account_id, reason=reason))
    await audit.record(
        db,
        actor=operator,
        action=action,
        subject=f"submission:{submission.id}",
        details={"reason": reason},
    )
    await db.flush()
    return submission


async def reject(
    db: AsyncSession, operator: Principal, submission_id: str, reason: str
) -> Submission:
    """Reject for good, with a reason the submitter sees."""
    return await _decide(
        db,
        operator,
        submission_id,
        S.REJECTED,
        reason,
        action="review.reject",
        doing="rejected",
        states=(S.IN_REVIEW, S.AWAITING_CONSENT),
    )


async def send_back(
    db: AsyncSession, operator: Principal, submission_id: str, reason: str
) -> Submission:
    """Return to the submitter for a corrected version, with what to correct."""
    return await _decide(
        db,
        operator,
        submission_id,
        S.SENT_BACK,
        reason,
        action="review.send_back",
        doing="sent back",
        states=(S.IN_REVIEW,),
    )


async def reopen(
    db: AsyncSession, operator: Principal, submission_id: str, reason: str
) -> Submission:
    """Take an approved submission back into review; its approval and consent lapse."""
    return await _decide(
        db,
        operator,
        submission_id,
        S.IN_REVIEW,
        reason,
        action="review.reopen",
        doing="reopened",
        states=(S.AWAITING_CONSENT,),
    )


async def edit(
    db: AsyncSession,
    operator: Principal,
    submission_id: str,
    edits: Edits,
    *,
    ctx: HubRuntime,
    note: str | None = None,
) -> Submission:
    """Drop objects, add redactions, keep attacker values; re-sanitizes from the original."""
    _staff(operator)
    submission = await records.lock(db, submission_id)
    _require(submission, S.IN_REVIEW, doing="edited")
    redact = tuple(dict.fromkeys(t.strip() for t in edits.redact))
    keep = tuple(dict.fromkeys(v.strip() for v in edits.keep))
    if short := [t for t in redact if not long_enough(t)]:
        raise Unprocessable(
            "a redaction term needs at least two kanji or kana (佐藤) or three letters or "
            f"digits: {short[0]!r}"
        )
    if any(not v for v in keep):
        raise Unprocessable("a value to keep must not be empty")
    if not (edits.drop or redact or keep):
        raise Unprocessable("an edit needs something to drop, redact or keep")
    if max(len(edits.drop), len(redact), len(keep)) > MAX_EDIT_VALUES:
        raise Unprocessable(f"at most {MAX_EDIT_VALUES} values per kind in one edit")
    row = await records.review_row(db, submission.id)
    blob = await db.get(SubmissionBlob, submission.id)
    originals = await accepted_originals(db, submission)
    sanitized = records.sanitized_objects(blob) if blob is not None else []
    mapping = diff.id_map(records.stored_report(blob), sanitized)
    drop = _resolve_drops(edits.drop, originals, mapping)
    combined = Edits.from_json(row.edits).merged(Edits(drop, redact, keep))
    objects, report = await resanitize(db, submission, combined, ctx)
    _clear_approval(row)
    row.edits = combined.to_json()
    row.updated_at = utcnow()
    summary = (
        f"edited: {len(drop)} dropped, {len(redact)} redaction(s) added, "
        f"{len(keep)} value(s) kept; {len(objects)} objects out"
    )
    db.add(
        lifecycle.move(
            submission,
            S.IN_REVIEW,
            actor_account_id=operator.account_id,
            reason=summary + (f" ({note})" if note else ""),
        )
    )
    # Redaction terms are the member's own sensitive values: the audit keeps only a count.
    await audit.record(
        db,
        actor=operator,
        action="review.edit",
        subject=f"submission:{submission.id}",
        details={
            "dropped": list(drop),
            "redactions_added": len(redact),
            "kept": list(keep),
            "note": note,
            "changes": len(report.changes),
        },
    )
    await db.flush()
    return submission


# --- reading -----------------------------------------------------------------------------
