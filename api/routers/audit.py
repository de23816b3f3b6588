"""The audit trail over REST, for operators and admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.deps import Db, require
from hub import audit
from hub.members.principals import Principal
from hub.models import Role
from schemas.audit import AuditEntryOut, AuditVerdictOut

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])
Staff = Annotated[Principal, Depends(require(Role.OPERATOR, Role.ADMIN))]


@router.get("")
async def list_entries(
    db: Db,
    _: Staff,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    before: Annotated[int | None, Query(ge=1, description="entries with seq below this")] = None,
    action: str | None = None,
    subject: str | None = None,
) -> list[AuditEntryOut]:
    """Newest entries first; page with ``before`` = the last seq you saw."""
    rows = await audit.recent(db, limit=limit, before_seq=before, action=action, subject=subject)
    return [
        AuditEntryOut(
            seq=e.seq,
            at=e.at,
            actor=e.actor,
            action=e.action,
            subject=e.subject,
            details=e.details,
            mac=e.mac,
        )
        for e in rows
    ]


@router.get("/verify")
async def verify_chain(db: Db, _: Staff) -> AuditVerdictOut:
    """Walk the whole chain, hold it against its anchor: was any entry altered or removed?"""
    v = await audit.verify(db)
    return AuditVerdictOut(
        ok=v.ok,
        entries=v.entries,
        head=v.head,
        problem=v.problem,
        bad_seq=v.bad_seq,
        anchored_seq=v.anchored_seq,
    )
