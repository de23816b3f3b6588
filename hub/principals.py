"""Who is calling: an authenticated account with its role, member and sector."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub import keys
from hub.models import Member, Role, Sector


@dataclass(frozen=True, slots=True)
class Principal:
    account_id: str
    role: Role
    label: str
    member_id: str | None = None
    member_slug: str | None = None
    sector_id: str | None = None
    sector_slug: str | None = None

    @property
    def is_staff(self) -> bool:
        """Operators and admins act for the hub and see every member's submissions."""
        return self.role in (Role.OPERATOR, Role.ADMIN)


async def from_key(
    db: AsyncSession, key_id: str, secret: str, *, touch_after: timedelta
) -> Principal | None:
    account = await keys.authenticate(db, key_id, secret, touch_after=touch_after)
    if account is None:
        return None
    if account.member_id is None:
        return Principal(account.id, account.role, account.label)
    row = (
        await db.execute(
            select(Member.slug, Sector.id, Sector.slug)
            .join(Sector, Sector.id == Member.sector_id)
            .where(Member.id == account.member_id)
        )
    ).one()
    return Principal(
        account.id, account.role, account.label, account.member_id, row[0], row[1], row[2]
    )
