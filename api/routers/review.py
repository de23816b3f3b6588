"""Operator review: the queue, one submission in full, and the decisions on it."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from api.deps import Db, HubRuntimeDep, SettingsDep, require
from hub import review, sharing
from hub.db import utcnow
from hub.errors import Unprocessable
from hub.members.principals import Principal
from hub.models import Role, SubmissionReview, SubmissionState
from hub.review import triage
from hub.stix.tlp import Tlp
from hub.submissions import publication, records
from schemas.problems import Problem
from schemas.review import (
    ApproveIn,
    DecisionOut,
    DiffEntry,
    EditIn,
    FlagOut,
    ObjectDiff,
    QueueItem,
    QueuePage,
    ReasonIn,
    ReportOut,
    ReviewDetail,
    ReviewState,
    RouteOut,
)
from schemas.submissions import EventOut, ObjectResult, ProblemOut

router = APIRouter(prefix="/api/v1/review", tags=["review"])
Operator = Annotated[Principal, Depends(require(Role.OPERATOR, Role.ADMIN))]

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "content": {"application/problem+json": {}}}
    for code in (400, 401, 403, 404, 409, 422)
}


def review_state(row: SubmissionReview | None, state: SubmissionState) -> ReviewState | None:
    if row is None:
        return None
    return ReviewState(
        breadth=row.breadth,
        extra_sectors=list(row.extra_sectors or []),
        approved_at=row.approved_at,
        awaiting_second=(
            state is SubmissionState.IN_REVIEW
            and row.approved_by is not None
            and row.second_by is None
            and row.breadth is not None
        ),
        second_at=row.second_at,
        edits={k: list(v) for k, v in (row.edits or {}).items()},
        reason=row.reason,
        consent=row.consent,
        consent_cross_sector=row.consent_cross_sector,
        consent_amber_strict=row.consent_amber_strict,
        consent_auto=row.consent_auto,
        consent_at=row.consent_at,
        published_at=row.published_at,
        published_to={k: list(v) for k, v in (row.published_to or {}).items()},
    )


def routes(plan: publication.Plan) -> list[RouteOut]:
    return [
        RouteOut(
            id=oid, tlp=d.tlp.label, collections=sorted(d.collections), withheld=list(d.withheld)
        )
        for oid, d in plan.routing.items()
    ]


def _levels(values: list[str] | None) -> frozenset[Tlp]:
    try:
        return frozenset(Tlp.parse(v) for v in values or ())
    except ValueError as exc:
        raise Unprocessable(str(exc)) from None


@router.get("/queue", responses=_ERRORS)
async def get_queue(
    runtime: HubRuntimeDep,
    request: Request,
    db: Db,
    operator: Operator,
    settings: SettingsDep,
    state: Annotated[list[SubmissionState] | None, Query()] = None,
    sector: str | None = None,
    member: str | None = None,
    tlp: Annotated[list[str] | None, Query(description="e.g. amber, TLP:RED")] = None,
    min_age_hours: Annotated[float | None, Query(ge=0, le=1e6)] = None,
    max_age_hours: Annotated[float | None, Query(ge=0, le=1e6)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
) -> QueuePage:
    """Submissions waiting for an operator (or in the given states), oldest first."""
    page = await review.queue(
        db,
        operator,
        ctx=runtime,
        rules=settings.sharing,
        states=frozenset(state) if state else frozenset({SubmissionState.IN_REVIEW}),
        sector=sector,
        member=member,
        tlp=_levels(tlp),
        min_age=timedelta(hours=min_age_hours) if min_age_hours is not None else None,
        max_age=timedelta(hours=max_age_hours) if max_age_hours is not None else None,
        limit=limit,
        cursor=cursor,
    )
    now = utcnow()
    return QueuePage(
        items=[
            QueueItem(
                id=i.submission.id,
                member=i.member_slug,
                sector=i.sector_slug,
                state=i.submission.state,
                received_at=i.submission.received_at,
                updated_at=i.submission.updated_at,
                age_seconds=int((now - i.submission.received_at).total_seconds()),
                object_count=i.submission.object_count,
                accepted_count=i.submission.accepted_count,
                tlp=i.tlp_counts,
                awaiting_second=i.awaiting_second,
                flagged=i.flagged,
            )
            for i in page.items
        ],
        next=page.next_cursor,
    )


@router.get("/submissions/{submission_id}", responses=_ERRORS)
async def get_detail(
    runtime: HubRuntimeDep,
    request: Request,
    db: Db,
    operator: Operator,
    settings: SettingsDep,
    submission_id: str,
) -> ReviewDetail:
    """The sealed original beside the sanitized version, with report, diff and triage flags."""
    d = await review.detail(db, operator, submission_id, ctx=runtime, rules=settings.sharing)
    s = d.submission
    return ReviewDetail(
        id=s.id,
        member=d.member.slug,
        sector=d.member.sector.slug,
        state=s.state,
        received_at=s.received_at,
        updated_at=s.updated_at,
        original=d.original,
        rejected=[
            ObjectResult(
                position=o.position,
                id=o.stix_id,
                type=o.stix_type,
                status=o.status,
                problems=[ProblemOut(**p) for p in o.problems],
            )
            for o in s.objects
            if o.status.value == "rejected"
        ],
        sanitized=d.sanitized,
        report=ReportOut.model_validate(d.report),
        diff=[
            ObjectDiff(
                original_id=o.original_id,
                sanitized_id=o.sanitized_id,
                type=o.type,
                status=o.status,
                entries=[
                    DiffEntry(
                        path=e.path, op=e.op, before=e.before, after=e.after, reference=e.reference
                    )
                    for e in o.entries
                ],
            )
            for o in d.diff
        ],
        flags=[
            FlagOut(
                object_id=f.object_id,
                kind=f.kind,
                detail=f.detail,
                value=f.value,
                lists=list(f.lists),
                members=f.members,
                rule=f.rule,
                location=f.location,
            )
            for f in d.flags
        ],
        warninglists=triage.warninglists_available(),
        tlp={oid: level.label for oid, level in d.tlp.items()},
        routing=routes(d.plan) if d.plan is not None else None,
        review=review_state(d.row, s.state),
        events=[
            EventOut(at=e.at, from_state=e.from_state, to_state=e.to_state, reason=e.reason)
            for e in s.events
        ],
    )


async def _out(db: Db, submission_id: str, stage: str | None = None) -> DecisionOut:
    submission = await records.lock(db, submission_id)
    row = await db.get(SubmissionReview, submission_id)
    return DecisionOut(
        id=submission.id,
        state=submission.state,
        stage=stage,
        review=review_state(row, submission.state),
    )


@router.post("/submissions/{submission_id}/approve", responses=_ERRORS)
async def approve(
    runtime: HubRuntimeDep,
    request: Request,
    db: Db,
    operator: Operator,
    settings: SettingsDep,
    submission_id: str,
    body: ApproveIn,
) -> DecisionOut:
    """Approve with a sharing scope; the submitter is then asked to consent."""
    try:
        scope = sharing.Scope(body.scope.breadth, frozenset(body.scope.extra_sectors))
    except ValueError as exc:
        raise Unprocessable(str(exc)) from None
    outcome = await review.approve(
        db, operator, submission_id, scope, settings=settings, ctx=runtime, note=body.note
    )
    return await _out(db, submission_id, outcome.stage)


@router.post("/submissions/{submission_id}/reject", responses=_ERRORS)
async def reject(db: Db, operator: Operator, submission_id: str, body: ReasonIn) -> DecisionOut:
    """Reject, with a reason the submitter sees."""
    await review.reject(db, operator, submission_id, body.reason)
    return await _out(db, submission_id)


@router.post("/submissions/{submission_id}/send-back", responses=_ERRORS)
async def send_back(db: Db, operator: Operator, submission_id: str, body: ReasonIn) -> DecisionOut:
    """Send back to the submitter for a corrected version."""
    await review.send_back(db, operator, submission_id, body.reason)
    return await _out(db, submission_id)


@router.post("/submissions/{submission_id}/reopen", responses=_ERRORS)
async def reopen(db: Db, operator: Operator, submission_id: str, body: ReasonIn) -> DecisionOut:
    """Take an approved submission back into review before it is published."""
    await review.reopen(db, operator, submission_id, body.reason)
    return await _out(db, submission_id)


@router.post("/submissions/{submission_id}/edit", responses=_ERRORS)
async def edit(
    runtime: HubRuntimeDep,
    request: Request,
    db: Db,
    operator: Operator,
    submission_id: str,
    body: EditIn,
) -> DecisionOut:
    """Drop objects, add redactions, keep attacker values; the sanitizer runs again."""
    edits = review.Edits(tuple(body.drop), tuple(body.redact), tuple(body.keep))
    await review.edit(db, operator, submission_id, edits, ctx=runtime, note=body.note)
    return await _out(db, submission_id)
