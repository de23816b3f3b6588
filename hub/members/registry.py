"""Member firms and their registered assets."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from hub import audit
from hub.errors import Conflict, NotFound, Unprocessable
from hub.members import assets
from hub.members.principals import Principal
from hub.members.sectors import check_slug, get_sector
from hub.models import AssetKind, Member, MemberAsset

AssetLists = Mapping[AssetKind, Sequence[str]]


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
