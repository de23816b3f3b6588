"""Every TAXII route, with its spec behaviour: resources, filters, paging, POST, status, delete."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from hub import members
from hub.config import Settings
from hub.models import Role
from hub.models.published import collection_uuid
from hub.store.objects import publish
from hub.taxii.media import TAXII_MEDIA
from tests.factories import bearer, make_member, make_sector

ROOT = "/taxii2/mamori"
TAXII = {"Accept": TAXII_MEDIA}
POST_TAXII = {"Accept": TAXII_MEDIA, "Content-Type": TAXII_MEDIA}


@dataclass
class World:
    """Two sectors, a member in each, and one credential of every kind."""

    sector_a: str
    sector_b: str
    keys: dict[str, str]  # name -> API key
    key_ids: dict[str, str]

    @property
    def coll_a(self) -> str:
        return collection_uuid(f"sector-{self.sector_a}")

    @property
    def coll_b(self) -> str:
        return collection_uuid(f"sector-{self.sector_b}")

    def headers(self, who: str) -> dict[str, str]:
        return TAXII if who == "anonymous" else TAXII | bearer(self.keys[who])


async def make_world(db: AsyncSession) -> World:
    a = await make_sector(db)
    b = await make_sector(db)
    ma = await make_member(db, sector=a)
    mb = await make_member(db, sector=b)
    keys: dict[str, str] = {}
    key_ids: dict[str, str] = {}
    for name, role, member in (
        ("reader_a", Role.READER, ma),
        ("submitter_a", Role.SUBMITTER, ma),
        ("reader_b", Role.READER, mb),
        ("submitter_b", Role.SUBMITTER, mb),
        ("operator", Role.OPERATOR, None),
        ("admin", Role.ADMIN, None),
        ("revoked", Role.READER, ma),
    ):
        _, issued = await members.create_key(
            db, role=role, label=name, member_slug=member.slug if member else None
        )
        keys[name] = issued.key
        key_ids[name] = issued.key_id
    await members.revoke(db, key_ids["revoked"])
    await db.commit()
    return World(a.slug, b.slug, keys, key_ids)


def indicator(
    n: int, *, modified: str = "2026-11-20T09:00:00.000Z", **extra: Any
) -> dict[str, Any]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--00000000-0000-4000-8000-{n:012d}",
        "created": "2026-11-20T09:00:00.000Z",
        "modified": modified,
        "name": f"indicator {n}",
        "pattern": f"[ipv4-addr:value = '198.51.100.{n % 250}']",
        "pattern_type": "stix",
        "valid_from": "2026-11-20T09:00:00Z",
        **extra,
    }


async def seed(db: AsyncSession, slug: str, objects: Sequence[dict[str, Any]]) -> None:
    await publish(db, slug, objects)
    await db.commit()


def envelope(*objects: dict[str, Any]) -> bytes:
    return json.dumps({"objects": list(objects)}).encode()


@pytest.fixture
async def world(db: AsyncSession) -> World:
    return await make_world(db)


# --- discovery, API root, collections ---------------------------------------------------


async def test_discovery_and_api_root(
    client: httpx.AsyncClient, world: World, settings: Settings
) -> None:
    r = await client.get("/taxii2/", headers=world.headers("reader_a"))
    assert r.status_code == 200
    assert r.headers["content-type"] == TAXII_MEDIA
    assert r.json()["api_roots"] == ["http://hub.test/taxii2/mamori/"]
    assert r.json()["default"] == "http://hub.test/taxii2/mamori/"
    r = await client.get(f"{ROOT}/", headers=world.headers("reader_a"))
    assert r.status_code == 200
    assert r.json()["versions"] == [TAXII_MEDIA]
    assert r.json()["max_content_length"] == settings.max_body_bytes


async def test_collections_list_only_what_the_caller_may_use(
    client: httpx.AsyncClient, world: World
) -> None:
    def listed(r: httpx.Response) -> dict[str, tuple[bool, bool]]:
        assert r.status_code == 200, r.text
        return {
            c["alias"]: (c["can_read"], c["can_write"]) for c in r.json().get("collections", [])
        }

    a, b = f"sector-{world.sector_a}", f"sector-{world.sector_b}"
    reader = listed(await client.get(f"{ROOT}/collections/", headers=world.headers("reader_a")))
    assert reader == {a: (True, False), "members": (True, False)}
    sub = listed(await client.get(f"{ROOT}/collections/", headers=world.headers("submitter_b")))
    assert sub == {b: (True, False), "members": (True, False), "inbox": (False, True)}
    op = listed(await client.get(f"{ROOT}/collections/", headers=world.headers("operator")))
    assert op[a] == op[b] == op["members"] == (True, True)
    assert "inbox" not in op and "public" not in op

    r = await client.get(f"{ROOT}/collections/{world.coll_a}/", headers=world.headers("reader_a"))
    body = r.json()
    assert body["id"] == world.coll_a and body["media_types"] == [
        "application/stix+json;version=2.1"
    ]
    assert (body["can_read"], body["can_write"]) == (True, False)


async def test_public_collection_when_enabled(
    client: httpx.AsyncClient, world: World, settings: Settings, db: AsyncSession
) -> None:
    settings.public_collection = True
    await seed(db, "public", [indicator(1)])
    r = await client.get(f"{ROOT}/collections/", headers=TAXII)
    assert [c["alias"] for c in r.json()["collections"]] == ["public"]
    public = collection_uuid("public")
    r = await client.get(f"{ROOT}/collections/{public}/objects/", headers=TAXII)
    assert r.status_code == 200 and len(r.json()["objects"]) == 1
    # Anonymous callers learn nothing about the rest: 401 whether it exists or not.
    for cid in (world.coll_a, collection_uuid("no-such")):
        r = await client.get(f"{ROOT}/collections/{cid}/", headers=TAXII)
        assert r.status_code == 401
    r = await client.get(f"{ROOT}/collections/", headers=world.headers("reader_a"))
    assert "public" in [c["alias"] for c in r.json()["collections"]]


# --- hygiene -------------------------------------------------------------------------------


async def test_media_types_and_auth(client: httpx.AsyncClient, world: World) -> None:
    url = f"{ROOT}/collections/{world.coll_a}/objects/"
    auth = bearer(world.keys["reader_a"])
    for accept in (
        "application/taxii+json",
        "application/taxii+json;version=2.1",
        "*/*",
        "application/json;q=0.9, application/taxii+json;q=0.5",
        None,
    ):
        headers = auth | ({"Accept": accept} if accept else {})
        r = await client.get(url, headers=headers)
        assert r.status_code == 200, (accept, r.text)
        assert r.headers["content-type"] == TAXII_MEDIA
    for accept in ("application/json", "application/taxii+json;version=2.0", "text/html"):
        r = await client.get(url, headers=auth | {"Accept": accept})
        assert r.status_code == 406
        assert r.headers["content-type"] == TAXII_MEDIA
        assert r.json()["http_status"] == "406"

    r = await client.get(url, headers=TAXII)
    assert r.status_code == 401
    assert "Basic" in r.headers["www-authenticate"] and "Bearer" in r.headers["www-authenticate"]
    assert r.json()["http_status"] == "401"
    r = await client.get(url, headers=world.headers("revoked"))
    assert r.status_code == 401
    key_id, _, secret = world.keys["reader_a"].partition(".")
    basic = base64.b64encode(f"{key_id}:{world.keys['reader_a']}".encode()).decode()
    r = await client.get(url, headers=TAXII | {"Authorization": f"Basic {basic}"})
    assert r.status_code == 200
    r = await client.get(f"{ROOT}/nowhere/", headers=world.headers("reader_a"))
    assert r.status_code == 404 and r.headers["content-type"] == TAXII_MEDIA
    assert r.json()["http_status"] == "404"


async def test_post_hygiene(client: httpx.AsyncClient, world: World, settings: Settings) -> None:
    url = f"{ROOT}/collections/{world.coll_a}/objects/"
    op = bearer(world.keys["operator"])
    r = await client.post(
        url, content=envelope(indicator(1)), headers=op | {"Content-Type": "application/json"}
    )
    assert r.status_code == 415 and r.json()["http_status"] == "415"
    big = b'{"objects":[' + b" " * (settings.max_body_bytes + 1) + b"]}"
    r = await client.post(url, content=big, headers=op | POST_TAXII)
    assert r.status_code == 413 and r.headers["content-type"] == TAXII_MEDIA
    r = await client.post(url, content=b"{not json", headers=op | POST_TAXII)
    assert r.status_code == 400
    r = await client.post(url, content=b'{"objects": []}', headers=op | POST_TAXII)
    assert r.status_code == 422 and r.json()["http_status"] == "422"
    r = await client.post(
        url, content=envelope(indicator(1)), headers=bearer(world.keys["reader_a"]) | POST_TAXII
    )
    assert r.status_code == 403


# --- objects, filters, paging ----------------------------------------------------------------


async def test_get_objects_filters_and_headers(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    slug = f"sector-{world.sector_a}"
    await seed(db, slug, [indicator(1), indicator(2)])
    await seed(db, slug, [indicator(1, modified="2026-11-21T09:00:00.000Z")])
    url = f"{ROOT}/collections/{world.coll_a}/objects/"
    h = world.headers("reader_a")

    r = await client.get(url, headers=h)
    body = r.json()
    assert body["more"] is False and "next" not in body
    assert [(o["id"][-1], o["modified"][:10]) for o in body["objects"]] == [
        ("2", "2026-11-20"),
        ("1", "2026-11-21"),
    ]
    assert r.headers["X-TAXII-Date-Added-First"] < r.headers["X-TAXII-Date-Added-Last"]

    r = await client.get(url, headers=h, params={"match[version]": "all"})
    assert len(r.json()["objects"]) == 3
    r = await client.get(url, headers=h, params={"match[version]": "first"})
    assert {o["modified"][:10] for o in r.json()["objects"]} == {"2026-11-20"}
    r = await client.get(url, headers=h, params={"match[version]": "2026-11-20T09:00:00.000Z"})
    assert len(r.json()["objects"]) == 2
    r = await client.get(url, headers=h, params={"match[id]": indicator(2)["id"]})
    assert [o["id"] for o in r.json()["objects"]] == [indicator(2)["id"]]
    r = await client.get(url, headers=h, params={"match[type]": "malware"})
    assert r.status_code == 200 and r.json() == {}
    assert "X-TAXII-Date-Added-First" not in r.headers
    r = await client.get(
        url, headers=h, params={"match[spec_version]": "2.1", "match[type]": "indicator,malware"}
    )
    assert len(r.json()["objects"]) == 2

    last = r.headers["X-TAXII-Date-Added-Last"]
    r = await client.get(url, headers=h, params={"added_after": last})
    assert r.json() == {}
    for bad in (
        {"limit": "0"},
        {"limit": "x"},
        {"added_after": "yesterday"},
        {"match[foo]": "x"},
        {"next": "nonsense"},
        {"match[version]": "newest"},
    ):
        r = await client.get(url, headers=h, params=bad)
        assert r.status_code == 400, bad
        assert r.json()["http_status"] == "400"
    r = await client.get(f"{url}?match[type]=indicator&match[type]=malware", headers=h)
    assert r.status_code == 400


async def test_paging_with_changing_limits_and_cursor_checks(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    slug = f"sector-{world.sector_a}"
    await seed(db, slug, [indicator(n) for n in range(25)])
    url = f"{ROOT}/collections/{world.coll_a}/objects/"
    h = world.headers("reader_a")
    seen: list[str] = []
    params: dict[str, str] = {"limit": "4"}
    limits = iter([7, 1, 5, 100])
    while True:
        r = await client.get(url, headers=h, params=params)
        body = r.json()
        seen += [o["id"] for o in body["objects"]]
        if not body["more"]:
            assert "next" not in body
            break
        params = {"limit": str(next(limits)), "next": body["next"]}
    assert seen == [indicator(n)["id"] for n in range(25)]

    r = await client.get(url, headers=h, params={"limit": "3"})
    token = r.json()["next"]
    # Same filters required; a cursor from another query or collection, or tampered, is 400.
    r = await client.get(url, headers=h, params={"next": token, "match[type]": "indicator"})
    assert r.status_code == 400
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    r = await client.get(url, headers=h, params={"next": tampered})
    assert r.status_code == 400
    op = world.headers("operator")
    r = await client.get(
        f"{ROOT}/collections/{world.coll_b}/objects/", headers=op, params={"next": token}
    )
    assert r.status_code == 400
    # The manifest is a different query: its cursors are not interchangeable with objects'.
    r = await client.get(
        f"{ROOT}/collections/{world.coll_a}/manifest/", headers=h, params={"next": token}
    )
    assert r.status_code == 400


async def test_object_by_id_versions_and_manifest(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    slug = f"sector-{world.sector_a}"
    await seed(db, slug, [indicator(1), indicator(1, modified="2026-11-22T00:00:00.000Z")])
    base = f"{ROOT}/collections/{world.coll_a}"
    oid = indicator(1)["id"]
    h = world.headers("reader_a")

    r = await client.get(f"{base}/objects/{oid}/", headers=h)
    assert [o["modified"] for o in r.json()["objects"]] == ["2026-11-22T00:00:00.000Z"]
    r = await client.get(f"{base}/objects/{oid}/", headers=h, params={"match[version]": "all"})
    assert len(r.json()["objects"]) == 2
    r = await client.get(f"{base}/objects/{oid}/", headers=h, params={"match[type]": "indicator"})
    assert r.status_code == 400
    missing = indicator(99)["id"]
    for path in (f"objects/{missing}/", f"objects/{missing}/versions/", "objects/not-an-id/"):
        r = await client.get(f"{base}/{path}", headers=h)
        assert r.status_code == 404 and r.json()["http_status"] == "404"

    r = await client.get(f"{base}/objects/{oid}/versions/", headers=h)
    assert r.json() == {
        "more": False,
        "versions": ["2026-11-20T09:00:00.000000Z", "2026-11-22T00:00:00.000000Z"],
    }
    r = await client.get(f"{base}/objects/{oid}/versions/", headers=h, params={"limit": "1"})
    assert r.json()["more"] is True and len(r.json()["versions"]) == 1
    r = await client.get(
        f"{base}/objects/{oid}/versions/",
        headers=h,
        params={"limit": "1", "next": r.json()["next"]},
    )
    assert r.json()["versions"] == ["2026-11-22T00:00:00.000000Z"]

    r = await client.get(f"{base}/manifest/", headers=h, params={"match[version]": "all"})
    entries = r.json()["objects"]
    assert [e["version"] for e in entries] == [
        "2026-11-20T09:00:00.000000Z",
        "2026-11-22T00:00:00.000000Z",
    ]
    assert all(e["media_type"] == "application/stix+json;version=2.1" for e in entries)
    assert r.headers["X-TAXII-Date-Added-First"] == entries[0]["date_added"]
    assert r.headers["X-TAXII-Date-Added-Last"] == entries[1]["date_added"]


# --- POST, status, delete ------------------------------------------------------------------


async def test_operator_post_is_published_at_once_with_tlp_ceiling(
    client: httpx.AsyncClient, world: World
) -> None:
    green = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
    red = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"
    good = indicator(1, object_marking_refs=[green])
    secret = indicator(2, object_marking_refs=[red])
    broken = indicator(3, pattern="[not a pattern")
    url = f"{ROOT}/collections/{collection_uuid('members')}/objects/"
    op = bearer(world.keys["operator"])
    r = await client.post(url, content=envelope(good, secret, broken), headers=op | POST_TAXII)
    assert r.status_code == 202, r.text
    status = r.json()
    assert status["status"] == "complete"
    assert (
        status["total_count"],
        status["success_count"],
        status["failure_count"],
        status["pending_count"],
    ) == (3, 1, 2, 0)
    assert [s["id"] for s in status["successes"]] == [good["id"]]
    assert status["successes"][0]["version"] == "2026-11-20T09:00:00.000000Z"
    messages = {f["id"]: f["message"] for f in status["failures"]}
    assert "TLP:RED" in messages[secret["id"]]
    assert "pattern" in messages[broken["id"]]

    # Re-posting the same object is a success, and it is still there once.
    r = await client.post(url, content=envelope(good), headers=op | POST_TAXII)
    assert r.json()["success_count"] == 1
    r = await client.get(url, headers=world.headers("reader_b"), params={"match[version]": "all"})
    assert [o["id"] for o in r.json()["objects"]] == [good["id"]]

    r = await client.get(f"{ROOT}/status/{status['id']}/", headers=world.headers("operator"))
    assert r.status_code == 200 and r.json()["id"] == status["id"]
    for who in ("reader_a", "submitter_a"):
        r = await client.get(f"{ROOT}/status/{status['id']}/", headers=world.headers(who))
        assert r.status_code == 404


async def test_inbox_post_becomes_a_submission_and_its_status_follows(
    client: httpx.AsyncClient, world: World
) -> None:
    url = f"{ROOT}/collections/{collection_uuid('inbox')}/objects/"
    sub = bearer(world.keys["submitter_a"])
    good, bad = indicator(1), indicator(2, pattern="[broken")
    r = await client.post(url, content=envelope(good, bad, good), headers=sub | POST_TAXII)
    assert r.status_code == 202, r.text
    first = r.json()
    assert first["total_count"] == 3
    assert first["success_count"] + first["failure_count"] + first["pending_count"] == 3
    # Processing runs after the response; the status then shows the per-object results.
    r = await client.get(f"{ROOT}/status/{first['id']}", headers=world.headers("submitter_a"))
    done = r.json()
    assert done["status"] == "complete"
    assert (done["success_count"], done["failure_count"], done["pending_count"]) == (2, 1, 0)
    assert [f["id"] for f in done["failures"]] == [bad["id"]]
    assert done["failures"][0]["message"]
    assert len(done["successes"]) == done["success_count"]
    for who in ("submitter_b", "reader_a"):
        r = await client.get(f"{ROOT}/status/{first['id']}/", headers=world.headers(who))
        assert r.status_code == 404
    r = await client.get(url, headers=world.headers("submitter_a"))
    assert r.status_code == 403


async def test_admin_delete_honours_match_version(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    slug = f"sector-{world.sector_a}"
    await seed(db, slug, [indicator(1), indicator(1, modified="2026-11-22T00:00:00.000Z")])
    oid = indicator(1)["id"]
    url = f"{ROOT}/collections/{world.coll_a}/objects/{oid}/"
    r = await client.delete(url, headers=world.headers("operator"))
    assert r.status_code == 403
    r = await client.delete(url, headers=world.headers("admin"), params={"match[version]": "first"})
    assert r.status_code == 200 and r.headers["content-type"] == TAXII_MEDIA
    r = await client.get(f"{url}versions/", headers=world.headers("reader_a"))
    assert r.json()["versions"] == ["2026-11-22T00:00:00.000000Z"]
    r = await client.delete(url, headers=world.headers("admin"), params={"match[version]": "all"})
    assert r.status_code == 200
    # The last version gone, readers (and peers pushing from date_added) get a revocation.
    r = await client.get(url, headers=world.headers("reader_a"))
    (revoked,) = r.json()["objects"]
    assert revoked["revoked"] is True and revoked["modified"] > "2026-11-22T00:00:00.000Z"
    assert {k: v for k, v in revoked.items() if k not in ("revoked", "modified")} == {
        k: v for k, v in indicator(1).items() if k != "modified"
    }
    # Deleting the revocation itself removes the object for good.
    r = await client.delete(url, headers=world.headers("admin"))
    assert r.status_code == 200
    r = await client.get(url, headers=world.headers("reader_a"))
    assert r.status_code == 404
    r = await client.delete(url, headers=world.headers("admin"))
    assert r.status_code == 404
