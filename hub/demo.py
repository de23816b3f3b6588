"""A demonstration community: two sectors, three members, their keys, and a sample report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub import members
from hub.errors import NotFound
from hub.models import AssetKind, Role

A = AssetKind

SECTORS = [
    ("energy", "Electric power and gas SIG"),
    ("manufacturing", "Heavy industry and manufacturing SIG"),
]

MEMBERS: list[tuple[str, str, str, dict[AssetKind, list[str]]]] = [
    (
        "kansai-grid",
        "関西グリッド電力株式会社",
        "energy",
        {
            A.NAME: ["Kansai Grid Power", "KGP", "関西グリッド"],
            A.DNS_DOMAIN: ["kansai-grid.example.jp", "kgp-group.example"],
            A.EMAIL_DOMAIN: ["kansai-grid.example.jp"],
            A.IP_RANGE: ["203.0.113.0/25", "2001:db8:4b47::/48"],
            A.AD_DOMAIN: ["KGPCORP", "corp.kansai-grid.example.jp"],
            A.HOSTNAME_PATTERN: ["kgp-ws-*", "*.corp.kansai-grid.example.jp"],
            A.TERM: ["Project Hotaru"],
            A.SITE: ["Himeji LNG Terminal", "姫路LNG基地"],
            A.GROUP_COMPANY: ["KGP Network Services", "関西グリッド送配電株式会社"],
            A.TEAM: ["KGP-CSIRT", "サイバーセキュリティ推進室"],
            A.ID_FORMAT: ["KGP-CSIRT-####-####"],
        },
    ),
    (
        "tohoku-gas",
        "Tohoku Gas & Heat Co., Ltd.",
        "energy",
        {
            A.NAME: ["東北ガス熱供給", "TGH"],
            A.DNS_DOMAIN: ["tohoku-gas.example.jp"],
            A.EMAIL_DOMAIN: ["tohoku-gas.example.jp", "tgh.example.net"],
            A.IP_RANGE: ["198.51.100.128/26"],
            A.AD_DOMAIN: ["TGHAD"],
            A.HOSTNAME_PATTERN: ["tgh-srv-??", "tgh-pc-*"],
            A.TERM: ["SCADA-North"],
            A.SITE: ["Sendai Gas Works", "仙台工場"],
            A.TEAM: ["TGH-SOC"],
            A.ID_FORMAT: ["TGH-INC-#*"],
        },
    ),
    (
        "nishi-heavy",
        "Nishi Heavy Industries",
        "manufacturing",
        {
            A.NAME: ["西重工業", "NHI"],
            A.DNS_DOMAIN: ["nishi-heavy.example.com"],
            A.EMAIL_DOMAIN: ["nishi-heavy.example.com"],
            A.IP_RANGE: ["192.0.2.0/24"],
            A.AD_DOMAIN: ["NHI-AD", "ad.nishi-heavy.example.com"],
            A.HOSTNAME_PATTERN: ["nhi-*-lt"],
            A.TERM: ["turbine X-9"],
            A.SITE: ["Kure Shipyard", "呉工場"],
            A.GROUP_COMPANY: ["Nishi Heavy Engineering", "西重エンジニアリング"],
            A.TEAM: ["NHI-PSIRT"],
            A.ID_FORMAT: ["NHI-SR-@@##-###"],
        },
    ),
]


@dataclass
class Credential:
    role: str
    member: str | None
    key_id: str
    key: str


@dataclass
class Seeded:
    sectors: list[dict[str, str]] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)
    credentials: list[Credential] = field(default_factory=list)


async def seed(db: AsyncSession) -> Seeded:
    """Create what is missing and issue fresh keys (keys are shown once, so each run issues)."""
    out = Seeded()
    for slug, name in SECTORS:
        try:
            sector = await members.get_sector(db, slug)
        except NotFound:
            sector = await members.create_sector(db, slug, name)
        out.sectors.append({"slug": sector.slug, "name": sector.name})
    for slug, display, sector_slug, assets in MEMBERS:
        try:
            member = await members.get_member(db, slug)
        except NotFound:
            member = await members.create_member(db, slug, display, sector_slug, assets)
        by_kind = members.asset_lists(member)
        out.members.append(
            {
                "slug": member.slug,
                "display_name": member.display_name,
                "sector": sector_slug,
                "assets": {k.value: v for k, v in by_kind.items()},
            }
        )
        for role in (Role.SUBMITTER, Role.READER):
            _, issued = await members.create_key(
                db, role=role, label=f"demo {role.value}", member_slug=slug
            )
            out.credentials.append(Credential(role.value, slug, issued.key_id, issued.key))
    for role in (Role.OPERATOR, Role.ADMIN):
        _, issued = await members.create_key(db, role=role, label=f"demo {role.value}")
        out.credentials.append(Credential(role.value, None, issued.key_id, issued.key))
    return out


async def has_demo(db: AsyncSession) -> bool:
    from hub.models import Sector

    return await db.scalar(select(Sector.id).where(Sector.slug == SECTORS[0][0])) is not None


def sample_report() -> dict[str, Any]:
    """A spear-phishing report as Kansai Grid's SOC would send it, victim details and all."""
    return {
        "type": "bundle",
        "id": "bundle--0c2a9f9e-7f4e-4a53-9c70-5f4b8f0f6a11",
        "objects": [
            {
                "type": "identity",
                "spec_version": "2.1",
                "id": "identity--a6f9b3c2-6f0e-4d4a-9a52-3b1f7e8c9d01",
                "created": "2026-11-20T01:00:00.000Z",
                "modified": "2026-11-20T01:00:00.000Z",
                "name": "関西グリッド電力株式会社 CSIRT",
                "identity_class": "organization",
                "contact_information": "csirt@kansai-grid.example.jp",
            },
            {
                "type": "indicator",
                "spec_version": "2.1",
                "id": "indicator--5b7c9d2e-1f3a-4b6c-8d9e-0a1b2c3d4e5f",
                "created_by_ref": "identity--a6f9b3c2-6f0e-4d4a-9a52-3b1f7e8c9d01",
                "created": "2026-11-20T01:05:00.000Z",
                "modified": "2026-11-20T01:05:00.000Z",
                "name": "C2 contacted by kgp-ws-0231 after opening the lure",
                "description": (
                    "Seen from kgp-ws-0231.corp.kansai-grid.example.jp (10.20.31.7) when "
                    "t.yamada@kansai-grid.example.jp opened the attachment. Beacon to "
                    "update-check.example-cdn.net (198.51.100.23) every 300 s."
                ),
                "indicator_types": ["malicious-activity"],
                "pattern": (
                    "[domain-name:value = 'update-check.example-cdn.net'] OR "
                    "[ipv4-addr:value = '198.51.100.23']"
                ),
                "pattern_type": "stix",
                "valid_from": "2026-11-20T01:05:00Z",
            },
            {
                "type": "malware",
                "spec_version": "2.1",
                "id": "malware--7d8e9f0a-1b2c-4d3e-8f4a-5b6c7d8e9f0a",
                "created_by_ref": "identity--a6f9b3c2-6f0e-4d4a-9a52-3b1f7e8c9d01",
                "created": "2026-11-20T01:05:00.000Z",
                "modified": "2026-11-20T01:05:00.000Z",
                "name": "PlugX",
                "is_family": True,
                "malware_types": ["remote-access-trojan"],
            },
            {
                "type": "relationship",
                "spec_version": "2.1",
                "id": "relationship--9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d",
                "created_by_ref": "identity--a6f9b3c2-6f0e-4d4a-9a52-3b1f7e8c9d01",
                "created": "2026-11-20T01:06:00.000Z",
                "modified": "2026-11-20T01:06:00.000Z",
                "relationship_type": "indicates",
                "source_ref": "indicator--5b7c9d2e-1f3a-4b6c-8d9e-0a1b2c3d4e5f",
                "target_ref": "malware--7d8e9f0a-1b2c-4d3e-8f4a-5b6c7d8e9f0a",
            },
        ],
    }
