"""Audit truncation and key epochs, from the `mamori` command and over HTTP.

Deleting the newest audit entries (or all of them) leaves a chain that still links up; the
signed anchor beside the database names the newest entry, so verification reports the cut.
Rotating the hub secret, with the old one listed as previous, keeps the whole chain verifying.
"""

from __future__ import annotations

import json
import sqlite3
import stat
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typer.testing import CliRunner, Result

from api.app import create_app
from api.cli import app as cli_app
from hub import audit, audit_anchor
from hub.config import Settings
from hub.keys import Keyring, key_id
from hub.models import Role
from tests.conftest import TEST_SECRET
from tests.factories import bearer, make_key

OLD = "the-secret-this-hub-started-with-0123456789"
NEW = "the-secret-it-was-rotated-to-9876543210-abcdef"


class Hub:
    """The `mamori` command on one SQLite file, with the environment as given."""

    def __init__(self, tmp_path: Path) -> None:
        self.db = tmp_path / "hub.db"
        self.env = {
            "MAMORI_DATABASE_URL": f"sqlite+aiosqlite:///{self.db}",
            "MAMORI_SECRET_KEY": OLD,
            "MAMORI_DATA_DIR": str(tmp_path / "data"),
            "MAMORI_CONNECTOR_ALLOW_NETWORKS": "127.0.0.0/8",
        }

    def __call__(self, *args: str, **env: str) -> Result:
        return CliRunner().invoke(cli_app, list(args), env=self.env | env)

    def sql(self, statement: str) -> list[tuple[object, ...]]:
        with sqlite3.connect(self.db) as conn:
            return conn.execute(statement).fetchall()

    @property
    def anchor(self) -> Path:
        return Path(f"{self.db}.audit-head")


@pytest.fixture
def hub(tmp_path: Path) -> Hub:
    hub = Hub(tmp_path)
    assert hub("demo", "--json").exit_code == 0
    return hub


def test_deleting_the_newest_entries_is_reported_as_truncation(hub: Hub) -> None:
    done = hub("audit", "verify")
    assert done.exit_code == 0 and "intact" in done.output, done.output
    assert stat.S_IMODE(hub.anchor.stat().st_mode) == 0o600
    (newest,) = hub.sql("SELECT max(seq) FROM audit_entry")[0]

    hub.sql(f"DELETE FROM audit_entry WHERE seq = {newest}")
    done = hub("audit", "verify")
    assert done.exit_code == 1
    assert "truncated" in done.output and f"entry {newest}" in done.output, done.output

    hub.sql("DELETE FROM audit_entry")
    done = hub("audit", "verify")
    assert done.exit_code == 1 and "truncated" in done.output and "ends at 0" in done.output


def test_a_forged_or_removed_anchor_does_not_verify(hub: Hub) -> None:
    text = hub.anchor.read_text()
    hub.anchor.write_text(text.replace('"seq":', '"seq":1', 1))
    done = hub("audit", "verify")
    assert done.exit_code == 1 and "signature" in done.output, done.output
    hub.anchor.unlink()
    done = hub("audit", "verify")
    assert done.exit_code == 1 and "missing" in done.output


def test_the_chain_verifies_across_a_key_rotation(hub: Hub) -> None:
    rotated = {"MAMORI_SECRET_KEY": NEW, "MAMORI_PREVIOUS_SECRET_KEYS": OLD}
    done = hub("audit", "verify", **rotated)
    assert done.exit_code == 0, done.output
    added = hub("connector", "webhook", "add", "kansai-grid", "http://127.0.0.1:9/h", **rotated)
    assert added.exit_code == 0, added.output
    epochs = {row[0] for row in hub.sql("SELECT key_id FROM audit_entry")}
    assert epochs == {key_id(OLD.encode()), key_id(NEW.encode())}
    done = hub("audit", "verify", **rotated)
    assert done.exit_code == 0 and "intact" in done.output, done.output

    # Forgetting the old secret is not tampering, and says what is missing.
    done = hub("audit", "verify", MAMORI_SECRET_KEY=NEW)
    assert done.exit_code == 1 and "MAMORI_PREVIOUS_SECRET_KEYS" in done.output, done.output
    # The webhook's secret was sealed under the new epoch; the old sources' under the old.
    sealed = hub.sql("SELECT secret FROM member_webhook")[0][0]
    assert isinstance(sealed, str) and f":{key_id(NEW.encode())}:" in sealed


async def test_the_anchor_is_a_metric_and_the_api_reports_truncation(
    tmp_path: Path, maker: async_sessionmaker[AsyncSession], db: AsyncSession
) -> None:
    anchor = tmp_path / "audit-head.json"
    settings = Settings(
        database_url="sqlite+aiosqlite:///unused.db",
        secret_key=TEST_SECRET,
        data_dir=tmp_path / "data",
        audit_anchor_file=anchor,
        key_touch_seconds=0,
        log_json=False,
    )
    db.info[audit_anchor.INFO_PATH] = anchor
    admin = bearer(await make_key(db, Role.ADMIN))
    await audit.record(db, actor=None, action="test.one", subject="x")
    await db.commit()
    newest = audit_anchor.read(anchor, Keyring.of(TEST_SECRET))
    assert newest is not None

    maker.kw["info"] = maker.kw["info"] | {audit_anchor.INFO_PATH: anchor}
    app = create_app(settings, sessionmaker=maker, background=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://hub.test"
    ) as client:
        metrics = (await client.get("/metrics")).text
        assert f"mamori_audit_head_seq {float(newest.seq)}" in metrics
        verdict = (await client.get("/api/v1/audit/verify", headers=admin)).json()
        assert verdict["ok"] and verdict["anchored_seq"] == newest.seq

        # The anchor ran ahead of the table: what an attacker's DELETE leaves behind.
        audit_anchor.write(
            anchor,
            Keyring.of(TEST_SECRET),
            audit_anchor.Anchor(newest.seq + 5, "0" * 64, newest.at, newest.key_id),
        )
        verdict = (await client.get("/api/v1/audit/verify", headers=admin)).json()
        assert not verdict["ok"] and "truncated" in verdict["problem"]


def test_key_epoch_status_and_reseal_after_a_rotation(hub: Hub) -> None:
    added = hub("connector", "webhook", "add", "kansai-grid", "http://127.0.0.1:9/h")
    assert added.exit_code == 0, added.output
    old, new = key_id(OLD.encode()), key_id(NEW.encode())
    rotated = {"MAMORI_SECRET_KEY": NEW, "MAMORI_PREVIOUS_SECRET_KEYS": OLD}

    done = hub("key-epoch", "status", "--json", **rotated)
    assert done.exit_code == 0, done.output
    by_id = {e["key_id"]: e for e in json.loads(done.stdout)}
    assert by_id[new]["current"] and not by_id[new]["mints_ids"]
    assert by_id[old]["mints_ids"] and by_id[old]["sealed_secrets"] == 1
    assert by_id[old]["audit_entries"] > 0

    done = hub("key-epoch", "reseal", **rotated)
    assert done.exit_code == 0 and "resealed 1" in done.output, done.output
    sealed = hub.sql("SELECT secret FROM member_webhook")[0][0]
    assert isinstance(sealed, str) and f":{new}:" in sealed
    assert hub("audit", "verify", **rotated).exit_code == 0

    # Without the old secret its audit entries (and the hub ids it mints) are orphaned.
    done = hub("key-epoch", "status", MAMORI_SECRET_KEY=NEW)
    assert done.exit_code == 1 and "NOT CONFIGURED" in done.output, done.output
