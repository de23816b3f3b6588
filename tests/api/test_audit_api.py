"""Operators read and verify the audit trail over REST; members cannot."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import Role
from tests.factories import bearer, make_key, make_member


async def test_operators_read_the_trail(client: httpx.AsyncClient, db: AsyncSession) -> None:
    admin = bearer(await make_key(db, Role.ADMIN))
    operator = bearer(await make_key(db, Role.OPERATOR))
    r = await client.post(
        "/api/v1/admin/sectors", json={"slug": "rail", "name": "Rail"}, headers=admin
    )
    assert r.status_code == 201
    entries = (await client.get("/api/v1/audit?action=sector.create", headers=operator)).json()
    assert entries[0]["subject"] == "sector:rail" and entries[0]["actor"].startswith("admin:")
    verdict = (await client.get("/api/v1/audit/verify", headers=operator)).json()
    assert verdict["ok"] is True and verdict["entries"] >= 1


async def test_members_cannot_read_the_trail(client: httpx.AsyncClient, db: AsyncSession) -> None:
    member = await make_member(db)
    for role in (Role.SUBMITTER, Role.READER):
        key = await make_key(db, role, member)
        assert (await client.get("/api/v1/audit", headers=bearer(key))).status_code == 403
