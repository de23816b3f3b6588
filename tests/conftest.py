"""Fixtures: one migrated database per backend (SQLite always, PostgreSQL when reachable),
each test inside a transaction that is rolled back, and plain factory functions."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from fastapi import FastAPI
from hypothesis import settings as hypothesis_settings
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from api.app import create_app
from hub import migrate
from hub.config import Settings
from hub.db import make_engine
from hub.keys import Keyring

# In CI the property-based tests draw the same examples every run, so a red build is
# reproducible and never depends on the luck of the draw; locally they explore.
hypothesis_settings.register_profile("ci", derandomize=True, database=None, deadline=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

DATA = Path(__file__).parent / "data"
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
POSTGRES_URL = os.environ.get("MAMORI_TEST_POSTGRES_URL", "postgresql://127.0.0.1:5432/test")
# "require" (set by .ci/run) turns an unreachable PostgreSQL into a failure instead of a skip.
POSTGRES_MODE = os.environ.get("MAMORI_TEST_POSTGRES", "auto")


def _postgres_admin() -> psycopg.Connection | None:
    try:
        return psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        if POSTGRES_MODE == "require":
            pytest.fail(f"PostgreSQL required but unreachable at {POSTGRES_URL}: {exc}")
        return None


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this test session, dropped at the end."""
    if POSTGRES_MODE == "off":
        pytest.skip("PostgreSQL tests disabled (MAMORI_TEST_POSTGRES=off)")
    admin = _postgres_admin()
    if admin is None:
        pytest.skip(
            f"PostgreSQL not reachable at {POSTGRES_URL}; set MAMORI_TEST_POSTGRES_URL to run "
            "the PostgreSQL half of the suite"
        )
    name = f"mamori_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
async def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[AsyncEngine]:
    """A migrated database of each backend; tests using it run once per backend."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'mamori.db'}"
    else:
        url = request.getfixturevalue("postgres_url").replace(
            "postgresql://", "postgresql+psycopg://"
        )
    engine = make_engine(url)
    await migrate.upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
async def empty_engine(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[AsyncEngine]:
    """A database of each backend without any schema yet, for tests of the migrations."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
        yield engine
        await engine.dispose()
        return
    base = request.getfixturevalue("postgres_url").rsplit("/", 1)[0]
    admin = _postgres_admin()
    assert admin is not None  # postgres_url skipped or failed otherwise
    name = f"mamori_empty_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    engine = make_engine(f"{base}/{name}".replace("postgresql://", "postgresql+psycopg://"))
    try:
        yield engine
    finally:
        await engine.dispose()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def session_info() -> dict[str, Any]:
    """What every test session carries: the test keyring (connector tests add an egress policy)."""
    return Keyring.of(TEST_SECRET).session_info()


@pytest.fixture
async def maker(
    engine: AsyncEngine, session_info: dict[str, Any]
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions that all join one outer transaction, rolled back after the test."""
    async with engine.connect() as conn:
        outer = await conn.begin()
        yield async_sessionmaker(
            bind=conn,
            expire_on_commit=False,
            join_transaction_mode="create_savepoint",
            info=session_info,
        )
        if outer.is_active:
            await outer.rollback()


@pytest.fixture
async def db(maker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with maker() as session:
        yield session


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        database_url="sqlite+aiosqlite:///unused.db",
        secret_key=TEST_SECRET,
        data_dir=tmp_path / "data",
        max_body_bytes=256 * 1024,
        max_objects=500,
        key_touch_seconds=0,
        log_json=False,
        # Tests send wrong and revoked keys by the hundred; tests/api/web/test_auth.py and the
        # tests over a real server check the default.
        sign_in_failures="100000/minute",
    )


@pytest.fixture
def app(settings: Settings, maker: async_sessionmaker[AsyncSession]) -> FastAPI:
    return create_app(settings, sessionmaker=maker, background=False)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
        yield client
