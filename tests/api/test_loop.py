"""The whole loop over REST and TAXII: report, review, consent, publish, read, revoke, audit."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import AuditEntry
from hub.models.published import collection_uuid
from hub.stix.tlp import TLP2_AMBER, TLP2_GREEN, TLP2_RED
from hub.taxii.media import TAXII_MEDIA
from tests.api.test_review import World, approve, indicator, make_world, submit

ROOT = "/taxii2/mamori"


async def read(
    client: httpx.AsyncClient, world: World, who: str, slug: str, **params: str
) -> list[dict[str, Any]] | None:
    """The objects a reader gets from a collection; None when it may not read it."""
    r = await client.get(
        f"{ROOT}/collections/{collection_uuid(slug)}/objects/",
        headers=world.h(who) | {"Accept": TAXII_MEDIA},
        params=params,
    )
    if r.status_code in (403, 404):
        return None
    assert r.status_code == 200, r.text
    return list(r.json().get("objects", []))


def patterns(objects: list[dict[str, Any]] | None) -> set[str]:
    return {o["pattern"] for o in objects or [] if o["type"] == "indicator"}


GREEN_C2 = "[ipv4-addr:value = '198.51.100.23']"
AMBER_DOMAIN = "[domain-name:value = 'evil-updates.example.net']"
RED_HASH = "[ipv4-addr:value = '203.0.113.66']"


async def test_report_review_consent_publish_read_revoke_and_audit(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    world = await make_world(db)
    objects = [
        indicator(1, GREEN_C2, TLP2_GREEN),
        indicator(2, AMBER_DOMAIN, TLP2_AMBER),
        indicator(3, RED_HASH, TLP2_RED),
    ]
    sid = await submit(client, world, objects=objects)
    assert (await approve(client, world, sid, "members")).json()["state"] == "awaiting_consent"
    c = await client.post(
        f"/api/v1/submissions/{sid}/consent",
        headers=world.h("submitter_a"),
        json={"decision": "approve"},
    )
    assert c.json()["state"] == "published", c.text

    own, other = f"sector-{world.sector_a}", f"sector-{world.sector_b}"
    # Readers of the submitter's sector (its own and another member) get GREEN and AMBER.
    for who in ("reader_a", "reader_c"):
        assert patterns(await read(client, world, who, own)) == {GREEN_C2, AMBER_DOMAIN}
        assert patterns(await read(client, world, who, "members")) == {GREEN_C2}
    # The other sector reads GREEN through `members`, never AMBER, never the sector collection.
    assert await read(client, world, "reader_b", own) is None
    assert patterns(await read(client, world, "reader_b", "members")) == {GREEN_C2}
    assert patterns(await read(client, world, "reader_b", other)) == set()
    # TLP:RED reached nobody; public is off.
    assert await read(client, world, "reader_a", "public") is None
    everything = await read(client, world, "admin", own)
    assert RED_HASH not in patterns(everything)

    # A later version, revoked, goes through the same loop and lands on the same hub id.
    green = next(
        o
        for o in (await read(client, world, "reader_b", "members") or [])
        if o["type"] == "indicator"
    )
    revoked = indicator(1, GREEN_C2, TLP2_GREEN, modified="2026-11-25T10:00:00.000Z", revoked=True)
    sid2 = await submit(client, world, objects=[revoked])
    detail = (
        await client.get(f"/api/v1/review/submissions/{sid2}", headers=world.h("operator"))
    ).json()
    assert [o["id"] for o in detail["sanitized"] if o["type"] == "indicator"] == [green["id"]]
    await approve(client, world, sid2, "members")
    await client.post(
        f"/api/v1/submissions/{sid2}/consent",
        headers=world.h("submitter_a"),
        json={"decision": "approve"},
    )
    versions = await read(
        client, world, "reader_b", "members", **{"match[id]": green["id"], "match[version]": "all"}
    )
    assert versions is not None
    assert [v.get("revoked", False) for v in versions] == [False, True]
    latest = await read(client, world, "reader_b", "members", **{"match[id]": green["id"]})
    assert latest is not None and latest[0]["revoked"] is True

    # The second report of the same value by another member is flagged as corroborated.
    sid3 = await submit(client, world, "submitter_b", objects=[indicator(8, GREEN_C2, None)])
    flags = (
        await client.get(f"/api/v1/review/submissions/{sid3}", headers=world.h("operator"))
    ).json()["flags"]
    corroborated = [f for f in flags if f["kind"] == "corroboration"]
    assert corroborated and corroborated[0]["members"] == 1
    assert "member" not in {k for f in corroborated for k in f if f[k]} - {"members"}

    # The audit chain covers every decision and verifies; tampering is detected.
    verify = await client.get("/api/v1/audit/verify", headers=world.h("admin"))
    assert verify.status_code == 200 and verify.json()["ok"], verify.text
    await db.execute(
        update(AuditEntry)
        .where(AuditEntry.action == "consent.approve")
        .values(details={"forged": True})
    )
    await db.commit()
    broken = await client.get("/api/v1/audit/verify", headers=world.h("admin"))
    assert not broken.json()["ok"]
