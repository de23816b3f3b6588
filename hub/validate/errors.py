"""What the validator reports about an object that is not valid STIX 2.1."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason an object is rejected, tied to the property it is about."""

    property: str | None
    reason: str

    def __str__(self) -> str:
        return self.reason if self.property is None else f"{self.property}: {self.reason}"
