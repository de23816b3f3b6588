"""The migrations build exactly the models' schema, on every backend."""

from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from hub import migrate
from hub.db import Base


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
