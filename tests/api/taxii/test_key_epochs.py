"""Rotating the hub secret: a reader's `next` cursor from before still pages on; hub ids
minted before are still the hub's and are minted the same."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.app import create_app
from hub.config import Settings
from hub.runtime import HubRuntime
from hub.sanitize.ids import is_hub_id, mint
from tests.api.taxii.test_routes import ROOT, indicator, make_world, seed
from tests.conftest import TEST_SECRET

ROTATED = "the-hub-secret-after-rotation-0123456789-abcdef"


def settings_with(tmp_path: Path, secret: str, previous: str | None = None) -> Settings:
    return Settings(
        database_url="sqlite+aiosqlite:///unused.db",
        secret_key=secret,
        previous_secret_keys=previous,
        data_dir=tmp_path / "data",
        key_touch_seconds=0,
        log_json=False,
    )


def client_of(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub.test")


async def test_a_cursor_signed_before_a_rotation_still_pages_on(
    tmp_path: Path, maker: async_sessionmaker[AsyncSession], db: AsyncSession
) -> None:
    world = await make_world(db)
    await seed(db, f"sector-{world.sector_a}", [indicator(n) for n in range(5)])
    url = f"{ROOT}/collections/{world.coll_a}/objects/"
    h = world.headers("reader_a")

    def app(settings: Settings) -> FastAPI:
        return create_app(settings, sessionmaker=maker, background=False)

    async with client_of(app(settings_with(tmp_path, TEST_SECRET))) as before:
        first = (await before.get(url, headers=h, params={"limit": "2"})).json()
    token = first["next"]

    async with client_of(app(settings_with(tmp_path, ROTATED, TEST_SECRET))) as after:
        r = await after.get(url, headers=h, params={"limit": "2", "next": token})
        assert r.status_code == 200, r.text
        ids = [o["id"] for o in first["objects"] + r.json()["objects"]]
        assert ids == [indicator(n)["id"] for n in range(4)]
        # New cursors are signed with the new secret, and they work too.
        r = await after.get(url, headers=h, params={"limit": "2", "next": r.json()["next"]})
        assert [o["id"] for o in r.json()["objects"]] == [indicator(4)["id"]]

    async with client_of(app(settings_with(tmp_path, ROTATED))) as forgot:
        r = await forgot.get(url, headers=h, params={"limit": "2", "next": token})
        assert r.status_code == 400


def test_hub_ids_are_minted_with_the_epoch_that_first_minted_them(tmp_path: Path) -> None:
    before = HubRuntime.from_settings(settings_with(tmp_path, TEST_SECRET))
    once = mint(before.secret, "member-key", "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f")
    twice_rotated = settings_with(
        tmp_path, "a-third-secret-0123456789-0123456789-xyz", f"{ROTATED},{TEST_SECRET}"
    )
    after = HubRuntime.from_settings(twice_rotated)
    again = mint(after.secret, "member-key", "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f")
    assert again == once and is_hub_id(after.secret, once)
