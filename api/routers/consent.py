"""The submitter's side: preview exactly what will be published, consent or withdraw."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request

from api import body as bodies
from api.deps import Db, HubRuntimeDep, Sessionmaker, SettingsDep, Submitter, require
from api.routers.review import routes
from api.routers.submissions import JSON_TYPES, status_url
from hub.members.principals import Principal
from hub.models import Role
from hub.submissions import consent, pipeline, records
from schemas.consent import (
    AutoConsent,
    ConsentFlags,
    ConsentIn,
    ConsentOut,
    Preview,
    ScopeOut,
)
from schemas.problems import Problem
from schemas.review import ReportOut
from schemas.submissions import EventOut, Receipt

router = APIRouter(prefix="/api/v1", tags=["consent"])
Viewer = Annotated[Principal, Depends(require(Role.SUBMITTER, Role.OPERATOR, Role.ADMIN))]

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "content": {"application/problem+json": {}}}
    for code in (400, 401, 403, 404, 409, 413, 415, 422)
}


@router.get("/submissions/{submission_id}/preview", responses=_ERRORS)
async def preview(
    runtime: HubRuntimeDep,
    request: Request,
    db: Db,
    principal: Viewer,
    settings: SettingsDep,
    submission_id: str,
    cross_sector: Annotated[bool | None, Query(description="preview with this answer")] = None,
    amber_strict: Annotated[bool | None, Query(description="preview with this answer")] = None,
) -> Preview:
    """The sanitized version, its report, and exactly which objects go to which collection."""
    p = await consent.preview(
        db,
        principal,
        submission_id,
        ctx=runtime,
        rules=settings.sharing,
        cross_sector=cross_sector,
        amber_strict=amber_strict,
    )
    row, plan = p.row, p.plan
    going: dict[str, dict[str, Any]] = {}  # exactly what leaves: stamped, with definitions
    collections: dict[str, list[str]] = {}
    if plan is not None:
        for slug, objects in plan.collections.items():
            collections[slug] = [str(o["id"]) for o in objects]
            going.update((str(o["id"]), dict(o)) for o in objects)
    return Preview(
        id=p.submission.id,
        state=p.submission.state,
        reason=row.reason if row is not None else None,
        scope=ScopeOut(breadth=row.breadth, extra_sectors=list(row.extra_sectors or []))
        if row is not None and row.breadth is not None
        else None,
        consent=row.consent if row is not None else None,
        assumed=ConsentFlags(
            cross_sector=p.consent.cross_sector, amber_strict=p.consent.amber_strict
        )
        if p.consent
        else None,
        objects=list(going.values()),
        collections=collections,
        withheld=[r for r in routes(plan) if not r.collections] if plan is not None else [],
        sanitized=p.sanitized,
        report=ReportOut.model_validate(p.report),
        events=[
            EventOut(at=e.at, from_state=e.from_state, to_state=e.to_state, reason=e.reason)
            for e in p.events
        ],
    )


@router.post("/submissions/{submission_id}/consent", responses=_ERRORS)
async def give_consent(
    runtime: HubRuntimeDep,
    request: Request,
    db: Db,
    member: Submitter,
    settings: SettingsDep,
    submission_id: str,
    body: ConsentIn,
) -> ConsentOut:
    """Approve the sanitized version (it is published at once) or withdraw the submission."""
    if body.decision == "approve":
        await consent.approve(
            db,
            member,
            submission_id,
            cross_sector=body.cross_sector,
            amber_strict=body.amber_strict,
            ctx=runtime,
            rules=settings.sharing,
            note=body.note,
        )
    else:
        await consent.withdraw(db, member, submission_id, ctx=runtime, reason=body.note)
    submission = await records.lock(db, submission_id)
    row = await records.review_row(db, submission_id)
    return ConsentOut(
        id=submission.id,
        state=submission.state,
        published_to={k: list(v) for k, v in (row.published_to or {}).items()},
        published_at=row.published_at,
    )


@router.post("/submissions/{submission_id}/revision", status_code=202, responses=_ERRORS)
@bodies.intake
async def revise(
    runtime: HubRuntimeDep,
    request: Request,
    db: Db,
    member: Submitter,
    settings: SettingsDep,
    maker: Sessionmaker,
    tasks: BackgroundTasks,
    submission_id: str,
) -> Receipt:
    """Answer a send-back with a corrected bundle; it is processed again from the start."""
    content_type = bodies.require_json(request, JSON_TYPES)
    raw = await bodies.read_limited(request, settings.max_body_bytes)
    limits = settings.limits
    submission = await consent.revise(
        db, member, submission_id, raw, content_type=content_type, limits=limits
    )
    tasks.add_task(pipeline.schedule, maker, submission.id, runtime)
    return Receipt.of(submission, status_url(submission.id))


@router.get("/consent/auto", responses=_ERRORS)
async def get_auto(db: Db, member: Submitter) -> AutoConsent:
    """The scopes your member approves in advance."""
    found = await consent.get_auto(db, member.member_id or "")
    return AutoConsent(breadths=list(found.breadths), cross_sector=found.cross_sector)


@router.put("/consent/auto", responses=_ERRORS)
async def put_auto(db: Db, member: Submitter, body: AutoConsent) -> AutoConsent:
    """Approve scopes in advance (empty to turn off); TLP:AMBER+STRICT always asks."""
    saved = await consent.set_auto(
        db, member, consent.AutoSettings(tuple(body.breadths), body.cross_sector)
    )
    return AutoConsent(breadths=list(saved.breadths), cross_sector=saved.cross_sector)
