"""TAXII push: mirror chosen collections of this hub to a peer, at least once, never above its TLP.

Per (peer, local collection) the progress is the `date_added` of the last object the peer
has acknowledged. Each run reads the collection from there in `date_added` order (every
version), withholds what is above the peer's TLP ceiling (the strictest marking on the
object and on what it references; unmarked counts as the hub's default), splits the rest
into envelopes under the peer's `max_content_length`, posts them, follows each status
resource until it is complete, and only then moves the progress on. A peer that goes away
mid-page gets that page again later: TAXII servers take an identical re-post as a success,
so re-delivery duplicates nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connectors import egress, sealing, taxii_client
from connectors.jobs import Claimed, Runtime, describe, record_run, run_scheduled
from hub.db import utcnow
from hub.keys import Keyring, SealError
from hub.models import ConnectorPeer, PeerProgress, PublishedObject
from hub.stix.tlp import OFFICIAL_MARKINGS, Tlp, effective_tlp, marking_refs, references
from hub.store import collections
from hub.store import objects as published
from hub.taxii.cursor import Position
from hub.taxii.filters import Endpoint, ObjectQuery, VersionSelector

log = logging.getLogger("mamori.connectors.push")
ENVELOPE_OVERHEAD = len(b'{"objects":[]}')
STATUS_TIMEOUT_SECONDS = 120


class PushError(Exception):
    """The peer did not take a page; the progress stays where it was."""


@dataclass(slots=True)
class CollectionPush:
    sent: int = 0
    withheld: int = 0
    rejected: int = 0
    envelopes: int = 0
    pages: int = 0
    last_date_added: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class PushReport:
    collections: dict[str, CollectionPush] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def outbound(
    objects: Sequence[Mapping[str, Any]],
    *,
    ceiling: Tlp,
    default: Tlp,
    context: Sequence[Mapping[str, Any]] = (),
) -> tuple[list[int], list[int]]:
    """Positions of the objects the peer may receive, and of those withheld above its ceiling.

    `context` holds stored objects the page references (sent earlier or never): they decide
    levels, as the hub's TLP rule asks, without being sent.
    """
    levels = effective_tlp([*objects, *context], default=default)
    allowed: list[int] = []
    withheld: list[int] = []
    for position, obj in enumerate(objects):
        level = levels.get(str(obj.get("id")), default)
        (allowed if level <= ceiling else withheld).append(position)
    return allowed, withheld


CONTEXT_HOPS = 8  # reference chains followed beyond the page; deeper ones are vanishingly rare


async def referenced(
    db: AsyncSession, collection_id: str, objects: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Stored objects of the collection that the page points at or is marked with, transitively."""
    have = {str(o.get("id")) for o in objects}
    found: list[dict[str, Any]] = []
    frontier: list[Mapping[str, Any]] = list(objects)
    for _ in range(CONTEXT_HOPS):
        wanted = {
            ref
            for o in frontier
            for ref in (*references(o), *marking_refs(o))
            if ref not in have and ref not in OFFICIAL_MARKINGS
        }
        if not wanted:
            break
        rows = await db.scalars(
            select(PublishedObject.body).where(
                PublishedObject.collection_id == collection_id,
                PublishedObject.stix_id.in_(sorted(wanted)),
            )
        )
        loaded: list[dict[str, Any]] = [orjson.loads(body) for body in rows]
        have |= wanted
        found.extend(loaded)
        frontier = list(loaded)
    return found


def envelopes(bodies: Sequence[bytes], max_bytes: int) -> tuple[list[bytes], list[int]]:
    """Pack object bodies into TAXII envelopes of at most `max_bytes`; positions too big alone."""
    out: list[bytes] = []
    oversize: list[int] = []
    current: list[bytes] = []
    size = ENVELOPE_OVERHEAD
    for position, body in enumerate(bodies):
        if ENVELOPE_OVERHEAD + len(body) > max_bytes:
            oversize.append(position)
            continue
        extra = len(body) + (1 if current else 0)
        if current and size + extra > max_bytes:
            out.append(b'{"objects":[' + b",".join(current) + b"]}")
            current, size = [], ENVELOPE_OVERHEAD
            extra = len(body)
        current.append(body)
        size += extra
    if current:
        out.append(b'{"objects":[' + b",".join(current) + b"]}")
    return out, oversize


def remote_of(peer: ConnectorPeer, keyring: Keyring) -> taxii_client.Remote:
    """The peer as the client reaches it, its credential unsealed for the run."""
    credential = sealing.open_credential(keyring, peer.credential, "connector_peer")
    return taxii_client.Remote(
        peer.api_root_url, peer.auth_kind, peer.username, credential, peer.ca_file
    )


def post_envelope(
    session: taxii_client.Session, collection_id: str, envelope: bytes
) -> dict[str, Any]:
    """POST one envelope and wait for its status to complete (blocking)."""
    status = session.collection(collection_id).add_objects(
        envelope, wait_for_completion=True, poll_interval=1, timeout=STATUS_TIMEOUT_SECONDS
    )
    if status.status != "complete":
        raise PushError(f"the peer's status {status.id} is still {status.status}")
    return {
        "success_count": int(status.success_count or 0),
        "failure_count": int(status.failure_count or 0),
        "failures": list(status.failures or [])[:20],
    }


async def _progress(db: AsyncSession, peer_id: str, slug: str) -> PeerProgress:
    row = await db.get(PeerProgress, (peer_id, slug))
    if row is None:
        row = PeerProgress(
            peer_id=peer_id,
            collection_slug=slug,
            last_date_added=0,
            sent=0,
            withheld=0,
            rejected=0,
            updated_at=utcnow(),
        )
        db.add(row)
        await db.flush()
    return row


async def push_collection(
    runtime: Runtime,
    peer: ConnectorPeer,
    session: taxii_client.Session,
    local_slug: str,
    remote_id: str,
    *,
    max_bytes: int,
    max_pages: int | None = None,
) -> CollectionPush:
    """Deliver one local collection from the peer's progress to the end (or `max_pages`)."""
    result = CollectionPush()
    ceiling = Tlp.parse(peer.max_tlp)
    default = Tlp.parse(runtime.settings.default_tlp)
    query = ObjectQuery(
        endpoint=Endpoint.OBJECTS, limit=peer.batch_size, versions=VersionSelector.every()
    )
    while max_pages is None or result.pages < max_pages:
        async with runtime.maker.begin() as db:
            collection = await collections.by_slug(db, local_slug)
            progress = await _progress(db, peer.id, local_slug)
            after = Position(progress.last_date_added, 0) if progress.last_date_added else None
            page = await published.page(db, collection.id, query, after, with_body=True)
            bodies = [r.body or b"" for r in page.rows]
            objects = [orjson.loads(b) for b in bodies]
            context = await referenced(db, collection.id, objects)
        if not page.rows:
            break
        result.pages += 1
        allowed, withheld = outbound(objects, ceiling=ceiling, default=default, context=context)
        packed, oversize = envelopes([bodies[i] for i in allowed], max_bytes)
        sent = rejected = 0
        for envelope in packed:
            outcome = await asyncio.to_thread(post_envelope, session, remote_id, envelope)
            result.envelopes += 1
            sent += outcome["success_count"]
            rejected += outcome["failure_count"]
            result.failures.extend(outcome["failures"])
        rejected += len(oversize)
        last = page.rows[-1].date_added
        async with runtime.maker.begin() as db:
            progress = await _progress(db, peer.id, local_slug)
            progress.last_date_added = max(progress.last_date_added, last)
            progress.sent += sent
            progress.withheld += len(withheld)
            progress.rejected += rejected
            progress.updated_at = utcnow()
            row = await db.get(ConnectorPeer, peer.id)
            if row is not None:
                row.objects_moved += sent
        result.sent += sent
        result.withheld += len(withheld)
        result.rejected += rejected
        result.last_date_added = last
        if not page.more:
            break
    return result


async def push(runtime: Runtime, peer_id: str, *, max_pages: int | None = None) -> PushReport:
    """One run of a peer: each mapped collection on its own (a failure skips only that one)."""
    async with runtime.maker() as db:
        peer = await db.get(ConnectorPeer, peer_id)
    if peer is None:
        raise PushError(f"no peer {peer_id}")
    report = PushReport()
    try:
        session = await asyncio.to_thread(
            taxii_client.Session,
            remote_of(peer, runtime.settings.keyring),
            egress.policy_for(runtime.settings),
        )
    except SealError as exc:  # the credential's key epoch is not configured
        report.errors["*"] = describe(exc)
        await record_run(runtime.maker, ConnectorPeer, peer_id, report.errors)
        return report
    try:
        max_bytes = await asyncio.to_thread(session.max_content_length)
        for mapping in peer.collections:
            local, remote = mapping["local"], mapping["remote"]
            try:
                report.collections[local] = await push_collection(
                    runtime,
                    peer,
                    session,
                    local,
                    remote,
                    max_bytes=max_bytes,
                    max_pages=max_pages,
                )
            except Exception as exc:
                log.warning("push failed", extra={"peer": peer.name, "collection": local})
                report.errors[local] = describe(exc)
    except Exception as exc:
        report.errors["*"] = describe(exc)
    finally:
        await asyncio.to_thread(session.close)
    await record_run(runtime.maker, ConnectorPeer, peer_id, report.errors)
    return report


async def run_job(runtime: Runtime, job: Claimed) -> timedelta | None:
    """The worker's push job: None ends it (peer removed); errors make it retry with backoff."""

    async def run(rt: Runtime, peer_id: str) -> dict[str, str]:
        return (await push(rt, peer_id)).errors

    return await run_scheduled(runtime, job, ConnectorPeer, run, PushError)
