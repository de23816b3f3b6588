"""Operator review over REST: the queue and its filters, the full picture, every decision."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub import members
from hub.config import Settings
from hub.models import AssetKind, PublishedObject, Role
from hub.stix.tlp import TLP2_AMBER, TLP2_AMBER_STRICT, TLP2_CLEAR, TLP2_GREEN, TLP2_RED
from tests.factories import bearer, make_member, make_sector

STIX = {"Content-Type": "application/stix+json;version=2.1"}
REVIEW = "/api/v1/review"
T = "2026-11-20T09:00:00.000Z"
MEMBER_NAME = "Contoso Power"
MEMBER_DOMAIN = "contoso-power.example"
IDENTITY = "identity--1f6c4b4e-5b39-4f62-a1f5-0d4d5d8e9a01"


@dataclass
class World:
    """Two sectors: member a (and c) in the first, b in the second; keys for every role."""

    sector_a: str
    sector_b: str
    keys: dict[str, str]

    def h(self, who: str) -> dict[str, str]:
        return bearer(self.keys[who])


async def make_world(db: AsyncSession) -> World:
    a = await make_sector(db)
    b = await make_sector(db)
    ma = await make_member(
        db,
        sector=a,
        display_name=MEMBER_NAME,
        assets={AssetKind.DNS_DOMAIN: [MEMBER_DOMAIN], AssetKind.TERM: ["Project Kestrel"]},
    )
    mb = await make_member(db, sector=b, display_name="Fabrikam Bank")
    mc = await make_member(db, sector=a, display_name="Northwind Grid")
    keys: dict[str, str] = {}
    for name, role, member in (
        ("submitter_a", Role.SUBMITTER, ma),
        ("reader_a", Role.READER, ma),
        ("submitter_b", Role.SUBMITTER, mb),
        ("reader_b", Role.READER, mb),
        ("submitter_c", Role.SUBMITTER, mc),
        ("reader_c", Role.READER, mc),
        ("operator", Role.OPERATOR, None),
        ("operator2", Role.OPERATOR, None),
        ("admin", Role.ADMIN, None),
    ):
        _, issued = await members.create_key(
            db, role=role, label=name, member_slug=member.slug if member else None
        )
        keys[name] = issued.key
    await db.commit()
    return World(a.slug, b.slug, keys)


def uid(n: int, prefix: str = "indicator") -> str:
    return f"{prefix}--00000000-0000-4000-8000-{n:012d}"


def indicator(n: int, pattern: str, marking: str | None, **extra: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": uid(n),
        "created": T,
        "modified": T,
        "name": f"indicator {n}",
        "pattern": pattern,
        "pattern_type": "stix",
        "valid_from": "2026-11-20T09:00:00Z",
        "created_by_ref": IDENTITY,
    }
    if marking:
        obj["object_marking_refs"] = [marking]
    return obj | extra


def report_objects() -> list[dict[str, Any]]:
    """A realistic report: the member's identity, indicators at every TLP, a victim mention."""
    return [
        {
            "type": "identity",
            "spec_version": "2.1",
            "id": IDENTITY,
            "created": T,
            "modified": T,
            "name": MEMBER_NAME,
            "identity_class": "organization",
        },
        indicator(
            1,
            "[ipv4-addr:value = '198.51.100.23']",
            TLP2_GREEN,
            description=f"C2 contacted from mail.{MEMBER_DOMAIN} during Project Kestrel",
        ),
        indicator(2, "[domain-name:value = 'evil-updates.example.net']", TLP2_AMBER),
        indicator(
            3,
            "[file:hashes.'SHA-256' = "
            "'4bac27393bdd9777ce02453256c5577cd02275510b2227f473d03f533924f877']",
            TLP2_RED,
        ),
        indicator(4, "[url:value = 'http://203.0.113.7/payload.bin']", TLP2_CLEAR),
        indicator(5, "[ipv4-addr:value = '192.0.2.99']", TLP2_AMBER_STRICT),
        indicator(6, "[ipv4-addr:value = '8.8.8.8']", TLP2_GREEN),
    ]


def bundle(objects: list[dict[str, Any]], n: int = 1) -> bytes:
    return json.dumps(
        {"type": "bundle", "id": f"bundle--00000000-0000-4000-8000-{n:012d}", "objects": objects}
    ).encode()


async def submit(
    client: httpx.AsyncClient,
    world: World,
    who: str = "submitter_a",
    objects: list[dict[str, Any]] | None = None,
) -> str:
    r = await client.post(
        "/api/v1/submissions",
        content=bundle(objects or report_objects()),
        headers=world.h(who) | STIX,
    )
    assert r.status_code == 202, r.text
    return str(r.json()["id"])


async def approve(
    client: httpx.AsyncClient,
    world: World,
    sid: str,
    breadth: str = "sector",
    who: str = "operator",
    extra: list[str] | None = None,
) -> httpx.Response:
    return await client.post(
        f"{REVIEW}/submissions/{sid}/approve",
        headers=world.h(who),
        json={"scope": {"breadth": breadth, "extra_sectors": extra or []}},
    )


async def published(db: AsyncSession, sid: str) -> dict[str, set[str]]:
    """stix ids per collection slug, for what this submission published."""
    from hub.models import Collection

    rows = await db.execute(
        select(Collection.slug, PublishedObject.stix_id)
        .join(Collection, Collection.id == PublishedObject.collection_id)
        .where(PublishedObject.submission_id == sid)
    )
    out: dict[str, set[str]] = {}
    for slug, stix_id in rows:
        out.setdefault(slug, set()).add(stix_id)
    return out


async def test_queue_lists_waiting_submissions_with_filters(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    world = await make_world(db)
    sid_a = await submit(client, world)
    sid_b = await submit(
        client,
        world,
        "submitter_b",
        [indicator(9, "[ipv4-addr:value = '198.51.100.9']", TLP2_GREEN)],
    )
    r = await client.get(f"{REVIEW}/queue", headers=world.h("operator"))
    assert r.status_code == 200, r.text
    items = {i["id"]: i for i in r.json()["items"]}
    assert {sid_a, sid_b} <= set(items)
    assert items[sid_a]["tlp"]["TLP:RED"] == 1
    assert items[sid_a]["sector"] == world.sector_a

    async def ids(**params: Any) -> set[str]:
        got = await client.get(f"{REVIEW}/queue", headers=world.h("operator"), params=params)
        assert got.status_code == 200, got.text
        return {i["id"] for i in got.json()["items"]}

    assert await ids(sector=world.sector_b) == {sid_b}
    assert await ids(tlp="red", sector=world.sector_a) == {sid_a}
    assert sid_b not in await ids(tlp="TLP:RED")
    assert await ids(state="published", sector=world.sector_a) == set()
    assert await ids(min_age_hours=1, sector=world.sector_a) == set()
    assert sid_a in await ids(max_age_hours=1)
    first = await client.get(f"{REVIEW}/queue", headers=world.h("operator"), params={"limit": 1})
    assert first.json()["next"]
    assert len(first.json()["items"]) == 1

    assert (await client.get(f"{REVIEW}/queue", headers=world.h("submitter_a"))).status_code == 403
    bad = await client.get(f"{REVIEW}/queue", headers=world.h("operator"), params={"tlp": "pink"})
    assert bad.status_code == 422
    bad = await client.get(f"{REVIEW}/queue", headers=world.h("operator"), params={"cursor": "!"})
    assert bad.status_code == 400


async def test_detail_shows_original_beside_sanitized_with_diff_and_flags(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    world = await make_world(db)
    sid = await submit(client, world)
    r = await client.get(f"{REVIEW}/submissions/{sid}", headers=world.h("operator"))
    assert r.status_code == 200, r.text
    d = r.json()
    assert any(o.get("name") == MEMBER_NAME for o in d["original"])
    sanitized = json.dumps(d["sanitized"])
    assert MEMBER_NAME not in sanitized and MEMBER_DOMAIN not in sanitized
    assert "198.51.100.23" in sanitized
    statuses = {o["original_id"]: o["status"] for o in d["diff"]}
    assert statuses[IDENTITY] == "dropped"
    changed = next(o for o in d["diff"] if o["original_id"] == uid(1))
    paths = {e["path"]: e for e in changed["entries"]}
    assert MEMBER_DOMAIN in paths["description"]["before"]
    assert not paths["description"]["reference"] and paths["id"]["reference"]
    assert d["report"]["changes"]
    assert d["routing"] is None and d["review"] is None
    assert set(d["tlp"].values()) >= {"TLP:RED", "TLP:GREEN", "TLP:AMBER+STRICT"}
    if d["warninglists"]:
        flagged = [f for f in d["flags"] if f["kind"] == "warninglist"]
        assert [f["value"] for f in flagged] == ["8.8.8.8"]
    assert (
        await client.get(f"{REVIEW}/submissions/{sid}", headers=world.h("submitter_a"))
    ).status_code == 403
    missing = await client.get(f"{REVIEW}/submissions/nope", headers=world.h("operator"))
    assert missing.status_code == 404


async def test_approve_consent_publish_to_the_sector_only(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    world = await make_world(db)
    sid = await submit(client, world)
    r = await approve(client, world, sid)
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "awaiting_consent"
    assert r.json()["review"]["breadth"] == "sector"
    # Approving twice is a conflict, not a second approval.
    again = await approve(client, world, sid)
    assert again.status_code == 409 and "awaiting_consent" in again.json()["detail"]
    assert await published(db, sid) == {}

    c = await client.post(
        f"/api/v1/submissions/{sid}/consent",
        headers=world.h("submitter_a"),
        json={"decision": "approve"},
    )
    assert c.status_code == 200, c.text
    assert c.json()["state"] == "published"
    got = await published(db, sid)
    assert set(got) == {f"sector-{world.sector_a}"}
    ids = got[f"sector-{world.sector_a}"]
    d = (await client.get(f"{REVIEW}/submissions/{sid}", headers=world.h("operator"))).json()
    tlp = d["tlp"]
    assert all(tlp[i] != "TLP:RED" for i in ids if i in tlp)
    assert not any(tlp[i] == "TLP:AMBER+STRICT" for i in ids if i in tlp)
    assert any(tlp[i] == "TLP:AMBER" for i in ids if i in tlp)
    events = [e["to_state"] for e in d["events"]]
    assert events[-2:] == ["awaiting_consent", "published"]
    audit = await client.get(
        "/api/v1/audit", headers=world.h("admin"), params={"subject": f"submission:{sid}"}
    )
    actions = {e["action"] for e in audit.json()}
    assert {"review.approve", "consent.approve", "submission.publish"} <= actions


async def test_reject_and_send_back_carry_a_reason_the_member_sees(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    world = await make_world(db)
    sid = await submit(client, world)
    empty = await client.post(
        f"{REVIEW}/submissions/{sid}/reject", headers=world.h("operator"), json={"reason": ""}
    )
    assert empty.status_code == 422
    r = await client.post(
        f"{REVIEW}/submissions/{sid}/reject",
        headers=world.h("operator"),
        json={"reason": "duplicate of an earlier report"},
    )
    assert r.status_code == 200 and r.json()["state"] == "rejected"
    p = await client.get(f"/api/v1/submissions/{sid}/preview", headers=world.h("submitter_a"))
    assert p.json()["reason"] == "duplicate of an earlier report"
    assert p.json()["events"][-1]["reason"] == "duplicate of an earlier report"
    late = await approve(client, world, sid)
    assert late.status_code == 409

    sid2 = await submit(client, world)
    s = await client.post(
        f"{REVIEW}/submissions/{sid2}/send-back",
        headers=world.h("operator"),
        json={"reason": "please remove the internal host names"},
    )
    assert s.json()["state"] == "sent_back"
    wrong = await client.post(
        f"/api/v1/submissions/{sid2}/revision",
        headers=world.h("submitter_b") | STIX,
        content=bundle([]),
    )
    assert wrong.status_code == 404
    fixed = [indicator(1, "[ipv4-addr:value = '198.51.100.23']", TLP2_GREEN)]
    rev = await client.post(
        f"/api/v1/submissions/{sid2}/revision",
        headers=world.h("submitter_a") | STIX,
        content=bundle(fixed),
    )
    assert rev.status_code == 202, rev.text
    status = (
        await client.get(f"/api/v1/submissions/{sid2}", headers=world.h("submitter_a"))
    ).json()
    assert status["state"] == "in_review" and status["object_count"] == 1
    again = await client.post(
        f"/api/v1/submissions/{sid2}/revision",
        headers=world.h("submitter_a") | STIX,
        content=bundle(fixed),
    )
    assert again.status_code == 409


async def test_edit_redacts_drops_and_keeps_then_needs_a_new_approval(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    world = await make_world(db)
    objects = report_objects() + [
        indicator(
            7,
            "[domain-name:value = 'contoso-power-login.net']",
            TLP2_GREEN,
            description="Phishing kit imitating Contoso Power; operator Hydra Ops",
        ),
    ]
    sid = await submit(client, world, objects=objects)
    url = f"{REVIEW}/submissions/{sid}"
    before = (await client.get(url, headers=world.h("operator"))).json()
    # The look-alike is the attacker's and stays; the member's name beside it goes.
    hub_id_7 = next(o["sanitized_id"] for o in before["diff"] if o["original_id"] == uid(7))
    kit = next(o for o in before["sanitized"] if o["id"] == hub_id_7)
    assert "contoso-power-login.net" in kit["pattern"] and "Contoso Power" not in json.dumps(kit)
    await approve(client, world, sid)
    reopened = await client.post(
        f"{url}/reopen", headers=world.h("operator"), json={"reason": "needs an edit"}
    )
    assert reopened.json()["state"] == "in_review"
    assert reopened.json()["review"]["breadth"] is None
    hub_id_6 = next(o["sanitized_id"] for o in before["diff"] if o["original_id"] == uid(6))
    r = await client.post(
        f"{url}/edit",
        headers=world.h("operator"),
        json={
            "drop": [hub_id_6],
            "redact": ["Hydra Ops"],
            "keep": ["contoso-power-login.net"],
        },
    )
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "in_review"
    assert r.json()["review"]["edits"]["drop"] == [uid(6)]
    after = (await client.get(url, headers=world.h("operator"))).json()
    text = json.dumps(after["sanitized"])
    assert "contoso-power-login.net" in text
    assert "Hydra Ops" not in text and MEMBER_NAME not in text
    assert "8.8.8.8" not in text
    assert any(c["rule"] == "operator-drop" for c in after["report"]["changes"])
    # A later edit keeps the earlier ones.
    r = await client.post(f"{url}/edit", headers=world.h("operator"), json={"redact": ["kit"]})
    assert r.status_code == 200
    assert "8.8.8.8" not in json.dumps(
        (await client.get(url, headers=world.h("operator"))).json()["sanitized"]
    )
    for bad in ({"drop": ["indicator--not-here"]}, {"redact": ["ab"]}, {}):
        got = await client.post(f"{url}/edit", headers=world.h("operator"), json=bad)
        assert got.status_code == 422, bad


@pytest.mark.parametrize("breadth", ["members", "sector"])
async def test_four_eyes_for_scopes_beyond_the_sector(
    settings: Settings, client: httpx.AsyncClient, db: AsyncSession, breadth: str
) -> None:
    settings.four_eyes = True
    world = await make_world(db)
    sid = await submit(client, world)
    first = await approve(client, world, sid, breadth)
    assert first.status_code == 200, first.text
    if breadth == "sector":
        assert first.json()["state"] == "awaiting_consent"
        return
    assert first.json()["state"] == "in_review"
    assert first.json()["stage"] == "awaiting_second"
    assert first.json()["review"]["awaiting_second"]
    same = await approve(client, world, sid, breadth)
    assert same.status_code == 409 and "four-eyes" in same.json()["detail"]
    queue = await client.get(f"{REVIEW}/queue", headers=world.h("operator"))
    assert next(i for i in queue.json()["items"] if i["id"] == sid)["awaiting_second"]
    second = await approve(client, world, sid, breadth, who="operator2")
    assert second.status_code == 200
    assert second.json()["state"] == "awaiting_consent"
    assert second.json()["review"]["second_at"] is not None


async def test_bad_scopes_and_roles(client: httpx.AsyncClient, db: AsyncSession) -> None:
    world = await make_world(db)
    sid = await submit(client, world)
    assert (await approve(client, world, sid, "galaxy")).status_code == 422
    assert (await approve(client, world, sid, "sectors", extra=["no-such"])).status_code == 422
    assert (await approve(client, world, sid, "members", extra=["x"])).status_code == 422
    assert (await approve(client, world, sid, who="submitter_a")).status_code == 403
    assert (await approve(client, world, "missing")).status_code == 404
