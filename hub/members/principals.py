"""Who is calling: an authenticated account with its role, member and sector."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.members import keys
from hub.models import Account, Member, Role, Sector


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


# Verified keys of this process; see keys.CACHE_SECONDS for how fast revocation applies.
verified: keys.VerifiedCache[Principal] = keys.VerifiedCache()


async def from_key(
    db: AsyncSession, key_id: str, secret: str, *, touch_after: timedelta
) -> Principal | None:
    account = await keys.authenticate(db, key_id, secret, touch_after=touch_after)
    if account is None:
        return None
    return await of_account(db, account)


async def lookup(
    db: AsyncSession, key_id: str, secret: str
) -> tuple[Principal, datetime | None] | None:
    """The caller a key stands for and when the key was last used, reading only."""
    found = await keys.lookup(db, key_id, secret)
    if found is None:
        return None
    api_key, account = found
    return await of_account(db, account), api_key.last_used_at


async def of_account(db: AsyncSession, account: Account) -> Principal:
    """The principal of an account, with its member and sector when it has one."""
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
