"""Request and failed-sign-in limits, kept by `limits` in memory or in Redis."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse_many
from limits.aio.storage import Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.storage import storage_from_string

from hub.config import Settings
from hub.errors import ConfigurationError, TooManyRequests


def _storage(uri: str) -> Storage:
    """memory:// (one process) or redis://host:port/db (shared by every worker and host)."""
    if uri.startswith(("redis://", "rediss://")):
        # redis-py's asyncio client (the `redis` package), not coredis.
        found = storage_from_string(f"async+{uri}", implementation="redispy")
    else:
        found = storage_from_string(uri if uri.startswith("async+") else f"async+{uri}")
    if not isinstance(found, Storage):
        raise ConfigurationError(f"MAMORI_RATE_LIMIT_STORAGE {uri.split('://')[0]}:// is not async")
    return found


@dataclass(frozen=True, slots=True)
class Budget:
    """One rule (several windows, e.g. ``10/second;600/minute``) and its limiter."""

    name: str
    items: tuple[RateLimitItem, ...]
    limiter: SlidingWindowCounterRateLimiter

    async def spend(self, *identity: str) -> int | None:
        """Count one request; the seconds to wait when a window is already full, else None."""
        for item in self.items:
            if not await self.limiter.hit(item, self.name, *identity):
                return await self._wait(item, identity)
        return None

    async def exhausted(self, *identity: str) -> int | None:
        """Whether a window is full, without counting (the seconds to wait), else None."""
        for item in self.items:
            if not await self.limiter.test(item, self.name, *identity):
                return await self._wait(item, identity)
        return None

    async def _wait(self, item: RateLimitItem, identity: tuple[str, ...]) -> int:
        stats = await self.limiter.get_window_stats(item, self.name, *identity)
        return max(1, math.ceil(stats.reset_time - time.time()))


class Throttle:
    """Per-client and per-key request budgets, and failed sign-ins per (client, key id)."""

    def __init__(self, settings: Settings) -> None:
        limiter = SlidingWindowCounterRateLimiter(_storage(settings.rate_limit_storage))
        self.per_client = Budget(
            "client", tuple(parse_many(settings.rate_limit_per_client)), limiter
        )
        self.per_key = Budget("key", tuple(parse_many(settings.rate_limit_per_key)), limiter)
        self.failures = Budget("sign-in", tuple(parse_many(settings.sign_in_failures)), limiter)

    async def request_from(self, client: str) -> None:
        wait = await self.per_client.spend(client)
        if wait is not None:
            raise TooManyRequests("too many requests from this address", retry_after=wait)

    async def request_by(self, key_id: str) -> None:
        wait = await self.per_key.spend(key_id)
        if wait is not None:
            raise TooManyRequests("too many requests with this key", retry_after=wait)

    async def check_sign_in(self, client: str, key_id: str | None) -> None:
        """429 while this address has used up its failed attempts for this key id."""
        wait = await self.failures.exhausted(client, key_id or "-")
        if wait is not None:
            raise TooManyRequests(
                "too many failed sign-ins from this address with this key; wait and retry",
                retry_after=wait,
            )

    async def note_failure(self, client: str, key_id: str | None) -> None:
        await self.failures.spend(client, key_id or "-")
