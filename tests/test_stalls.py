"""No member can stall the hub: a submission that never finishes sanitizing is stopped at
the time limit and failed, other members' reports go on first, and shutdown does not wait.

The sanitizer is made pathological in the hub's own processes (server and workers) by a
``sitecustomize`` on their path: any report naming the malware ``STALL`` never comes back.
"""

from __future__ import annotations

import json
import os
import signal
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.hubprocess import HubProcess

pytestmark = pytest.mark.e2e

STALLING_SANITIZER = """
import time

import hub.submissions.pipeline as _pipeline

_real = _pipeline.sanitize


def _stalling(objects, *args, **kwargs):
    if any(isinstance(o, dict) and o.get("name") == "STALL" for o in objects):
        while True:
            time.sleep(1)
    return _real(objects, *args, **kwargs)


_pipeline.sanitize = _stalling
"""
TERMINAL = {"in_review", "failed", "rejected"}


def report(name: str) -> bytes:
    malware = {
        "type": "malware",
        "spec_version": "2.1",
        "id": f"malware--{uuid.uuid4()}",
        "created": "2026-11-20T09:00:00.000Z",
        "modified": "2026-11-20T09:00:00.000Z",
        "name": name,
        "is_family": True,
    }
    bundle = {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": [malware]}
    return json.dumps(bundle).encode()


def hub_with(tmp_path: Path, **env: str) -> HubProcess:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(STALLING_SANITIZER)
    path = os.pathsep.join(p for p in (str(site), os.environ.get("PYTHONPATH", "")) if p)
    return HubProcess(tmp_path, PYTHONPATH=path, MAMORI_SANITIZE_PROCESSES="1", **env)


@pytest.fixture
def stalling_hub(tmp_path: Path) -> Iterator[HubProcess]:
    process = hub_with(tmp_path, MAMORI_SUBMISSION_TIME_LIMIT_SECONDS="8")
    yield process
    process.stop()


def submitters(seeded: dict[str, Any]) -> list[dict[str, str]]:
    return [c for c in seeded["credentials"] if c["role"] == "submitter"]


def post(client: httpx.Client, key: str, body: bytes) -> str:
    r = client.post(
        "/api/v1/submissions",
        content=body,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    assert r.status_code == 202, r.text
    return str(r.json()["id"])


def detail(client: httpx.Client, key: str, sid: str) -> dict[str, Any]:
    r = client.get(f"/api/v1/submissions/{sid}", headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 200, r.text
    return dict(r.json())


def reached_review(d: dict[str, Any]) -> datetime:
    at = next(e["at"] for e in d["events"] if e["to_state"] == "in_review")
    return datetime.fromisoformat(str(at).replace("Z", "+00:00"))


def test_a_stalled_submission_fails_at_the_limit_and_others_go_first(
    stalling_hub: HubProcess,
) -> None:
    seeded = stalling_hub.demo()
    first, second = submitters(seeded)[:2]
    assert first["member"] != second["member"]
    stalling_hub.start()
    a, b = first["key"], second["key"]
    with httpx.Client(base_url=stalling_hub.base_url, timeout=30) as client:
        stalled = post(client, a, report("STALL"))
        backlog = [post(client, a, report(f"family {n}")) for n in range(3)]
        other = post(client, b, report("other member's family"))
        # The hub answers while the stalled one holds the only worker process.
        assert client.get("/healthz").status_code == 200
        premise = detail(client, a, stalled)["state"]
        assert premise not in TERMINAL, "the limit passed before the others were posted"

        deadline = time.monotonic() + 120  # a hang guard, not a measurement
        mine = [(a, s) for s in (stalled, *backlog)] + [(b, other)]
        while True:
            done = {s: detail(client, k, s) for k, s in mine}
            if all(d["state"] in TERMINAL for d in done.values()):
                break
            assert time.monotonic() < deadline, {s: d["state"] for s, d in done.items()}
            time.sleep(0.3)

    assert done[stalled]["state"] == "failed"
    assert done[stalled]["events"][-1]["reason"] == (
        "processing took longer than the limit of 8 s and was stopped; an operator can retry it"
    )
    assert [done[s]["state"] for s in (*backlog, other)] == ["in_review"] * 4
    # Fair turns: the other member's report waited for at most one of the backlog.
    assert reached_review(done[other]) < reached_review(done[backlog[1]])
    assert reached_review(done[other]) < reached_review(done[backlog[2]])
    log = (stalling_hub.workdir / "hub.log").read_text(errors="replace")
    assert "Traceback" not in log
    assert "STALL" not in log and "family" not in log


def test_with_two_processes_others_go_on_while_one_member_is_stalled(tmp_path: Path) -> None:
    hub = hub_with(tmp_path, MAMORI_SUBMISSION_TIME_LIMIT_SECONDS="3600")
    hub.env["MAMORI_SANITIZE_PROCESSES"] = "2"
    try:
        seeded = hub.demo()
        first, second = submitters(seeded)[:2]
        hub.start()
        a, b = first["key"], second["key"]
        with httpx.Client(base_url=hub.base_url, timeout=30) as client:
            stalled = post(client, a, report("STALL"))
            behind = post(client, a, report("family 1"))
            other = post(client, b, report("other member's family"))
            deadline = time.monotonic() + 120  # a hang guard, not a measurement
            while detail(client, b, other)["state"] not in TERMINAL:
                assert time.monotonic() < deadline
                time.sleep(0.3)
            assert detail(client, b, other)["state"] == "in_review"
            # The stalled one still holds its process, and its member's next one waits for
            # it: that member never occupies both processes.
            assert detail(client, a, stalled)["state"] not in TERMINAL
            assert detail(client, a, behind)["state"] == "received"
    finally:
        hub.stop()


def test_shutdown_does_not_wait_for_a_stalled_submission(tmp_path: Path) -> None:
    hub = hub_with(tmp_path, MAMORI_SUBMISSION_TIME_LIMIT_SECONDS="3600")
    try:
        seeded = hub.demo()
        key = submitters(seeded)[0]["key"]
        hub.start()
        with httpx.Client(base_url=hub.base_url, timeout=30) as client:
            stalled = post(client, key, report("STALL"))
            deadline = time.monotonic() + 60
            while detail(client, key, stalled)["state"] != "validated":
                assert time.monotonic() < deadline
                time.sleep(0.2)
        assert hub.proc is not None
        hub.proc.send_signal(signal.SIGTERM)
        # A hang guard: without the fix this waits for the hour-long limit.
        assert hub.proc.wait(timeout=60) is not None
    finally:
        hub.stop()
