"""The operator's review queue: filters, counts per state, oldest first."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.deps import Db, HubRuntimeDep
from api.web.auth import Staff
from api.web.common import notice, rules
from api.web.templating import page
from hub import figures, members, review
from hub.errors import Unprocessable
from hub.models import SubmissionState
from hub.stix.tlp import Tlp

router = APIRouter()
AGES = {"": None, "1d": timedelta(days=1), "3d": timedelta(days=3), "7d": timedelta(days=7)}
TLPS = [level for level in Tlp]


@router.get("/queue")
async def queue_page(
    runtime: HubRuntimeDep,
    request: Request,
    db: Db,
    current: Staff,
    state: Annotated[list[SubmissionState] | None, Query()] = None,
    sector: Annotated[str, Query(max_length=64)] = "",
    member: Annotated[str, Query(max_length=64)] = "",
    tlp: Annotated[list[str] | None, Query()] = None,
    older_than: Annotated[str, Query(max_length=4)] = "",
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    """Submissions waiting for an operator (or in the chosen states), oldest first."""
    if older_than not in AGES:
        raise Unprocessable(f"older_than must be one of: {', '.join(k for k in AGES if k)}")
    try:
        levels = frozenset(Tlp.parse(v) for v in tlp or ())
    except ValueError as exc:
        raise Unprocessable(str(exc)) from None
    states = frozenset(state or [SubmissionState.IN_REVIEW])
    result = await review.queue(
        db,
        current.principal,
        ctx=runtime,
        rules=rules(request),
        states=states,
        sector=sector or None,
        member=member or None,
        tlp=levels,
        min_age=AGES[older_than],
        cursor=cursor,
    )
    counts = await figures.state_counts(db, sector=sector or None, member=member or None)
    return page(
        request,
        "queue.html",
        items=result.items,
        next_cursor=result.next_cursor,
        counts=counts,
        states=states,
        all_states=list(SubmissionState),
        sectors=[s for s, _ in await members.list_sectors(db)],
        members=await members.list_members(db),
        sector=sector,
        member=member,
        levels={level.label for level in levels},
        tlps=TLPS,
        older_than=older_than,
        ages=[k for k in AGES if k],
        notice=notice(request),
    )
