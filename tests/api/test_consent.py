"""The submitter's side over REST: preview, consent or withdraw, auto-consent, isolation."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import Collection
from hub.stix.tlp import TLP2_AMBER, TLP2_AMBER_STRICT, TLP2_GREEN
from hub.taxii.media import TAXII_MEDIA
from tests.api.test_review import (
    approve,
    indicator,
    make_world,
    published,
    report_objects,
    submit,
)


async def consent(
    client: httpx.AsyncClient, world: object, sid: str, who: str = "submitter_a", **body: object
) -> httpx.Response:
    return await client.post(
        f"/api/v1/submissions/{sid}/consent",
        headers=world.h(who),  # type: ignore[attr-defined]
        json={"decision": "approve"} | body,
    )


async def test_preview_shows_exactly_what_goes_where(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    world = await make_world(db)
    sid = await submit(client, world)
    url = f"/api/v1/submissions/{sid}/preview"
    early = (await client.get(url, headers=world.h("submitter_a"))).json()
    assert early["scope"] is None and early["objects"] == [] and early["sanitized"]
    await approve(client, world, sid, "members")
    p = (await client.get(url, headers=world.h("submitter_a"))).json()
    own = f"sector-{world.sector_a}"
    assert p["scope"] == {"breadth": "members", "extra_sectors": []}
    assert p["assumed"] == {"cross_sector": False, "amber_strict": False}
    reasons = " ".join(r for w in p["withheld"] for r in w["withheld"])
    assert "TLP:RED is never republished" in reasons
    assert "AMBER+STRICT" in reasons
    amber = next(o["id"] for o in p["sanitized"] if "evil-updates" in o.get("pattern", ""))
    assert amber in p["collections"][own] and amber not in p["collections"]["members"]
    crossed = (
        await client.get(url, headers=world.h("submitter_a"), params={"cross_sector": "true"})
    ).json()
    assert amber in crossed["collections"]["members"]
    assert {o["id"] for o in p["objects"]} == set().union(*map(set, p["collections"].values()))

    # Publish with the preview's answers: the result matches the preview.
    assert (await consent(client, world, sid, cross_sector=True)).json()["state"] == "published"
    got = await published(db, sid)
    assert {k: sorted(v) for k, v in got.items()} == {
        k: sorted(v) for k, v in crossed["collections"].items()
    }


async def test_members_see_only_their_own_and_only_submitters_answer(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    world = await make_world(db)
    sid = await submit(client, world)
    await approve(client, world, sid)
    url = f"/api/v1/submissions/{sid}/preview"
    assert (await client.get(url, headers=world.h("submitter_b"))).status_code == 404
    assert (await client.get(url, headers=world.h("submitter_c"))).status_code == 404
    assert (await client.get(url, headers=world.h("operator"))).status_code == 200
    assert (await client.get(url, headers=world.h("reader_a"))).status_code == 403
    assert (await consent(client, world, sid, "submitter_b")).status_code == 404
    assert (await consent(client, world, sid, "reader_a")).status_code == 403
    assert (await consent(client, world, sid, "operator")).status_code == 403
    missing = await client.get("/api/v1/submissions/nope/preview", headers=world.h("submitter_a"))
    assert missing.status_code == 404
    assert await published(db, sid) == {}


async def test_withdraw_before_publication_and_after_it(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    world = await make_world(db)
    sid = await submit(client, world)
    early = await consent(client, world, sid)
    assert early.status_code == 409 and "awaiting consent" in early.json()["detail"]
    await approve(client, world, sid)
    w = await consent(client, world, sid, decision="withdraw", note="sent by mistake")
    assert w.status_code == 200 and w.json()["state"] == "withdrawn"
    assert await published(db, sid) == {}
    assert (await consent(client, world, sid)).status_code == 409

    sid2 = await submit(client, world)
    await approve(client, world, sid2)
    await consent(client, world, sid2)
    went = await published(db, sid2)
    late = await consent(client, world, sid2, decision="withdraw")
    assert late.status_code == 200 and late.json()["state"] == "withdrawn"
    # What went out is revoked where readers (and peers) get it; the hub's identity stays.
    own = f"sector-{world.sector_a}"
    cid = await db.scalar(select(Collection.id).where(Collection.slug == own))
    r = await client.get(
        f"/taxii2/mamori/collections/{cid}/objects/",
        headers={"Accept": TAXII_MEDIA} | world.h("reader_c"),
    )
    latest = {o["id"]: o for o in r.json()["objects"]}
    for oid in went[own]:
        obj = latest[oid]
        if obj["type"] in ("indicator", "relationship", "report"):
            assert obj.get("revoked") is True, oid
        elif obj["type"] == "identity":
            assert "revoked" not in obj
    assert (await consent(client, world, sid2, decision="withdraw")).status_code == 409


async def test_amber_strict_needs_explicit_consent_and_stays_in_the_sector(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    world = await make_world(db)
    strict = indicator(5, "[ipv4-addr:value = '192.0.2.99']", TLP2_AMBER_STRICT)
    sid = await submit(client, world, objects=[strict])
    await approve(client, world, sid, "members")
    r = await consent(client, world, sid, amber_strict=True, cross_sector=True)
    assert r.status_code == 200, r.text
    assert set(r.json()["published_to"]) == {f"sector-{world.sector_a}"}


async def test_auto_consent_publishes_on_approval_for_chosen_scopes(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    world = await make_world(db)
    assert (await client.get("/api/v1/consent/auto", headers=world.h("submitter_a"))).json() == {
        "breadths": [],
        "cross_sector": False,
    }
    put = await client.put(
        "/api/v1/consent/auto",
        headers=world.h("submitter_a"),
        json={"breadths": ["members", "sector"], "cross_sector": False},
    )
    assert put.status_code == 200 and put.json()["breadths"] == ["sector", "members"]
    bad = await client.put(
        "/api/v1/consent/auto", headers=world.h("submitter_a"), json={"breadths": ["galaxy"]}
    )
    assert bad.status_code == 422
    assert (
        await client.put("/api/v1/consent/auto", headers=world.h("reader_a"), json={"breadths": []})
    ).status_code == 403

    objects = [
        indicator(1, "[ipv4-addr:value = '198.51.100.23']", TLP2_GREEN),
        indicator(2, "[domain-name:value = 'evil-updates.example.net']", TLP2_AMBER),
        indicator(5, "[ipv4-addr:value = '192.0.2.99']", TLP2_AMBER_STRICT),
    ]
    sid = await submit(client, world, objects=objects)
    r = await approve(client, world, sid, "members")
    assert r.json()["state"] == "published" and r.json()["stage"] == "published"
    assert r.json()["review"]["consent_auto"]
    got = await published(db, sid)

    def indicators(slug: str) -> int:
        return sum(i.startswith("indicator--") for i in got[slug])

    # GREEN only beyond the sector: AMBER stays home, AMBER+STRICT is never auto-consented;
    # the hub's identity travels with the objects that name it as their author.
    assert indicators("members") == 1
    assert indicators(f"sector-{world.sector_a}") == 2
    assert any(i.startswith("identity--") for i in got["members"])

    # Public is not among the chosen scopes: consent is asked as usual.
    sid2 = await submit(client, world, objects=report_objects())
    assert (await approve(client, world, sid2, "public")).json()["state"] == "awaiting_consent"
    # Member b never opted in.
    sid3 = await submit(client, world, "submitter_b", objects=objects[:1])
    assert (await approve(client, world, sid3)).json()["state"] == "awaiting_consent"
