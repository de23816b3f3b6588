"""From a member's registered assets to the sanitizer's view of them."""

from __future__ import annotations

import ipaddress

from hub import members
from hub.models import AssetKind, Member
from hub.sanitize import MemberProfile, SectorRef


def profile_of(member: Member) -> MemberProfile:
    """The member as the sanitizer needs it; needs ``member.assets`` loaded."""
    by_kind = members.asset_lists(member)
    return MemberProfile(
        member_key=member.id,
        names=(member.display_name, *by_kind[AssetKind.NAME]),
        dns_domains=tuple(by_kind[AssetKind.DNS_DOMAIN]),
        email_domains=tuple(by_kind[AssetKind.EMAIL_DOMAIN]),
        ip_ranges=tuple(ipaddress.ip_network(r) for r in by_kind[AssetKind.IP_RANGE]),
        ad_domains=tuple(by_kind[AssetKind.AD_DOMAIN]),
        hostname_patterns=tuple(by_kind[AssetKind.HOSTNAME_PATTERN]),
        terms=tuple(by_kind[AssetKind.TERM]),
    )


def sector_of(member: Member) -> SectorRef:
    """Needs ``member.sector`` loaded."""
    return SectorRef(slug=member.sector.slug, name=member.sector.name)
