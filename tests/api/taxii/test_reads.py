"""A TAXII read never writes: collection rows exist from the sector's creation on."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from hub.models import Role
from hub.models.published import collection_uuid
from hub.store.objects import publish
from hub.taxii.media import TAXII_MEDIA
from tests.factories import bearer, make_key, make_member, make_sector

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|MERGE|UPSERT|REPLACE)\b", re.IGNORECASE)
# Recording when a key was last used is the one write a read may cause (key_touch_seconds).
KEY_TOUCH = re.compile(r"^\s*UPDATE api_key SET last_used_at=", re.IGNORECASE)

INDICATOR = {
    "type": "indicator",
    "spec_version": "2.1",
    "id": "indicator--6b3a9d2e-1c1f-4c55-9a8e-0d6f2f1f4a01",
    "created": "2026-11-20T00:00:00.000Z",
    "modified": "2026-11-20T00:00:00.000Z",
    "pattern": "[ipv4-addr:value = '203.0.113.9']",
    "pattern_type": "stix",
    "valid_from": "2026-11-20T00:00:00Z",
}


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """Every SQL statement sent to the database while the block runs."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


def writes(seen: list[str]) -> list[str]:
    return [s for s in seen if WRITE.match(s) and not KEY_TOUCH.match(s)]


async def test_a_sector_comes_with_its_collection(db: AsyncSession) -> None:
    from hub.store import collections

    sector = await make_sector(db)
    found = await collections.by_id(db, collection_uuid(f"sector-{sector.slug}"))
    assert found is not None and found.sector_id == sector.id


async def test_taxii_reads_of_a_new_sector_issue_no_write(
    db: AsyncSession, client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    sector = await make_sector(db)
    other = await make_sector(db)
    reader = await make_key(db, Role.READER, await make_member(db, sector=sector))
    await publish(db, f"sector-{sector.slug}", [INDICATOR])
    await db.flush()
    root = "/taxii2/mamori"
    mine = f"{root}/collections/{collection_uuid(f'sector-{sector.slug}')}"
    theirs = f"{root}/collections/{collection_uuid(f'sector-{other.slug}')}"
    expected = {
        "/taxii2/": 200,
        f"{root}/": 200,
        f"{root}/collections/": 200,
        f"{mine}/": 200,
        f"{mine}/objects/": 200,
        f"{mine}/manifest/": 200,
        f"{mine}/objects/{INDICATOR['id']}/": 200,
        f"{mine}/objects/{INDICATOR['id']}/versions/": 200,
        f"{theirs}/": 404,
        f"{theirs}/objects/": 404,
        f"{root}/collections/{collection_uuid('sector-none')}/objects/": 404,
        f"{root}/status/00000000-0000-4000-8000-000000000000/": 404,
    }
    headers = {"Accept": TAXII_MEDIA} | bearer(reader)
    with statements(engine) as seen:
        got = {url: (await client.get(url, headers=headers)).status_code for url in expected}
    assert got == expected
    assert any("published_object" in s for s in seen)  # the reads did reach the database
    assert writes(seen) == []


def test_the_write_filter_catches_writes() -> None:
    assert writes(["INSERT INTO collection (id) VALUES (?)", "SELECT 1"]) == [
        "INSERT INTO collection (id) VALUES (?)"
    ]
    assert writes(["UPDATE api_key SET last_used_at=? WHERE api_key.key_id = ?"]) == []
    assert writes(["UPDATE collection SET last_date_added=?"]) == [
        "UPDATE collection SET last_date_added=?"
    ]
