"""Secrets at rest: connector credentials and webhook secrets sealed, with their key epoch;
the SQLite file created readable by its owner only."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from connectors import registry, taxii_pull
from connectors.jobs import Runtime
from hub import migrate, netpolicy
from hub.config import Settings
from hub.db import make_sessionmaker
from hub.keys import Keyring, key_id
from hub.models import AuthKind, Role, SourceMode
from hub.runtime import HubRuntime
from tests.conftest import TEST_SECRET
from tests.connectors.conftest import LOOPBACK
from tests.connectors.httpstub import serve, taxii_root
from tests.factories import bearer, make_key, make_member, make_sector
from tests.hubprocess import HubProcess

TOKEN = "upstream-token-kept-sealed-0123456789"
ROTATED = "a-new-hub-secret-after-rotation-0123456789-xyz"


async def test_credentials_and_webhook_secrets_are_sealed_in_the_database(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    sector = await make_sector(db)
    member = await make_member(db, sector=sector)
    admin = bearer(await make_key(db, Role.ADMIN))
    await db.commit()
    source = {
        "name": "sealed-feed",
        "api_root_url": "http://127.0.0.1:9/api1/",
        "collections": ["c1"],
        "mode": "validate",
        "sectors": [sector.slug],
        "auto_approve": True,
        "auth": {"kind": "basic", "username": "hub", "credential": TOKEN},
    }
    assert (await client.post("/api/v1/admin/sources", json=source, headers=admin)).is_success
    peer = {
        "name": "sealed-peer",
        "api_root_url": "http://127.0.0.1:9/api1/",
        "collections": [{"local": f"sector-{sector.slug}", "remote": "c1"}],
        "auth": {"kind": "bearer", "credential": TOKEN},
    }
    assert (await client.post("/api/v1/admin/peers", json=peer, headers=admin)).is_success
    r = await client.post(
        "/api/v1/admin/webhooks",
        json={"member": member.slug, "url": "http://127.0.0.1:9/hook"},
        headers=admin,
    )
    webhook_secret = r.json()["secret"]

    epoch = key_id(TEST_SECRET.encode())
    stored = [
        *(await db.execute(text("SELECT credential FROM connector_source"))).scalars(),
        *(await db.execute(text("SELECT credential FROM connector_peer"))).scalars(),
        *(await db.execute(text("SELECT secret FROM member_webhook"))).scalars(),
    ]
    assert len(stored) == 3
    for value in stored:
        assert value.startswith(f"mamori-sealed:1:{epoch}:"), value
        assert TOKEN not in value and webhook_secret not in value


async def test_a_sealed_credential_opens_after_a_rotation_only_with_the_old_secret_listed(
    maker: async_sessionmaker[AsyncSession], db: AsyncSession, settings: Settings
) -> None:
    with serve(taxii_root) as upstream:
        sector = await make_sector(db)
        source = await registry.add_source(
            db,
            registry.SourceSpec(
                name="rotating-feed",
                api_root_url=f"{upstream.base}/api1/",
                collections=("c1",),
                mode=SourceMode.VALIDATE,
                sectors=(sector.slug,),
                auto_approve=True,
                auth_kind=AuthKind.BEARER,
                credential=TOKEN,
            ),
            actor=None,
        )
        await db.commit()
        forgot = Settings(
            database_url=settings.database_url,
            secret_key=ROTATED,
            data_dir=settings.data_dir,
            connector_allow_networks=LOOPBACK,
        )
        report = await taxii_pull.pull(
            Runtime(maker, forgot, HubRuntime.from_settings(forgot)), source.id
        )
        assert upstream.seen == []
        assert "MAMORI_PREVIOUS_SECRET_KEYS" in str(report.errors), report.errors

        rotated = Settings(
            database_url=settings.database_url,
            secret_key=ROTATED,
            previous_secret_keys=TEST_SECRET,
            data_dir=settings.data_dir,
            connector_allow_networks=LOOPBACK,
        )
        assert rotated.keyring.current_id == key_id(ROTATED.encode())
        await taxii_pull.pull(Runtime(maker, rotated, HubRuntime.from_settings(rotated)), source.id)
        assert upstream.seen and upstream.seen[0].headers["authorization"] == f"Bearer {TOKEN}"


async def test_the_migration_seals_what_was_stored_in_plain_text(
    empty_engine: AsyncEngine,
) -> None:
    keyring = Keyring.of(TEST_SECRET)
    await migrate.upgrade(empty_engine, keyring=keyring)
    maker = make_sessionmaker(empty_engine, keyring=keyring)
    async with maker.begin() as db:
        db.info[netpolicy.INFO_KEY] = netpolicy.Policy.parse(LOOPBACK)
        member = await make_member(db, sector=await make_sector(db))
        hook, _ = await registry.add_webhook(
            db, member.slug, "http://127.0.0.1:9/h", actor=None, secret="plain-webhook-secret-1"
        )
    # What a hub before 0009 stored: the secret as it is.
    async with empty_engine.begin() as conn:
        await conn.execute(text("UPDATE member_webhook SET secret = 'plain-webhook-secret-1'"))
    await migrate.downgrade(empty_engine, "0008", keyring=keyring)
    await migrate.upgrade(empty_engine, keyring=keyring)
    async with empty_engine.connect() as conn:
        (sealed,) = (await conn.execute(text("SELECT secret FROM member_webhook"))).one()
        epochs = set((await conn.execute(text("SELECT key_id FROM audit_entry"))).scalars())
    assert sealed.startswith("mamori-sealed:1:") and "plain-webhook-secret-1" not in sealed
    assert keyring.open(sealed, context="member_webhook.secret") == "plain-webhook-secret-1"
    assert epochs == {keyring.current_id}  # entries signed before 0009 name their epoch


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def test_the_sqlite_file_and_its_wal_are_readable_by_the_owner_only(
    tmp_path: Path, umask_022: None
) -> None:
    hub = HubProcess(tmp_path, MAMORI_SANITIZE_PROCESSES="0")
    done = hub.cli("db", "upgrade")
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE((tmp_path / "hub.db").stat().st_mode) == 0o600
    hub.demo()
    hub.start()
    try:
        for name in ("hub.db", "hub.db-wal", "hub.db-shm"):
            assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name
    finally:
        hub.stop()
