"""Automatic approval of a trusted member source also covers reports an earlier run left in
review (sanitized by the hub's sweep, or interrupted by a crash), never an operator's choice."""

from __future__ import annotations

import uuid

import orjson
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors import registry, taxii_pull
from connectors.jobs import Runtime
from hub import members, review
from hub.config import Settings
from hub.members.principals import Principal
from hub.models import AuthKind, Role, SourceMode, Submission, SubmissionState
from hub.runtime import HubRuntime
from hub.submissions import intake, pipeline
from tests.factories import make_member

DEAD = "http://127.0.0.1:9/api1/"


def report() -> bytes:
    indicator = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid4()}",
        "created": "2026-11-20T00:00:00.000Z",
        "modified": "2026-11-20T00:00:00.000Z",
        "pattern": "[ipv4-addr:value = '198.51.100.9']",
        "pattern_type": "stix",
        "valid_from": "2026-11-20T00:00:00Z",
    }
    return orjson.dumps({"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": [indicator]})


async def test_waiting_reports_are_approved_but_operator_decisions_stand(
    maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    runtime = Runtime(maker, settings, HubRuntime.from_settings(settings))
    async with maker() as db:
        member = await make_member(db)
        source = await registry.add_source(
            db,
            registry.SourceSpec(
                name=f"tool-{uuid.uuid4().hex[:6]}",
                api_root_url=DEAD,
                collections=("c",),
                mode=SourceMode.MEMBER,
                member=member.slug,
                auto_approve=True,
                auth_kind=AuthKind.NONE,
            ),
            actor=None,
        )
        submitter = await taxii_pull.principal_for(db, source.account_id)
        limits = intake.Limits(100, 32, 10_000)
        ids = []
        for _ in range(2):
            s = await intake.receive(
                db,
                submitter,
                report(),
                content_type="application/json",
                limits=limits,
                source="taxii-pull",
            )
            ids.append(s.id)
        await db.commit()
    for sid in ids:  # what the hub's sweep does with anything received
        await pipeline.process_in_own_transaction(maker, sid, runtime.ctx)
    async with maker() as db:
        human = await members.create_account(db, Role.OPERATOR, "a human")
        operator = Principal(human.id, Role.OPERATOR, "a human")
        await review.edit(
            db, operator, ids[1], review.Edits(redact=("198.51.100.9",)), ctx=runtime.ctx
        )
        await db.commit()

    pulled = await taxii_pull.pull(runtime, source.id)  # the upstream is down; approval runs
    assert "c" in pulled.errors
    async with maker() as db:
        states = [(await db.get(Submission, sid)).state for sid in ids]  # type: ignore[union-attr]
    assert states == [SubmissionState.PUBLISHED, SubmissionState.IN_REVIEW]
