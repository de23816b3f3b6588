"""A submission acknowledged by a real hub survives a crash and is processed after it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import DATA
from tests.hubprocess import HubProcess

pytestmark = pytest.mark.e2e


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubProcess]:
    process = HubProcess(tmp_path)
    yield process
    process.stop()


def test_acknowledged_submissions_survive_a_crash(hub: HubProcess) -> None:
    seeded = hub.demo()
    submitter = next(
        c
        for c in seeded["credentials"]
        if c["role"] == "submitter" and c["member"] == "kansai-grid"
    )
    auth = {"Authorization": f"Bearer {submitter['key']}"}
    hub.start()
    bodies = [p.read_bytes() for p in sorted((DATA / "oasis").glob("*.json"))]
    acknowledged = []
    with httpx.Client(base_url=hub.base_url, headers=auth, timeout=30) as client:
        for body in bodies:
            r = client.post(
                "/api/v1/submissions", content=body, headers={"Content-Type": "application/json"}
            )
            assert r.status_code == 202, r.text
            acknowledged.append(r.json()["id"])
    hub.kill()

    hub.start()
    with httpx.Client(base_url=hub.base_url, headers=auth, timeout=30) as client:
        deadline = time.monotonic() + 60
        while True:
            states = {
                i: client.get(f"/api/v1/submissions/{i}").json()["state"] for i in acknowledged
            }
            if set(states.values()) <= {"in_review"} or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    assert set(states.values()) == {"in_review"}, states
    log = (hub.workdir / "hub.log").read_text(errors="replace")
    assert "Traceback" not in log
    # Neither the key nor anything of the submitted reports is ever logged.
    assert submitter["key"].split(".", 1)[1] not in log
    for marker in ("indicator--", "Poison Ivy", "[file:hashes"):
        assert marker not in log


def test_cli_errors_are_one_line(hub: HubProcess) -> None:
    done = hub.cli("member", "add", "x", "--sector", "nowhere", "--display-name", "X")
    assert done.returncode == 1
    assert done.stderr.strip() == "mamori: error: no sector 'nowhere'"
    hub.cli("sector", "add", "energy", "Energy")
    done = hub.cli(
        "member",
        "add",
        "x",
        "--sector",
        "energy",
        "--display-name",
        "X Corp",
        "--ip-range",
        "10.0.0.0/33",
    )
    assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1
    assert "ip_range" in done.stderr and "Traceback" not in done.stderr
    done = hub.cli("key", "revoke", "mk_nope")
    assert (done.returncode, done.stderr.strip()) == (1, "mamori: error: no API key 'mk_nope'")
    done = hub.cli("audit", "verify")
    assert done.returncode == 0 and "intact" in done.stdout


def test_demo_json_lists_working_credentials(hub: HubProcess) -> None:
    seeded = hub.demo()
    assert {s["slug"] for s in seeded["sectors"]} == {"energy", "manufacturing"}
    assert len(seeded["members"]) == 3
    roles = sorted(c["role"] for c in seeded["credentials"])
    assert roles.count("submitter") == 3 and roles.count("reader") == 3
    hub.start()
    admin = next(c for c in seeded["credentials"] if c["role"] == "admin")
    r = httpx.get(
        f"{hub.base_url}/api/v1/admin/members", headers={"Authorization": f"Bearer {admin['key']}"}
    )
    assert r.status_code == 200 and len(r.json()) == 3
    assert (
        Path(seeded["sample_report"]).is_absolute()
        or (hub.workdir / seeded["sample_report"]).exists()
    )
