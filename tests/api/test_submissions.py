"""Posting reports and following them: receipts, per-object results, who sees what."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import Role
from tests.conftest import DATA
from tests.factories import bearer, make_key, make_member

STIX = {"Content-Type": "application/stix+json;version=2.1"}
OASIS = {p.stem: p.read_bytes() for p in sorted((DATA / "oasis").glob("*.json"))}

INDICATOR = {
    "type": "indicator",
    "spec_version": "2.1",
    "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
    "created": "2026-11-20T09:00:00.000Z",
    "modified": "2026-11-20T09:00:00.000Z",
    "pattern": "[ipv4-addr:value = '198.51.100.23']",
    "pattern_type": "stix",
    "valid_from": "2026-11-20T09:00:00Z",
}


def bundle(*objects: dict[str, object]) -> bytes:
    return json.dumps(
        {
            "type": "bundle",
            "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
            "objects": list(objects),
        }
    ).encode()


async def submitter(db: AsyncSession) -> tuple[str, str]:
    member = await make_member(db)
    return await make_key(db, Role.SUBMITTER, member), member.slug


async def test_post_gives_a_receipt_and_the_objects_are_validated(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    key, member = await submitter(db)
    broken = dict(
        INDICATOR,
        id="indicator--0b0b0b0b-0b0b-4b0b-8b0b-0b0b0b0b0b0b",
        modified="2016-01-01T00:00:00.000Z",
    )
    r = await client.post(
        "/api/v1/submissions", content=bundle(INDICATOR, broken), headers=bearer(key) | STIX
    )
    assert r.status_code == 202, r.text
    receipt = r.json()
    assert receipt["object_count"] == 2
    assert receipt["bundle_id"] == "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d"
    assert receipt["status_url"] == f"/api/v1/submissions/{receipt['id']}"

    detail = (await client.get(receipt["status_url"], headers=bearer(key))).json()
    assert detail["member"] == member
    assert detail["state"] == "in_review"
    assert (detail["accepted_count"], detail["rejected_count"]) == (1, 1)
    good, bad = detail["objects"]
    assert good == {
        "position": 0,
        "id": INDICATOR["id"],
        "type": "indicator",
        "status": "accepted",
        "problems": [],
    }
    assert bad["status"] == "rejected"
    assert any(p["property"] == "modified" for p in bad["problems"])
    assert [e["to_state"] for e in detail["events"]] == [
        "received",
        "validated",
        "sanitized",
        "in_review",
    ]


async def test_a_submission_with_nothing_valid_is_rejected(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    key, _ = await submitter(db)
    r = await client.post(
        "/api/v1/submissions",
        content=json.dumps({"type": "indicator", "id": "x"}),
        headers=bearer(key) | STIX,
    )
    assert r.status_code == 202
    detail = (await client.get(r.json()["status_url"], headers=bearer(key))).json()
    assert detail["state"] == "rejected"
    assert detail["objects"][0]["problems"]


@pytest.mark.parametrize("name", sorted(OASIS))
async def test_oasis_examples_are_accepted_whole(
    client: httpx.AsyncClient, db: AsyncSession, name: str
) -> None:
    key, _ = await submitter(db)
    r = await client.post(
        "/api/v1/submissions",
        content=OASIS[name],
        headers=bearer(key) | {"Content-Type": "application/json"},
    )
    assert r.status_code == 202, r.text
    detail = (await client.get(r.json()["status_url"], headers=bearer(key))).json()
    rejected = [o for o in detail["objects"] if o["status"] != "accepted"]
    assert rejected == []
    assert detail["state"] == "in_review"


async def test_members_see_only_their_own_and_operators_see_all(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    key_a, member_a = await submitter(db)
    key_b, member_b = await submitter(db)
    reader_b = await make_key(db, Role.READER, await make_member(db))
    operator = await make_key(db, Role.OPERATOR)
    ids = {}
    for key, member in ((key_a, member_a), (key_b, member_b)):
        r = await client.post(
            "/api/v1/submissions", content=bundle(INDICATOR), headers=bearer(key) | STIX
        )
        ids[member] = r.json()["id"]

    mine = (await client.get("/api/v1/submissions", headers=bearer(key_a))).json()["items"]
    assert [s["id"] for s in mine] == [ids[member_a]]
    r = await client.get(f"/api/v1/submissions/{ids[member_b]}", headers=bearer(key_a))
    assert r.status_code == 404
    assert (await client.get("/api/v1/submissions", headers=bearer(reader_b))).status_code == 403

    everything = (await client.get("/api/v1/submissions", headers=bearer(operator))).json()
    assert set(ids.values()) <= {s["id"] for s in everything["items"]}
    only_b = (
        await client.get(f"/api/v1/submissions?member={member_b}", headers=bearer(operator))
    ).json()["items"]
    assert [s["id"] for s in only_b] == [ids[member_b]]
    r = await client.get(f"/api/v1/submissions/{ids[member_b]}", headers=bearer(operator))
    assert r.status_code == 200


async def test_listing_pages_and_filters(client: httpx.AsyncClient, db: AsyncSession) -> None:
    key, _ = await submitter(db)
    posted = []
    for _ in range(5):
        r = await client.post(
            "/api/v1/submissions", content=bundle(INDICATOR), headers=bearer(key) | STIX
        )
        posted.append(r.json()["id"])
    seen: list[str] = []
    url = "/api/v1/submissions?limit=2"
    while True:
        page = (await client.get(url, headers=bearer(key))).json()
        seen += [s["id"] for s in page["items"]]
        if page["next"] is None:
            break
        url = f"/api/v1/submissions?limit=2&cursor={page['next']}"
    assert sorted(seen) == sorted(posted) and len(seen) == 5
    r = await client.get("/api/v1/submissions?state=rejected", headers=bearer(key))
    assert r.json()["items"] == []
    r = await client.get("/api/v1/submissions?state=in_review", headers=bearer(key))
    assert len(r.json()["items"]) == 5
    r = await client.get("/api/v1/submissions?cursor=%%%", headers=bearer(key))
    assert r.status_code == 400


async def test_raw_body_is_kept_byte_for_byte(client: httpx.AsyncClient, db: AsyncSession) -> None:
    from hub.models import SubmissionBlob

    key, _ = await submitter(db)
    raw = (
        b'{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",  "objects":['
        + json.dumps(INDICATOR).encode()
        + b"]}"
    )
    r = await client.post("/api/v1/submissions", content=raw, headers=bearer(key) | STIX)
    blob = await db.get(SubmissionBlob, r.json()["id"])
    assert blob is not None and blob.raw == raw
