"""Publishing: the plan follows sharing.route, hub context travels along, failure publishes none."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub import sharing
from hub.errors import Conflict
from hub.models import AuditEntry, PublishedObject, Submission, SubmissionState
from hub.stix.tlp import TLP2_AMBER, TLP2_CLEAR, TLP2_GREEN, TLP2_RED, Tlp
from hub.submissions import publication
from tests.api.test_review import approve, indicator, make_world, submit

HUB = "identity--0000aaaa-0000-4000-8000-000000000001"
SECTOR_ID = "identity--0000aaaa-0000-4000-8000-000000000002"
RULES = sharing.Rules(default_tlp=Tlp.AMBER, public_enabled=False)
CONTEXT = frozenset({HUB, SECTOR_ID})


def obj(n: int, marking: str | None, **extra: Any) -> dict[str, Any]:
    return indicator(n, "[ipv4-addr:value = '198.51.100.1']", marking, created_by_ref=HUB) | extra


def make_plan(
    objects: list[dict[str, Any]], breadth: str = "members", consent: sharing.Consent | None = None
) -> publication.Plan:
    return publication.plan(
        objects,
        own_sector="energy",
        scope=sharing.Scope(breadth),  # type: ignore[arg-type]
        consent=consent or sharing.Consent(approved=True),
        rules=RULES,
        known_sectors=frozenset({"energy", "finance"}),
        context=CONTEXT,
    )


def test_context_objects_follow_their_referrers_and_do_not_hold_them_back() -> None:
    hub = {"type": "identity", "id": HUB, "name": "Hub"}
    sector = {"type": "identity", "id": SECTOR_ID, "name": "Energy"}
    green, amber, red = obj(1, TLP2_GREEN), obj(2, TLP2_AMBER), obj(3, TLP2_RED)
    p = make_plan([hub, sector, green, amber, red])
    ids = {slug: [o["id"] for o in objs] for slug, objs in p.collections.items()}
    # The TLP 2.0 definitions the published objects use come first (CLEAR for the hub).
    assert ids == {
        "members": [TLP2_CLEAR, TLP2_GREEN, HUB, green["id"]],
        "sector-energy": [TLP2_AMBER, TLP2_CLEAR, TLP2_GREEN, HUB, green["id"], amber["id"]],
    }
    stamped = {o["id"]: o for o in p.collections["sector-energy"]}
    assert stamped[HUB]["object_marking_refs"] == [TLP2_CLEAR]
    assert p.published_ids == [green["id"], amber["id"]]
    assert p.withheld_ids == [red["id"]]
    assert HUB not in p.routing and SECTOR_ID not in ids.get("sector-energy", [])


def test_nothing_goes_anywhere_without_approval() -> None:
    p = make_plan([obj(1, TLP2_GREEN)], consent=sharing.Consent(approved=False))
    assert p.collections == {} and p.published_ids == []


def test_cross_sector_consent_lets_amber_out_of_the_sector() -> None:
    amber = obj(2, TLP2_AMBER)
    p = make_plan([amber], consent=sharing.Consent(approved=True, cross_sector=True))
    assert set(p.collections) == {"members", "sector-energy"}


async def test_a_failed_publication_publishes_nothing(
    client: httpx.AsyncClient, db: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = await make_world(db)
    sid = await submit(client, world, objects=[obj(1, TLP2_GREEN), obj(2, TLP2_AMBER)])
    await approve(client, world, sid, "members")
    real = publication.publish
    calls: list[str] = []

    async def flaky(db: AsyncSession, slug: str, objects: Any, **kw: Any) -> Any:
        calls.append(slug)
        if len(calls) == 2:
            raise Conflict("the store refused the second collection")
        return await real(db, slug, objects, **kw)

    monkeypatch.setattr(publication, "publish", flaky)
    r = await client.post(
        f"/api/v1/submissions/{sid}/consent",
        headers=world.h("submitter_a"),
        json={"decision": "approve"},
    )
    assert r.status_code == 409
    assert len(calls) == 2
    db.expire_all()
    assert (await db.get(Submission, sid)).state is SubmissionState.AWAITING_CONSENT  # type: ignore[union-attr]
    count = await db.scalar(
        select(func.count())
        .select_from(PublishedObject)
        .where(PublishedObject.submission_id == sid)
    )
    assert count == 0
    actions = set(
        await db.scalars(select(AuditEntry.action).where(AuditEntry.subject == f"submission:{sid}"))
    )
    assert "submission.publish" not in actions and "consent.approve" not in actions

    monkeypatch.setattr(publication, "publish", real)
    ok = await client.post(
        f"/api/v1/submissions/{sid}/consent",
        headers=world.h("submitter_a"),
        json={"decision": "approve"},
    )
    assert ok.json()["state"] == "published"
