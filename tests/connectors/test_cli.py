"""`mamori connector …` and `mamori worker --once`, run in-process against a SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner, Result

from api.cli import app

DEAD = "http://127.0.0.1:9/api1/"


def test_connectors_from_the_command_line(tmp_path: Path) -> None:
    env = {
        "MAMORI_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}",
        "MAMORI_SECRET_KEY": "cli-secret-key-that-is-long-enough-0123456789",
        "MAMORI_DATA_DIR": str(tmp_path / "data"),
        "MAMORI_CONNECTOR_ALLOW_NETWORKS": "127.0.0.0/8",
        "UPSTREAM_TOKEN": "cli-token-never-printed-42",
    }
    runner = CliRunner()

    def cli(*args: str) -> Result:
        return runner.invoke(app, list(args), env=env)

    assert cli("demo", "--json").exit_code == 0
    done = cli(
        "connector",
        "source",
        "add",
        "national-feed",
        "--url",
        DEAD,
        "--collection",
        "c1",
        "--mode",
        "member",
        "--member",
        "kansai-grid",
        "--auth",
        "bearer",
        "--credential-env",
        "UPSTREAM_TOKEN",
        "--interval",
        "60",
    )
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["sectors"] == ["energy"] and "cli-token" not in done.stdout
    done = cli(
        "connector",
        "source",
        "add",
        "x",
        "--url",
        DEAD,
        "--collection",
        "c",
        "--mode",
        "member",
        "--member",
        "kansai-grid",
        "--auth",
        "bearer",
        "--credential-env",
        "NOT_SET_ANYWHERE",
    )
    assert done.exit_code == 1
    assert "environment variable NOT_SET_ANYWHERE is empty or unset" in done.stderr
    done = cli(
        "connector",
        "peer",
        "add",
        "partner",
        "--url",
        DEAD,
        "--map",
        "sector-energy=4f0c",
        "--max-tlp",
        "green",
    )
    assert done.exit_code == 0, done.output
    done = cli("connector", "peer", "add", "bad", "--url", DEAD, "--map", "nothing")
    assert done.exit_code == 1 and "--map" in done.stderr
    done = cli("connector", "webhook", "add", "tohoku-gas", "http://127.0.0.1:9/hook")
    assert done.exit_code == 0 and json.loads(done.stdout)["secret"].startswith("whsec_")

    done = cli("worker", "--once")
    assert done.exit_code == 0, done.output
    assert done.stdout.strip() == "3 job(s) run"  # pull, push, notifier: the first two fail
    sources = json.loads(cli("connector", "source", "list", "--json").stdout)
    assert sources[0]["last_error"] and sources[0]["job"]["attempts"] == 1
    peers = json.loads(cli("connector", "peer", "list", "--json").stdout)
    assert "Connection" in peers[0]["last_error"]
    assert cli("connector", "source", "test", "national-feed").exit_code == 1
    assert cli("connector", "source", "pause", "national-feed").exit_code == 0
    assert cli("connector", "source", "remove", "national-feed").exit_code == 0
    assert json.loads(cli("connector", "source", "list", "--json").stdout) == []
    assert cli("audit", "verify").exit_code == 0
