"""Bounded exponential backoff with full jitter, so failing connectors neither hammer nor stall."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, slots=True)
class Backoff:
    """Delay before attempt n+1 after n failures: uniform in [base·2ⁿ⁻¹/2, base·2ⁿ⁻¹], capped."""

    base: float = 5.0
    cap: float = 3600.0

    def delay(self, failures: int, *, rng: random.Random | None = None) -> timedelta:
        """How long to wait after `failures` consecutive failures (at least one)."""
        if failures < 1:
            return timedelta(0)
        # The exponent is clamped so a long outage cannot overflow the float.
        ceiling = min(self.cap, self.base * 2 ** min(failures - 1, 60))
        # Half fixed, half random: spreads retries of many workers without ever retrying at once.
        jitter = (rng or random).uniform(0.5, 1.0)  # noqa: S311 (timing, not secrecy)
        return timedelta(seconds=ceiling * jitter)


DEFAULT = Backoff()
