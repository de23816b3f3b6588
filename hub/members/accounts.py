"""Accounts and their API keys: who may sign in, with which role, for which member."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub import audit
from hub.errors import NotFound, Unprocessable
from hub.members import keys
from hub.members.principals import Principal
from hub.members.registry import get_member
from hub.models import Account, ApiKey, Member, Role

MEMBER_ROLES = frozenset({Role.SUBMITTER, Role.READER})


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


async def revoke(db: AsyncSession, key_id: str, *, actor: Principal | None = None) -> None:
    await keys.revoke(db, key_id)
    await audit.record(db, actor=actor, action="key.revoke", subject=f"key:{key_id}")
