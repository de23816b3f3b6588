"""Pull from a third-party TAXII 2.1 server: medallion 3.0.0 seeded with the OASIS examples."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import orjson
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors import jobs, registry, taxii_pull
from connectors.jobs import Runtime
from connectors.registry import SourceSpec
from connectors.worker import Worker
from hub import members, migrate, netpolicy
from hub.config import Settings
from hub.db import make_engine, make_sessionmaker
from hub.keys import Keyring
from hub.models import (
    AuditEntry,
    AuthKind,
    Collection,
    ConnectorSource,
    PublishedObject,
    SourceMode,
    Submission,
    SubmissionState,
)
from hub.runtime import HubRuntime
from hub.stix.tlp import OFFICIAL_MARKINGS, TLP2_DEFINITIONS
from tests.conftest import TEST_SECRET
from tests.connectors.conftest import LOOPBACK
from tests.connectors.upstream import PASSWORD, USER, Medallion, medallion

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Medallion]:
    with medallion(tmp_path_factory.mktemp("medallion")) as server:
        yield server


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}")
    await migrate.upgrade(engine)
    maker = make_sessionmaker(
        engine,
        keyring=Keyring.of(TEST_SECRET),
        info={netpolicy.INFO_KEY: netpolicy.Policy.parse(LOOPBACK)},
    )
    async with maker.begin() as db:
        await members.create_sector(db, "energy", "Energy")
        await members.create_sector(db, "finance", "Finance")
        await members.create_member(db, "grid-tool", "Grid Co's TIP", "energy", {})
    yield maker
    await engine.dispose()


def spec(upstream: Medallion, **kw: object) -> SourceSpec:
    base: dict[str, object] = {
        "name": "oasis-upstream",
        "api_root_url": upstream.api_root,
        "collections": (upstream.collection_id,),
        "auth_kind": AuthKind.BASIC,
        "username": USER,
        "credential": PASSWORD,
        "page_size": 7,
    }
    return SourceSpec(**(base | kw))  # type: ignore[arg-type]


async def published(maker: async_sessionmaker[AsyncSession], slug: str) -> list[dict[str, object]]:
    async with maker() as db:
        bodies = await db.scalars(
            select(PublishedObject.body)
            .join(Collection, Collection.id == PublishedObject.collection_id)
            .where(Collection.slug == slug)
        )
        return [orjson.loads(b) for b in bodies]


def version(obj: dict[str, object]) -> str:
    return str(obj.get("modified") or obj.get("created") or "")


async def test_validated_source_follows_medallion_incrementally(
    upstream: Medallion, hub: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with hub.begin() as db:
        source = await registry.add_source(
            db,
            spec(upstream, mode=SourceMode.VALIDATE, sectors=("energy",), auto_approve=True),
            actor=None,
        )
        assert await registry.test_source(db, "oasis-upstream") == []
    runtime = Runtime(hub, settings, HubRuntime.from_settings(settings))
    held = upstream.held()
    assert len(held) > 250

    report = await taxii_pull.pull(runtime, source.id)
    assert report.errors == {}
    pulled = report.collections[upstream.collection_id]
    assert pulled.pages > len(held) // 7  # followed `next` page by page
    assert pulled.fetched == len(held)
    stored = await published(hub, "sector-energy")
    got = {(str(o["id"]), version(o)) for o in stored if o["id"] not in TLP2_DEFINITIONS}
    assert got <= held  # ids kept: a validated feed is not re-minted
    # Each object leaves carrying a TLP: its own, or the source's default stamped on it.
    for obj in stored:
        if obj["type"] != "marking-definition":
            refs = obj.get("object_marking_refs")
            assert isinstance(refs, list) and any(r in OFFICIAL_MARKINGS for r in refs), obj
    assert len(got) == pulled.accepted and pulled.accepted + pulled.failed == len(held)
    assert pulled.accepted > 250
    async with hub() as db:
        row = await db.get(ConnectorSource, source.id)
        assert row is not None and row.progress[upstream.collection_id] == pulled.high_water
        assert row.last_error is None and row.objects_moved == len(held)

    # Nothing new upstream: the high-water mark means nothing is fetched again.
    again = await taxii_pull.pull(runtime, source.id)
    assert again.collections[upstream.collection_id].fetched == 0
    assert len(await published(hub, "sector-energy")) == len(stored)


async def test_member_source_goes_through_sanitizing_and_automatic_approval(
    upstream: Medallion, hub: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with hub.begin() as db:
        await registry.add_source(
            db,
            spec(
                upstream,
                mode=SourceMode.MEMBER,
                member="grid-tool",
                auto_approve=True,
                default_tlp="green",
                page_size=100,
            ),
            actor=None,
        )
    w = Worker(
        Runtime(hub, settings, HubRuntime.from_settings(settings)),
        handlers={jobs.PULL: taxii_pull.run_job},
    )
    assert await w.run_once() == 1
    async with hub() as db:
        subs = list(await db.scalars(select(Submission).where(Submission.source == "taxii-pull")))
        entries = list(await db.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
    assert len(subs) == 4  # 100 objects a page
    assert {s.state for s in subs} == {SubmissionState.PUBLISHED}
    approvals = [e for e in entries if e.action == "review.approve"]
    assert len(approvals) == 4
    assert {e.actor for e in approvals} == {"operator:auto-approval: source oasis-upstream"}
    consents = [e for e in entries if e.action == "consent.approve"]
    assert {e.actor for e in consents} == {"submitter:connector source oasis-upstream"}
    stored = await published(hub, "sector-energy")
    upstream_ids = {i for i, _ in upstream.held()}
    sdo = [o for o in stored if o["type"] in ("indicator", "malware", "campaign")]
    assert sdo and not any(o["id"] in upstream_ids for o in sdo)  # sanitized: re-minted ids
    assert await published(hub, "sector-finance") == []


async def test_a_broken_upstream_fails_alone_and_backs_off(
    upstream: Medallion, hub: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with hub.begin() as db:
        good = await registry.add_source(
            db, spec(upstream, mode=SourceMode.MEMBER, member="grid-tool"), actor=None
        )
        bad = await registry.add_source(
            db,
            spec(
                upstream,
                name="wrong-password",
                credential="nope",
                mode=SourceMode.MEMBER,
                member="grid-tool",
            ),
            actor=None,
        )
        assert await registry.test_source(db, "wrong-password") != []
    w = Worker(
        Runtime(hub, settings, HubRuntime.from_settings(settings)),
        handlers={jobs.PULL: taxii_pull.run_job},
    )
    assert await w.drain() == 2
    async with hub() as db:
        good_row = await db.get(ConnectorSource, good.id)
        bad_row = await db.get(ConnectorSource, bad.id)
        bad_job = await registry.job_info(db, jobs.PULL, bad.id)
        queued = list(await db.scalars(select(Submission.state)))
    assert good_row is not None and good_row.last_error is None and good_row.objects_moved > 0
    assert bad_row is not None and "401" in (bad_row.last_error or "")
    assert bad_job is not None and bad_job.attempts == 1 and "401" in (bad_job.last_error or "")
    # Not auto-approved: the member's pulled reports wait in the operator queue.
    assert set(queued) == {SubmissionState.IN_REVIEW}
