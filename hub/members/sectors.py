"""Sectors: the sharing groups, each created with its TAXII collection."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub import audit
from hub.errors import Conflict, NotFound, Unprocessable
from hub.members.principals import Principal
from hub.models import Member, Sector
from hub.store import collections

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


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
    await collections.create_for_sector(db, sector)
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
