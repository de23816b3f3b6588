"""The hub's runtime: its secret, identity, sanitizing policy and the sanitizer's process pool."""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

from hub.config import Settings
from hub.sanitize import Policy
from hub.stix.identity import hub_identity


@dataclass(frozen=True)
class HubRuntime:
    """What the hub's workflows need from its configuration, built once per process."""

    secret: bytes
    hub_identity: Mapping[str, Any]
    policy: Policy = field(default_factory=Policy)
    # Sanitizing is pure and CPU-bound: in a server it runs in a process of its own so the
    # event loop keeps answering and the second core does the work.
    executor: Executor | None = field(default=None, compare=False)

    @classmethod
    def from_settings(cls, settings: Settings, executor: Executor | None = None) -> HubRuntime:
        policy = Policy()
        if settings.sanitize_policy_file is not None:
            policy = Policy.from_json(settings.sanitize_policy_file.read_bytes())
        return cls(settings.secret, hub_identity(settings.hub_name), policy, executor)

    def __getstate__(self) -> dict[str, Any]:
        # Sent to the sanitizer process without the pool itself.
        return {
            "secret": self.secret,
            "hub_identity": self.hub_identity,
            "policy": self.policy,
            "executor": None,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)
