"""Two real hubs on 127.0.0.1 with separate databases: push A→B, pull B←A, a peer killed
mid-transfer, and TLP on the way out. Every object is counted at both ends."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
from pydantic import SecretStr
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from taxii2client.v21 import Collection, as_pages

from connectors import jobs, taxii_push
from connectors.jobs import Runtime
from connectors.worker import Worker
from hub import netpolicy
from hub.config import Settings
from hub.db import make_engine, make_sessionmaker
from hub.keys import Keyring
from hub.models import ConnectorPeer, PeerProgress
from hub.models.published import collection_uuid
from hub.runtime import HubRuntime
from hub.stix.tlp import TLP1_AMBER, TLP2_AMBER, TLP2_DEFINITIONS, TLP2_GREEN
from hub.store.objects import publish
from tests.hubprocess import HubProcess

pytestmark = pytest.mark.e2e

SECRET = "e2e-secret-key-that-is-long-enough-0123456789"  # what HubProcess gives every hub
ENERGY = collection_uuid("sector-energy")
MANUFACTURING = collection_uuid("sector-manufacturing")
MEMBERS = collection_uuid("members")


@dataclass
class Hub:
    process: HubProcess
    keys: dict[tuple[str, str | None], str]

    @property
    def api_root(self) -> str:
        return f"{self.process.base_url}/taxii2/mamori/"

    def key(self, role: str, member: str | None = None) -> str:
        return self.keys[(role, member)]

    def http(self, role: str, member: str | None = None) -> httpx.Client:
        return httpx.Client(
            base_url=self.process.base_url,
            timeout=30,
            headers={"Authorization": f"Bearer {self.key(role, member)}"},
        )

    def held(
        self, collection_id: str, role: str = "reader", member: str = "kansai-grid"
    ) -> list[tuple[str, str]]:
        """(id, version) of every object version a reader gets over TAXII, in order."""
        out: list[tuple[str, str]] = []
        url = f"{self.api_root}collections/{collection_id}/"
        with Collection(url, auth=BearerAuth(self.key(role, member))) as coll:
            for page in as_pages(coll.get_objects, per_request=50, version="all"):
                for obj in page.get("objects", []):
                    out.append((obj["id"], obj.get("modified") or obj.get("created") or ""))
        return out

    def bodies(self, collection_id: str, member: str) -> list[dict[str, Any]]:
        url = f"{self.api_root}collections/{collection_id}/"
        with Collection(url, auth=BearerAuth(self.key("reader", member))) as coll:
            return [
                o
                for page in as_pages(coll.get_objects, per_request=50, version="all")
                for o in page.get("objects", [])
            ]


class BearerAuth(requests.auth.AuthBase):
    """`Authorization: Bearer <token>` for taxii2-client (its own TokenAuth says `Token`)."""

    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


# The two hubs federate over loopback: an admin's explicit allow-list, as on a private network.
LOOPBACK = "127.0.0.0/8"


def start_hub(workdir: Path, **env: str) -> Hub:
    workdir.mkdir()
    process = HubProcess(
        workdir,
        MAMORI_LOG_LEVEL="WARNING",
        MAMORI_SANITIZE_PROCESSES="0",
        MAMORI_CONNECTOR_ALLOW_NETWORKS=LOOPBACK,
        **env,
    )
    seeded = process.demo()
    keys = {(c["role"], c["member"]): c["key"] for c in seeded["credentials"]}
    try:
        process.start()
    except BaseException:
        process.stop()
        raise
    return Hub(process, keys)


@pytest.fixture(scope="module")
def hubs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Hub, Hub]]:
    root = tmp_path_factory.mktemp("federation")
    # A's connectors are driven from this test (a worker over A's database); B runs its own
    # worker in-process, as `mamori serve` does on SQLite.
    with ThreadPoolExecutor(2) as pool:  # two independent hubs: start them side by side
        started_a = pool.submit(start_hub, root / "a", MAMORI_WORKER_IN_PROCESS="false")
        started_b = pool.submit(
            start_hub, root / "b", MAMORI_WORKER_IN_PROCESS="true", MAMORI_WORKER_POLL_SECONDS="0.2"
        )
    failed = [f.exception() for f in (started_a, started_b) if f.exception() is not None]
    if failed:
        for f in (started_a, started_b):
            if f.exception() is None:
                f.result().process.stop()
        raise failed[0]  # type: ignore[misc]
    a, b = started_a.result(), started_b.result()
    try:
        yield a, b
    finally:
        a.process.stop()
        b.process.stop()


@pytest.fixture
async def a_db(hubs: tuple[Hub, Hub]) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Hub A's database, opened from the test as a second process on it (a worker)."""
    url = hubs[0].process.env["MAMORI_DATABASE_URL"]
    engine = make_engine(url)
    yield make_sessionmaker(
        engine,
        keyring=Keyring.of(SECRET),
        info={netpolicy.INFO_KEY: netpolicy.Policy.parse(LOOPBACK)},
    )
    await engine.dispose()


def a_worker(hubs: tuple[Hub, Hub], maker: async_sessionmaker[AsyncSession]) -> Worker:
    settings = Settings(
        database_url=hubs[0].process.env["MAMORI_DATABASE_URL"],
        secret_key=SecretStr(SECRET),
        data_dir=hubs[0].process.workdir / ".mamori",
        connector_allow_networks=LOOPBACK,
    )
    runtime = Runtime(maker, settings, HubRuntime.from_settings(settings))
    return Worker(runtime, handlers={jobs.PUSH: taxii_push.run_job})


def report() -> dict[str, Any]:
    marked = {
        "object_marking_refs": [TLP2_GREEN],
        "created": "2026-11-25T01:02:03.000Z",
        "modified": "2026-11-25T01:02:03.000Z",
        "spec_version": "2.1",
    }
    indicator = {
        "type": "indicator",
        "id": f"indicator--{uuid.uuid4()}",
        "name": "Loader C2",
        "pattern": "[ipv4-addr:value = '198.51.100.77']",
        "pattern_type": "stix",
        "valid_from": "2026-11-25T00:00:00Z",
        **marked,
    }
    malware = {
        "type": "malware",
        "id": f"malware--{uuid.uuid4()}",
        "name": "ShadowPad",
        "is_family": True,
        **marked,
    }
    relation = {
        "type": "relationship",
        "id": f"relationship--{uuid.uuid4()}",
        "relationship_type": "indicates",
        "source_ref": indicator["id"],
        "target_ref": malware["id"],
        **marked,
    }
    return {
        "type": "bundle",
        "id": f"bundle--{uuid.uuid4()}",
        "objects": [indicator, malware, relation],
    }


def wait_for(predicate: Any, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.25)


def submit_and_publish(a: Hub) -> None:
    """The whole loop on hub A: submit, sanitize, operator approval, submitter consent."""
    with a.http("submitter", "kansai-grid") as member, a.http("operator") as operator:
        r = member.post(
            "/api/v1/submissions",
            json=report(),
            headers={"Content-Type": "application/stix+json;version=2.1"},
        )
        assert r.status_code == 202, r.text
        sid = r.json()["id"]
        wait_for(
            lambda: member.get(f"/api/v1/submissions/{sid}").json()["state"] == "in_review",
            "sanitizing on hub A",
        )
        r = operator.post(
            f"/api/v1/review/submissions/{sid}/approve", json={"scope": {"breadth": "sector"}}
        )
        assert r.status_code == 200, r.text
        r = member.post(f"/api/v1/submissions/{sid}/consent", json={"decision": "approve"})
        assert r.status_code == 200 and r.json()["state"] == "published", r.text


def add_peer(a: Hub, b: Hub, name: str, local: str, remote: str, max_tlp: str) -> str:
    with a.http("admin") as admin:
        r = admin.post(
            "/api/v1/admin/peers",
            json={
                "name": name,
                "api_root_url": b.api_root,
                "max_tlp": max_tlp,
                "batch_size": 5,
                "collections": [{"local": local, "remote": remote}],
                "auth": {"kind": "bearer", "credential": b.key("operator")},
            },
        )
        assert r.status_code == 201, r.text
        assert admin.post(f"/api/v1/admin/peers/{name}/test").json() == {"ok": True, "problems": []}
        return str(r.json()["id"])


def bulk(n: int, marking: str | None = None, prefix: str = "bulk") -> list[dict[str, Any]]:
    objects = []
    for i in range(n):
        obj: dict[str, Any] = {
            "type": "indicator",
            "spec_version": "2.1",
            "id": f"indicator--{uuid.uuid4()}",
            "created": "2026-11-24T00:00:00.000Z",
            "modified": "2026-11-24T00:00:00.000Z",
            "name": f"{prefix} {i}",
            "pattern": f"[domain-name:value = 'c2-{i}.example.net']",
            "pattern_type": "stix",
            "valid_from": "2026-11-24T00:00:00Z",
        }
        if marking:
            obj["object_marking_refs"] = [marking]
        objects.append(obj)
    return objects


async def test_push_to_a_peer_and_pull_from_it(
    hubs: tuple[Hub, Hub], a_db: async_sessionmaker[AsyncSession]
) -> None:
    a, b = hubs
    submit_and_publish(a)
    on_a = a.held(ENERGY)
    assert len(on_a) >= 3

    add_peer(a, b, "hub-b", "sector-energy", ENERGY, "amber")
    assert await a_worker(hubs, a_db).drain() == 1
    on_b = b.held(ENERGY)
    assert sorted(on_b) == sorted(on_a)  # the same ids and versions: nothing re-minted

    # B pulls A's energy collection into its manufacturing sector, through its own worker.
    with b.http("admin") as admin:
        r = admin.post(
            "/api/v1/admin/sources",
            json={
                "name": "hub-a",
                "api_root_url": a.api_root,
                "collections": [ENERGY],
                "mode": "validate",
                "sectors": ["manufacturing"],
                "auto_approve": True,
                "page_size": 2,
                "auth": {"kind": "bearer", "credential": a.key("reader", "kansai-grid")},
            },
        )
        assert r.status_code == 201, r.text
    wait_for(
        lambda: len(b.held(MANUFACTURING, member="nishi-heavy")) == len(on_a),
        "hub B's in-process worker to pull from hub A",
    )
    assert sorted(b.held(MANUFACTURING, member="nishi-heavy")) == sorted(on_a)
    with b.http("admin") as admin:
        source = admin.get("/api/v1/admin/sources/hub-a").json()
    assert source["last_error"] is None and source["objects_moved"] == len(on_a)
    assert source["progress"][ENERGY]


async def test_a_peer_killed_mid_transfer_loses_and_duplicates_nothing(
    hubs: tuple[Hub, Hub], a_db: async_sessionmaker[AsyncSession]
) -> None:
    a, b = hubs
    async with a_db.begin() as db:
        await publish(db, "sector-energy", bulk(40))
    expected = a.held(ENERGY)
    w = a_worker(hubs, a_db)
    async with a_db() as db:
        peer = await db.get(ConnectorPeer, await _peer_id(db, "hub-b"))
    assert peer is not None

    partial = await taxii_push.push(w.runtime, peer.id, max_pages=2)  # 10 of the 40
    assert partial.collections["sector-energy"].sent == 10
    b.process.kill()  # SIGKILL in the middle of the transfer

    with a.http("admin") as admin:
        admin.post("/api/v1/admin/peers/hub-b/run")
    assert await w.drain() == 1  # the push job runs, fails, and backs off
    with a.http("admin") as admin:
        status = admin.get("/api/v1/admin/peers/hub-b").json()
    assert status["last_error"] and status["job"]["attempts"] == 1
    sent_before = status["progress"][0]["sent"]

    b.process.start()
    with a.http("admin") as admin:
        admin.post("/api/v1/admin/peers/hub-b/run")
    assert await w.drain() == 1
    on_b = b.held(ENERGY)
    assert len(on_b) == len(set(on_b))  # nothing twice
    # Nothing lost; B adds the TLP 2.0 definitions of the levels it publishes at.
    assert sorted(o for o in on_b if o[0] not in TLP2_DEFINITIONS) == sorted(
        o for o in expected if o[0] not in TLP2_DEFINITIONS
    )
    with a.http("admin") as admin:
        status = admin.get("/api/v1/admin/peers/hub-b").json()
    assert status["last_error"] is None and status["progress"][0]["rejected"] == 0
    assert status["progress"][0]["sent"] == sent_before + 30

    # An acknowledgment lost in a crash: the whole collection goes again, B keeps one copy.
    async with a_db.begin() as db:
        await db.execute(update(PeerProgress).values(last_date_added=0))
    report = await taxii_push.push(w.runtime, peer.id)
    assert report.errors == {} and report.collections["sector-energy"].rejected == 0
    assert sorted(o for o in b.held(ENERGY) if o[0] not in TLP2_DEFINITIONS) == sorted(
        o for o in expected if o[0] not in TLP2_DEFINITIONS
    )


async def test_a_peer_cleared_for_green_never_receives_amber(
    hubs: tuple[Hub, Hub], a_db: async_sessionmaker[AsyncSession]
) -> None:
    a, b = hubs
    green = bulk(3, TLP2_GREEN, prefix="green")
    amber = bulk(2, TLP2_AMBER, prefix="amber") + bulk(1, TLP1_AMBER, prefix="amber1")
    # GREEN itself, but it points at an AMBER indicator: it is AMBER on the way out.
    pointer = {
        "type": "relationship",
        "spec_version": "2.1",
        "id": f"relationship--{uuid.uuid4()}",
        "created": "2026-11-24T00:00:00.000Z",
        "modified": "2026-11-24T00:00:00.000Z",
        "relationship_type": "related-to",
        "source_ref": green[0]["id"],
        "target_ref": amber[0]["id"],
        "object_marking_refs": [TLP2_GREEN],
    }
    filler = bulk(6, TLP2_GREEN, prefix="filler")
    # Published pages later (batches of 5): its AMBER target was sent, or withheld, before.
    late = pointer | {"id": f"relationship--{uuid.uuid4()}", "target_ref": amber[1]["id"]}
    async with a_db.begin() as db:
        await publish(db, "sector-energy", [*green, *amber, pointer])
        await publish(db, "sector-energy", filler)
        await publish(db, "sector-energy", [late])
    peer_id = add_peer(a, b, "green-peer", "sector-energy", MEMBERS, "green")
    w = a_worker(hubs, a_db)
    report = await taxii_push.push(w.runtime, peer_id)
    assert report.errors == {}
    pushed = report.collections["sector-energy"]
    assert pushed.rejected == 0  # B never had to refuse anything: nothing above GREEN was sent

    received = b.bodies(MEMBERS, "tohoku-gas")
    ids = {o["id"] for o in received}
    assert {o["id"] for o in [*green, *filler]} <= ids
    assert not ids & {o["id"] for o in [*amber, pointer, late]}
    for obj in received:
        if obj["type"] == "marking-definition":
            assert obj == TLP2_DEFINITIONS[TLP2_GREEN]  # the only level that reached B
            continue
        assert not set(obj.get("object_marking_refs", [])) & {TLP2_AMBER, TLP1_AMBER}
        assert obj.get("object_marking_refs") == [TLP2_GREEN]  # unmarked = hub default AMBER
    assert pushed.withheld == len(a.held(ENERGY)) - len(received)


async def _peer_id(db: AsyncSession, name: str) -> str:
    found = await db.scalar(select(ConnectorPeer.id).where(ConnectorPeer.name == name))
    assert found is not None
    return found


async def test_a_deletion_reaches_the_peer_as_a_revocation(
    hubs: tuple[Hub, Hub], a_db: async_sessionmaker[AsyncSession]
) -> None:
    a, b = hubs
    (obj,) = bulk(1, TLP2_GREEN, prefix="taken-back")
    async with a_db.begin() as db:
        await publish(db, "sector-energy", [obj])
    peer_id = add_peer(a, b, "revoking-peer", "sector-energy", MEMBERS, "green")
    w = a_worker(hubs, a_db)
    assert (await taxii_push.push(w.runtime, peer_id)).errors == {}
    assert [o for o in b.bodies(MEMBERS, "tohoku-gas") if o["id"] == obj["id"]] == [obj]

    with a.http("admin") as admin:
        r = admin.delete(
            f"/taxii2/mamori/collections/{ENERGY}/objects/{obj['id']}/",
            headers={"Accept": "application/taxii+json;version=2.1"},
        )
        assert r.status_code == 200, r.text
    report = await taxii_push.push(w.runtime, peer_id)
    assert report.errors == {} and report.collections["sector-energy"].sent >= 1
    versions = [o for o in b.bodies(MEMBERS, "tohoku-gas") if o["id"] == obj["id"]]
    assert [o.get("revoked", False) for o in versions] == [False, True]
    assert versions[1]["modified"] > obj["modified"]
