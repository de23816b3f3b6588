"""What the admin sees of each connector: settings (never credentials), progress, last run.

Plain data (datetimes and enums as they are); the admin API and the CLI shape it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from connectors import egress, jobs, registry
from hub.models import ConnectorPeer, ConnectorSource, MemberWebhook, WebhookDelivery
from hub.taxii.timestamps import format_micros


def _job(info: registry.JobInfo | None, url: str) -> dict[str, Any] | None:
    if info is None:
        return None
    return dict(
        next_run_at=info.next_run_at,
        attempts=info.attempts,
        runs=info.runs,
        last_error=egress.mask_text(info.last_error, [url]),
        leased_by=info.leased_by,
    )


async def source_view(db: AsyncSession, source: ConnectorSource) -> dict[str, Any]:
    return dict(
        id=source.id,
        name=source.name,
        api_root_url=egress.mask_url(source.api_root_url),
        collections=list(source.collections),
        mode=source.mode,
        sectors=list(source.sectors),
        default_tlp=source.default_tlp,
        auto_approve=source.auto_approve,
        auth_kind=source.auth_kind,
        paused=source.paused,
        progress=dict(source.progress or {}),
        created_at=source.created_at,
        last_run_at=source.last_run_at,
        last_success_at=source.last_success_at,
        last_error=egress.mask_text(source.last_error, [source.api_root_url]),
        objects_moved=source.objects_moved,
        job=_job(await registry.job_info(db, jobs.PULL, source.id), source.api_root_url),
    )


async def peer_view(db: AsyncSession, peer: ConnectorPeer) -> dict[str, Any]:
    progress = [
        dict(
            collection=p.collection_slug,
            last_date_added=format_micros(p.last_date_added) if p.last_date_added else None,
            sent=p.sent,
            withheld=p.withheld,
            rejected=p.rejected,
            updated_at=p.updated_at,
        )
        for p in await registry.peer_progress(db, peer.id)
    ]
    return dict(
        id=peer.id,
        name=peer.name,
        api_root_url=egress.mask_url(peer.api_root_url),
        collections=[{"local": m["local"], "remote": m["remote"]} for m in peer.collections],
        max_tlp=peer.max_tlp,
        auth_kind=peer.auth_kind,
        paused=peer.paused,
        created_at=peer.created_at,
        last_run_at=peer.last_run_at,
        last_success_at=peer.last_success_at,
        last_error=egress.mask_text(peer.last_error, [peer.api_root_url]),
        objects_moved=peer.objects_moved,
        progress=progress,
        job=_job(await registry.job_info(db, jobs.PUSH, peer.id), peer.api_root_url),
    )


def webhook_view(hook: MemberWebhook, member_slug: str) -> dict[str, Any]:
    return dict(
        id=hook.id,
        member=member_slug,
        url=egress.mask_url(hook.url),
        paused=hook.paused,
        created_at=hook.created_at,
        last_delivery_at=hook.last_delivery_at,
        last_error=egress.mask_text(hook.last_error, [hook.url]),
    )


def delivery_view(d: WebhookDelivery) -> dict[str, Any]:
    return dict(
        id=d.id,
        collection=d.collection_slug,
        count=d.count,
        state=d.state,
        attempts=d.attempts,
        last_status_code=d.last_status_code,
        last_error=d.last_error,
        created_at=d.created_at,
        delivered_at=d.delivered_at,
    )
