"""A real hub: uvicorn on 127.0.0.1 over a fresh SQLite file, seeded by the hub's own functions."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from hub import members, migrate
from hub.db import make_engine, make_sessionmaker
from hub.keys import Keyring
from hub.models import Role
from hub.models.published import collection_uuid
from hub.store.objects import publish

SECRET = "e2e-secret-key-that-is-long-enough-0123456789"
ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class LiveHub:
    base_url: str
    sector_collection: str
    keys: dict[str, tuple[str, str]]  # name -> (key id, full key)
    seeded: list[dict[str, Any]]


def seed_objects() -> list[dict[str, Any]]:
    objects = []
    for n in range(12):
        objects.append(
            {
                "type": "indicator",
                "spec_version": "2.1",
                "id": f"indicator--10000000-0000-4000-8000-{n:012d}",
                "created": "2026-11-20T09:00:00.000Z",
                "modified": "2026-11-20T09:00:00.000Z",
                "name": f"C2 address {n}",
                "pattern": f"[ipv4-addr:value = '203.0.113.{n}']",
                "pattern_type": "stix",
                "valid_from": "2026-11-20T09:00:00Z",
            }
        )
    objects.append(
        objects[0] | {"modified": "2026-11-21T09:00:00.000Z", "name": "C2 address 0 (v2)"}
    )
    objects.append(
        {
            "type": "malware",
            "spec_version": "2.1",
            "id": "malware--20000000-0000-4000-8000-000000000001",
            "created": "2026-11-20T09:00:00.000Z",
            "modified": "2026-11-20T09:00:00.000Z",
            "name": "PlugX variant",
            "is_family": False,
        }
    )
    return objects


async def _seed(url: str) -> tuple[str, dict[str, tuple[str, str]]]:
    engine = make_engine(url)
    await migrate.upgrade(engine)
    maker = make_sessionmaker(engine, keyring=Keyring.of(SECRET))
    keys: dict[str, tuple[str, str]] = {}
    async with maker.begin() as db:
        await members.create_sector(db, "energy", "Energy")
        await members.create_sector(db, "finance", "Finance")
        await members.create_member(db, "power-co", "Power Co", "energy", {})
        await members.create_member(db, "bank-co", "Bank Co", "finance", {})
        for name, role, member in (
            ("reader", Role.READER, "power-co"),
            ("submitter", Role.SUBMITTER, "power-co"),
            ("outsider", Role.READER, "bank-co"),
            ("operator", Role.OPERATOR, None),
        ):
            _, issued = await members.create_key(db, role=role, label=name, member_slug=member)
            keys[name] = (issued.key_id, issued.key)
        await publish(db, "sector-energy", seed_objects())
    await engine.dispose()
    return collection_uuid("sector-energy"), keys


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    workdir = tmp_path_factory.mktemp("e2e")
    url = f"sqlite+aiosqlite:///{workdir / 'mamori.db'}"
    collection, keys = asyncio.run(_seed(url))
    port = free_port()
    env = os.environ | {
        "MAMORI_DATABASE_URL": url,
        "MAMORI_SECRET_KEY": SECRET,
        "MAMORI_DATA_DIR": str(workdir / "data"),
        "MAMORI_LOG_JSON": "false",
        "MAMORI_LOG_LEVEL": "WARNING",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "api.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/taxii2/", timeout=1).status_code == 401:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        else:
            raise RuntimeError("the hub did not start")
        yield LiveHub(base, collection, keys, seed_objects())
    finally:
        proc.terminate()
        proc.wait(timeout=10)
