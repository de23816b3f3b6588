"""One submission for the operator: original beside sanitized, flags, and every decision."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from api.deps import Db, HubRuntimeDep, get_settings
from api.web.auth import PREFIX, Csrf, Staff, redirect
from api.web.common import notice, rules
from api.web.rules import explain
from api.web.templating import page
from hub import members, review, sharing
from hub.errors import Unprocessable
from hub.review import triage
from hub.review.diff import ObjectDiff

router = APIRouter()
Text = Annotated[str, Form(max_length=4000)]


@dataclass(slots=True)
class Row:
    """One property of an object pair: original value, sanitized value, what changed it."""

    path: str
    before: Any
    after: Any
    op: str | None = None  # changed / removed / added, None when equal
    reference: bool = False
    rules: list[str] = field(default_factory=list)
    has_before: bool = True
    has_after: bool = True


@dataclass(slots=True)
class Pair:
    """An object as submitted and as it would go out, property by property."""

    diff: ObjectDiff
    rows: list[Row]
    tlp: str | None
    flags: list[triage.Flag]
    rules: list[str]


_MISSING = object()


def _leaves(prefix: str, value: Any) -> Iterable[tuple[str, Any]]:
    if isinstance(value, Mapping) and value:
        for key, sub in value.items():
            yield from _leaves(f"{prefix}.{key}" if prefix else str(key), sub)
    else:
        yield prefix, value


def _rules_for(path: str, by_path: Mapping[str, list[str]]) -> list[str]:
    """The report's rules for a path: exact, else the nearest enclosing property's."""
    probe = path
    while probe:
        if probe in by_path:
            return by_path[probe]
        cut = max(probe.rfind("."), probe.rfind("["))
        probe = probe[:cut] if cut > 0 else ""
    return by_path.get("", [])


def pairs(detail: review.Detail) -> list[Pair]:
    """Property tables for every object, with each changed row tagged with its rule."""
    originals = {o["id"]: o for o in detail.original if isinstance(o.get("id"), str)}
    sanitized = {o["id"]: o for o in detail.sanitized if isinstance(o.get("id"), str)}
    changes: dict[str, dict[str, list[str]]] = {}
    for change in detail.report.changes:
        bucket = changes.setdefault(change.object_id, {}).setdefault(change.path, [])
        if change.rule not in bucket:
            bucket.append(change.rule)
    flags: dict[str, list[triage.Flag]] = {}
    for flag in detail.flags:
        flags.setdefault(flag.object_id, []).append(flag)
    out: list[Pair] = []
    for d in detail.diff:
        before = originals.get(d.original_id or "", {})
        after = sanitized.get(d.sanitized_id or "", {})
        left = dict(_leaves("", before)) if before else {}
        right = dict(_leaves("", after)) if after else {}
        entries = {e.path: e for e in d.entries}
        by_path = changes.get(d.original_id or "", {})
        rows: list[Row] = []
        for path in list(left) + [p for p in right if p not in left]:
            b, a = left.get(path, _MISSING), right.get(path, _MISSING)
            entry = entries.get(path) or next(
                (e for p, e in entries.items() if path.startswith(p + ".")), None
            )
            changed = entry is not None or (b is not _MISSING and a is not _MISSING and b != a)
            rows.append(
                Row(
                    path=path,
                    before=None if b is _MISSING else b,
                    after=None if a is _MISSING else a,
                    op=(entry.op if entry else "changed") if changed else None,
                    reference=entry.reference if entry else False,
                    rules=_rules_for(path, by_path) if changed else [],
                    has_before=b is not _MISSING,
                    has_after=a is not _MISSING,
                )
            )
        level = detail.tlp.get(d.sanitized_id or "")
        object_rules = sorted({r for rs in by_path.values() for r in rs})
        out.append(
            Pair(
                d,
                rows,
                level.label if level else None,
                flags.get(d.sanitized_id or "", []),
                object_rules,
            )
        )
    return out


@router.get("/submissions/{submission_id}")
async def submission_page(
    runtime: HubRuntimeDep, request: Request, db: Db, current: Staff, submission_id: str
) -> Response:
    """The sealed original beside the sanitized version, with flags and decision forms."""
    detail = await review.detail(
        db, current.principal, submission_id, ctx=runtime, rules=rules(request)
    )
    row = detail.row
    awaiting_second = bool(
        row
        and row.approved_by
        and not row.second_by
        and row.breadth
        and detail.submission.state.value == "in_review"
    )
    rejected = [o for o in detail.submission.objects if o.status.value == "rejected"]
    return page(
        request,
        "submission.html",
        d=detail,
        pairs=pairs(detail),
        rejected=rejected,
        breadths=sharing.BREADTHS,
        sectors=[s for s, _ in await members.list_sectors(db)],
        awaiting_second=awaiting_second,
        warninglists=triage.warninglists_available(),
        four_eyes=get_settings(request).four_eyes,
        explain=explain,
        notice=notice(request),
    )


def _back(submission_id: str, done: str) -> Response:
    return redirect(f"{PREFIX}/submissions/{submission_id}?done={done}")


@router.post("/submissions/{submission_id}/approve")
async def approve(
    runtime: HubRuntimeDep,
    request: Request,
    db: Db,
    current: Staff,
    _: Csrf,
    submission_id: str,
    breadth: Annotated[str, Form(max_length=16)],
    extra_sectors: Annotated[list[str] | None, Form()] = None,
    note: Text = "",
) -> Response:
    """Approve with the chosen scope (same call as the REST API)."""
    extra = frozenset(extra_sectors or ()) if breadth == "sectors" else frozenset()
    try:
        scope = sharing.Scope(sharing.Breadth.parse(breadth), extra)
    except ValueError as exc:
        raise Unprocessable(str(exc)) from None
    outcome = await review.approve(
        db,
        current.principal,
        submission_id,
        scope,
        settings=get_settings(request),
        ctx=runtime,
        note=note.strip() or None,
    )
    done = {"awaiting_second": "awaiting_second", "published": "published"}.get(
        outcome.stage, "approved"
    )
    return _back(submission_id, done)


@router.post("/submissions/{submission_id}/reject")
async def reject(db: Db, current: Staff, _: Csrf, submission_id: str, reason: Text) -> Response:
    """Reject for good, with a reason the submitter sees."""
    await review.reject(db, current.principal, submission_id, reason)
    return _back(submission_id, "rejected")


@router.post("/submissions/{submission_id}/send-back")
async def send_back(db: Db, current: Staff, _: Csrf, submission_id: str, reason: Text) -> Response:
    """Return to the submitter for a corrected version."""
    await review.send_back(db, current.principal, submission_id, reason)
    return _back(submission_id, "sent_back")


@router.post("/submissions/{submission_id}/reopen")
async def reopen(db: Db, current: Staff, _: Csrf, submission_id: str, reason: Text) -> Response:
    """Take an approved submission back into review before it is published."""
    await review.reopen(db, current.principal, submission_id, reason)
    return _back(submission_id, "reopened")


def _values(values: list[str] | None) -> tuple[str, ...]:
    return tuple(v for v in (values or ()) if v.strip())


@router.post("/submissions/{submission_id}/edit")
async def edit(
    runtime: HubRuntimeDep,
    request: Request,
    db: Db,
    current: Staff,
    _: Csrf,
    submission_id: str,
    drop: Annotated[list[str] | None, Form()] = None,
    redact: Annotated[list[str] | None, Form()] = None,
    keep: Annotated[list[str] | None, Form()] = None,
    note: Text = "",
) -> Response:
    """Drop an object, add a redaction or keep a value; the sanitizer runs again."""
    edits = review.Edits(_values(drop), _values(redact), _values(keep))
    await review.edit(
        db, current.principal, submission_id, edits, ctx=runtime, note=note.strip() or None
    )
    return _back(submission_id, "edited")
