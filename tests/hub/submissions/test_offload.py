"""Work sent to a worker process: stopped at the deadline, a dead worker is a reason too."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Iterator

import pytest
from pebble import ProcessPool

from hub.runtime import HubRuntime
from hub.stix.identity import hub_identity
from hub.submissions import pipeline


def _forever() -> None:
    while True:
        time.sleep(1)


def _die() -> None:
    os._exit(3)


def _pid() -> int:
    return os.getpid()


@pytest.fixture(scope="module")
def pool() -> Iterator[ProcessPool]:
    workers = ProcessPool(1, context=multiprocessing.get_context("spawn"))
    yield workers
    workers.stop()  # type: ignore[no-untyped-call]
    workers.join(timeout=10)


def ctx_with(pool: ProcessPool, limit: float) -> HubRuntime:
    return HubRuntime(b"s" * 48, hub_identity("Test Hub"), pool=pool, time_limit=limit)


async def test_work_past_the_deadline_is_stopped_and_the_pool_goes_on(pool: ProcessPool) -> None:
    ctx = ctx_with(pool, 1.5)
    before = await pipeline.off_loop(ctx, time.monotonic() + 60, _pid)
    with pytest.raises(pipeline.Stopped) as stopped:
        await pipeline.off_loop(ctx, time.monotonic() + ctx.time_limit, _forever)
    assert stopped.value.failure == "time limit"
    assert "longer than the limit of 1.5 s" in stopped.value.reason
    # The stuck process was ended and replaced: the next task runs, in a new process.
    after = await pipeline.off_loop(ctx, time.monotonic() + 60, _pid)
    assert after != before


async def test_a_deadline_already_past_is_not_even_started(pool: ProcessPool) -> None:
    with pytest.raises(pipeline.Stopped):
        await pipeline.off_loop(ctx_with(pool, 5), time.monotonic() - 1, _pid)


async def test_a_worker_that_dies_is_a_reason_not_a_crash(pool: ProcessPool) -> None:
    ctx = ctx_with(pool, 60)
    with pytest.raises(pipeline.Stopped) as stopped:
        await pipeline.off_loop(ctx, time.monotonic() + 60, _die)
    assert stopped.value.failure == "worker ended"
    assert "exit code 3" in stopped.value.reason
    assert isinstance(await pipeline.off_loop(ctx, time.monotonic() + 60, _pid), int)
