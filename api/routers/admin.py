"""Hub administration over REST: sectors, members with their assets, API keys."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import Admin, Db
from hub import members
from hub.models import AssetKind, Member
from schemas.admin import (
    Assets,
    AssetsPatch,
    IssuedKeyOut,
    KeyIn,
    KeyOut,
    MemberIn,
    MemberOut,
    MemberPatch,
    SectorIn,
    SectorOut,
)
from schemas.problems import Problem

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "content": {"application/problem+json": {}}}
    for code in (401, 403, 404, 409, 422)
}

_FIELDS: dict[str, AssetKind] = {
    "names": AssetKind.NAME,
    "dns_domains": AssetKind.DNS_DOMAIN,
    "email_domains": AssetKind.EMAIL_DOMAIN,
    "ip_ranges": AssetKind.IP_RANGE,
    "ad_domains": AssetKind.AD_DOMAIN,
    "hostname_patterns": AssetKind.HOSTNAME_PATTERN,
    "terms": AssetKind.TERM,
    "sites": AssetKind.SITE,
    "group_companies": AssetKind.GROUP_COMPANY,
    "teams": AssetKind.TEAM,
    "id_formats": AssetKind.ID_FORMAT,
}


def _lists(model: Assets | AssetsPatch) -> dict[AssetKind, list[str]]:
    return {
        kind: list(values)
        for field, kind in _FIELDS.items()
        if (values := getattr(model, field)) is not None
    }


def member_out(member: Member) -> MemberOut:
    by_kind = members.asset_lists(member)
    return MemberOut(
        slug=member.slug,
        display_name=member.display_name,
        sector=member.sector.slug,
        created_at=member.created_at,
        assets=Assets(**{field: by_kind[kind] for field, kind in _FIELDS.items()}),
    )


@router.get("/sectors", responses=_ERRORS)
async def list_sectors(db: Db, _: Admin) -> list[SectorOut]:
    """Every sector with its member count."""
    return [
        SectorOut(slug=s.slug, name=s.name, member_count=n, created_at=s.created_at)
        for s, n in await members.list_sectors(db)
    ]


@router.post("/sectors", status_code=201, responses=_ERRORS)
async def create_sector(db: Db, admin: Admin, body: SectorIn) -> SectorOut:
    """Create a sector (a sharing group); its TAXII collection follows from it."""
    s = await members.create_sector(db, body.slug, body.name, actor=admin)
    return SectorOut(slug=s.slug, name=s.name, member_count=0, created_at=s.created_at)


@router.get("/members", responses=_ERRORS)
async def list_members(db: Db, _: Admin, sector: str | None = None) -> list[MemberOut]:
    """Members with their registered assets, optionally of one sector."""
    return [member_out(m) for m in await members.list_members(db, sector)]


@router.post("/members", status_code=201, responses=_ERRORS)
async def create_member(db: Db, admin: Admin, body: MemberIn) -> MemberOut:
    """Register a member firm and the assets the sanitizer must remove from its reports."""
    member = await members.create_member(
        db, body.slug, body.display_name, body.sector, _lists(body.assets), actor=admin
    )
    return member_out(member)


@router.get("/members/{slug}", responses=_ERRORS)
async def get_member(db: Db, _: Admin, slug: str) -> MemberOut:
    """One member with its registered assets."""
    return member_out(await members.get_member(db, slug))


@router.patch("/members/{slug}", responses=_ERRORS)
async def update_member(db: Db, admin: Admin, slug: str, body: MemberPatch) -> MemberOut:
    """Change a member's name, sector or registered assets (given lists replace old ones)."""
    member = await members.update_member(
        db,
        slug,
        display_name=body.display_name,
        sector_slug=body.sector,
        replace=_lists(body.assets) if body.assets else None,
        actor=admin,
    )
    return member_out(member)


@router.get("/keys", responses=_ERRORS)
async def list_keys(db: Db, _: Admin, member: str | None = None) -> list[KeyOut]:
    """API keys (never their secrets), with last use and revocation."""
    return [
        KeyOut(
            key_id=k.key_id,
            account_id=k.account_id,
            role=k.role,
            label=k.label,
            member=k.member_slug,
            created_at=k.created_at,
            last_used_at=k.last_used_at,
            revoked_at=k.revoked_at,
        )
        for k in await members.list_keys(db, member)
    ]


@router.post("/keys", status_code=201, responses=_ERRORS)
async def create_key(db: Db, admin: Admin, body: KeyIn) -> IssuedKeyOut:
    """Issue a key; the response is the only place the key ever appears."""
    account, issued = await members.create_key(
        db,
        role=body.role,
        label=body.label,
        member_slug=body.member,
        account_id=body.account_id,
        actor=admin,
    )
    return IssuedKeyOut(
        key_id=issued.key_id,
        key=issued.key,
        account_id=account.id,
        role=account.role,
        member=body.member,
    )


@router.delete("/keys/{key_id}", responses=_ERRORS)
async def revoke_key(db: Db, admin: Admin, key_id: str) -> KeyOut:
    """Revoke a key at once; it stops working on the next request."""
    await members.revoke(db, key_id, actor=admin)
    info = next(k for k in await members.list_keys(db) if k.key_id == key_id)
    return KeyOut(
        key_id=info.key_id,
        account_id=info.account_id,
        role=info.role,
        label=info.label,
        member=info.member_slug,
        created_at=info.created_at,
        last_used_at=info.last_used_at,
        revoked_at=info.revoked_at,
    )
