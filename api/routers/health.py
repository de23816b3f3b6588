"""Liveness, readiness and metrics for the people who run the hub."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, FastAPI, Request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import func, select, text
from starlette.responses import JSONResponse, Response

from api.deps import Sessionmaker, SettingsDep, get_principal, require
from hub.config import Settings
from hub.errors import NotFound, Unauthorized
from hub.metrics import Metrics
from hub.models import Role, Submission, SubmissionState

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


def _metrics_allowed(request: Request, settings: Settings) -> None:
    """MAMORI_METRICS_ACCESS: open, off (404), or a bearer token that the scraper sends."""
    mode = settings.metrics_mode
    if mode == "off":
        raise NotFound(f"no resource at {request.url.path}")
    if mode == "token" and settings.metrics_token is not None:
        scheme, _, sent = request.headers.get("authorization", "").partition(" ")
        expected = settings.metrics_token.get_secret_value().encode()
        if scheme.lower() != "bearer" or not hmac.compare_digest(sent.strip().encode(), expected):
            raise Unauthorized("/metrics needs the metrics token (MAMORI_METRICS_TOKEN)")


@router.get("/metrics", response_class=Response)
async def metrics(request: Request, maker: Sessionmaker, settings: SettingsDep) -> Response:
    """Prometheus text exposition: requests, latencies, submissions by state."""
    _metrics_allowed(request, settings)
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


STAFF = require(Role.OPERATOR, Role.ADMIN)


@router.get("/openapi.json", include_in_schema=False)
async def openapi(request: Request, settings: SettingsDep) -> Response:
    """The OpenAPI document for operators and admins, when MAMORI_DOCS_ACCESS=staff."""
    if settings.docs_mode != "staff":
        raise NotFound(f"no resource at {request.url.path}")
    await STAFF(await get_principal(request))
    application: FastAPI = request.app
    return JSONResponse(application.openapi())
