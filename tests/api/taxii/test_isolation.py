"""Sector isolation from the attacker's side: every credential x collection x endpoint.

A collection a credential can neither read nor write answers exactly like one that does
not exist (404, same body); anonymous and revoked credentials get 401 everywhere.
"""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from hub.models.published import collection_uuid
from tests.api.taxii.test_routes import (
    POST_TAXII,
    ROOT,
    World,
    envelope,
    indicator,
    make_world,
    seed,
)
from tests.factories import bearer

WHO = (
    "reader_a",
    "submitter_a",
    "reader_b",
    "submitter_b",
    "operator",
    "admin",
    "anonymous",
    "revoked",
)
UNKNOWN = collection_uuid("sector-does-not-exist")


def readable(who: str, world: World) -> set[str]:
    return {
        "reader_a": {world.coll_a, collection_uuid("members")},
        "submitter_a": {world.coll_a, collection_uuid("members")},
        "reader_b": {world.coll_b, collection_uuid("members")},
        "submitter_b": {world.coll_b, collection_uuid("members")},
        "operator": {world.coll_a, world.coll_b, collection_uuid("members")},
        "admin": {world.coll_a, world.coll_b, collection_uuid("members")},
    }.get(who, set())


def writable(who: str, world: World) -> set[str]:
    if who.startswith("submitter"):
        return {collection_uuid("inbox")}
    if who in ("operator", "admin"):
        return {world.coll_a, world.coll_b, collection_uuid("members")}
    return set()


async def test_every_credential_collection_and_endpoint(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    world = await make_world(db)
    own_object = {
        world.coll_a: indicator(1),
        world.coll_b: indicator(2),
        collection_uuid("members"): indicator(3),
    }
    await seed(db, f"sector-{world.sector_a}", [indicator(1)])
    await seed(db, f"sector-{world.sector_b}", [indicator(2), indicator(4)])
    await seed(db, "members", [indicator(3)])
    op = world.headers("operator")
    token_b = (
        await client.get(
            f"{ROOT}/collections/{world.coll_b}/objects/", headers=op, params={"limit": "1"}
        )
    ).json()
    assert "next" in token_b

    collections = [
        world.coll_a,
        world.coll_b,
        collection_uuid("members"),
        collection_uuid("public"),
        collection_uuid("inbox"),
        UNKNOWN,
    ]
    unknown_bodies: dict[str, bytes] = {}
    seen = 0
    for who in WHO:
        h = world.headers(who)
        for cid in collections:
            base = f"{ROOT}/collections/{cid}"
            obj = own_object.get(cid, indicator(2))
            oid = obj["id"]
            visible = cid in readable(who, world) | writable(who, world)
            reads = cid in readable(who, world)
            cases = {
                "collection": ("GET", f"{base}/", 200),
                "objects": ("GET", f"{base}/objects/", 200 if reads else 403),
                "manifest": ("GET", f"{base}/manifest/", 200 if reads else 403),
                "object": ("GET", f"{base}/objects/{oid}/", 200 if reads else 403),
                "versions": ("GET", f"{base}/objects/{oid}/versions/", 200 if reads else 403),
                # An object of another sector asked for through a collection one can read.
                "foreign-object": (
                    "GET",
                    f"{base}/objects/{indicator(2 if cid != world.coll_b else 1)['id']}/",
                    404 if reads else 403,
                ),
                "post": ("POST", f"{base}/objects/", 202 if cid in writable(who, world) else 403),
                "delete": (
                    "DELETE",
                    f"{base}/objects/{indicator(77)['id']}/",
                    404 if who == "admin" else 403,
                ),
            }
            for endpoint, (method, url, allowed) in cases.items():
                if method == "POST":
                    r = await client.post(
                        url, content=envelope(indicator(50)), headers=h | POST_TAXII
                    )
                else:
                    r = await client.request(method, url, headers=h)
                seen += 1
                assert r.status_code != 500
                if who in ("anonymous", "revoked"):
                    expected = 401
                elif not visible:
                    expected = 404
                else:
                    expected = allowed
                assert r.status_code == expected, (who, cid, endpoint, r.text)
                if expected == 404 and not visible:
                    # Not yours reads exactly like does-not-exist.
                    key = f"{method} {endpoint}"
                    unknown_bodies.setdefault(key, r.content)
                    assert r.content == unknown_bodies[key], (who, cid, endpoint)
            # A cursor minted for sector B, replayed here.
            r = await client.get(f"{base}/objects/", headers=h, params={"next": token_b["next"]})
            if who in ("anonymous", "revoked"):
                assert r.status_code == 401
            elif not visible:
                assert r.status_code == 404
            elif not reads:
                assert r.status_code == 403
            elif cid != world.coll_b:
                assert r.status_code == 400
            else:
                assert r.json()["objects"][0] == indicator(4)
    assert seen == len(WHO) * len(collections) * 8


async def test_statuses_belong_to_their_poster(client: httpx.AsyncClient, db: AsyncSession) -> None:
    world = await make_world(db)
    inbox = f"{ROOT}/collections/{collection_uuid('inbox')}/objects/"
    mine = (
        await client.post(
            inbox,
            content=envelope(indicator(1)),
            headers=bearer(world.keys["submitter_a"]) | POST_TAXII,
        )
    ).json()
    staff = (
        await client.post(
            f"{ROOT}/collections/{world.coll_a}/objects/",
            content=envelope(indicator(2)),
            headers=bearer(world.keys["operator"]) | POST_TAXII,
        )
    ).json()
    unknown_body = None
    for status_id, owner in (
        (mine["id"], "submitter_a"),
        (staff["id"], "operator"),
        ("00000000-0000-4000-8000-000000000000", None),
    ):
        for who in WHO:
            r = await client.get(f"{ROOT}/status/{status_id}/", headers=world.headers(who))
            if who in ("anonymous", "revoked"):
                assert r.status_code == 401
            elif owner is not None and (who == owner or who in ("operator", "admin")):
                assert r.status_code == 200, (who, owner)
            else:
                assert r.status_code == 404, (who, owner)
                unknown_body = unknown_body or r.content
                assert r.content == unknown_body
