"""Taking published objects back so that every reader and peer learns it: a revoked version.

Deleting a row only hides an object from readers who had not polled yet; a peer that took
it, and a reader's tool that stored it, never hear of it. So when the last version of an
SDO or SRO leaves a collection (an admin's DELETE, a member withdrawing a published report)
the hub publishes a new version of it with `revoked: true` (STIX 2.1 §3.2): it has a new
`date_added`, so pollers and the push to peers carry it like any other version. Objects
that cannot be revoked (cyber observables and marking definitions have no `revoked`) are
deleted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db import utcnow
from hub.models import Collection, PublishedObject
from hub.store.objects import publish_into, remove
from hub.taxii.filters import ObjectQuery
from hub.taxii.timestamps import TimestampError, parse_micros


def revocable(obj: Mapping[str, Any]) -> bool:
    """Whether the object has versions that `revoked` applies to (SDOs, SROs, custom ones)."""
    return isinstance(obj.get("modified"), str) and obj.get("type") != "marking-definition"


def revoked_version(obj: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """The next version of `obj`, revoked; `modified` is now, and later than the last one."""
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
    previous = str(obj.get("modified"))
    try:
        if parse_micros(stamp) <= parse_micros(previous):
            stamp = previous  # a clock behind the object's own time: keep order, never go back
    except TimestampError:
        pass
    out = dict(obj) | {"revoked": True}
    if stamp != previous:
        out["modified"] = stamp
    return out


async def latest_bodies(
    db: AsyncSession, collection_id: str, stix_ids: Iterable[str]
) -> dict[str, tuple[dict[str, Any], str | None]]:
    """The newest stored version of each id in the collection, with its submission."""
    out: dict[str, tuple[int, dict[str, Any], str | None]] = {}
    ids = sorted(set(stix_ids))
    for start in range(0, len(ids), 500):
        rows = await db.execute(
            select(
                PublishedObject.stix_id,
                PublishedObject.version,
                PublishedObject.body,
                PublishedObject.submission_id,
            ).where(
                PublishedObject.collection_id == collection_id,
                PublishedObject.stix_id.in_(ids[start : start + 500]),
            )
        )
        for stix_id, version, body, submission_id in rows:
            if stix_id not in out or version > out[stix_id][0]:
                out[stix_id] = (version, orjson.loads(body), submission_id)
    return {k: (body, sid) for k, (_, body, sid) in out.items()}


async def take_back(
    db: AsyncSession,
    collection: Collection,
    bodies: Iterable[Mapping[str, Any]],
    *,
    submission_id: str | None = None,
) -> tuple[list[str], list[str]]:
    """Revoke what can be revoked, delete the rest: the (revoked, deleted) ids."""
    now = utcnow()
    revoke: list[dict[str, Any]] = []
    gone: list[str] = []
    for body in bodies:
        if body.get("revoked") is True:
            continue
        if revocable(body):
            revoke.append(revoked_version(body, now))
        else:
            gone.append(str(body["id"]))
    if gone:
        await db.execute(
            delete(PublishedObject).where(
                PublishedObject.collection_id == collection.id, PublishedObject.stix_id.in_(gone)
            )
        )
    await publish_into(db, collection, revoke, submission_id=submission_id)
    return [str(o["id"]) for o in revoke], gone


async def delete_and_revoke(
    db: AsyncSession, collection: Collection, query: ObjectQuery, stix_id: str
) -> tuple[list[tuple[str, int]], bool]:
    """Delete an Object (§5.7); if no version is left, publish its revocation.

    The removed (id, version) pairs, and whether a revoked version was published.
    """
    before = await latest_bodies(db, collection.id, [stix_id])
    removed = await remove(db, collection.id, query)
    left = await latest_bodies(db, collection.id, [stix_id])
    if stix_id in left or stix_id not in before:
        return removed, False
    body, submission_id = before[stix_id]
    revoked, _ = await take_back(db, collection, [body], submission_id=submission_id)
    return removed, bool(revoked)


async def withdraw_published(
    db: AsyncSession, submission_id: str, keep: frozenset[str]
) -> dict[str, list[str]]:
    """Take back, in every collection, what this submission is the latest source of.

    `keep` names shared context (the hub's identity, marking definitions) that stays. An
    object a later submission re-published is that submission's now, and stays too.
    """
    rows = await db.execute(
        select(Collection, PublishedObject.stix_id)
        .join(Collection, Collection.id == PublishedObject.collection_id)
        .where(PublishedObject.submission_id == submission_id)
        .distinct()
    )
    by_collection: dict[str, tuple[Collection, set[str]]] = {}
    for collection, stix_id in rows:
        if stix_id not in keep and not stix_id.startswith("marking-definition--"):
            by_collection.setdefault(collection.id, (collection, set()))[1].add(stix_id)
    report: dict[str, list[str]] = {}
    for collection, ids in by_collection.values():
        latest = await latest_bodies(db, collection.id, ids)
        mine = [body for body, sid in latest.values() if sid == submission_id]
        revoked, deleted = await take_back(db, collection, mine, submission_id=submission_id)
        report[collection.slug] = sorted(revoked + deleted)
    return report
