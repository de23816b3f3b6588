"""What a member registered about itself: the values the sanitizer must never publish."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

PolicyOverride = Mapping[str, Any]


@dataclass(frozen=True)
class MemberProfile:
    """A member's registered names and assets; `member_key` keys its id mapping."""

    member_key: str
    names: tuple[str, ...] = ()
    dns_domains: tuple[str, ...] = ()
    email_domains: tuple[str, ...] = ()
    ip_ranges: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    ad_domains: tuple[str, ...] = ()
    hostname_patterns: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    # Attacker values an operator confirmed: never redacted, even where a rule would match.
    keep_values: tuple[str, ...] = ()
    policy_override: PolicyOverride | None = field(default=None, hash=False, compare=False)

    @property
    def all_domains(self) -> tuple[str, ...]:
        """DNS, email and dotted AD domains: every namespace the member controls."""
        dotted_ad = tuple(d for d in self.ad_domains if "." in d)
        return tuple(dict.fromkeys(d.lower().rstrip(".") for d in
                                   (*self.dns_domains, *self.email_domains, *dotted_ad) if d))

    @property
    def flat_ad_domains(self) -> tuple[str, ...]:
        """NetBIOS-style AD domains ("CORP") that appear as `CORP\\user`."""
        return tuple(d for d in self.ad_domains if d and "." not in d)


@dataclass(frozen=True)
class SectorRef:
    """The sector a sighting is generalised to."""

    slug: str
    name: str
