"""From a member's registered assets to the sanitizer's view of them."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

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
        sites=tuple(by_kind[AssetKind.SITE]),
        group_companies=tuple(by_kind[AssetKind.GROUP_COMPANY]),
        teams=tuple(by_kind[AssetKind.TEAM]),
        id_formats=tuple(by_kind[AssetKind.ID_FORMAT]),
    )


def sector_of(member: Member, member_count: int = 0) -> SectorRef:
    """Needs ``member.sector`` loaded; `member_count` is the sector's number of members
    (0: not counted, and the sector is never treated as small)."""
    return SectorRef(slug=member.sector.slug, name=member.sector.name, member_count=member_count)


async def all_profiles(db: AsyncSession) -> dict[str, MemberProfile]:
    """Every member's profile by member id, read in one query (assets joined in)."""
    rows = (await db.scalars(select(Member).options(joinedload(Member.assets)))).unique()
    return {m.id: profile_of(m) for m in rows}


async def sector_member_count(db: AsyncSession, sector_id: str) -> int:
    """How many members the sector has: fewer than the policy's minimum names its member."""
    count = await db.scalar(select(func.count(Member.id)).where(Member.sector_id == sector_id))
    return int(count or 0)


@dataclass(frozen=True)
class Registry:
    """What one submission is sanitized against: its member's profile, the sector it is
    generalised to, and every other member's profile (protected in it as well)."""

    profile: MemberProfile
    sector: SectorRef
    others: tuple[MemberProfile, ...]


async def registry_for(db: AsyncSession, member: Member) -> Registry:
    """The registry for a submission of `member` (``member.sector`` loaded): two queries
    (every member with its assets, the sector's member count), whatever the membership."""
    everyone = await all_profiles(db)
    own = everyone.pop(member.id)
    count = await sector_member_count(db, member.sector_id)
    return Registry(own, sector_of(member, count), tuple(everyone.values()))
