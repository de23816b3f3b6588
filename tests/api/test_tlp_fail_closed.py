"""From a member's post to a reader's poll: TLP fails closed, and what leaves is marked.

Every test drives the hub over HTTP (submit, review, consent, TAXII GET) and looks at what a
reader of each collection receives.
"""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import Collection, PublishedObject
from hub.stix.tlp import (
    TLP2_AMBER,
    TLP2_CLEAR,
    TLP2_DEFINITIONS,
    TLP2_EXTENSION,
    TLP2_GREEN,
    TLP2_RED,
)
from hub.taxii.media import TAXII_MEDIA
from tests.api.test_consent import consent
from tests.api.test_review import T, approve, indicator, make_world, published, submit, uid

ROOT = "/taxii2/mamori"
FORGED = "marking-definition--00000000-1111-4222-8333-444444444444"


def forged_definition(**body: Any) -> dict[str, Any]:
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": FORGED,
        "created": T,
    } | body


async def publish_all(client: httpx.AsyncClient, world: Any, objects: list[dict[str, Any]]) -> str:
    """Submit, approve for all members, consent across sectors: as far as TLP allows."""
    sid = await submit(client, world, objects=objects)
    r = await approve(client, world, sid, "members")
    assert r.status_code == 200, r.text
    r = await consent(client, world, sid, cross_sector=True)
    assert r.json()["state"] == "published", r.text
    return sid


async def collection_objects(
    client: httpx.AsyncClient, db: AsyncSession, world: Any, slug: str, who: str
) -> list[dict[str, Any]]:
    """What a TAXII reader gets from the collection `slug` (every version)."""
    cid = await db.scalar(select(Collection.id).where(Collection.slug == slug))
    r = await client.get(
        f"{ROOT}/collections/{cid}/objects/",
        headers={"Accept": TAXII_MEDIA} | world.h(who),
        params={"match[version]": "all", "limit": "1000"},
    )
    assert r.status_code == 200, r.text
    return list(r.json().get("objects", []))


async def published_bodies(db: AsyncSession, sid: str) -> list[dict[str, Any]]:
    import orjson

    rows = await db.scalars(
        select(PublishedObject.body).where(PublishedObject.submission_id == sid)
    )
    return [orjson.loads(body) for body in rows]


async def preview_reasons(client: httpx.AsyncClient, world: Any, sid: str) -> str:
    p = await client.get(f"/api/v1/submissions/{sid}/preview", headers=world.h("submitter_a"))
    assert p.status_code == 200, p.text
    return " ".join(r for w in p.json()["withheld"] for r in w["withheld"])


def observed(n: int, refs: list[str], marking: str | None) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "type": "observed-data",
        "spec_version": "2.1",
        "id": uid(n, "observed-data"),
        "created": T,
        "modified": T,
        "first_observed": T,
        "last_observed": T,
        "number_observed": 1,
        "object_refs": refs,
    }
    if marking:
        obj["object_marking_refs"] = [marking]
    return obj


def ipv4(value: str) -> dict[str, Any]:
    import uuid

    sco = uuid.uuid5(uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7"), f'{{"value":"{value}"}}')
    return {"type": "ipv4-addr", "spec_version": "2.1", "id": f"ipv4-addr--{sco}", "value": value}


# --- item 2: fail closed ----------------------------------------------------------------


async def test_red_in_upper_case_hex_is_never_published(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    world = await make_world(db)
    shouted = TLP2_RED.upper().replace("MARKING-DEFINITION", "marking-definition")
    red = indicator(1, "[domain-name:value = 'sealed.example.net']", shouted)
    green = indicator(2, "[ipv4-addr:value = '198.51.100.23']", TLP2_GREEN)
    sid = await publish_all(client, world, [red, green])
    bodies = await published_bodies(db, sid)
    assert not any("sealed.example.net" in str(b) for b in bodies)
    assert any("198.51.100.23" in str(b) for b in bodies)
    for slug in (f"sector-{world.sector_a}", "members"):
        got = await collection_objects(client, db, world, slug, "reader_c")
        assert not any("sealed.example.net" in str(o) for o in got)


async def test_shouted_green_id_is_the_green_marking(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    world = await make_world(db)
    shouted = TLP2_GREEN.upper().replace("MARKING-DEFINITION", "marking-definition")
    green = indicator(2, "[ipv4-addr:value = '198.51.100.23']", shouted)
    sid = await publish_all(client, world, [green])
    got = await published(db, sid)
    assert any(i.startswith("indicator--") for i in got.get("members", ()))
    members = await collection_objects(client, db, world, "members", "reader_b")
    ind = next(o for o in members if o["type"] == "indicator")
    assert ind["object_marking_refs"] == [TLP2_GREEN]


async def test_custom_tlp_definition_claiming_red_withholds_its_objects(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    # The validator refuses the definition itself; what it marks must not go out at the
    # default AMBER.
    world = await make_world(db)
    claim = forged_definition(definition_type="tlp", name="TLP:RED", definition={"tlp": "red"})
    marked = indicator(1, "[domain-name:value = 'sealed.example.net']", FORGED)
    green = indicator(2, "[ipv4-addr:value = '198.51.100.23']", TLP2_GREEN)
    sid = await publish_all(client, world, [claim, marked, green])
    bodies = await published_bodies(db, sid)
    assert not any("sealed.example.net" in str(b) for b in bodies)
    assert any("198.51.100.23" in str(b) for b in bodies)


async def test_forged_tlp2_extension_withholds_and_the_preview_says_why(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    world = await make_world(db)
    forged = forged_definition(
        name="TLP:CLEAR",
        extensions={TLP2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": "clear"}},
    )
    marked = indicator(1, "[domain-name:value = 'sealed.example.net']", FORGED)
    link = {
        "type": "relationship",
        "spec_version": "2.1",
        "id": uid(3, "relationship"),
        "created": T,
        "modified": T,
        "relationship_type": "related-to",
        "source_ref": uid(2),
        "target_ref": uid(1),
        "object_marking_refs": [TLP2_CLEAR],
    }
    green = indicator(2, "[ipv4-addr:value = '198.51.100.23']", TLP2_GREEN)
    sid = await submit(client, world, objects=[forged, marked, green, link])
    await approve(client, world, sid, "members")
    reasons = await preview_reasons(client, world, sid)
    assert "not an official TLP marking" in reasons and "fail closed" in reasons
    await consent(client, world, sid, cross_sector=True)
    bodies = await published_bodies(db, sid)
    types = {b["type"] for b in bodies}
    assert "relationship" not in types  # it references the withheld indicator
    assert not any("sealed.example.net" in str(b) for b in bodies)
    assert not any(b.get("name") == "TLP:CLEAR" and b["id"] not in TLP2_DEFINITIONS for b in bodies)


async def test_undefined_marking_withholds(client: httpx.AsyncClient, db: AsyncSession) -> None:
    world = await make_world(db)
    marked = indicator(1, "[domain-name:value = 'sealed.example.net']", FORGED)
    sid = await submit(client, world, objects=[marked])
    await approve(client, world, sid, "members")
    assert "fail closed" in await preview_reasons(client, world, sid)
    await consent(client, world, sid, cross_sector=True)
    assert not any("sealed.example.net" in str(b) for b in await published_bodies(db, sid))


async def test_operator_post_with_a_forged_marking_is_refused_with_the_reason(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    world = await make_world(db)
    cid = await db.scalar(select(Collection.id).where(Collection.slug == "members"))
    forged = forged_definition(definition_type="statement", definition={"statement": "TLP:CLEAR"})
    forged["name"] = "TLP:CLEAR"
    marked = indicator(1, "[domain-name:value = 'sealed.example.net']", FORGED)
    shouted = TLP2_RED.upper().replace("MARKING-DEFINITION", "marking-definition")
    red = indicator(2, "[domain-name:value = 'red.example.net']", shouted)
    import json

    r = await client.post(
        f"{ROOT}/collections/{cid}/objects/",
        content=json.dumps({"objects": [forged, marked, red]}).encode(),
        headers={"Accept": TAXII_MEDIA, "Content-Type": TAXII_MEDIA} | world.h("operator"),
    )
    assert r.status_code == 202, r.text
    status = r.json()
    messages = {f["id"]: f["message"] for f in status.get("failures", [])}
    assert "fail closed" in messages[marked["id"]]
    assert "TLP:RED" in messages[red["id"]]
    got = await collection_objects(client, db, world, "members", "reader_a")
    assert not any("example.net" in str(o) for o in got)


# --- unmarked objects inherit from their referrers --------------------------------------


async def test_address_only_a_red_observation_names_is_not_published(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    world = await make_world(db)
    sealed = ipv4("203.0.113.66")
    shared = ipv4("203.0.113.77")
    red = observed(1, [sealed["id"]], TLP2_RED)
    green = observed(2, [shared["id"]], TLP2_GREEN)
    sid = await publish_all(client, world, [sealed, shared, red, green])
    bodies = await published_bodies(db, sid)
    assert not any("203.0.113.66" in str(b) for b in bodies)
    shared_out = [b for b in bodies if b.get("value") == "203.0.113.77"]
    assert shared_out and all(b["object_marking_refs"] == [TLP2_GREEN] for b in shared_out)


# --- item 10: exactly what leaves the hub -----------------------------------------------


async def test_default_amber_is_stamped_and_its_definition_travels_with_it(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    world = await make_world(db)
    unmarked = indicator(1, "[domain-name:value = 'evil-updates.example.net']", None)
    sid = await publish_all(client, world, [unmarked])
    own = f"sector-{world.sector_a}"
    got = await collection_objects(client, db, world, own, "reader_c")
    ind = next(o for o in got if o["type"] == "indicator")
    assert ind["object_marking_refs"] == [TLP2_AMBER]
    by_id = {o["id"]: o for o in got}
    assert by_id[TLP2_AMBER] == TLP2_DEFINITIONS[TLP2_AMBER]
    # The hub's identity (the creator of everything) carries TLP:CLEAR, defined alongside.
    hub = by_id[ind["created_by_ref"]]
    assert hub["object_marking_refs"] == [TLP2_CLEAR]
    assert by_id[TLP2_CLEAR] == TLP2_DEFINITIONS[TLP2_CLEAR]
    # With cross-sector consent it reaches members, marked and defined there too.
    assert "members" in await published(db, sid)
    members = await collection_objects(client, db, world, "members", "reader_b")
    assert next(o for o in members if o["type"] == "indicator") == ind
    assert TLP2_AMBER in {o["id"] for o in members}


async def test_a_statement_marking_goes_only_where_what_uses_it_goes(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    world = await make_world(db)
    statement = forged_definition(
        definition_type="statement", definition={"statement": "Copyright 2026 the reporters"}
    )
    amber = indicator(1, "[domain-name:value = 'evil-updates.example.net']", TLP2_AMBER)
    amber["object_marking_refs"].append(FORGED)
    green = indicator(2, "[ipv4-addr:value = '198.51.100.23']", TLP2_GREEN)
    sid = await submit(client, world, objects=[statement, amber, green])
    await approve(client, world, sid, "members")
    await consent(client, world, sid)  # no cross-sector consent: AMBER stays in the sector
    got = await published(db, sid)
    own = f"sector-{world.sector_a}"
    definitions_in = {
        slug
        for slug, ids in got.items()
        for i in ids
        if i.startswith("marking-definition--") and i not in TLP2_DEFINITIONS
    }
    assert definitions_in == {own}


async def test_status_leaves_out_lists_with_no_entry(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    # TAXII 2.1 §4.3.1: successes/failures/pendings are present only with an entry.
    import json

    world = await make_world(db)
    cid = await db.scalar(select(Collection.id).where(Collection.slug == "members"))
    good = indicator(1, "[ipv4-addr:value = '198.51.100.23']", TLP2_GREEN)
    r = await client.post(
        f"{ROOT}/collections/{cid}/objects/",
        content=json.dumps({"objects": [good]}).encode(),
        headers={"Accept": TAXII_MEDIA, "Content-Type": TAXII_MEDIA} | world.h("operator"),
    )
    status = r.json()
    assert status["success_count"] == 1 and status["failure_count"] == 0
    assert "failures" not in status and "pendings" not in status
    again = await client.get(
        f"{ROOT}/status/{status['id']}/", headers={"Accept": TAXII_MEDIA} | world.h("operator")
    )
    assert set(again.json()) == set(status)
    # What an operator posts is stamped and its TLP 2.0 definition is beside it.
    got = await collection_objects(client, db, world, "members", "reader_b")
    assert TLP2_GREEN in {o["id"] for o in got}


async def test_references_to_withheld_or_rejected_objects_do_not_leave(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    world = await make_world(db)
    red = indicator(1, "[domain-name:value = 'sealed.example.net']", TLP2_RED)
    green = indicator(2, "[ipv4-addr:value = '198.51.100.23']", TLP2_GREEN)
    broken = indicator(3, "[not a pattern", TLP2_GREEN)  # rejected by validation
    report = {
        "type": "report",
        "spec_version": "2.1",
        "id": uid(4, "report"),
        "created": T,
        "modified": T,
        "name": "campaign summary",
        "published": T,
        "object_refs": [green["id"], broken["id"]],
        "object_marking_refs": [TLP2_GREEN],
    }
    to_broken = {
        "type": "relationship",
        "spec_version": "2.1",
        "id": uid(5, "relationship"),
        "created": T,
        "modified": T,
        "relationship_type": "related-to",
        "source_ref": green["id"],
        "target_ref": broken["id"],
        "object_marking_refs": [TLP2_GREEN],
    }
    sid = await publish_all(client, world, [red, green, broken, report, to_broken])
    members = await collection_objects(client, db, world, "members", "reader_b")
    by_type: dict[str, list[dict[str, Any]]] = {}
    for o in members:
        by_type.setdefault(o["type"], []).append(o)
    published_ids = {o["id"] for o in members}
    # The report keeps only the reference its readers can follow (the rejected one goes;
    # a report naming the RED indicator would be RED itself, and go nowhere).
    (out,) = by_type["report"]
    assert len(out["object_refs"]) == 1 and set(out["object_refs"]) <= published_ids
    # A relationship is its two ends: one end rejected, it does not go at all.
    assert "relationship" not in by_type
    for o in members:
        for key, value in o.items():
            if key.endswith("_ref") and key != "created_by_ref":
                assert value in published_ids, (o["id"], key)
    assert sid
