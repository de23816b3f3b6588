"""Publishing: unique rising date_added, idempotent re-publishing, paging under appends."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.errors import NotFound
from hub.models import PublishedObject
from hub.store import collections
from hub.store import objects as published
from hub.store.objects import canonical, publish
from hub.taxii.cursor import Position
from hub.taxii.filters import Endpoint, ObjectQuery, VersionSelector
from hub.taxii.timestamps import parse_micros
from tests.factories import make_sector


def indicator(n: int, modified: str = "2026-11-20T09:00:00.000Z") -> dict[str, Any]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--00000000-0000-4000-8000-{n:012d}",
        "created": "2026-11-20T09:00:00.000Z",
        "modified": modified,
        "pattern": "[ipv4-addr:value = '198.51.100.1']",
        "pattern_type": "stix",
        "valid_from": "2026-11-20T09:00:00Z",
    }


IP = {
    "type": "ipv4-addr",
    "spec_version": "2.1",
    "id": "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd",
    "value": "198.51.100.3",
}


async def test_publish_assigns_unique_rising_date_added_and_is_idempotent(db: AsyncSession) -> None:
    first = await publish(db, "members", [indicator(1), indicator(2), IP])
    assert [a[0] for a in first.added] == [indicator(1)["id"], indicator(2)["id"], IP["id"]]
    stamps = [a[2] for a in first.added]
    assert stamps == sorted(set(stamps))
    assert first.added[0][1] == parse_micros("2026-11-20T09:00:00.000Z")
    assert first.added[2][1] == first.added[2][2]  # an SCO's version is its date_added

    again = await publish(db, "members", [indicator(1), IP, indicator(1, "2026-11-21T00:00:00Z")])
    assert again.unchanged == [
        (indicator(1)["id"], first.added[0][1]),
        (IP["id"], first.added[2][1]),
    ]
    assert len(again.added) == 1 and again.added[0][2] > stamps[-1]

    changed = indicator(2) | {"name": "same version, other content"}
    clash = await publish(db, "members", [changed])
    assert clash.conflicts == [(changed["id"], first.added[1][1])] and not clash.added

    members = await collections.by_slug(db, "members")
    rows = (
        (
            await db.execute(
                select(PublishedObject.body).where(
                    PublishedObject.collection_id == members.id, PublishedObject.stix_id == IP["id"]
                )
            )
        )
        .scalars()
        .all()
    )
    assert rows == [canonical(IP)]


async def test_date_added_never_goes_back_after_a_delete(db: AsyncSession) -> None:
    sector = await make_sector(db)
    slug = f"sector-{sector.slug}"
    done = await publish(db, slug, [indicator(1), indicator(2)])
    coll = await collections.by_slug(db, slug)
    query = ObjectQuery(
        Endpoint.OBJECT,
        limit=10,
        ids=frozenset({indicator(2)["id"]}),
        versions=VersionSelector.every(),
    )
    assert await published.remove(db, coll.id, query) == [(indicator(2)["id"], done.added[1][1])]
    later = await publish(db, slug, [indicator(3)])
    assert later.added[0][2] > done.added[1][2]


async def test_unknown_collection_and_bad_objects(db: AsyncSession) -> None:
    with pytest.raises(NotFound):
        await publish(db, "sector-nowhere", [indicator(1)])
    with pytest.raises(ValueError):
        await publish(db, "members", [{"type": "indicator"}])
    with pytest.raises(ValueError):
        await publish(db, "members", [indicator(1) | {"modified": "yesterday"}])


async def test_ten_thousand_objects_paged_while_objects_arrive(db: AsyncSession) -> None:
    """Nothing is missed or repeated while a poller pages with changing limits during appends."""
    sector = await make_sector(db)
    slug = f"sector-{sector.slug}"
    coll = await collections.by_slug(db, slug)
    expected: list[tuple[str, int]] = []
    for start in range(0, 10_000, 1_000):
        result = await publish(db, slug, [indicator(n) for n in range(start, start + 1_000)])
        expected += [(i, v) for i, v, _ in result.added]

    query = ObjectQuery(Endpoint.OBJECTS, limit=1, versions=VersionSelector.every())
    seen: list[tuple[str, int]] = []
    last_added = -1
    after: Position | None = None
    limits = [1000, 7, 333, 1, 999, 250]
    arriving = 10_000
    step = 0
    while True:
        limit = limits[step % len(limits)]
        page = await published.page(db, coll.id, _with_limit(query, limit), after, with_body=False)
        for row in page.rows:
            assert row.date_added > last_added
            last_added = row.date_added
        seen += [(r.stix_id, r.version) for r in page.rows]
        if step % 3 == 0 and arriving < 10_600:
            # New objects and new versions of old ones land mid-walk.
            batch = [indicator(n) for n in range(arriving, arriving + 100)]
            batch.append(indicator(step, "2026-11-25T00:00:00.000Z"))
            result = await publish(db, slug, batch)
            expected += [(i, v) for i, v, _ in result.added]
            arriving += 100
        step += 1
        if not page.more:
            break
        after = page.rows[-1].position
    assert len(seen) == len(set(seen))
    assert seen == expected


def _with_limit(query: ObjectQuery, limit: int) -> ObjectQuery:
    return ObjectQuery(
        query.endpoint,
        limit,
        query.added_after,
        query.next,
        query.ids,
        query.types,
        query.versions,
        query.spec_versions,
    )
