"""SQLite's reader pool: readers beside the one writer never hit SQLITE_BUSY, never write,
and see only committed, growing snapshots; get-by-id is an index probe, not a scan."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hub import members, migrate
from hub.db import make_engine, make_sessionmaker, read_engine, read_sessionmaker
from hub.keys import Keyring
from hub.models import PublishedObject
from hub.models.published import collection_uuid
from hub.store import collections
from hub.store import objects as published
from hub.store.objects import publish
from hub.taxii.filters import Endpoint, parse_query

KEYRING = Keyring.of("test-secret-key-that-is-long-enough-0123456789")


def indicator(i: int) -> dict[str, Any]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.UUID(int=i)}",
        "created": "2026-11-20T09:00:00.000Z",
        "modified": "2026-11-20T09:00:00.000Z",
        "name": f"C2 {i}",
        "pattern": f"[ipv4-addr:value = '198.51.100.{i % 250}']",
        "pattern_type": "stix",
        "valid_from": "2026-11-20T09:00:00Z",
    }


@pytest.fixture
async def file_engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A migrated SQLite file of its own: these tests need commits other connections see."""
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'readers.db'}")
    await migrate.upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def writer(file_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(file_engine, keyring=KEYRING)


async def _sector(writer: async_sessionmaker[AsyncSession]) -> str:
    async with writer.begin() as db:
        await members.create_sector(db, "perf", "Perf")
        await collections.ensure_collections(db)
    return collection_uuid("sector-perf")


async def test_readers_and_writers_interleave_without_busy(
    writer: async_sessionmaker[AsyncSession],
) -> None:
    collection_id = await _sector(writer)
    reader = read_sessionmaker(writer)
    assert reader is not writer
    batches, per_batch = 12, 25
    seen: list[int] = []
    query = parse_query(
        [("limit", "1000")], endpoint=Endpoint.OBJECTS, default_limit=100, max_limit=1000
    )

    async def write(batch: int) -> None:
        objects = [indicator(batch * per_batch + i) for i in range(per_batch)]
        async with writer.begin() as db:
            await publish(db, "sector-perf", objects)
            # Hold the write lock across an await so readers run while it is taken.
            await asyncio.sleep(0)

    async def read() -> None:
        for _ in range(4):
            async with reader() as db:
                count = await db.scalar(select(func.count()).select_from(PublishedObject.__table__))
                page = await published.page(db, collection_id, query, None, with_body=True)
            assert count is not None
            # Only whole committed batches are ever visible, and the page agrees.
            assert count % per_batch == 0
            assert len(page.rows) == count
            seen.append(count)
            await asyncio.sleep(0)

    # Every reader and writer at once; an SQLITE_BUSY would surface as OperationalError.
    await asyncio.gather(*(write(b) for b in range(batches)), *(read() for _ in range(8)))
    async with reader() as db:
        final = await db.scalar(select(func.count()).select_from(PublishedObject.__table__))
    assert final == batches * per_batch
    assert max(seen) <= final


async def test_reader_connections_refuse_to_write(
    writer: async_sessionmaker[AsyncSession],
) -> None:
    await _sector(writer)
    async with read_sessionmaker(writer)() as db:
        with pytest.raises(OperationalError, match="readonly"):
            await db.execute(text("DELETE FROM published_object"))


async def test_one_reader_engine_per_writer_engine(file_engine: AsyncEngine) -> None:
    first = read_engine(file_engine)
    assert first is not file_engine
    assert read_engine(file_engine) is first
    maker = make_sessionmaker(file_engine, keyring=KEYRING)
    assert read_sessionmaker(maker) is read_sessionmaker(maker)


async def test_connection_bound_makers_read_through_their_connection(
    maker: async_sessionmaker[AsyncSession],
) -> None:
    # Tests (and anything else bound to one connection) must see their own uncommitted rows.
    assert read_sessionmaker(maker) is maker


async def test_postgresql_reads_through_its_own_pool(engine: AsyncEngine) -> None:
    if engine.url.get_backend_name() == "postgresql":
        assert read_engine(engine) is engine
    else:
        assert read_engine(engine) is not engine


async def test_get_by_id_probes_the_stix_id_index(
    writer: async_sessionmaker[AsyncSession],
) -> None:
    collection_id = await _sector(writer)
    async with writer.begin() as db:
        await publish(db, "sector-perf", [indicator(i) for i in range(50)])
    object_id = f"indicator--{uuid.UUID(int=7)}"
    query = parse_query(
        [], endpoint=Endpoint.OBJECT, default_limit=100, max_limit=1000, object_id=object_id
    )
    stmt = published._page_statement(query, resume=False, with_body=True).params(
        collection_id=collection_id,
        added_after=None,
        ids=[object_id],
        types=[],
        spec_versions=[],
        timestamps=[],
        limit=2,
    )
    expanded = stmt.compile(dialect=sqlite.dialect()).construct_expanded_state()
    params = tuple(expanded.parameters[name] for name in expanded.positiontup or ())
    async with read_sessionmaker(writer)() as db:
        conn = await db.connection()
        explained = await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {expanded.statement}", params)
        plan = [row[-1] for row in explained.all()]
        page = await published.page(db, collection_id, query, None, with_body=True)
    assert [r.stix_id for r in page.rows] == [object_id]
    # The outer lookup must use (collection_id, stix_id, ...), not walk date_added order.
    outer = plan[0]
    assert "stix_id=?" in outer, plan
