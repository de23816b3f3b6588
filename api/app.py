"""The ASGI application: routers, error rendering, metrics, and background processing."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from pebble import ProcessPool
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.responses import Response
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api import errors, taxii, web
from api.guard import RequestGuard
from api.routers import admin, health, submissions
from api.routers import audit as audit_routes
from api.routers import connectors as connector_routes
from api.routers import consent as consent_routes
from api.routers import review as review_routes
from connectors import worker as connector_worker
from hub import audit_anchor
from hub.config import Settings
from hub.db import make_engine, sessionmaker_for
from hub.fairqueue import FairQueue
from hub.metrics import Metrics
from hub.runtime import HubRuntime
from hub.submissions import pipeline
from hub.throttle import Throttle

log = logging.getLogger("mamori.api")

SWEEP_SECONDS = 30.0


async def _sweeper(maker: async_sessionmaker[AsyncSession], ctx: HubRuntime) -> None:
    """Pick up anything acknowledged but not processed: after a crash, or a lost task.

    At start-up everything waiting; after that only what has not moved for longer than a
    submission may take, so that with several server processes none repeats another's work.
    """
    idle_for = 0.0
    while True:
        try:
            done = await pipeline.sweep(maker, ctx, idle_for=idle_for)
            idle_for = ctx.time_limit + SWEEP_SECONDS
            if done:
                log.info("queued waiting submissions", extra={"count": done})
        except Exception:
            log.exception("sweep failed; retrying later")
        await asyncio.sleep(SWEEP_SECONDS)


def create_app(
    settings: Settings | None = None,
    *,
    sessionmaker: async_sessionmaker[AsyncSession] | None = None,
    background: bool = True,
) -> FastAPI:
    """Build the app; ``sessionmaker`` lets tests share one connection, ``background`` the sweep."""
    settings = settings or Settings()
    engine: AsyncEngine | None = None
    if sessionmaker is None:
        engine = make_engine(settings.async_database_url)
        sessionmaker = sessionmaker_for(engine, settings)
    maker = sessionmaker
    ctx = HubRuntime.from_settings(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = None
        queue = None
        if background and settings.sanitize_processes > 0:
            # spawn, not fork: forking a process that runs an event loop and threads is unsafe.
            # pebble ends the one process of a task past its time limit and starts another.
            pool = ProcessPool(
                settings.sanitize_processes,
                initializer=pipeline.watch_parent,
                initargs=(os.getpid(),),
                context=multiprocessing.get_context("spawn"),
            )
        if background:
            # One submission at a time per worker process, taken in turn across members; a
            # member never holds every process while another waits.
            queue = FairQueue(max(1, settings.sanitize_processes))
            app.state.runtime = HubRuntime.from_settings(settings, pool, queue)
        running = app.state.runtime
        sweeper = None
        if queue is not None:
            queue.start(lambda sid: pipeline.process_in_own_transaction(maker, sid, running))
            sweeper = asyncio.create_task(_sweeper(maker, running))
        # On SQLite the connectors' worker runs in this process (see connectors.worker.embedded).
        in_process = (
            connector_worker.embedded(maker, settings, running)
            if background
            else contextlib.nullcontext()
        )
        try:
            async with in_process:
                yield
        finally:
            if sweeper is not None:
                sweeper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sweeper
            if queue is not None:
                # What was running or waiting stays received/validated: the next start resumes it.
                await queue.stop()
            if pool is not None:
                # Never wait for a running task: a stuck submission must not hold shutdown.
                pool.stop()  # type: ignore[no-untyped-call]
                pool.join(timeout=10)
            if engine is not None:
                await engine.dispose()

    docs_open = settings.docs_mode == "open"  # "staff": health.openapi serves it to staff only
    app = FastAPI(
        title="Mamori",
        version="0.1.0",
        summary="Threat-information sharing: STIX 2.1 in, sanitized STIX 2.1 out over TAXII 2.1",
        lifespan=lifespan,
        openapi_url="/openapi.json" if docs_open else None,
        docs_url="/docs" if docs_open else None,
        redoc_url="/redoc" if docs_open else None,
    )
    app.state.settings = settings
    app.state.sessionmaker = maker
    app.state.runtime = ctx
    app.state.metrics = Metrics(
        audit_head=lambda: audit_anchor.head_seq(settings.audit_anchor_path, settings.keyring)
    )
    app.state.throttle = Throttle(settings)
    errors.install(app)
    # Innermost of the middleware: its refusals are measured and get the console's headers.
    app.add_middleware(RequestGuard)
    app.include_router(health.router)
    app.include_router(submissions.router)
    app.include_router(admin.router)
    app.include_router(audit_routes.router)
    app.include_router(review_routes.router)
    app.include_router(consent_routes.router)
    app.include_router(connector_routes.router)
    app.include_router(taxii.router)
    errors.register_renderer(taxii.PREFIX, taxii.render_error)
    app.include_router(web.router)
    errors.register_renderer(web.PREFIX, web.render_error)
    app.middleware("http")(web.middleware)

    @app.middleware("http")
    async def _measure(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        name = getattr(route, "path", "unmatched")
        metrics: Metrics = request.app.state.metrics
        metrics.requests.labels(request.method, name, str(response.status_code)).inc()
        metrics.latency.labels(request.method, name).observe(time.perf_counter() - started)
        return response

    if settings.proxy_networks:
        # Outermost, so every layer sees the client the trusted proxy reports.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.proxy_networks)
    return app
