"""Liveness, readiness and metrics for the people who run the hub."""

from __future__ import annotations

from fastapi import APIRouter, Request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import func, select, text
from starlette.responses import JSONResponse, Response

from api.deps import Sessionmaker
from hub.metrics import Metrics
from hub.models import Submission, SubmissionState

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "database unreachable"}})
async def readyz(maker: Sessionmaker) -> Response:
    """The database answers."""
    try:
        async with maker() as db:
            await db.execute(text("SELECT 1"))
    except Exception:  # any driver error means "not ready", whatever its class
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


@router.get("/metrics", response_class=Response)
async def metrics(request: Request, maker: Sessionmaker) -> Response:
    """Prometheus text exposition: requests, latencies, submissions by state."""
    registry: Metrics = request.app.state.metrics
    async with maker() as db:
        counts = dict(
            (
                await db.execute(select(Submission.state, func.count()).group_by(Submission.state))
            ).all()
        )
    for state in SubmissionState:
        registry.submissions.labels(state.value).set(counts.get(state, 0))
    return Response(generate_latest(registry.registry), media_type=CONTENT_TYPE_LATEST)
