"""The migrations build exactly the models' schema, on every backend."""

from __future__ import annotations

import uuid

from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from hub import migrate
from hub.db import Base
from hub.models.published import COLLECTION_NAMESPACE, collection_uuid


async def test_migrations_match_models(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        drift = await conn.run_sync(migrate.schema_drift)
    assert drift == []


async def test_every_model_table_exists(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_migrations_are_found_from_the_package() -> None:
    location = migrate.script_location()
    assert (location / "env.py").exists()
    assert any((location / "versions").glob("*.py"))


async def test_sectors_made_before_0007_get_their_collection(empty_engine: AsyncEngine) -> None:
    await migrate.upgrade(empty_engine, "0006")
    async with empty_engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO sector (id, slug, name, created_at) "
                "VALUES ('s-1', 'energy', 'Energy', CURRENT_TIMESTAMP)"
            )
        )
    await migrate.upgrade(empty_engine)
    async with empty_engine.connect() as conn:
        rows = (
            await conn.execute(text("SELECT id, slug, kind, sector_id, title FROM collection"))
        ).all()
    got = {row.slug: tuple(row) for row in rows}
    assert got["sector-energy"] == (
        collection_uuid("sector-energy"),
        "sector-energy",
        "sector",
        "s-1",
        "Energy sector",
    )
    assert {"members", "public", "inbox"} <= set(got)


async def test_breadth_is_one_of_the_four(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        checks = await conn.run_sync(
            lambda c: inspect(c).get_check_constraints("submission_review")
        )
    (breadth,) = [ck for ck in checks if ck["name"] == "ck_submission_review_sharing_breadth"]
    for word in ("sector", "sectors", "members", "public"):
        assert f"'{word}'" in breadth["sqltext"]


async def test_0010_moves_collections_to_version_4_ids_with_their_objects(
    empty_engine: AsyncEngine,
) -> None:
    await migrate.upgrade(empty_engine, "0009")
    old = str(uuid.uuid5(COLLECTION_NAMESPACE, "members"))
    async with empty_engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO published_object (collection_id, stix_id, stix_type, version, "
                "spec_version, spec_rank, date_added, body, submission_id) VALUES (:c, "
                "'indicator--00000000-0000-4000-8000-000000000001', 'indicator', 1, '2.1', "
                "2001, 5, :b, NULL)"
            ),
            {"c": old, "b": b"{}"},
        )
    await migrate.upgrade(empty_engine)
    async with empty_engine.connect() as conn:
        ids = dict((await conn.execute(text("SELECT slug, id FROM collection"))).all())
        moved = (await conn.execute(text("SELECT collection_id FROM published_object"))).all()
    assert {uuid.UUID(cid).version for cid in ids.values()} == {4}
    assert ids["members"] == collection_uuid("members") != old
    assert [row[0] for row in moved] == [ids["members"]]
    await migrate.downgrade(empty_engine, "0009")
    async with empty_engine.connect() as conn:
        back = (await conn.execute(text("SELECT collection_id FROM published_object"))).all()
    assert [row[0] for row in back] == [old]
