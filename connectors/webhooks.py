"""Member webhooks: "N new objects in collection X", signed, retried, never with content.

The notifier compares, per webhook, the newest `date_added` of every collection the member
can read with what it already announced, and queues one delivery per collection with new
objects (in one transaction with the new mark, so nothing is announced twice or skipped).
Each delivery is a one-shot worker job, retried with backoff until its attempts run out.

Signature: `X-Mamori-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
A receiver recomputes the HMAC over the raw body, compares in constant time, and refuses a
`t` outside its replay window (`verify` below does all three).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

import httpx
import orjson
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from connectors import egress, sealing
from connectors.jobs import DELIVER, Claimed, Runtime, describe, ensure_job
from hub.db import utcnow
from hub.members.principals import Principal
from hub.models import (
    Collection,
    DeliveryState,
    Member,
    MemberWebhook,
    PublishedObject,
    Role,
    Sector,
    WebhookDelivery,
)
from hub.store import access, collections
from hub.taxii.timestamps import format_micros

SIGNATURE_HEADER = "X-Mamori-Signature"
DELIVERY_HEADER = "X-Mamori-Delivery"
REPLAY_WINDOW_SECONDS = 300
EVENT = "objects.published"


class DeliveryError(Exception):
    """The receiver did not acknowledge the notification with a 2xx."""


def new_secret() -> str:
    """A signing secret for a new webhook, shown to the admin once at creation."""
    return "whsec_" + secrets.token_urlsafe(32)


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, *, timestamp: int | None = None) -> str:
    """The `X-Mamori-Signature` value for `body` sent at `timestamp` (now by default)."""
    t = int(time.time()) if timestamp is None else timestamp
    return f"t={t},v1={_mac(secret, t, body)}"


def verify(
    secret: str,
    header: str | None,
    body: bytes,
    *,
    tolerance: int = REPLAY_WINDOW_SECONDS,
    now: int | None = None,
) -> bool:
    """What a receiver runs: the signature matches the raw body and is recent enough."""
    if not header:
        return False
    fields: dict[str, list[str]] = {}
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if sep:
            fields.setdefault(key, []).append(value)
    try:
        t = int(fields["t"][0])
    except (KeyError, ValueError):
        return False
    current = int(time.time()) if now is None else now
    if abs(current - t) > tolerance:
        return False
    expected = _mac(secret, t, body)
    # Several v1 values let a sender roll its secret; any match will do.
    return any(hmac.compare_digest(expected, given) for given in fields.get("v1", []))


def body_of(delivery: WebhookDelivery, hub_name: str) -> bytes:
    """The notification: which collection and how many objects, never the objects."""
    return orjson.dumps(
        {
            "event": EVENT,
            "delivery_id": delivery.id,
            "hub": hub_name,
            "collection": {"id": delivery.collection_id, "slug": delivery.collection_slug},
            "count": delivery.count,
            "date_added_last": format_micros(delivery.date_added_last),
        },
        option=orjson.OPT_SORT_KEYS,
    )


def reader_of(member: Member, sector: Sector) -> Principal:
    """The member as a reader, to ask the TAXII access policy what it may read."""
    return Principal("", Role.READER, member.slug, member.id, member.slug, sector.id, sector.slug)


async def readable(db: AsyncSession, member_id: str, *, public_enabled: bool) -> list[Collection]:
    """The collections this member's readers can read, by the same rule TAXII applies."""
    row = (
        await db.execute(
            select(Member, Sector)
            .join(Sector, Sector.id == Member.sector_id)
            .where(Member.id == member_id)
        )
    ).one_or_none()
    if row is None:
        return []
    reader = reader_of(*row)
    return [
        c
        for c in await collections.all_collections(db)
        if access.can_read(reader, c, public_enabled=public_enabled)
    ]


async def current_marks(db: AsyncSession) -> dict[str, int]:
    """Every collection's newest date_added: where a new webhook starts announcing from."""
    return {c.id: int(c.last_date_added or 0) for c in await collections.all_collections(db)}


@dataclass(frozen=True, slots=True)
class Queued:
    delivery_id: str
    webhook_id: str
    collection_slug: str
    count: int


async def notify(db: AsyncSession, *, public_enabled: bool) -> list[Queued]:
    """Queue a delivery per webhook and collection with objects it has not announced; flushes."""
    queued: list[Queued] = []
    hooks = list(await db.scalars(select(MemberWebhook).where(MemberWebhook.paused.is_(False))))
    for hook in hooks:
        marks = dict(hook.progress or {})
        for collection in await readable(db, hook.member_id, public_enabled=public_enabled):
            mark = int(marks.get(collection.id, 0))
            count, newest = (
                await db.execute(
                    select(func.count(), func.max(PublishedObject.date_added)).where(
                        PublishedObject.collection_id == collection.id,
                        PublishedObject.date_added > mark,
                    )
                )
            ).one()
            if not count:
                continue
            delivery = WebhookDelivery(
                webhook_id=hook.id,
                collection_id=collection.id,
                collection_slug=collection.slug,
                count=int(count),
                date_added_last=int(newest),
                state=DeliveryState.PENDING,
                attempts=0,
                created_at=utcnow(),
            )
            db.add(delivery)
            await db.flush()
            await ensure_job(db, DELIVER, delivery.id, recurring=False)
            marks[collection.id] = int(newest)
            queued.append(Queued(delivery.id, hook.id, collection.slug, int(count)))
        if marks != (hook.progress or {}):
            hook.progress = marks
    await db.flush()
    return queued


async def notify_job(runtime: Runtime, job: Claimed) -> timedelta | None:
    """The worker's recurring notifier."""
    async with runtime.maker.begin() as db:
        await notify(db, public_enabled=runtime.settings.public_collection)
    return timedelta(seconds=runtime.settings.notify_seconds)


async def deliver(runtime: Runtime, delivery_id: str, *, final_attempt: bool = False) -> bool:
    """POST one notification; True when acknowledged. Every attempt is recorded."""
    async with runtime.maker() as db:
        delivery = await db.get(WebhookDelivery, delivery_id)
        hook = await db.get(MemberWebhook, delivery.webhook_id) if delivery else None
    if delivery is None or hook is None or delivery.state is not DeliveryState.PENDING:
        return True  # removed, or already settled: nothing left to do
    body = body_of(delivery, runtime.settings.hub_name)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "mamori-webhook/1",
        SIGNATURE_HEADER: sign(
            sealing.open_credential(runtime.settings.keyring, hook.secret, "member_webhook") or "",
            body,
        ),
        DELIVERY_HEADER: delivery.id,
    }
    status: int | None = None
    error: str | None = None
    try:
        transport = egress.AsyncTransport(
            egress.policy_for(runtime.settings), inner=runtime.http_transport
        )
        async with httpx.AsyncClient(
            transport=transport,
            timeout=runtime.settings.webhook_timeout_seconds,
            follow_redirects=False,
            trust_env=False,
        ) as client:
            response = await client.post(hook.url, content=body, headers=headers)
        status = response.status_code
        if not 200 <= status < 300:
            error = f"HTTP {status}"
    except egress.Refused as exc:
        error = f"refused: {exc}"
    except httpx.HTTPError as exc:
        error = describe(exc)
    now = utcnow()
    async with runtime.maker.begin() as db:
        row = await db.get(WebhookDelivery, delivery_id)
        owner = await db.get(MemberWebhook, hook.id)
        if row is not None:
            row.attempts += 1
            row.last_status_code = status
            row.last_error = error
            if error is None:
                row.state, row.delivered_at = DeliveryState.DELIVERED, now
            elif final_attempt:
                row.state = DeliveryState.FAILED
        if owner is not None:
            owner.last_delivery_at = now
            owner.last_error = error
    return error is None


async def deliver_job(runtime: Runtime, job: Claimed) -> timedelta | None:
    """The worker's one-shot delivery: a failure raises, so the worker retries with backoff."""
    if not await deliver(runtime, job.subject, final_attempt=job.attempts >= job.max_attempts):
        raise DeliveryError(f"delivery {job.subject} not acknowledged")
    return None
