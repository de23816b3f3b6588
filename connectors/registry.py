"""Managing connectors: add, pause, resume, test, run now and remove sources, peers, webhooks.

Every change is an audit entry (credentials and secrets never appear in it). A source gets
accounts of its own, without keys: the account its content is submitted or published
under, and the automatic operator whose approvals the audit log names.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlparse

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connectors import egress, jobs, sealing, taxii_client, taxii_pull, taxii_push, webhooks
from hub import audit, keys, members
from hub.db import utcnow
from hub.errors import Conflict, NotFound, Unprocessable
from hub.members.principals import Principal
from hub.models import (
    Account,
    AuthKind,
    ConnectorJob,
    ConnectorPeer,
    ConnectorSource,
    Member,
    MemberWebhook,
    PeerProgress,
    Role,
    SourceMode,
    WebhookDelivery,
)
from hub.stix.tlp import Tlp
from hub.store import collections

NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")
Kind = Literal["source", "peer", "webhook"]


def _name(name: str) -> str:
    if not NAME.match(name):
        raise Unprocessable(f"connector name {name!r}: 3-64 lowercase letters, digits and hyphens")
    return name


async def _url(db: AsyncSession, url: str, what: str) -> str:
    """An http(s) URL whose host resolves only to addresses connectors may reach."""
    try:
        parsed = urlparse(url)
        ok = parsed.scheme in ("http", "https") and bool(parsed.hostname)
    except ValueError:
        ok = False
    if not ok:
        raise Unprocessable(f"{what} must be an http(s) URL, got {egress.mask_url(url)!r}")
    try:
        await egress.check_url(url, egress.policy_of(db.info))
    except (egress.Refused, ValueError) as exc:
        raise Unprocessable(f"{what} is refused: {exc}") from None
    return url


def _tlp(label: str) -> Tlp:
    try:
        return Tlp.parse(label)
    except ValueError as exc:
        raise Unprocessable(str(exc)) from None


def _auth(kind: AuthKind, username: str | None, credential: str | None) -> None:
    if kind is AuthKind.BASIC and not (username and credential):
        raise Unprocessable("basic auth needs a username and a password")
    if kind is AuthKind.BEARER and not credential:
        raise Unprocessable("bearer auth needs a token")


@dataclass(frozen=True)
class JobInfo:
    next_run_at: datetime | None
    attempts: int
    runs: int
    last_error: str | None
    leased_by: str | None


async def job_info(db: AsyncSession, kind: str, subject: str) -> JobInfo | None:
    job = await db.scalar(
        select(ConnectorJob).where(ConnectorJob.kind == kind, ConnectorJob.subject == subject)
    )
    if job is None:
        return None
    return JobInfo(job.run_at, job.attempts, job.runs, job.last_error, job.lease_owner)


# --- sources ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceSpec:
    """What an admin registers for an upstream TAXII server."""

    name: str
    api_root_url: str
    collections: tuple[str, ...]
    mode: SourceMode
    sectors: tuple[str, ...] = ()
    member: str | None = None  # the member it submits as (mode member)
    default_tlp: str = "amber"
    auto_approve: bool = False
    auth_kind: AuthKind = AuthKind.NONE
    username: str | None = None
    credential: str | None = field(default=None, repr=False)
    ca_file: str | None = None
    interval_seconds: int = 300
    page_size: int = 100


async def add_source(
    db: AsyncSession, spec: SourceSpec, *, actor: Principal | None
) -> ConnectorSource:
    """Register an upstream and schedule its first pull now."""
    name = _name(spec.name)
    if await db.scalar(select(ConnectorSource.id).where(ConnectorSource.name == name)):
        raise Conflict(f"a source named {name!r} exists")
    await _url(db, spec.api_root_url, "the API root URL")
    _auth(spec.auth_kind, spec.username, spec.credential)
    if not spec.collections:
        raise Unprocessable("name at least one upstream collection id to follow")
    level = _tlp(spec.default_tlp)
    if not 1 <= spec.page_size <= 10_000 or spec.interval_seconds < 1:
        raise Unprocessable("page size must be 1-10000 and the interval at least one second")
    known = {s.slug for s, _ in await members.list_sectors(db)}
    sectors = list(dict.fromkeys(spec.sectors))
    member_id = approver_id = None
    if spec.mode is SourceMode.MEMBER:
        if spec.member is None:
            raise Unprocessable("a source in member mode submits as a member: give the member")
        member = await members.get_member(db, spec.member)
        own_sector = member.sector.slug
        sectors = [own_sector, *(s for s in sectors if s != own_sector)]
        member_id = member.id
        account = await members.create_account(
            db, Role.SUBMITTER, f"connector source {name}", member.slug
        )
        if spec.auto_approve:
            approver_id = (
                await members.create_account(db, Role.OPERATOR, f"auto-approval: source {name}")
            ).id
    else:
        if not spec.auto_approve:
            raise Unprocessable(
                "a source that is only validated is published without review, so it must be "
                "auto-approved; use member mode to send its content to the operator queue"
            )
        if not sectors:
            raise Unprocessable("name the sector(s) this source feeds")
        account = await members.create_account(db, Role.OPERATOR, f"auto-approval: source {name}")
        approver_id = account.id
    unknown = sorted(set(sectors) - known)
    if unknown:
        raise Unprocessable(f"unknown sector(s): {', '.join(unknown)}")
    source = ConnectorSource(
        name=name,
        api_root_url=spec.api_root_url,
        collections=list(spec.collections),
        auth_kind=spec.auth_kind,
        username=spec.username,
        credential=sealing.seal_credential(keys.of(db.info), spec.credential, "connector_source"),
        ca_file=spec.ca_file,
        mode=spec.mode,
        member_id=member_id,
        account_id=account.id,
        approver_account_id=approver_id,
        sectors=sectors,
        default_tlp=level.label,
        auto_approve=spec.auto_approve,
        interval_seconds=spec.interval_seconds,
        page_size=spec.page_size,
        paused=False,
        progress={},
        created_at=utcnow(),
        objects_moved=0,
    )
    db.add(source)
    await db.flush()
    await jobs.ensure_job(db, jobs.PULL, source.id, recurring=True)
    await audit.record(
        db,
        actor=actor,
        action="connector.source.add",
        subject=f"source:{name}",
        details={
            "url": egress.mask_url(spec.api_root_url),
            "collections": list(spec.collections),
            "mode": spec.mode.value,
            "member": spec.member,
            "sectors": sectors,
            "default_tlp": level.label,
            "auto_approve": spec.auto_approve,
            "auth": spec.auth_kind.value,
        },
    )
    return source


async def get_source(db: AsyncSession, name: str) -> ConnectorSource:
    source = await db.scalar(select(ConnectorSource).where(ConnectorSource.name == name))
    if source is None:
        raise NotFound(f"no source {name!r}")
    return source


async def list_sources(db: AsyncSession) -> list[ConnectorSource]:
    return list(await db.scalars(select(ConnectorSource).order_by(ConnectorSource.name)))


async def remove_source(db: AsyncSession, name: str, *, actor: Principal | None) -> None:
    """Forget a source; its accounts are disabled, not deleted, so the audit log still resolves."""
    source = await get_source(db, name)
    for account_id in (source.account_id, source.approver_account_id):
        account = await db.get(Account, account_id) if account_id else None
        if account is not None:
            account.disabled_at = utcnow()
    await jobs.drop_job(db, jobs.PULL, source.id)
    await db.delete(source)
    await db.flush()
    await audit.record(db, actor=actor, action="connector.source.remove", subject=f"source:{name}")


async def test_source(db: AsyncSession, name: str) -> list[str]:
    """Reach the upstream with the source's credentials; the problems found (none: fine)."""
    source = await get_source(db, name)
    return await asyncio.to_thread(
        taxii_pull.check,
        taxii_pull.remote_of(source, keys.of(db.info)),
        list(source.collections),
        write=False,
        policy=egress.policy_of(db.info),
    )


# --- peers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PeerSpec:
    """A peer hub and which of this hub's collections go to which of its collections."""

    name: str
    api_root_url: str
    collections: tuple[tuple[str, str], ...]  # (local slug, remote collection id)
    max_tlp: str = "green"
    auth_kind: AuthKind = AuthKind.NONE
    username: str | None = None
    credential: str | None = field(default=None, repr=False)
    ca_file: str | None = None
    interval_seconds: int = 60
    batch_size: int = 200


async def add_peer(db: AsyncSession, spec: PeerSpec, *, actor: Principal | None) -> ConnectorPeer:
    """Register a peer and schedule its first push now."""
    name = _name(spec.name)
    if await db.scalar(select(ConnectorPeer.id).where(ConnectorPeer.name == name)):
        raise Conflict(f"a peer named {name!r} exists")
    await _url(db, spec.api_root_url, "the API root URL")
    _auth(spec.auth_kind, spec.username, spec.credential)
    level = _tlp(spec.max_tlp)
    if level is Tlp.RED:
        raise Unprocessable("TLP:RED is never shared; a peer is cleared for AMBER+STRICT at most")
    if not spec.collections:
        raise Unprocessable("map at least one local collection to a collection of the peer")
    if not 1 <= spec.batch_size <= 10_000 or spec.interval_seconds < 1:
        raise Unprocessable("batch size must be 1-10000 and the interval at least one second")
    for local, _ in spec.collections:
        collection = await collections.by_slug(db, local)
        if collection.kind.value == "inbox":
            raise Unprocessable("the inbox holds nothing to mirror")
    peer = ConnectorPeer(
        name=name,
        api_root_url=spec.api_root_url,
        collections=[{"local": local, "remote": remote} for local, remote in spec.collections],
        auth_kind=spec.auth_kind,
        username=spec.username,
        credential=sealing.seal_credential(keys.of(db.info), spec.credential, "connector_peer"),
        ca_file=spec.ca_file,
        max_tlp=level.label,
        interval_seconds=spec.interval_seconds,
        batch_size=spec.batch_size,
        paused=False,
        created_at=utcnow(),
        objects_moved=0,
    )
    db.add(peer)
    await db.flush()
    await jobs.ensure_job(db, jobs.PUSH, peer.id, recurring=True)
    await audit.record(
        db,
        actor=actor,
        action="connector.peer.add",
        subject=f"peer:{name}",
        details={
            "url": egress.mask_url(spec.api_root_url),
            "collections": peer.collections,
            "max_tlp": level.label,
            "auth": spec.auth_kind.value,
        },
    )
    return peer


async def get_peer(db: AsyncSession, name: str) -> ConnectorPeer:
    peer = await db.scalar(select(ConnectorPeer).where(ConnectorPeer.name == name))
    if peer is None:
        raise NotFound(f"no peer {name!r}")
    return peer


async def list_peers(db: AsyncSession) -> list[ConnectorPeer]:
    return list(await db.scalars(select(ConnectorPeer).order_by(ConnectorPeer.name)))


async def peer_progress(db: AsyncSession, peer_id: str) -> list[PeerProgress]:
    return list(
        await db.scalars(
            select(PeerProgress)
            .where(PeerProgress.peer_id == peer_id)
            .order_by(PeerProgress.collection_slug)
        )
    )


async def remove_peer(db: AsyncSession, name: str, *, actor: Principal | None) -> None:
    peer = await get_peer(db, name)
    await jobs.drop_job(db, jobs.PUSH, peer.id)
    await db.delete(peer)
    await db.flush()
    await audit.record(db, actor=actor, action="connector.peer.remove", subject=f"peer:{name}")


async def test_peer(db: AsyncSession, name: str) -> list[str]:
    peer = await get_peer(db, name)
    remote: taxii_client.Remote = taxii_push.remote_of(peer, keys.of(db.info))
    ids = [m["remote"] for m in peer.collections]
    return await asyncio.to_thread(
        taxii_pull.check, remote, ids, write=True, policy=egress.policy_of(db.info)
    )


# --- webhooks --------------------------------------------------------------------------


async def add_webhook(
    db: AsyncSession,
    member_slug: str,
    url: str,
    *,
    actor: Principal | None,
    secret: str | None = None,
) -> tuple[MemberWebhook, str]:
    """A member's webhook and its signing secret; only objects published from now on count."""
    member = await members.get_member(db, member_slug)
    await _url(db, url, "the webhook URL")
    secret = secret or webhooks.new_secret()
    if len(secret) < 16:
        raise Unprocessable("a webhook secret needs at least 16 characters")
    hook = MemberWebhook(
        member_id=member.id,
        url=url,
        secret=sealing.seal_credential(keys.of(db.info), secret, "member_webhook") or "",
        paused=False,
        progress=await webhooks.current_marks(db),
        created_at=utcnow(),
    )
    db.add(hook)
    await db.flush()
    await audit.record(
        db,
        actor=actor,
        action="connector.webhook.add",
        subject=f"webhook:{hook.id}",
        details={"member": member.slug, "url": egress.mask_url(url)},
    )
    return hook, secret


async def get_webhook(db: AsyncSession, webhook_id: str) -> MemberWebhook:
    hook = await db.get(MemberWebhook, webhook_id)
    if hook is None:
        raise NotFound(f"no webhook {webhook_id!r}")
    return hook


async def list_webhooks(
    db: AsyncSession, member_slug: str | None = None
) -> list[tuple[MemberWebhook, str]]:
    """Webhooks with their member's slug."""
    query = select(MemberWebhook, Member.slug).join(Member, Member.id == MemberWebhook.member_id)
    if member_slug is not None:
        query = query.where(Member.slug == member_slug)
    rows = await db.execute(query.order_by(Member.slug, MemberWebhook.created_at))
    return [(hook, slug) for hook, slug in rows]


async def deliveries(
    db: AsyncSession, webhook_id: str, *, limit: int = 50
) -> list[WebhookDelivery]:
    """The newest deliveries first: the history an admin checks when a member hears nothing."""
    await get_webhook(db, webhook_id)
    return list(
        await db.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.webhook_id == webhook_id)
            .order_by(WebhookDelivery.created_at.desc())
            .limit(limit)
        )
    )


async def remove_webhook(db: AsyncSession, webhook_id: str, *, actor: Principal | None) -> None:
    hook = await get_webhook(db, webhook_id)
    await db.delete(hook)
    await db.flush()
    await audit.record(
        db, actor=actor, action="connector.webhook.remove", subject=f"webhook:{webhook_id}"
    )


# --- common verbs ----------------------------------------------------------------------


async def _find(db: AsyncSession, kind: Kind, name: str) -> Any:
    if kind == "source":
        return await get_source(db, name)
    if kind == "peer":
        return await get_peer(db, name)
    return await get_webhook(db, name)


_JOB_KIND = {"source": jobs.PULL, "peer": jobs.PUSH}


async def set_paused(
    db: AsyncSession, kind: Kind, name: str, paused: bool, *, actor: Principal | None
) -> Any:
    """Pause or resume; resuming a source or peer makes it due at once."""
    row = await _find(db, kind, name)
    row.paused = paused
    if not paused and kind in _JOB_KIND:
        await jobs.wake(db, _JOB_KIND[kind], row.id)
    await db.flush()
    await audit.record(
        db,
        actor=actor,
        action=f"connector.{kind}.{'pause' if paused else 'resume'}",
        subject=f"{kind}:{name}",
    )
    return row


async def run_now(db: AsyncSession, kind: Literal["source", "peer"], name: str) -> None:
    """Make a source's pull or a peer's push due now."""
    row = await _find(db, kind, name)
    await jobs.wake(db, _JOB_KIND[kind], row.id)
