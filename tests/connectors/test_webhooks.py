"""Member webhooks: signature verification, retries against a flaky receiver, no content sent."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors import jobs, registry, webhooks
from connectors.jobs import Runtime
from connectors.worker import Worker
from hub.config import Settings
from hub.db import utcnow
from hub.models import DeliveryState
from hub.runtime import HubRuntime
from hub.store.objects import publish
from tests.factories import make_member, make_sector

SECRET = "whsec_test-secret-0123456789abcdef"


def indicator(n: int) -> dict[str, Any]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid4()}",
        "created": "2026-11-20T09:00:00.000Z",
        "modified": "2026-11-20T09:00:00.000Z",
        "name": f"secret-sauce C2 {n}",
        "pattern": f"[ipv4-addr:value = '198.51.100.{n}']",
        "pattern_type": "stix",
        "valid_from": "2026-11-20T09:00:00Z",
    }


def test_signature_round_trip_and_refusals() -> None:
    body = b'{"count":3}'
    header = webhooks.sign(SECRET, body, timestamp=1_800_000_000)
    assert header.startswith("t=1800000000,v1=")
    assert webhooks.verify(SECRET, header, body, now=1_800_000_100)
    assert not webhooks.verify(SECRET, header, b'{"count":4}', now=1_800_000_100)
    assert not webhooks.verify("whsec_another-secret-000000", header, body, now=1_800_000_100)
    assert not webhooks.verify(SECRET, header, body, now=1_800_000_000 + 301)  # replayed late
    assert not webhooks.verify(SECRET, None, body)
    assert not webhooks.verify(SECRET, "v1=abc", body)
    # A receiver may list several v1 values while a secret is rolled over.
    rolled = header + ",v1=" + "0" * 64
    assert webhooks.verify(SECRET, rolled, body, now=1_800_000_000)


class Receiver:
    """A receiver that fails the first `failures` calls and verifies every signature."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls: list[httpx.Request] = []
        self.verified: list[bool] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        self.verified.append(
            webhooks.verify(SECRET, request.headers.get(webhooks.SIGNATURE_HEADER), request.content)
        )
        if len(self.calls) <= self.failures:
            return httpx.Response(503)
        return httpx.Response(204)


async def setup_hub(db: AsyncSession) -> tuple[str, dict[str, list[dict[str, Any]]]]:
    own = await make_sector(db)
    other = await make_sector(db)
    member = await make_member(db, sector=own)
    hook, _ = await registry.add_webhook(
        db, member.slug, "http://127.0.0.1:9/hooks/mamori", actor=None, secret=SECRET
    )
    published = {
        f"sector-{own.slug}": [indicator(n) for n in range(3)],
        f"sector-{other.slug}": [indicator(n) for n in range(3, 5)],
        "members": [indicator(9)],
    }
    for slug, objects in published.items():
        await publish(db, slug, objects)
    await db.commit()
    return hook.id, published


async def test_flaky_receiver_gets_signed_retried_notifications_without_content(
    maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with maker() as db:
        hook_id, published = await setup_hub(db)
    receiver = Receiver(failures=2)
    runtime = Runtime(
        maker,
        settings,
        HubRuntime.from_settings(settings),
        http_transport=httpx.MockTransport(receiver),
    )
    async with maker.begin() as db:
        queued = await webhooks.notify(db, public_enabled=False)
    mine = sorted((q.collection_slug, q.count) for q in queued if q.webhook_id == hook_id)
    own_slug = next(s for s in published if s.startswith("sector-") and len(published[s]) == 3)
    # Only collections the member can read, with their counts; never the other sector.
    assert mine == sorted([(own_slug, 3), ("members", 1)])

    w = Worker(runtime, handlers={jobs.DELIVER: webhooks.deliver_job})
    now = utcnow()
    for _ in range(10):
        await w.run_once(now=now)
        now += timedelta(hours=2)  # past any backoff
    assert len(receiver.calls) == 2 + 2  # two failures, then both deliveries
    assert all(receiver.verified)
    for request in receiver.calls:
        assert str(request.url) == "http://127.0.0.1:9/hooks/mamori"
        payload = json.loads(request.content)
        assert set(payload) == {
            "event",
            "delivery_id",
            "hub",
            "collection",
            "count",
            "date_added_last",
        }
        text = request.content.decode()
        for objects in published.values():
            for obj in objects:
                assert obj["id"] not in text and obj["pattern"] not in text
        assert "secret-sauce" not in text
    async with maker() as db:
        history = await registry.deliveries(db, hook_id)
    assert sorted(d.state for d in history) == [DeliveryState.DELIVERED] * 2
    assert sum(d.attempts for d in history) == len(receiver.calls)
    async with maker.begin() as db:
        again = await webhooks.notify(db, public_enabled=False)
    assert [q for q in again if q.webhook_id == hook_id] == []


async def test_a_receiver_that_never_answers_ends_failed_in_the_history(
    maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with maker() as db:
        hook_id, _ = await setup_hub(db)
    receiver = Receiver(failures=10**6)
    runtime = Runtime(
        maker,
        settings,
        HubRuntime.from_settings(settings),
        http_transport=httpx.MockTransport(receiver),
    )
    async with maker.begin() as db:
        queued = [
            q for q in await webhooks.notify(db, public_enabled=False) if q.webhook_id == hook_id
        ]
    w = Worker(runtime, handlers={jobs.DELIVER: webhooks.deliver_job})
    now = utcnow()
    for _ in range(20):
        await w.run_once(now=now)
        now += timedelta(days=1)
    async with maker() as db:
        history = await registry.deliveries(db, hook_id)
    assert len(history) == len(queued) == 2
    assert {d.state for d in history} == {DeliveryState.FAILED}
    assert {d.attempts for d in history} == {8} and {d.last_status_code for d in history} == {503}
