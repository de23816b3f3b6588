"""The fair queue: owners take turns, an item is queued once, and a failing item is passed."""

from __future__ import annotations

import asyncio

import pytest

from hub.fairqueue import FairQueue


def test_owners_take_turns_whatever_their_backlog() -> None:
    queue = FairQueue()
    for n in range(4):
        queue.put("a", f"a{n}")
    queue.put("b", "b0")
    queue.put("c", "c0")
    queue.put("b", "b1")
    order = []
    while (taken := queue.take()) is not None:
        owner, item = taken
        order.append(item)
        queue.done(owner, item)
    assert order == ["a0", "b0", "c0", "a1", "b1", "a2", "a3"]


def test_an_owner_never_holds_every_worker() -> None:
    queue = FairQueue(workers=3)
    for n in range(5):
        queue.put("a", f"a{n}")
    assert queue.take() == ("a", "a0")
    assert queue.take() == ("a", "a1")
    assert queue.take() is None  # the third worker stays free for someone else
    queue.put("b", "b0")
    assert queue.take() == ("b", "b0")
    queue.done("a", "a0")
    assert queue.take() == ("a", "a2")


def test_an_item_waiting_is_not_queued_twice() -> None:
    queue = FairQueue()
    assert queue.put("a", "x") is True
    assert queue.put("a", "x") is False
    assert queue.put("b", "x") is False
    assert queue.waiting() == 1


async def test_workers_run_each_item_once_and_survive_a_failure() -> None:
    queue = FairQueue(workers=2)
    seen: list[str] = []
    finished = asyncio.Event()

    async def handle(item: str) -> None:
        seen.append(item)
        if item == "bad":
            raise ValueError("broken item")
        if len(seen) == 4:
            finished.set()

    for owner, item in [("a", "bad"), ("a", "one"), ("b", "two"), ("c", "three")]:
        queue.put(owner, item)
    queue.start(handle)
    await asyncio.wait_for(finished.wait(), 30)  # a hang guard
    await queue.stop()
    assert sorted(seen) == ["bad", "one", "three", "two"]
    # Done items are forgotten: the same id may come back (a retried submission).
    assert queue.put("a", "one") is True


def test_a_queue_needs_a_worker() -> None:
    with pytest.raises(ValueError):
        FairQueue(workers=0)
