"""The audit log, newest first, with the state of its MAC chain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.deps import Db
from api.web.auth import Staff
from api.web.templating import page
from hub import audit

router = APIRouter()
PAGE = 100


@router.get("/audit")
async def audit_page(
    request: Request,
    db: Db,
    current: Staff,
    action: Annotated[str, Query(max_length=64)] = "",
    subject: Annotated[str, Query(max_length=300)] = "",
    before: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """Entries newest first; the chain is verified end to end on every view."""
    verdict = await audit.verify(db)
    entries = await audit.recent(
        db, limit=PAGE, before_seq=before, action=action or None, subject=subject or None
    )
    older = entries[-1].seq if len(entries) == PAGE else None
    return page(
        request,
        "audit.html",
        verdict=verdict,
        entries=entries,
        action=action,
        subject=subject,
        older=older,
    )
