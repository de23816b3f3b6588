"""Work taken round-robin across its owners, so one owner's backlog never delays another's.

Submissions wait here between intake and processing, keyed by member: a member who posts a
hundred reports has them done one at a time, and a report from any other member is taken
after at most one of them (plus those already running).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable

log = logging.getLogger("mamori.queue")

Handler = Callable[[str], Awaitable[object]]


class FairQueue:
    """Items keyed by owner; ``workers`` tasks take them in turn across owners.

    An item already waiting or running is not queued twice. Everything is in one event
    loop: ``put`` never blocks and never awaits.
    """

    def __init__(self, workers: int = 1) -> None:
        if workers < 1:
            raise ValueError("a queue needs at least one worker")
        self.workers = workers
        self._owners: OrderedDict[str, deque[str]] = OrderedDict()
        self._known: set[str] = set()
        self._ready: asyncio.Semaphore | None = None
        self._tasks: list[asyncio.Task[None]] = []

    def put(self, owner: str, item: str) -> bool:
        """Queue ``item`` behind its owner's earlier ones; False when it is already known."""
        if item in self._known:
            return False
        self._known.add(item)
        self._owners.setdefault(owner, deque()).append(item)
        if self._ready is not None:
            self._ready.release()
        return True

    def waiting(self) -> int:
        return sum(len(items) for items in self._owners.values())

    def take(self) -> str:
        """The next item: the first owner's oldest, and that owner goes to the back."""
        owner, items = next(iter(self._owners.items()))
        item = items.popleft()
        if items:
            self._owners.move_to_end(owner)
        else:
            del self._owners[owner]
        return item

    def start(self, handle: Handler) -> None:
        """Start the workers, each running ``handle(item)`` for one item at a time."""
        if self._tasks:
            raise RuntimeError("the queue is already running")
        self._ready = asyncio.Semaphore(self.waiting())
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
        self._ready = None

    async def _work(self, handle: Handler) -> None:
        assert self._ready is not None
        while True:
            await self._ready.acquire()
            item = self.take()
            try:
                await handle(item)
            except Exception:
                # The handler records its own failures; this is the net under it.
                log.exception("queued work failed", extra={"item": item})
            finally:
                self._known.discard(item)
