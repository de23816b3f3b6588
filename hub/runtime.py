"""The hub's runtime: its secret, identity, sanitizing policy, worker processes and queue."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pebble import ProcessPool

from hub.config import Settings
from hub.fairqueue import FairQueue
from hub.sanitize import Policy
from hub.stix.identity import hub_identity

DEFAULT_TIME_LIMIT = 300.0


@dataclass(frozen=True)
class HubRuntime:
    """What the hub's workflows need from its configuration, built once per process."""

    secret: bytes
    hub_identity: Mapping[str, Any]
    policy: Policy = field(default_factory=Policy)
    # Validating and sanitizing are pure and CPU-bound: in a server they run in processes of
    # their own, so the event loop keeps answering, the second core does the work, and a
    # submission over its time limit is stopped by ending its process.
    pool: ProcessPool | None = field(default=None, compare=False)
    # Seconds of processing one submission may take before it is failed.
    time_limit: float = DEFAULT_TIME_LIMIT
    # Submissions waiting for processing, taken in turn across members (None: at once).
    queue: FairQueue | None = field(default=None, compare=False)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        pool: ProcessPool | None = None,
        queue: FairQueue | None = None,
    ) -> HubRuntime:
        policy = Policy()
        if settings.sanitize_policy_file is not None:
            policy = Policy.from_json(settings.sanitize_policy_file.read_bytes())
        return cls(
            # Hub ids are minted with the oldest key epoch, so they survive a rotation.
            settings.keyring.id_secret,
            hub_identity(settings.hub_name),
            policy,
            pool,
            settings.submission_time_limit_seconds,
            queue,
        )

    def __getstate__(self) -> dict[str, Any]:
        # Sent to a worker process without the pool or the queue.
        return {
            "secret": self.secret,
            "hub_identity": self.hub_identity,
            "policy": self.policy,
            "pool": None,
            "time_limit": self.time_limit,
            "queue": None,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)
