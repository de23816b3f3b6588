"""Plain factory functions for tests: each makes one thing in the given session."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from hub import members
from hub.models import AssetKind, Member, Role, Sector


def slug(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def make_sector(db: AsyncSession, slug_: str | None = None, name: str = "") -> Sector:
    sector_slug = slug_ or slug("sector")
    return await members.create_sector(db, sector_slug, name or f"Sector {sector_slug}")


async def make_member(
    db: AsyncSession,
    *,
    sector: Sector | None = None,
    slug_: str | None = None,
    display_name: str = "Example Member Corp",
    assets: Mapping[AssetKind, Sequence[str]] | None = None,
) -> Member:
    sector = sector or await make_sector(db)
    return await members.create_member(
        db, slug_ or slug("member"), display_name, sector.slug, assets or {}
    )


async def make_key(db: AsyncSession, role: Role, member: Member | None = None) -> str:
    """A working API key string for a new account of ``role`` (of ``member`` for member roles)."""
    _, issued = await members.create_key(
        db, role=role, label=f"test {role.value}", member_slug=member.slug if member else None
    )
    return issued.key


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
