"""The job queue: due jobs claimed under a lease, renewed, completed, retried or rescheduled.

Claiming is one short transaction: on PostgreSQL the due rows are read `FOR UPDATE SKIP
LOCKED`, so workers on several hosts never take the same job; on SQLite `BEGIN IMMEDIATE`
serialises the claim. A claimed job carries a lease (owner and expiry) that a heartbeat
extends while it runs. A worker killed mid-job stops renewing; when the lease expires the
job is due again and another worker retries it. Completion is fenced on the lease owner, so
a worker that lost its lease cannot overwrite the work of the one that took over.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

import httpx
from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors import retry
from hub.config import Settings
from hub.db import utcnow
from hub.models import ConnectorJob, ConnectorPeer, ConnectorSource, JobState
from hub.runtime import HubRuntime

log = logging.getLogger("mamori.worker")

PULL, PUSH, NOTIFY, DELIVER = "pull", "push", "notify", "deliver"
NOTIFY_SUBJECT = "all"


@dataclass
class Runtime:
    """What job handlers need: sessions, the hub's settings (the worker's too) and runtime."""

    maker: async_sessionmaker[AsyncSession]
    settings: Settings
    ctx: HubRuntime
    # Tests hand webhook deliveries an httpx transport instead of the network.
    http_transport: httpx.AsyncBaseTransport | None = None


@dataclass(frozen=True, slots=True)
class Claimed:
    """A job this worker holds the lease on."""

    id: int
    kind: str
    subject: str
    recurring: bool
    attempts: int
    max_attempts: int
    owner: str


# A handler returns when a recurring job is next due (from now), or None when the job is over.
Handler = Callable[[Runtime, Claimed], Awaitable[timedelta | None]]


async def ensure_job(
    db: AsyncSession,
    kind: str,
    subject: str,
    *,
    recurring: bool,
    run_at: datetime | None = None,
    max_attempts: int = 8,
) -> ConnectorJob:
    """The job for (kind, subject), created due now if missing; only flushes."""
    query = select(ConnectorJob).where(ConnectorJob.kind == kind, ConnectorJob.subject == subject)
    job = await db.scalar(query)
    if job is not None:
        return job
    job = ConnectorJob(
        kind=kind,
        subject=subject,
        recurring=recurring,
        state=JobState.PENDING,
        run_at=run_at or utcnow(),
        attempts=0,
        max_attempts=max_attempts,
        runs=0,
        created_at=utcnow(),
    )
    try:
        async with db.begin_nested():
            db.add(job)
            await db.flush()
    except IntegrityError:
        # Another writer made it first; theirs is as good.
        found = await db.scalar(query)
        if found is None:  # pragma: no cover - the conflicting row exists by definition
            raise
        return found
    return job


async def wake(db: AsyncSession, kind: str, subject: str) -> None:
    """Make a job due now (after a resume, or an admin's "run now")."""
    await db.execute(
        update(ConnectorJob)
        .where(ConnectorJob.kind == kind, ConnectorJob.subject == subject)
        .values(run_at=utcnow(), attempts=0, state=JobState.PENDING)
    )


async def drop_job(db: AsyncSession, kind: str, subject: str) -> None:
    await db.execute(
        update(ConnectorJob)
        .where(ConnectorJob.kind == kind, ConnectorJob.subject == subject)
        .values(state=JobState.DONE, finished_at=utcnow(), lease_owner=None, lease_until=None)
    )


async def claim(
    maker: async_sessionmaker[AsyncSession],
    owner: str,
    *,
    lease: timedelta,
    limit: int = 1,
    now: datetime | None = None,
    kinds: frozenset[str] | None = None,
) -> list[Claimed]:
    """Take up to `limit` due jobs no live lease holds, and lease them to `owner`."""
    now = now or utcnow()
    async with maker.begin() as db:
        query = (
            select(ConnectorJob)
            .where(
                ConnectorJob.state == JobState.PENDING,
                ConnectorJob.run_at <= now,
                or_(ConnectorJob.lease_until.is_(None), ConnectorJob.lease_until < now),
            )
            .order_by(ConnectorJob.run_at, ConnectorJob.id)
            .limit(limit)
        )
        if kinds is not None:
            query = query.where(ConnectorJob.kind.in_(sorted(kinds)))
        if db.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        jobs = list(await db.scalars(query))
        claimed = []
        for job in jobs:
            job.lease_owner = owner
            job.lease_until = now + lease
            job.attempts += 1
            claimed.append(
                Claimed(
                    job.id,
                    job.kind,
                    job.subject,
                    job.recurring,
                    job.attempts,
                    job.max_attempts,
                    owner,
                )
            )
        return claimed


def _held(job: Claimed) -> list[ColumnElement[bool]]:
    return [ConnectorJob.id == job.id, ConnectorJob.lease_owner == job.owner]


async def renew(maker: async_sessionmaker[AsyncSession], job: Claimed, *, lease: timedelta) -> bool:
    """Extend the lease of a running job; False when another worker has taken it over."""
    async with maker.begin() as db:
        result = await db.execute(
            update(ConnectorJob).where(*_held(job)).values(lease_until=utcnow() + lease)
        )
        return bool(getattr(result, "rowcount", 0))


async def complete(
    maker: async_sessionmaker[AsyncSession],
    job: Claimed,
    next_in: timedelta | None,
    *,
    now: datetime | None = None,
) -> bool:
    """Record success: reschedule a recurring job, finish a one-shot one. Fenced on the lease."""
    now = now or utcnow()
    values: dict[str, object] = {
        "lease_owner": None,
        "lease_until": None,
        "attempts": 0,
        "last_error": None,
        "runs": ConnectorJob.runs + 1,
    }
    if next_in is None:
        values |= {"state": JobState.DONE, "finished_at": now}
    else:
        values |= {"run_at": now + next_in}
    async with maker.begin() as db:
        result = await db.execute(update(ConnectorJob).where(*_held(job)).values(**values))
        return bool(getattr(result, "rowcount", 0))


async def fail(
    maker: async_sessionmaker[AsyncSession],
    job: Claimed,
    error: str,
    *,
    backoff: retry.Backoff = retry.DEFAULT,
    now: datetime | None = None,
) -> bool:
    """Record a failure: retry after a backoff, or give a one-shot job up after its attempts."""
    now = now or utcnow()
    values: dict[str, object] = {
        "lease_owner": None,
        "lease_until": None,
        "last_error": error[:2000],
    }
    if not job.recurring and job.attempts >= job.max_attempts:
        values |= {"state": JobState.DEAD, "finished_at": now}
    else:
        values |= {"run_at": now + backoff.delay(job.attempts)}
    async with maker.begin() as db:
        result = await db.execute(update(ConnectorJob).where(*_held(job)).values(**values))
        return bool(getattr(result, "rowcount", 0))


def describe(exc: BaseException) -> str:
    """One line for `last_error`: the class and the first line of the message."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:2000] if text else type(exc).__name__


def summary(errors: Mapping[str, str]) -> str:
    """Per-collection errors of one run, as one line."""
    return "; ".join(f"{where}: {error}" for where, error in errors.items())


# A recurring connector row: an upstream source or a peer hub.
Connector = TypeVar("Connector", ConnectorSource, ConnectorPeer)


async def record_run(
    maker: async_sessionmaker[AsyncSession],
    model: type[Connector],
    row_id: str,
    errors: Mapping[str, str],
) -> None:
    """Note a source's or a peer's last run, and its last success or error, for the admin."""
    async with maker.begin() as db:
        row = await db.get(model, row_id)
        if row is None:
            return
        row.last_run_at = utcnow()
        if errors:
            row.last_error = summary(errors)[:2000]
        else:
            row.last_error = None
            row.last_success_at = row.last_run_at


async def run_scheduled(
    runtime: Runtime,
    job: Claimed,
    model: type[Connector],
    action: Callable[[Runtime, str], Awaitable[Mapping[str, str]]],
    error: type[Exception],
) -> timedelta | None:
    """A recurring connector job: None ends it (the row was removed); errors retry it."""
    async with runtime.maker() as db:
        row = await db.get(model, job.subject)
    if row is None:
        return None
    interval = timedelta(seconds=row.interval_seconds)
    if row.paused:
        return interval
    errors = await action(runtime, row.id)
    if errors:
        raise error(summary(errors))
    return interval
