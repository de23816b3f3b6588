"""The worker's jobs: leases that expire, fenced completion, backoff, and a race for the jobs."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors import jobs, retry
from connectors.jobs import Claimed, Runtime
from connectors.worker import Worker
from hub import migrate
from hub.config import Settings
from hub.db import make_engine, make_sessionmaker, utcnow
from hub.keys import Keyring
from hub.models import ConnectorJob, JobState
from hub.runtime import HubRuntime
from tests.conftest import TEST_SECRET

LEASE = timedelta(seconds=60)


def runtime(maker: async_sessionmaker[AsyncSession], settings: Settings) -> Runtime:
    return Runtime(maker, settings, HubRuntime.from_settings(settings))


async def add_jobs(
    maker: async_sessionmaker[AsyncSession], kind: str, count: int, *, recurring: bool = False
) -> list[str]:
    subjects = [f"s{n}" for n in range(count)]
    async with maker.begin() as db:
        for subject in subjects:
            await jobs.ensure_job(db, kind, subject, recurring=recurring, max_attempts=3)
    return subjects


async def job(maker: async_sessionmaker[AsyncSession], kind: str, subject: str) -> ConnectorJob:
    async with maker() as db:
        found = await db.scalar(
            select(ConnectorJob).where(ConnectorJob.kind == kind, ConnectorJob.subject == subject)
        )
    assert found is not None
    return found


async def test_a_killed_workers_job_is_retried_after_its_lease(
    maker: async_sessionmaker[AsyncSession],
) -> None:
    kind = f"t-{uuid.uuid4().hex[:8]}"
    await add_jobs(maker, kind, 1)
    now = utcnow()
    (first,) = await jobs.claim(maker, "a", lease=LEASE, now=now, kinds=frozenset({kind}))
    # "a" dies here: it never completes nor renews.
    assert await jobs.claim(maker, "b", lease=LEASE, now=now, kinds=frozenset({kind})) == []
    later = now + LEASE + timedelta(seconds=1)
    (second,) = await jobs.claim(maker, "b", lease=LEASE, now=later, kinds=frozenset({kind}))
    assert second.id == first.id and second.attempts == 2
    # The dead worker's late completion is refused; the live one's counts.
    assert not await jobs.complete(maker, first, None, now=later)
    assert await jobs.complete(maker, second, None, now=later)
    row = await job(maker, kind, "s0")
    assert row.state is JobState.DONE and row.runs == 1 and row.lease_owner is None


async def test_failures_back_off_then_a_one_shot_job_dies(
    maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    kind = f"t-{uuid.uuid4().hex[:8]}"
    await add_jobs(maker, kind, 1)

    async def broken(_: Runtime, __: Claimed) -> timedelta | None:
        raise RuntimeError("upstream down\nsecond line")

    backoff = retry.Backoff(base=10, cap=100)
    w = Worker(runtime(maker, settings), handlers={kind: broken}, backoff=backoff)
    now = utcnow()
    for attempt in range(1, 4):
        assert await w.run_once(now=now) == 1
        row = await job(maker, kind, "s0")
        assert row.last_error == "RuntimeError: upstream down"
        if attempt < 3:
            assert row.state is JobState.PENDING
            wait = row.run_at - now
            assert timedelta(seconds=5 * 2 ** (attempt - 1)) <= wait <= timedelta(seconds=100)
            assert await w.run_once(now=now) == 0  # not due yet
            now = row.run_at
    assert row.state is JobState.DEAD


async def test_recurring_jobs_are_rescheduled(
    maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    kind = f"t-{uuid.uuid4().hex[:8]}"
    await add_jobs(maker, kind, 1, recurring=True)

    async def tick(_: Runtime, __: Claimed) -> timedelta | None:
        return timedelta(minutes=5)

    w = Worker(runtime(maker, settings), handlers={kind: tick})
    now = utcnow()
    assert await w.drain(now=now) == 1
    row = await job(maker, kind, "s0")
    assert row.state is JobState.PENDING and row.run_at == now + timedelta(minutes=5)
    assert row.runs == 1 and row.attempts == 0


def test_backoff_is_bounded_and_jittered() -> None:
    import random

    rng = random.Random(7)
    b = retry.Backoff(base=2, cap=60)
    assert b.delay(0) == timedelta(0)
    for failures in range(1, 80):
        delay = b.delay(failures, rng=rng).total_seconds()
        ceiling = min(60, 2 * 2 ** (failures - 1))
        assert ceiling / 2 <= delay <= ceiling
    assert len({b.delay(10, rng=rng) for _ in range(20)}) > 1


async def test_two_workers_on_postgresql_do_each_job_exactly_once(
    postgres_url: str, settings: Settings
) -> None:
    url = postgres_url.replace("postgresql://", "postgresql+psycopg://")
    engines = [make_engine(url), make_engine(url)]
    await migrate.upgrade(engines[0])
    keyring = Keyring.of(TEST_SECRET)
    makers = [make_sessionmaker(e, keyring=keyring) for e in engines]
    kind = f"race-{uuid.uuid4().hex[:6]}"
    subjects = await add_jobs(makers[0], kind, 150)
    done: list[tuple[str, str]] = []

    def handler(owner: str) -> jobs.Handler:
        async def run(_: Runtime, claimed: Claimed) -> timedelta | None:
            done.append((owner, claimed.subject))
            await asyncio.sleep(0)  # let the other worker interleave
            return None

        return run

    workers = [
        Worker(runtime(m, settings), owner=name, handlers={kind: handler(name)})
        for m, name in zip(makers, ("w1", "w2"), strict=True)
    ]
    try:
        ran = await asyncio.gather(*(w.drain(limit=5) for w in workers))
        assert sum(ran) == len(subjects)
        counts = Counter(subject for _, subject in done)
        assert counts == Counter(subjects)  # every job once, none twice
        assert {owner for owner, _ in done} == {"w1", "w2"}
        async with makers[0]() as db:
            states = set(
                await db.scalars(select(ConnectorJob.state).where(ConnectorJob.kind == kind))
            )
        assert states == {JobState.DONE}
    finally:
        async with makers[0].begin() as db:
            await db.execute(delete(ConnectorJob).where(ConnectorJob.kind == kind))
        for e in engines:
            await e.dispose()
