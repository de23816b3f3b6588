"""Alembic environment: runs the hub's migrations on a synchronous connection."""

from __future__ import annotations

from sqlalchemy import create_engine, pool

import hub.models  # noqa: F401  (registers every table on Base.metadata)
from alembic import context
from hub.config import sync_url
from hub.db import Base, private_sqlite_file

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = sync_url(config.get_main_option("sqlalchemy.url") or "")
    private_sqlite_file(url)
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as conn:
        _run(conn)
        conn.commit()
    engine.dispose()


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
