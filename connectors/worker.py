"""The worker loop: claims due jobs from the queue and runs each with a heartbeat.

Handlers (TAXII pull and push, webhook notices and deliveries) import the queue
(`connectors.jobs`); only this loop imports the handlers, so the two never import each other.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator, Mapping
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors import retry, taxii_pull, taxii_push, webhooks
from connectors.jobs import (
    DELIVER,
    NOTIFY,
    NOTIFY_SUBJECT,
    PULL,
    PUSH,
    Claimed,
    Handler,
    Runtime,
    claim,
    complete,
    describe,
    ensure_job,
    fail,
    renew,
)
from hub.config import Settings
from hub.runtime import HubRuntime

log = logging.getLogger("mamori.worker")


def default_handlers() -> dict[str, Handler]:
    return {
        PULL: taxii_pull.run_job,
        PUSH: taxii_push.run_job,
        NOTIFY: webhooks.notify_job,
        DELIVER: webhooks.deliver_job,
    }


class Worker:
    """One worker; run as many as you like against PostgreSQL, one against SQLite."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        owner: str | None = None,
        handlers: Mapping[str, Handler] | None = None,
        lease: timedelta | None = None,
        backoff: retry.Backoff = retry.DEFAULT,
    ) -> None:
        self.runtime = runtime
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.handlers = dict(handlers) if handlers is not None else default_handlers()
        self.lease = lease or timedelta(seconds=runtime.settings.worker_lease_seconds)
        self.backoff = backoff

    async def setup(self) -> None:
        """Make sure the recurring notifier exists."""
        if NOTIFY not in self.handlers:
            return
        async with self.runtime.maker.begin() as db:
            await ensure_job(db, NOTIFY, NOTIFY_SUBJECT, recurring=True)

    async def run_once(self, *, limit: int = 10, now: datetime | None = None) -> int:
        """Claim and run up to `limit` due jobs, one after the other; how many ran."""
        jobs = await claim(
            self.runtime.maker,
            self.owner,
            lease=self.lease,
            limit=limit,
            now=now,
            kinds=frozenset(self.handlers),
        )
        for job in jobs:
            await self.execute(job, now=now)
        return len(jobs)

    async def execute(self, job: Claimed, *, now: datetime | None = None) -> None:
        """Run one claimed job with a heartbeat, and record how it ended."""
        handler = self.handlers[job.kind]
        beat = asyncio.create_task(self._heartbeat(job))
        try:
            next_in = await handler(self.runtime, job)
        except Exception as exc:
            log.warning(
                "job failed", extra={"job": job.id, "kind": job.kind, "error": describe(exc)}
            )
            await fail(self.runtime.maker, job, describe(exc), backoff=self.backoff, now=now)
            return
        finally:
            beat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beat
        if not await complete(self.runtime.maker, job, next_in, now=now):
            log.warning("lease lost before the job finished", extra={"job": job.id})

    async def _heartbeat(self, job: Claimed) -> None:
        interval = max(self.lease.total_seconds() / 3, 1.0)
        while True:
            await asyncio.sleep(interval)
            if not await renew(self.runtime.maker, job, lease=self.lease):
                return

    async def drain(self, *, limit: int = 100, now: datetime | None = None) -> int:
        """Run jobs until none is due; how many ran."""
        total = 0
        while ran := await self.run_once(limit=limit, now=now):
            total += ran
        return total

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Poll for due jobs until `stop` is set; errors are logged, never fatal."""
        await self.setup()
        poll = self.runtime.settings.worker_poll_seconds
        while not stop.is_set():
            try:
                ran = await self.run_once()
            except Exception:
                log.exception("worker loop failed; retrying")
                ran = 0
            if not ran:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=poll)


def in_process_enabled(settings: Settings) -> bool:
    """Whether `mamori serve` runs the worker itself: by default only on SQLite."""
    if settings.worker_in_process is None:
        return settings.is_sqlite
    return settings.worker_in_process


@contextlib.asynccontextmanager
async def embedded(
    maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    ctx: HubRuntime | None = None,
) -> AsyncIterator[None]:
    """Run a worker inside the server process for as long as the context is open (if enabled).

    `ctx` is the server's processing context, so pulled reports are sanitized in its pool.
    """
    if not in_process_enabled(settings):
        yield None
        return
    ctx = ctx or HubRuntime.from_settings(settings)
    worker = Worker(Runtime(maker, settings, ctx))
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run_forever(stop))
    try:
        yield None
    finally:
        stop.set()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
