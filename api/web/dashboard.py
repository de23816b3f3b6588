"""J-CSIP-style figures per sector and period: received, judged relevant, shared, by TLP."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.deps import Db, HubRuntimeDep
from api.web.auth import Staff
from api.web.common import rules
from api.web.templating import page
from hub import figures
from hub.db import utcnow
from hub.errors import Unprocessable
from hub.stix.tlp import Tlp

router = APIRouter()
PERIODS = {
    "7d": ("Last 7 days", timedelta(days=7)),
    "30d": ("Last 30 days", timedelta(days=30)),
    "90d": ("Last 90 days", timedelta(days=90)),
    "365d": ("Last 12 months", timedelta(days=365)),
    "all": ("Since the hub started", None),
}


@router.get("/dashboard")
async def dashboard_page(
    request: Request,
    db: Db,
    runtime: HubRuntimeDep,
    current: Staff,
    period: Annotated[str, Query(max_length=8)] = "30d",
) -> Response:
    """Figures for the chosen period, one row per sector, with totals."""
    if period not in PERIODS:
        raise Unprocessable(f"period must be one of: {', '.join(PERIODS)}")
    label, span = PERIODS[period]
    until = utcnow()
    since = until - span if span is not None else None
    rows = await figures.period_figures(
        db,
        since,
        until,
        default_tlp=rules(request).default_tlp,
        hub_id=str(runtime.hub_identity["id"]),
    )
    totals = figures.SectorFigures("", "All sectors")
    for row in rows:
        totals.received += row.received
        totals.relevant += row.relevant
        totals.shared += row.shared
        for level, n in row.objects_by_tlp.items():
            totals.objects_by_tlp[level] = totals.objects_by_tlp.get(level, 0) + n
    return page(
        request,
        "dashboard.html",
        rows=rows,
        totals=totals,
        period=period,
        periods=PERIODS,
        label=label,
        since=since,
        until=until,
        levels=[level.label for level in Tlp],
    )
