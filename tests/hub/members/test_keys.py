"""API keys: strong, hashed at rest, revocable, and touched when used."""

from __future__ import annotations

import base64
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub import members
from hub.members import keys, principals
from hub.models import ApiKey, Role
from tests.factories import make_member


def test_keys_carry_256_bits_and_a_public_id() -> None:
    key_id, key = keys.new_key()
    parts = keys.split_key(key)
    assert parts is not None and parts[0] == key_id
    secret = parts[1]
    assert len(base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4))) == 32
    assert keys.new_key()[1] != key


def test_split_key_refuses_malformed_keys() -> None:
    for bad in ["", "mk_abc", "nope.secret", "mk_abc.", ".secret", "mk_" + "a" * 300 + ".x"]:
        assert keys.split_key(bad) is None


async def test_only_a_hash_is_stored(db: AsyncSession) -> None:
    member = await make_member(db)
    _, issued = await members.create_key(db, role=Role.READER, member_slug=member.slug)
    stored = await db.get(ApiKey, issued.key_id)
    assert stored is not None
    secret = issued.key.split(".", 1)[1]
    assert secret not in stored.secret_hash
    assert stored.secret_hash == keys.hash_secret(secret)


async def test_authenticate_accepts_the_key_and_nothing_close_to_it(db: AsyncSession) -> None:
    member = await make_member(db)
    _, issued = await members.create_key(db, role=Role.SUBMITTER, member_slug=member.slug)
    key_id, secret = keys.split_key(issued.key) or ("", "")
    week = timedelta(days=7)
    found = await principals.from_key(db, key_id, secret, touch_after=week)
    assert found is not None
    assert (found.role, found.member_slug, found.sector_slug) == (
        Role.SUBMITTER,
        member.slug,
        member.sector.slug,
    )
    assert await principals.from_key(db, key_id, secret[:-1] + "x", touch_after=week) is None
    assert await principals.from_key(db, "mk_0000000000000000", secret, touch_after=week) is None


async def test_revoked_keys_stop_working(db: AsyncSession) -> None:
    _, issued = await members.create_key(db, role=Role.OPERATOR)
    key_id, secret = keys.split_key(issued.key) or ("", "")
    await members.revoke(db, key_id)
    assert await principals.from_key(db, key_id, secret, touch_after=timedelta(0)) is None


async def test_last_use_is_recorded(db: AsyncSession) -> None:
    _, issued = await members.create_key(db, role=Role.ADMIN)
    key_id, secret = keys.split_key(issued.key) or ("", "")
    assert (await db.get(ApiKey, key_id)).last_used_at is None  # type: ignore[union-attr]
    await principals.from_key(db, key_id, secret, touch_after=timedelta(0))
    used = await db.scalar(select(ApiKey.last_used_at).where(ApiKey.key_id == key_id))
    assert used is not None


async def test_first_admin_key_is_issued_once(db: AsyncSession) -> None:
    first = await members.ensure_admin(db)
    assert first is not None
    assert await members.ensure_admin(db) is None
