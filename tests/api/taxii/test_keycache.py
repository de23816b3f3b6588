"""Verified keys are remembered briefly: a wrong secret never matches, revocation through the
hub applies at once, any other change within keys.CACHE_SECONDS."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from hub import members
from hub.db import utcnow
from hub.members import keys, principals
from hub.members.principals import Principal
from hub.models import ApiKey, Role
from hub.models.published import collection_uuid
from hub.taxii.media import TAXII_MEDIA
from tests.factories import bearer, make_key, make_member, make_sector


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    fake = Clock()
    monkeypatch.setattr(principals.verified, "clock", fake)
    principals.verified.clear()
    yield fake
    principals.verified.clear()


PRINCIPAL = Principal("acct", Role.READER, "label")


def test_a_wrong_secret_never_matches() -> None:
    cache: keys.VerifiedCache[Principal] = keys.VerifiedCache(ttl=60)
    cache.put("mk_1", "right", PRINCIPAL)
    assert cache.get("mk_1", "right") == PRINCIPAL
    assert cache.get("mk_1", "wrong") is None
    assert cache.get("mk_2", "right") is None


def test_entries_expire_after_the_ttl() -> None:
    clock = Clock()
    cache: keys.VerifiedCache[Principal] = keys.VerifiedCache(ttl=5, clock=clock)
    cache.put("mk_1", "s", PRINCIPAL)
    clock.now += 4.9
    assert cache.get("mk_1", "s") == PRINCIPAL
    clock.now += 0.2
    assert cache.get("mk_1", "s") is None


def test_zero_ttl_remembers_nothing_and_size_is_bounded() -> None:
    assert keys.VerifiedCache(ttl=0).get("mk_1", "s") is None
    off: keys.VerifiedCache[Principal] = keys.VerifiedCache(ttl=0)
    off.put("mk_1", "s", PRINCIPAL)
    assert off.get("mk_1", "s") is None
    small: keys.VerifiedCache[Principal] = keys.VerifiedCache(ttl=60, max_keys=2)
    for i in range(5):
        small.put(f"mk_{i}", "s", PRINCIPAL)
    assert len(small._entries) <= 2
    assert small.get("mk_4", "s") == PRINCIPAL


async def _reader(db: AsyncSession) -> tuple[str, str]:
    sector = await make_sector(db)
    member = await make_member(db, sector=sector)
    key = await make_key(db, Role.READER, member)
    return key, f"/taxii2/mamori/collections/{collection_uuid(f'sector-{sector.slug}')}/objects/"


async def test_revoking_through_the_hub_applies_at_once(
    db: AsyncSession, client: httpx.AsyncClient, clock: Clock
) -> None:
    key, url = await _reader(db)
    headers = {"Accept": TAXII_MEDIA} | bearer(key)
    assert (await client.get(url, headers=headers)).status_code == 200
    await members.revoke(db, key.split(".")[0])
    assert (await client.get(url, headers=headers)).status_code == 401


async def test_revocation_elsewhere_applies_within_the_ttl(
    db: AsyncSession, client: httpx.AsyncClient, clock: Clock
) -> None:
    key, url = await _reader(db)
    headers = {"Accept": TAXII_MEDIA} | bearer(key)
    assert (await client.get(url, headers=headers)).status_code == 200
    # Another process (the CLI, another worker) revokes: only the database changes.
    await db.execute(
        update(ApiKey).where(ApiKey.key_id == key.split(".")[0]).values(revoked_at=utcnow())
    )
    await db.flush()
    assert (await client.get(url, headers=headers)).status_code == 200
    clock.now += keys.CACHE_SECONDS
    assert (await client.get(url, headers=headers)).status_code == 401


async def test_a_cached_key_with_a_wrong_secret_is_refused(
    db: AsyncSession, client: httpx.AsyncClient, clock: Clock
) -> None:
    key, url = await _reader(db)
    assert (await client.get(url, headers={"Accept": TAXII_MEDIA} | bearer(key))).status_code == 200
    forged = key[:-2] + ("AA" if not key.endswith("AA") else "BB")
    response = await client.get(url, headers={"Accept": TAXII_MEDIA} | bearer(forged))
    assert response.status_code == 401
