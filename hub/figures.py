"""Read-only figures for the console: queue counts, J-CSIP-style period figures, stored objects.

J-CSIP reports, per period, how many reports the hub received from members, how many it
judged relevant (an operator approved them for sharing), and how many it shared; the
console adds how the shared objects split by TLP. Nothing here writes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import orjson
from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import (
    Collection,
    Member,
    PublishedObject,
    Sector,
    Submission,
    SubmissionBlob,
    SubmissionEvent,
    SubmissionReview,
    SubmissionState,
)
from hub.stix.tlp import Tlp, effective_tlp

S = SubmissionState
SEARCH_SCAN = 5000  # stored objects read at most for one value search


async def state_counts(
    db: AsyncSession, *, sector: str | None = None, member: str | None = None
) -> dict[SubmissionState, int]:
    """How many submissions are in each state (every state present, zero when none)."""
    query = (
        select(Submission.state, func.count())
        .join(Member, Member.id == Submission.member_id)
        .join(Sector, Sector.id == Member.sector_id)
        .group_by(Submission.state)
    )
    if sector:
        query = query.where(Sector.slug == sector)
    if member:
        query = query.where(Member.slug == member)
    found = {state: int(n) for state, n in (await db.execute(query)).all()}
    return {state: found.get(state, 0) for state in SubmissionState}


@dataclass(slots=True)
class SectorFigures:
    """One sector's figures for one period."""

    slug: str
    name: str
    received: int = 0
    relevant: int = 0
    shared: int = 0
    objects_by_tlp: dict[str, int] = field(default_factory=dict)


async def period_figures(
    db: AsyncSession,
    since: datetime | None,
    until: datetime,
    *,
    default_tlp: Tlp,
    hub_id: str | None = None,
) -> list[SectorFigures]:
    """Per sector: reports received in the period, judged relevant, shared, shared by TLP."""
    out = {
        slug: SectorFigures(slug, name)
        for slug, name in (await db.execute(select(Sector.slug, Sector.name).order_by(Sector.slug)))
    }
    window = [Submission.received_at < until]
    if since is not None:
        window.append(Submission.received_at >= since)
    base = (
        select(Sector.slug, func.count(distinct(Submission.id)))
        .join(Member, Member.sector_id == Sector.id)
        .join(Submission, Submission.member_id == Member.id)
        .where(*window)
        .group_by(Sector.slug)
    )
    for slug, n in await db.execute(base):
        out[slug].received = int(n)
    # Relevant: an operator approved it for sharing at least once (it reached consent).
    for target, attr in ((S.AWAITING_CONSENT, "relevant"), (S.PUBLISHED, "shared")):
        reached = base.join(SubmissionEvent, SubmissionEvent.submission_id == Submission.id).where(
            SubmissionEvent.to_state == target.value
        )
        for slug, n in await db.execute(reached):
            setattr(out[slug], attr, int(n))
    published = await db.execute(
        select(Sector.slug, SubmissionBlob.sanitized, SubmissionReview.published_to)
        .join(Member, Member.sector_id == Sector.id)
        .join(Submission, Submission.member_id == Member.id)
        .join(SubmissionBlob, SubmissionBlob.submission_id == Submission.id)
        .join(SubmissionReview, SubmissionReview.submission_id == Submission.id)
        .where(*window, Submission.state == S.PUBLISHED)
    )
    tallies: dict[str, Counter[str]] = {}
    for slug, body, published_to in published:
        went = {oid for ids in (published_to or {}).values() for oid in ids}
        objects = orjson.loads(body) if body else []
        levels = effective_tlp(objects, default=default_tlp)
        tally = tallies.setdefault(slug, Counter())
        # Intelligence only: the hub's identity and the marking definitions travel with it.
        context = {hub_id} | {
            str(o.get("id")) for o in objects if o.get("type") == "marking-definition"
        }
        tally.update(levels[oid].label for oid in went - context if oid in levels)
    for slug, tally in tallies.items():
        out[slug].objects_by_tlp = {
            level.label: tally[level.label] for level in Tlp if tally[level.label]
        }
    return list(out.values())


async def collection_sizes(db: AsyncSession) -> dict[str, int]:
    """Stored object versions per collection id."""
    rows = await db.execute(
        select(PublishedObject.collection_id, func.count()).group_by(PublishedObject.collection_id)
    )
    return {cid: int(n) for cid, n in rows.all()}


@dataclass(frozen=True, slots=True)
class StoredObject:
    """One stored version as readers receive it."""

    stix_id: str
    stix_type: str
    version: int
    date_added: int
    body: dict[str, object]


@dataclass(frozen=True, slots=True)
class ObjectPage:
    items: list[StoredObject]
    next_before: int | None  # date_added to continue from, None on the last page


async def collection_objects(
    db: AsyncSession,
    collection: Collection,
    *,
    stix_id: str | None = None,
    stix_type: str | None = None,
    value: str | None = None,
    before: int | None = None,
    limit: int = 50,
) -> ObjectPage:
    """Newest first; `value` is a case-insensitive substring of the object's JSON."""
    query = select(
        PublishedObject.stix_id,
        PublishedObject.stix_type,
        PublishedObject.version,
        PublishedObject.date_added,
        PublishedObject.body,
    ).where(PublishedObject.collection_id == collection.id)
    if stix_id:
        query = query.where(PublishedObject.stix_id == stix_id.strip())
    if stix_type:
        query = query.where(PublishedObject.stix_type == stix_type.strip())
    if before is not None:
        query = query.where(PublishedObject.date_added < before)
    query = query.order_by(PublishedObject.date_added.desc())
    needle = value.strip().lower() if value else ""
    # Bodies are opaque bytes on both backends, so a value search reads them here, bounded.
    scan = SEARCH_SCAN if needle else limit + 1
    rows = (await db.execute(query.limit(scan))).all()
    items: list[StoredObject] = []
    last_seen: int | None = None
    more = False
    for sid, stype, version, added, body in rows:
        if len(items) == limit:
            more = True
            break
        last_seen = added
        raw = bytes(body)
        if needle and needle not in raw.decode("utf-8", "replace").lower():
            continue
        items.append(StoredObject(sid, stype, version, added, orjson.loads(raw)))
    if len(rows) == scan:
        # A value search that read its bound without filling the page continues from there.
        more = more or len(items) < limit
    return ObjectPage(items, last_seen if more else None)
