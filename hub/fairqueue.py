"""Work taken round-robin across its owners, so one owner's backlog never delays another's.

Submissions wait here between intake and processing, keyed by member: a member who posts a
hundred reports has them done one at a time, and a report from any other member is taken
after at most one of them (plus those already running); with two worker processes or more,
one member's submissions never occupy them all.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter, OrderedDict, deque
from collections.abc import Awaitable, Callable

log = logging.getLogger("mamori.queue")

Handler = Callable[[str], Awaitable[object]]


class FairQueue:
    """Items keyed by owner; ``workers`` tasks take them in turn across owners.

    An owner never holds more than ``workers - 1`` of the workers (when there are two or
    more), so one is always free for anyone else's item: a member's big or pathological
    submission holds back only that member's. An item already waiting or running is not
    queued twice. Everything is in one event loop: ``put`` never blocks and never awaits.
    """

    def __init__(self, workers: int = 1) -> None:
        if workers < 1:
            raise ValueError("a queue needs at least one worker")
        self.workers = workers
        self.per_owner = max(1, workers - 1)
        self._owners: OrderedDict[str, deque[str]] = OrderedDict()
        self._running: Counter[str] = Counter()
        self._known: set[str] = set()
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def put(self, owner: str, item: str) -> bool:
        """Queue ``item`` behind its owner's earlier ones; False when it is already known."""
        if item in self._known:
            return False
        self._known.add(item)
        self._owners.setdefault(owner, deque()).append(item)
        self._wake.set()
        return True

    def waiting(self) -> int:
        return sum(len(items) for items in self._owners.values())

    def take(self) -> tuple[str, str] | None:
        """(owner, item): the first owner in turn not at its share, its oldest item; that
        owner goes to the back. None when nothing may be taken now."""
        owner = next((o for o in self._owners if self._running[o] < self.per_owner), None)
        if owner is None:
            return None
        items = self._owners[owner]
        item = items.popleft()
        if items:
            self._owners.move_to_end(owner)
        else:
            del self._owners[owner]
        self._running[owner] += 1
        return owner, item

    def done(self, owner: str, item: str) -> None:
        """``item`` finished: forget it and free its owner's share."""
        self._known.discard(item)
        self._running[owner] -= 1
        if self._running[owner] <= 0:
            del self._running[owner]
        self._wake.set()

    def start(self, handle: Handler) -> None:
        """Start the workers, each running ``handle(item)`` for one item at a time."""
        if self._tasks:
            raise RuntimeError("the queue is already running")
        self._tasks = [
            asyncio.create_task(self._work(handle), name=f"fair-queue-{n}")
            for n in range(self.workers)
        ]

    async def stop(self) -> None:
        """Cancel the workers; what was waiting stays known only to the caller's store."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def _work(self, handle: Handler) -> None:
        while True:
            taken = self.take()
            if taken is None:
                self._wake.clear()
                await self._wake.wait()
                continue
            owner, item = taken
            try:
                await handle(item)
            except Exception:
                # The handler records its own failures; this is the net under it.
                log.exception("queued work failed", extra={"item": item})
            finally:
                self.done(owner, item)
