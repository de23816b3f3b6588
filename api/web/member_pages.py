"""A member's side: its submissions and their states, consent, auto-consent, its keys."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import Response

from api.deps import Db, HubRuntimeDep
from api.web.auth import PREFIX, Anyone, Csrf, SubmitterOnly, redirect
from api.web.common import notice, rules
from api.web.rules import explain
from api.web.templating import page
from hub import members, sharing
from hub.errors import Forbidden
from hub.models import SubmissionState
from hub.sanitize.report import Change, Report
from hub.stix.tlp import effective_tlp
from hub.submissions import consent, records

router = APIRouter(prefix="/my")
Text = Annotated[str, Form(max_length=4000)]


@router.get("/submissions")
async def my_submissions(
    request: Request,
    db: Db,
    current: SubmitterOnly,
    state: Annotated[list[SubmissionState] | None, Query()] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    """The member's submissions, newest first, with where each one stands."""
    found = await records.search(
        db, current.principal, states=frozenset(state) if state else None, cursor=cursor
    )
    return page(
        request,
        "my_submissions.html",
        items=found.items,
        next_cursor=found.next_cursor,
        all_states=list(SubmissionState),
        states=set(state or ()),
        notice=notice(request),
    )


def _changes_by_object(report: Report) -> dict[str, list[Change]]:
    """The report's changes keyed by the hub id a submitter sees (never the original id)."""
    out: dict[str, list[Change]] = {}
    for change in report.changes:
        if change.rule == "remint-id":
            continue
        out.setdefault(change.new_object_id or "dropped", []).append(change)
    return out


@router.get("/submissions/{submission_id}")
async def consent_page(
    runtime: HubRuntimeDep,
    request: Request,
    db: Db,
    current: SubmitterOnly,
    submission_id: str,
    cross_sector: bool | None = None,
    amber_strict: bool | None = None,
) -> Response:
    """Exactly what would be published, where, and every change the hub made, explained."""
    p = await consent.preview(
        db,
        current.principal,
        submission_id,
        ctx=runtime,
        rules=rules(request),
        cross_sector=cross_sector,
        amber_strict=amber_strict,
    )
    by_id = {str(o.get("id")): o for o in p.sanitized}
    levels = effective_tlp(p.sanitized, default=rules(request).default_tlp)
    going: dict[str, list[str]] = {}
    if p.plan is not None:
        for slug, objects in p.plan.collections.items():
            for obj in objects:
                going.setdefault(str(obj["id"]), []).append(slug)
                by_id[str(obj["id"])] = dict(obj)  # as it leaves: stamped, with definitions
    withheld = (
        {oid: d for oid, d in p.plan.routing.items() if not d.collections}
        if p.plan is not None
        else {}
    )
    return page(
        request,
        "consent.html",
        p=p,
        by_id=by_id,
        going=going,
        withheld=withheld,
        levels=levels,
        changes=_changes_by_object(p.report),
        explain=explain,
        can_answer=p.submission.state is SubmissionState.AWAITING_CONSENT,
        can_withdraw=p.submission.state in consent.WITHDRAWABLE,
        notice=notice(request),
    )


@router.post("/submissions/{submission_id}/consent")
async def give_consent(
    runtime: HubRuntimeDep,
    request: Request,
    db: Db,
    current: SubmitterOnly,
    _: Csrf,
    submission_id: str,
    cross_sector: Annotated[bool, Form()] = False,
    amber_strict: Annotated[bool, Form()] = False,
    note: Text = "",
) -> Response:
    """Approve the sanitized version: it is published in the same transaction."""
    await consent.approve(
        db,
        current.principal,
        submission_id,
        cross_sector=cross_sector,
        amber_strict=amber_strict,
        ctx=runtime,
        rules=rules(request),
        note=note.strip() or None,
    )
    return redirect(f"{PREFIX}/my/submissions/{submission_id}?done=consented")


@router.post("/submissions/{submission_id}/withdraw")
async def withdraw(
    db: Db,
    runtime: HubRuntimeDep,
    current: SubmitterOnly,
    _: Csrf,
    submission_id: str,
    reason: Text = "",
) -> Response:
    """Withdraw: before publication nothing goes out; after, what went out is revoked."""
    await consent.withdraw(
        db, current.principal, submission_id, ctx=runtime, reason=reason.strip() or None
    )
    return redirect(f"{PREFIX}/my/submissions/{submission_id}?done=withdrawn")


@router.get("/auto-consent")
async def auto_consent_page(request: Request, db: Db, current: SubmitterOnly) -> Response:
    """The scopes the member approves in advance."""
    found = await consent.get_auto(db, current.principal.member_id or "")
    return page(
        request, "auto_consent.html", auto=found, breadths=sharing.BREADTHS, notice=notice(request)
    )


@router.post("/auto-consent")
async def save_auto_consent(
    db: Db,
    current: SubmitterOnly,
    _: Csrf,
    breadths: Annotated[list[str] | None, Form()] = None,
    cross_sector: Annotated[bool, Form()] = False,
) -> Response:
    """Replace the member's auto-consent; none ticked turns it off."""
    await consent.set_auto(
        db, current.principal, consent.AutoSettings.parse(breadths or (), cross_sector)
    )
    return redirect(f"{PREFIX}/my/auto-consent?done=auto_saved")


@router.get("/keys")
async def my_keys(request: Request, db: Db, current: Anyone) -> Response:
    """The member's API keys: ids, roles, last use; secrets are never shown again."""
    if current.principal.member_slug is None:
        raise Forbidden("this page is for member accounts; hub keys are under Keys")
    return page(
        request, "my_keys.html", keys=await members.list_keys(db, current.principal.member_slug)
    )
