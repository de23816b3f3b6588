"""Member submissions: post a STIX 2.1 bundle, follow its state."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Query, Request
from pydantic import AwareDatetime

from api import body
from api.deps import Db, HubRuntimeDep, Sessionmaker, SettingsDep, SubmissionViewer, Submitter
from hub.models import Submission, SubmissionState
from hub.submissions import intake, pipeline, records
from schemas.problems import Problem
from schemas.submissions import (
    EventOut,
    ObjectResult,
    ProblemOut,
    Receipt,
    SubmissionDetail,
    SubmissionPage,
    SubmissionSummary,
)

router = APIRouter(prefix="/api/v1", tags=["submissions"])

JSON_TYPES = frozenset({"application/json", "application/stix+json", "application/taxii+json"})

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "content": {"application/problem+json": {}}}
    for code in (400, 401, 403, 413, 415, 422)
}
_BUNDLE_EXAMPLE = {
    "type": "bundle",
    "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
    "objects": [
        {
            "type": "indicator",
            "spec_version": "2.1",
            "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
            "created": "2026-11-20T09:00:00.000Z",
            "modified": "2026-11-20T09:00:00.000Z",
            "name": "C2 address seen in spear-phishing follow-up",
            "pattern": "[ipv4-addr:value = '198.51.100.23']",
            "pattern_type": "stix",
            "valid_from": "2026-11-20T09:00:00Z",
        }
    ],
}


def status_url(submission_id: str) -> str:
    return f"/api/v1/submissions/{submission_id}"


def summary(s: Submission) -> SubmissionSummary:
    return SubmissionSummary(
        id=s.id,
        member=s.member.slug,
        state=s.state,
        source=s.source,
        received_at=s.received_at,
        updated_at=s.updated_at,
        bundle_id=s.bundle_id,
        object_count=s.object_count,
        accepted_count=s.accepted_count,
        rejected_count=s.rejected_count,
        status_url=status_url(s.id),
    )


@router.post(
    "/submissions",
    status_code=202,
    responses=_ERRORS,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                media: {"schema": {"type": "object"}, "example": _BUNDLE_EXAMPLE}
                for media in ("application/stix+json;version=2.1", "application/json")
            },
        }
    },
)
@body.intake
async def create_submission(
    runtime: HubRuntimeDep,
    request: Request,
    db: Db,
    member: Submitter,
    settings: SettingsDep,
    maker: Sessionmaker,
    tasks: BackgroundTasks,
) -> Receipt:
    """Submit a STIX 2.1 bundle or a single object; it is stored before the receipt is sent."""
    content_type = body.require_json(request, JSON_TYPES)
    raw = await body.read_limited(request, settings.max_body_bytes)
    limits = settings.limits
    submission = await intake.receive(db, member, raw, content_type=content_type, limits=limits)
    tasks.add_task(pipeline.schedule, maker, submission.id, runtime)
    return Receipt.of(submission, status_url(submission.id))


@router.get("/submissions", responses=_ERRORS)
async def list_submissions(
    db: Db,
    principal: SubmissionViewer,
    state: Annotated[list[SubmissionState] | None, Query()] = None,
    member: str | None = None,
    since: Annotated[AwareDatetime | None, Query(description="with a time zone, e.g. Z")] = None,
    until: Annotated[AwareDatetime | None, Query(description="with a time zone, e.g. Z")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> SubmissionPage:
    """Submissions, newest first: a member's own, or all of them for operators."""
    page = await records.search(
        db,
        principal,
        states=frozenset(state) if state else None,
        member_slug=member,
        since=since,
        until=until,
        limit=limit,
        cursor=cursor,
    )
    return SubmissionPage(items=[summary(s) for s in page.items], next=page.next_cursor)


@router.get("/submissions/{submission_id}", responses=_ERRORS | {404: _ERRORS[400]})
async def get_submission(
    db: Db, principal: SubmissionViewer, submission_id: str
) -> SubmissionDetail:
    """A submission's state, per-object validation results and history."""
    s = await records.get(db, principal, submission_id)
    return SubmissionDetail(
        **summary(s).model_dump(),
        objects=[
            ObjectResult(
                position=o.position,
                id=o.stix_id,
                type=o.stix_type,
                status=o.status,
                problems=[ProblemOut(**p) for p in o.problems],
            )
            for o in s.objects
        ],
        events=[
            EventOut(at=e.at, from_state=e.from_state, to_state=e.to_state, reason=e.reason)
            for e in s.events
        ],
    )
