"""Connectors over the admin API: upstream sources, peer hubs, member webhooks, their status."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import Admin, Db
from connectors import registry, status
from hub.models import Member
from schemas.connectors import (
    CheckOut,
    DeliveryOut,
    PeerIn,
    PeerOut,
    SourceIn,
    SourceOut,
    WebhookCreated,
    WebhookIn,
    WebhookOut,
)
from schemas.problems import Problem

router = APIRouter(prefix="/api/v1/admin", tags=["connectors"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "content": {"application/problem+json": {}}}
    for code in (401, 403, 404, 409, 422)
}


def _check(problems: list[str]) -> CheckOut:
    return CheckOut(ok=not problems, problems=problems)


# --- sources ---------------------------------------------------------------------------


@router.get("/sources", responses=_ERRORS)
async def list_sources(db: Db, _: Admin) -> list[SourceOut]:
    """Every upstream with its progress, last run, objects moved and last error."""
    return [
        SourceOut.model_validate(await status.source_view(db, s))
        for s in await registry.list_sources(db)
    ]


@router.post("/sources", status_code=201, responses=_ERRORS)
async def add_source(db: Db, admin: Admin, body: SourceIn) -> SourceOut:
    """Follow an upstream TAXII 2.1 server; its first pull is due at once."""
    spec = registry.SourceSpec(
        name=body.name,
        api_root_url=body.api_root_url,
        collections=tuple(body.collections),
        mode=body.mode,
        sectors=tuple(body.sectors),
        member=body.member,
        default_tlp=body.default_tlp,
        auto_approve=body.auto_approve,
        auth_kind=body.auth.kind,
        username=body.auth.username,
        credential=body.auth.credential,
        ca_file=body.ca_file,
        interval_seconds=body.interval_seconds,
        page_size=body.page_size,
    )
    return SourceOut.model_validate(
        await status.source_view(db, await registry.add_source(db, spec, actor=admin))
    )


@router.get("/sources/{name}", responses=_ERRORS)
async def get_source(db: Db, _: Admin, name: str) -> SourceOut:
    return SourceOut.model_validate(
        await status.source_view(db, await registry.get_source(db, name))
    )


@router.delete("/sources/{name}", status_code=204, responses=_ERRORS)
async def remove_source(db: Db, admin: Admin, name: str) -> None:
    """Stop following the upstream; what it brought in stays."""
    await registry.remove_source(db, name, actor=admin)


@router.post("/sources/{name}/pause", responses=_ERRORS)
async def pause_source(db: Db, admin: Admin, name: str) -> SourceOut:
    return SourceOut.model_validate(
        await status.source_view(
            db, await registry.set_paused(db, "source", name, True, actor=admin)
        )
    )


@router.post("/sources/{name}/resume", responses=_ERRORS)
async def resume_source(db: Db, admin: Admin, name: str) -> SourceOut:
    """Resume; the next pull is due at once."""
    return SourceOut.model_validate(
        await status.source_view(
            db, await registry.set_paused(db, "source", name, False, actor=admin)
        )
    )


@router.post("/sources/{name}/test", responses=_ERRORS)
async def test_source(db: Db, _: Admin, name: str) -> CheckOut:
    """Reach the upstream and each collection with the stored credentials."""
    return _check(await registry.test_source(db, name))


@router.post("/sources/{name}/run", status_code=202, responses=_ERRORS)
async def run_source(db: Db, _: Admin, name: str) -> SourceOut:
    """Make the next pull due now (a worker picks it up)."""
    await registry.run_now(db, "source", name)
    return SourceOut.model_validate(
        await status.source_view(db, await registry.get_source(db, name))
    )


# --- peers -----------------------------------------------------------------------------


@router.get("/peers", responses=_ERRORS)
async def list_peers(db: Db, _: Admin) -> list[PeerOut]:
    """Every peer with per-collection progress, last run, objects moved and last error."""
    return [
        PeerOut.model_validate(await status.peer_view(db, p)) for p in await registry.list_peers(db)
    ]


@router.post("/peers", status_code=201, responses=_ERRORS)
async def add_peer(db: Db, admin: Admin, body: PeerIn) -> PeerOut:
    """Mirror local collections to a peer, never above its TLP; the first push is due at once."""
    spec = registry.PeerSpec(
        name=body.name,
        api_root_url=body.api_root_url,
        collections=tuple((m.local, m.remote) for m in body.collections),
        max_tlp=body.max_tlp,
        auth_kind=body.auth.kind,
        username=body.auth.username,
        credential=body.auth.credential,
        ca_file=body.ca_file,
        interval_seconds=body.interval_seconds,
        batch_size=body.batch_size,
    )
    return PeerOut.model_validate(
        await status.peer_view(db, await registry.add_peer(db, spec, actor=admin))
    )


@router.get("/peers/{name}", responses=_ERRORS)
async def get_peer(db: Db, _: Admin, name: str) -> PeerOut:
    return PeerOut.model_validate(await status.peer_view(db, await registry.get_peer(db, name)))


@router.delete("/peers/{name}", status_code=204, responses=_ERRORS)
async def remove_peer(db: Db, admin: Admin, name: str) -> None:
    await registry.remove_peer(db, name, actor=admin)


@router.post("/peers/{name}/pause", responses=_ERRORS)
async def pause_peer(db: Db, admin: Admin, name: str) -> PeerOut:
    return PeerOut.model_validate(
        await status.peer_view(db, await registry.set_paused(db, "peer", name, True, actor=admin))
    )


@router.post("/peers/{name}/resume", responses=_ERRORS)
async def resume_peer(db: Db, admin: Admin, name: str) -> PeerOut:
    return PeerOut.model_validate(
        await status.peer_view(db, await registry.set_paused(db, "peer", name, False, actor=admin))
    )


@router.post("/peers/{name}/test", responses=_ERRORS)
async def test_peer(db: Db, _: Admin, name: str) -> CheckOut:
    """Reach the peer and check these credentials may write to each mapped collection."""
    return _check(await registry.test_peer(db, name))


@router.post("/peers/{name}/run", status_code=202, responses=_ERRORS)
async def run_peer(db: Db, _: Admin, name: str) -> PeerOut:
    await registry.run_now(db, "peer", name)
    return PeerOut.model_validate(await status.peer_view(db, await registry.get_peer(db, name)))


# --- webhooks --------------------------------------------------------------------------


async def _member_slug(db: Db, member_id: str) -> str:
    member = await db.get(Member, member_id)
    return member.slug if member is not None else ""


@router.get("/webhooks", responses=_ERRORS)
async def list_webhooks(db: Db, _: Admin, member: str | None = None) -> list[WebhookOut]:
    return [
        WebhookOut.model_validate(status.webhook_view(h, slug))
        for h, slug in await registry.list_webhooks(db, member)
    ]


@router.post("/webhooks", status_code=201, responses=_ERRORS)
async def add_webhook(db: Db, admin: Admin, body: WebhookIn) -> WebhookCreated:
    """Notify a member of new objects in its collections; the secret is shown only here."""
    hook, secret = await registry.add_webhook(
        db, body.member, body.url, actor=admin, secret=body.secret
    )
    return WebhookCreated(**status.webhook_view(hook, body.member), secret=secret)


@router.delete("/webhooks/{webhook_id}", status_code=204, responses=_ERRORS)
async def remove_webhook(db: Db, admin: Admin, webhook_id: str) -> None:
    await registry.remove_webhook(db, webhook_id, actor=admin)


@router.post("/webhooks/{webhook_id}/pause", responses=_ERRORS)
async def pause_webhook(db: Db, admin: Admin, webhook_id: str) -> WebhookOut:
    hook = await registry.set_paused(db, "webhook", webhook_id, True, actor=admin)
    return WebhookOut.model_validate(
        status.webhook_view(hook, await _member_slug(db, hook.member_id))
    )


@router.post("/webhooks/{webhook_id}/resume", responses=_ERRORS)
async def resume_webhook(db: Db, admin: Admin, webhook_id: str) -> WebhookOut:
    hook = await registry.set_paused(db, "webhook", webhook_id, False, actor=admin)
    return WebhookOut.model_validate(
        status.webhook_view(hook, await _member_slug(db, hook.member_id))
    )


@router.get("/webhooks/{webhook_id}/deliveries", responses=_ERRORS)
async def list_deliveries(db: Db, _: Admin, webhook_id: str, limit: int = 50) -> list[DeliveryOut]:
    """The delivery history, newest first: attempts, last HTTP status, last error."""
    return [
        DeliveryOut.model_validate(status.delivery_view(d))
        for d in await registry.deliveries(db, webhook_id, limit=min(limit, 500))
    ]
