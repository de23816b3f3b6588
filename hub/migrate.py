"""Applying and checking Alembic migrations from inside the hub."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from alembic import command
from hub.config import sync_url
from hub.db import Base
from hub.keys import Keyring


def script_location() -> Path:
    """Where the migrations live: the checkout's alembic/ or the installed hub.migrations."""
    here = Path(__file__).resolve().parent
    checkout = here.parent / "alembic"
    if (checkout / "env.py").exists():
        return checkout
    return here / "migrations"


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location()))
    cfg.set_main_option(
        "file_template",
        "%%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d_%%(rev)s_%%(slug)s",
    )
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", sync_url(url).replace("%", "%%"))
    return cfg


def upgrade_sync(
    connection: Connection, revision: str = "head", keyring: Keyring | None = None
) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    if keyring is not None:
        cfg.attributes["keyring"] = keyring  # what data migrations seal or sign with
    command.upgrade(cfg, revision)


async def upgrade(
    engine: AsyncEngine, revision: str = "head", *, keyring: Keyring | None = None
) -> None:
    """Bring the database to the newest schema."""
    async with engine.begin() as conn:
        await conn.run_sync(upgrade_sync, revision, keyring)


def _downgrade_sync(connection: Connection, revision: str, keyring: Keyring | None) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    if keyring is not None:
        cfg.attributes["keyring"] = keyring
    command.downgrade(cfg, revision)


async def downgrade(engine: AsyncEngine, revision: str, *, keyring: Keyring | None = None) -> None:
    """Step the database back to `revision` (data migrations open what they sealed)."""
    async with engine.begin() as conn:
        await conn.run_sync(_downgrade_sync, revision, keyring)


def schema_drift(connection: Connection) -> list[object]:
    """What autogenerate would still change: empty when migrations match the models."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))
