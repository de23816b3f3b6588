"""Administration of sectors, member firms, their registered assets, accounts and keys."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from hub import assets, audit, keys
from hub.errors import Conflict, NotFound, Unprocessable
from hub.models import Account, ApiKey, AssetKind, Member, MemberAsset, Role, Sector
from hub.principals import Principal

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
MEMBER_ROLES = frozenset({Role.SUBMITTER, Role.READER})

AssetLists = Mapping[AssetKind, Sequence[str]]


def check_slug(slug: str, what: str) -> str:
    if not _SLUG.match(slug):
        raise Unprocessable(
            f"{what} slug {slug!r}: use 1-64 lower-case letters, digits and inner hyphens"
        )
    return slug


async def create_sector(
    db: AsyncSession, slug: str, name: str, *, actor: Principal | None = None
) -> Sector:
    check_slug(slug, "sector")
    if not name.strip():
        raise Unprocessable("sector name must not be empty")
    if await db.scalar(select(Sector.id).where(Sector.slug == slug)):
        raise Conflict(f"sector {slug!r} already exists")
    sector = Sector(slug=slug, name=name.strip())
    db.add(sector)
    await db.flush()
    await audit.record(db, actor=actor, action="sector.create", subject=f"sector:{slug}")
    return sector


async def list_sectors(db: AsyncSession) -> list[tuple[Sector, int]]:
    """Every sector with its number of members."""
    counts = (
        select(Member.sector_id, func.count(Member.id).label("n"))
        .group_by(Member.sector_id)
        .subquery()
    )
    rows = await db.execute(
        select(Sector, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.sector_id == Sector.id)
        .order_by(Sector.slug)
    )
    return [(s, int(n)) for s, n in rows.all()]


async def get_sector(db: AsyncSession, slug: str) -> Sector:
    sector = await db.scalar(select(Sector).where(Sector.slug == slug))
    if sector is None:
        raise NotFound(f"no sector {slug!r}")
    return sector


def _normalised(lists: AssetLists) -> dict[AssetKind, list[str]]:
    out: dict[AssetKind, list[str]] = {}
    for kind, values in lists.items():
        seen: dict[str, None] = {}
        for value in values:
            seen.setdefault(assets.normalise(kind, value), None)
        out[kind] = list(seen)
    return out


async def create_member(
    db: AsyncSession,
    slug: str,
    display_name: str,
    sector_slug: str,
    asset_lists: AssetLists,
    *,
    actor: Principal | None = None,
) -> Member:
    check_slug(slug, "member")
    if not display_name.strip():
        raise Unprocessable("member display name must not be empty")
    sector = await get_sector(db, sector_slug)
    if await db.scalar(select(Member.id).where(Member.slug == slug)):
        raise Conflict(f"member {slug!r} already exists")
    lists = _normalised(asset_lists)
    names = lists.setdefault(AssetKind.NAME, [])
    if assets.normalise(AssetKind.NAME, display_name) not in names:
        names.insert(0, assets.normalise(AssetKind.NAME, display_name))
    member = Member(slug=slug, display_name=display_name.strip(), sector_id=sector.id)
    db.add(member)
    await db.flush()
    _set_assets(db, member.id, lists)
    await db.flush()
    # Counts only: the audit trail must not become a second copy of members' secrets.
    await audit.record(
        db,
        actor=actor,
        action="member.create",
        subject=f"member:{slug}",
        details={"sector": sector_slug, "assets": {k.value: len(v) for k, v in lists.items()}},
    )
    return await get_member(db, slug)


def _set_assets(db: AsyncSession, member_id: str, lists: Mapping[AssetKind, list[str]]) -> None:
    for kind, values in lists.items():
        for position, value in enumerate(values):
            db.add(MemberAsset(member_id=member_id, kind=kind, value=value, position=position))


async def get_member(db: AsyncSession, slug: str) -> Member:
    member = await db.scalar(
        select(Member)
        .where(Member.slug == slug)
        .options(selectinload(Member.assets), selectinload(Member.sector))
        .execution_options(populate_existing=True)
    )
    if member is None:
        raise NotFound(f"no member {slug!r}")
    return member


async def list_members(db: AsyncSession, sector_slug: str | None = None) -> list[Member]:
    query = (
        select(Member)
        .options(selectinload(Member.assets), selectinload(Member.sector))
        .order_by(Member.slug)
    )
    if sector_slug is not None:
        sector = await get_sector(db, sector_slug)
        query = query.where(Member.sector_id == sector.id)
    return list((await db.scalars(query)).all())


async def update_member(
    db: AsyncSession,
    slug: str,
    *,
    display_name: str | None = None,
    sector_slug: str | None = None,
    replace: AssetLists | None = None,
    add: AssetLists | None = None,
    remove: AssetLists | None = None,
    actor: Principal | None = None,
) -> Member:
    """Change a member; ``replace`` sets whole lists, ``add``/``remove`` edit single values."""
    member = await get_member(db, slug)
    if display_name is not None:
        if not display_name.strip():
            raise Unprocessable("member display name must not be empty")
        member.display_name = display_name.strip()
    if sector_slug is not None:
        member.sector_id = (await get_sector(db, sector_slug)).id
    current: dict[AssetKind, list[str]] = {}
    for asset in member.assets:
        current.setdefault(asset.kind, []).append(asset.value)
    for kind, values in _normalised(replace or {}).items():
        current[kind] = values
    for kind, values in _normalised(add or {}).items():
        bucket = current.setdefault(kind, [])
        bucket.extend(v for v in values if v not in bucket)
    for kind, values in _normalised(remove or {}).items():
        bucket = current.get(kind, [])
        missing = [v for v in values if v not in bucket]
        if missing:
            raise Unprocessable(f"{kind.value}: {', '.join(missing)} not registered for {slug!r}")
        current[kind] = [v for v in bucket if v not in values]
    for asset in list(member.assets):
        await db.delete(asset)
    await db.flush()
    _set_assets(db, member.id, current)
    await db.flush()
    await audit.record(
        db,
        actor=actor,
        action="member.update",
        subject=f"member:{slug}",
        details={"sector": sector_slug, "assets": {k.value: len(v) for k, v in current.items()}},
    )
    return await get_member(db, slug)


def asset_lists(member: Member) -> dict[AssetKind, list[str]]:
    """The member's registered assets by kind, every kind present."""
    out: dict[AssetKind, list[str]] = {kind: [] for kind in AssetKind}
    for asset in member.assets:
        out[asset.kind].append(asset.value)
    return out


async def create_account(
    db: AsyncSession, role: Role, label: str, member_slug: str | None = None
) -> Account:
    member_id: str | None = None
    if role in MEMBER_ROLES:
        if member_slug is None:
            raise Unprocessable(f"a {role.value} account belongs to a member: give the member")
        member_id = (await get_member(db, member_slug)).id
    elif member_slug is not None:
        raise Unprocessable(f"an {role.value} account belongs to the hub, not to a member")
    account = Account(role=role, label=label.strip() or role.value, member_id=member_id)
    db.add(account)
    await db.flush()
    return account


async def create_key(
    db: AsyncSession,
    *,
    role: Role | None = None,
    label: str = "",
    member_slug: str | None = None,
    account_id: str | None = None,
    actor: Principal | None = None,
) -> tuple[Account, keys.IssuedKey]:
    """A new key, for a new account (role, member) or as an extra key of an existing account."""
    if account_id is not None:
        account = await db.get(Account, account_id)
        if account is None:
            raise NotFound(f"no account {account_id!r}")
    elif role is not None:
        account = await create_account(db, role, label, member_slug)
    else:
        raise Unprocessable("give a role (for a new account) or an account id (for another key)")
    issued = await keys.issue(db, account)
    await audit.record(
        db,
        actor=actor,
        action="key.create",
        subject=f"key:{issued.key_id}",
        details={"account": account.id, "role": account.role.value, "member": member_slug},
    )
    return account, issued


@dataclass(frozen=True)
class KeyInfo:
    key_id: str
    account_id: str
    role: Role
    label: str
    member_slug: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


async def list_keys(
    db: AsyncSession, member_slug: str | None = None, *, include_revoked: bool = True
) -> list[KeyInfo]:
    query = (
        select(ApiKey, Account, Member.slug)
        .join(Account, Account.id == ApiKey.account_id)
        .outerjoin(Member, Member.id == Account.member_id)
        .order_by(ApiKey.created_at, ApiKey.key_id)
    )
    if member_slug is not None:
        query = query.where(Member.slug == member_slug)
    if not include_revoked:
        query = query.where(ApiKey.revoked_at.is_(None))
    rows = await db.execute(query)
    return [
        KeyInfo(k.key_id, a.id, a.role, a.label, slug, k.created_at, k.last_used_at, k.revoked_at)
        for k, a, slug in rows.all()
    ]


async def ensure_admin(db: AsyncSession) -> keys.IssuedKey | None:
    """On first start, an admin key to print; None when an active admin key exists already."""
    active = await db.scalar(
        select(func.count())
        .select_from(ApiKey)
        .join(Account, Account.id == ApiKey.account_id)
        .where(Account.role == Role.ADMIN, ApiKey.revoked_at.is_(None))
    )
    if active:
        return None
    _, issued = await create_key(db, role=Role.ADMIN, label="first admin")
    return issued


def parse_asset_pairs(pairs: Iterable[str]) -> dict[AssetKind, list[str]]:
    """``kind=value`` pairs (as typed on the command line) grouped by kind."""
    out: dict[AssetKind, list[str]] = {}
    for pair in pairs:
        kind_text, sep, value = pair.partition("=")
        try:
            kind = AssetKind(kind_text.strip().replace("-", "_"))
        except ValueError:
            kinds = ", ".join(k.value for k in AssetKind)
            raise Unprocessable(f"{pair!r}: asset kind must be one of {kinds}") from None
        if not sep:
            raise Unprocessable(f"{pair!r}: write it as kind=value")
        out.setdefault(kind, []).append(value)
    return out


async def revoke(db: AsyncSession, key_id: str, *, actor: Principal | None = None) -> None:
    await keys.revoke(db, key_id)
    await audit.record(db, actor=actor, action="key.revoke", subject=f"key:{key_id}")
