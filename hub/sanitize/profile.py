"""What a member registered about itself: the values the sanitizer must never publish."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

PolicyOverride = Mapping[str, Any]


@dataclass(frozen=True)
class MemberProfile:
    """A member's registered names and assets; `member_key` keys its id mapping.

    `sites` are plant, office and works names in any language, `group_companies` the names
    of companies in its group, `teams` its CSIRT/SOC team names and `id_formats` templates
    of its internal identifiers (`#` one digit, `@` one ASCII letter, `*` a run of letters
    or digits, anything else literal: ``SEPCO-CSIRT-####-####``, ``INC-#*``).
    """

    member_key: str
    names: tuple[str, ...] = ()
    dns_domains: tuple[str, ...] = ()
    email_domains: tuple[str, ...] = ()
    ip_ranges: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    ad_domains: tuple[str, ...] = ()
    hostname_patterns: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()
    group_companies: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    id_formats: tuple[str, ...] = ()
    # Attacker values an operator confirmed: never redacted, even where a rule would match.
    keep_values: tuple[str, ...] = ()
    policy_override: PolicyOverride | None = field(default=None, hash=False, compare=False)

    @property
    def all_domains(self) -> tuple[str, ...]:
        """DNS, email and dotted AD domains: every namespace the member controls."""
        dotted_ad = tuple(d for d in self.ad_domains if "." in d)
        return tuple(
            dict.fromkeys(
                d.lower().rstrip(".")
                for d in (*self.dns_domains, *self.email_domains, *dotted_ad)
                if d
            )
        )

    @property
    def flat_ad_domains(self) -> tuple[str, ...]:
        """NetBIOS-style AD domains ("CORP") that appear as `CORP\\user`."""
        return tuple(d for d in self.ad_domains if d and "." not in d)

    def with_others(self, others: Iterable[MemberProfile]) -> MemberProfile:
        """The registry to protect in this member's submission: its assets and every other
        member's, under this member's key, keep-values and policy override."""
        rest = [o for o in others if o.member_key != self.member_key]
        if not rest:
            return self

        def union(attr: str) -> tuple[Any, ...]:
            values: list[Any] = list(getattr(self, attr))
            for other in rest:
                values.extend(getattr(other, attr))
            return tuple(dict.fromkeys(values))

        return MemberProfile(
            member_key=self.member_key,
            names=union("names"),
            dns_domains=union("dns_domains"),
            email_domains=union("email_domains"),
            ip_ranges=union("ip_ranges"),
            ad_domains=union("ad_domains"),
            hostname_patterns=union("hostname_patterns"),
            terms=union("terms"),
            sites=union("sites"),
            group_companies=union("group_companies"),
            teams=union("teams"),
            id_formats=union("id_formats"),
            keep_values=self.keep_values,
            policy_override=self.policy_override,
        )


@dataclass(frozen=True)
class SectorRef:
    """The sector a sighting is generalised to; `member_count` 0 when it was not counted."""

    slug: str
    name: str
    member_count: int = 0
