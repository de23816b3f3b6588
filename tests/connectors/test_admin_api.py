"""The connectors admin API: add, list, pause, resume, test and remove; credentials never shown."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import AuditEntry, Role
from tests.connectors.httpstub import Seen, serve
from tests.factories import bearer, make_key, make_member, make_sector

DEAD = "http://127.0.0.1:9/taxii2/api1/"  # nothing listens on the discard port
TOKEN = "upstream-token-do-not-show-0123"


async def test_sources_peers_and_webhooks_round_trip(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    sector = await make_sector(db)
    member = await make_member(db, sector=sector)
    admin = bearer(await make_key(db, Role.ADMIN))
    reader = bearer(await make_key(db, Role.READER, member))
    await db.commit()

    body = {
        "name": "national-feed",
        "api_root_url": DEAD,
        "collections": ["c1", "c2"],
        "mode": "validate",
        "sectors": [sector.slug],
        "auto_approve": True,
        "default_tlp": "green",
        "auth": {"kind": "bearer", "credential": TOKEN},
    }
    assert (
        await client.post("/api/v1/admin/sources", json=body, headers=reader)
    ).status_code == 403
    r = await client.post("/api/v1/admin/sources", json=body, headers=admin)
    assert r.status_code == 201, r.text
    assert TOKEN not in r.text and r.json()["default_tlp"] == "TLP:GREEN"
    assert r.json()["job"]["attempts"] == 0
    r = await client.post("/api/v1/admin/sources", json=body, headers=admin)
    assert r.status_code == 409
    unreviewed = body | {"name": "untrusted", "auto_approve": False}
    r = await client.post("/api/v1/admin/sources", json=unreviewed, headers=admin)
    assert r.status_code == 422 and "member mode" in r.json()["detail"]

    r = await client.post("/api/v1/admin/sources/national-feed/pause", headers=admin)
    assert r.json()["paused"] is True
    r = await client.post("/api/v1/admin/sources/national-feed/resume", headers=admin)
    assert r.json()["paused"] is False
    r = await client.post("/api/v1/admin/sources/national-feed/test", headers=admin)
    assert r.status_code == 200 and r.json()["ok"] is False and r.json()["problems"]
    listed = (await client.get("/api/v1/admin/sources", headers=admin)).json()
    assert [s["name"] for s in listed] == ["national-feed"]

    peer = {
        "name": "partner-isac",
        "api_root_url": DEAD,
        "max_tlp": "amber",
        "collections": [{"local": f"sector-{sector.slug}", "remote": "abc"}],
        "auth": {"kind": "basic", "username": "hub", "credential": TOKEN},
    }
    r = await client.post("/api/v1/admin/peers", json=peer, headers=admin)
    assert r.status_code == 201, r.text
    assert TOKEN not in r.text and r.json()["progress"] == []
    r = await client.post(
        "/api/v1/admin/peers", json=peer | {"name": "red-peer", "max_tlp": "red"}, headers=admin
    )
    assert r.status_code == 422
    r = await client.post(
        "/api/v1/admin/peers",
        json=peer
        | {"name": "nowhere", "collections": [{"local": "sector-nowhere", "remote": "x"}]},
        headers=admin,
    )
    assert r.status_code == 404

    r = await client.post(
        "/api/v1/admin/webhooks",
        headers=admin,
        json={"member": member.slug, "url": "http://127.0.0.1:9/hook"},
    )
    assert r.status_code == 201
    hook = r.json()
    assert hook["secret"].startswith("whsec_")
    listed_hooks = (await client.get("/api/v1/admin/webhooks", headers=admin)).json()
    assert listed_hooks[0]["id"] == hook["id"] and "secret" not in listed_hooks[0]
    r = await client.get(f"/api/v1/admin/webhooks/{hook['id']}/deliveries", headers=admin)
    assert r.json() == []

    for path in ("/sources/national-feed", "/peers/partner-isac", f"/webhooks/{hook['id']}"):
        assert (await client.delete(f"/api/v1/admin{path}", headers=admin)).status_code == 204
    assert (
        await client.get("/api/v1/admin/sources/national-feed", headers=admin)
    ).status_code == 404

    entries = list(
        await db.scalars(select(AuditEntry).where(AuditEntry.action.like("connector.%")))
    )
    actions = [e.action for e in entries]
    for action in (
        "connector.source.add",
        "connector.source.pause",
        "connector.source.resume",
        "connector.peer.add",
        "connector.webhook.add",
        "connector.source.remove",
    ):
        assert action in actions
    assert all(TOKEN not in str(e.details) for e in entries)
    assert hook["secret"] not in str([e.details for e in entries])


async def test_a_test_run_names_the_status_never_the_remotes_text(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    leak = "internal: postgres://tip:hunter2@10.0.0.5/tip stack trace"

    def failing(request: Seen) -> tuple[int, dict[str, str], bytes]:
        return 500, {"Content-Type": "text/plain"}, leak.encode()

    sector = await make_sector(db)
    admin = bearer(await make_key(db, Role.ADMIN))
    await db.commit()
    with serve(failing) as upstream:
        body = {
            "name": "failing-feed",
            "api_root_url": f"{upstream.base}/api1/",
            "collections": ["c1"],
            "mode": "validate",
            "sectors": [sector.slug],
            "auto_approve": True,
        }
        assert (await client.post("/api/v1/admin/sources", json=body, headers=admin)).is_success
        r = await client.post("/api/v1/admin/sources/failing-feed/test", headers=admin)
    assert r.status_code == 200
    assert r.json() == {"ok": False, "problems": ["API root: HTTP 500 (server error)"]}
    assert "hunter2" not in r.text and "stack" not in r.text


async def test_a_urls_password_is_never_shown(client: httpx.AsyncClient, db: AsyncSession) -> None:
    member = await make_member(db, sector=await make_sector(db))
    admin = bearer(await make_key(db, Role.ADMIN))
    await db.commit()
    url = "http://soc-user:url-password-9876@127.0.0.1:9/hook"
    r = await client.post(
        "/api/v1/admin/webhooks", headers=admin, json={"member": member.slug, "url": url}
    )
    assert r.status_code == 201, r.text
    listed = await client.get("/api/v1/admin/webhooks", headers=admin)
    entries = await client.get("/api/v1/audit", headers=admin)
    for text in (r.text, listed.text, entries.text):
        assert "url-password-9876" not in text and "soc-user" not in text
    assert listed.json()[0]["url"] == "http://***@127.0.0.1:9/hook"
