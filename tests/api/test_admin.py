"""Onboarding over REST: sectors, members with assets, keys; admins only."""

from __future__ import annotations

import base64

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import Role
from tests.factories import bearer, make_key


@pytest.fixture
async def admin(db: AsyncSession) -> dict[str, str]:
    return bearer(await make_key(db, Role.ADMIN))


async def test_onboard_a_member_and_use_its_key(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    r = await client.post(
        "/api/v1/admin/sectors", json={"slug": "energy", "name": "Energy SIG"}, headers=admin
    )
    assert r.status_code == 201, r.text
    r = await client.post(
        "/api/v1/admin/sectors", json={"slug": "energy", "name": "again"}, headers=admin
    )
    assert r.status_code == 409
    member = {
        "slug": "kansai-grid",
        "display_name": "関西グリッド電力株式会社",
        "sector": "energy",
        "assets": {
            "names": ["KGP"],
            "dns_domains": ["Kansai-Grid.example.jp"],
            "ip_ranges": ["203.0.113.9/25"],
            "ad_domains": ["kgpcorp"],
            "hostname_patterns": ["KGP-WS-*"],
            "terms": ["Project Hotaru"],
        },
    }
    r = await client.post("/api/v1/admin/members", json=member, headers=admin)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["assets"]["names"] == ["関西グリッド電力株式会社", "KGP"]
    assert body["assets"]["dns_domains"] == ["kansai-grid.example.jp"]
    assert body["assets"]["ip_ranges"] == ["203.0.113.0/25"]
    assert body["assets"]["ad_domains"] == ["KGPCORP"]

    r = await client.patch(
        "/api/v1/admin/members/kansai-grid",
        json={"assets": {"email_domains": ["mail.kansai-grid.example.jp"]}},
        headers=admin,
    )
    assert r.status_code == 200
    assert r.json()["assets"]["email_domains"] == ["mail.kansai-grid.example.jp"]
    assert r.json()["assets"]["dns_domains"] == ["kansai-grid.example.jp"]

    r = await client.post(
        "/api/v1/admin/keys", json={"role": "submitter", "member": "kansai-grid"}, headers=admin
    )
    assert r.status_code == 201
    issued = r.json()
    listed = (await client.get("/api/v1/admin/keys?member=kansai-grid", headers=admin)).json()
    assert [k["key_id"] for k in listed] == [issued["key_id"]]
    assert all("key" not in k for k in listed)

    basic = base64.b64encode(f"{issued['key_id']}:{issued['key']}".encode()).decode()
    r = await client.get("/api/v1/submissions", headers={"Authorization": f"Basic {basic}"})
    assert r.status_code == 200
    secret_only = issued["key"].split(".", 1)[1]
    basic = base64.b64encode(f"{issued['key_id']}:{secret_only}".encode()).decode()
    r = await client.get("/api/v1/submissions", headers={"Authorization": f"Basic {basic}"})
    assert r.status_code == 200

    r = await client.delete(f"/api/v1/admin/keys/{issued['key_id']}", headers=admin)
    assert r.status_code == 200 and r.json()["revoked_at"]
    r = await client.get("/api/v1/submissions", headers=bearer(issued["key"]))
    assert r.status_code == 401


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("ip_ranges", ["10.0.0.0/33"], "ip_range"),
        ("dns_domains", ["not a domain"], "dns_domain"),
        ("email_domains", ["user@example.com"], "email_domain"),
        ("hostname_patterns", ["*"], "hostname_pattern"),
    ],
)
async def test_bad_assets_are_422_with_the_reason(
    client: httpx.AsyncClient, admin: dict[str, str], field: str, value: list[str], says: str
) -> None:
    await client.post("/api/v1/admin/sectors", json={"slug": "s1", "name": "S1"}, headers=admin)
    r = await client.post(
        "/api/v1/admin/members",
        headers=admin,
        json={"slug": "m1", "display_name": "M1 Corp", "sector": "s1", "assets": {field: value}},
    )
    assert r.status_code == 422
    assert says in r.json()["detail"]


async def test_admin_errors(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    r = await client.post(
        "/api/v1/admin/members",
        headers=admin,
        json={"slug": "m2", "display_name": "M2", "sector": "nowhere"},
    )
    assert r.status_code == 404
    r = await client.post("/api/v1/admin/keys", headers=admin, json={"role": "submitter"})
    assert r.status_code == 422
    r = await client.post(
        "/api/v1/admin/keys", headers=admin, json={"role": "operator", "member": "m2"}
    )
    assert r.status_code in (404, 422)
    r = await client.delete("/api/v1/admin/keys/mk_nope", headers=admin)
    assert r.status_code == 404
    r = await client.post(
        "/api/v1/admin/sectors", headers=admin, json={"slug": "Bad Slug", "name": "x"}
    )
    assert r.status_code == 422
    r = await client.get("/api/v1/admin/members/nobody", headers=admin)
    assert r.status_code == 404
