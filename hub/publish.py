"""Publishing: write sanitized STIX objects into a collection with a unique, rising date_added.

`date_added` is assigned under a per-collection lock (the collection row, `SELECT … FOR
UPDATE` on PostgreSQL; SQLite's `BEGIN IMMEDIATE` already serialises writers) as
`max(now, last + 1)` microseconds, so assignment order is commit order: a poller that has
seen `date_added = t` never later finds a new object at or before `t`.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub import audit, collections, intake, sharing, validate
from hub.db import utcnow
from hub.models import (
    Collection,
    ObjectStatus,
    PublishedObject,
    Submission,
    SubmissionBlob,
    SubmissionObject,
    SubmissionState,
    TaxiiStatus,
)
from hub.principals import Principal
from hub.taxii.timestamps import TimestampError, format_micros, format_taxii, parse_micros
from hub.taxii.versions import object_version, spec_version_key
from hub.tlp import Tlp, effective_tlp

_LOOKUP_CHUNK = 500
# Re-reading a stored body must not fail on limits lowered since it was accepted.
_STORED = intake.Limits(max_objects=10**9, max_depth=10**6, max_string_bytes=2**62)
DEFAULT_SPEC_VERSION = "2.1"


@dataclass(slots=True)
class PublishResult:
    """What a publish did, object by object (versions and date_added in epoch µs)."""

    added: list[tuple[str, int, int]] = field(default_factory=list)
    unchanged: list[tuple[str, int]] = field(default_factory=list)
    # Same id and version already published with different content: the first one stands.
    conflicts: list[tuple[str, int]] = field(default_factory=list)


def canonical(obj: Mapping[str, Any]) -> bytes:
    """The stored form: compact JSON with sorted keys, so equal objects have equal bytes."""
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


def spec_rank(spec_version: str) -> int:
    """An integer that orders spec versions numerically ("2.10" after "2.9")."""
    major, minor = spec_version_key(spec_version)[:2]
    return major * 10_000 + minor


def now_micros() -> int:
    return time.time_ns() // 1_000


async def lock(db: AsyncSession, collection: Collection) -> int:
    """Take the collection's publish lock; the last date_added it handed out."""
    query = select(Collection.last_date_added).where(Collection.id == collection.id)
    if db.bind.dialect.name == "postgresql":
        query = query.with_for_update()
    last = await db.scalar(query)
    return int(last or 0)


async def publish(
    db: AsyncSession,
    collection_slug: str,
    objects: Sequence[Mapping[str, Any]],
    *,
    submission_id: str | None = None,
) -> PublishResult:
    """Store valid STIX objects in a collection; identical re-publishes are no-ops. Only flushes."""
    collection = await collections.by_slug(db, collection_slug)
    return await publish_into(db, collection, objects, submission_id=submission_id)


async def publish_into(
    db: AsyncSession,
    collection: Collection,
    objects: Sequence[Mapping[str, Any]],
    *,
    submission_id: str | None = None,
) -> PublishResult:
    """`publish` for an already loaded collection row."""
    result = PublishResult()
    if not objects:
        return result
    prepared = [_prepare(obj) for obj in objects]
    last = await lock(db, collection)

    existing: dict[str, list[tuple[int, bytes]]] = {}
    ids = sorted({p.stix_id for p in prepared})
    for start in range(0, len(ids), _LOOKUP_CHUNK):
        chunk = ids[start : start + _LOOKUP_CHUNK]
        rows = await db.execute(
            select(PublishedObject.stix_id, PublishedObject.version, PublishedObject.body).where(
                PublishedObject.collection_id == collection.id,
                PublishedObject.stix_id.in_(chunk),
            )
        )
        for stix_id, version, body in rows:
            existing.setdefault(stix_id, []).append((version, bytes(body)))

    next_added = max(now_micros(), last + 1)
    rows_to_add: list[dict[str, Any]] = []
    for p in prepared:
        known = existing.setdefault(p.stix_id, [])
        if p.version is None:
            # No modified/created (most SCOs): the version is the date_added, so an identical
            # body already stored is the same object, not a new version.
            same = [v for v, body in known if body == p.body]
            if same:
                result.unchanged.append((p.stix_id, same[0]))
                continue
            version = next_added
        else:
            version = p.version
            stored = [body for v, body in known if v == version]
            if stored:
                if stored[0] == p.body:
                    result.unchanged.append((p.stix_id, version))
                else:
                    result.conflicts.append((p.stix_id, version))
                continue
        known.append((version, p.body))
        rows_to_add.append(
            {
                "collection_id": collection.id,
                "stix_id": p.stix_id,
                "stix_type": p.stix_type,
                "version": version,
                "spec_version": p.spec_version,
                "spec_rank": spec_rank(p.spec_version),
                "date_added": next_added,
                "body": p.body,
                "submission_id": submission_id,
            }
        )
        result.added.append((p.stix_id, version, next_added))
        next_added += 1

    if rows_to_add:
        await db.execute(insert(PublishedObject), rows_to_add)
        collection.last_date_added = next_added - 1
        await db.flush()
    return result


@dataclass(frozen=True, slots=True)
class _Prepared:
    stix_id: str
    stix_type: str
    spec_version: str
    version: int | None
    body: bytes


def _prepare(obj: Mapping[str, Any]) -> _Prepared:
    stix_id = obj.get("id")
    stix_type = obj.get("type")
    if not isinstance(stix_id, str) or not isinstance(stix_type, str):
        raise ValueError("a published object needs a string id and type")
    spec_version = obj.get("spec_version", DEFAULT_SPEC_VERSION)
    if not isinstance(spec_version, str):
        raise ValueError(f"{stix_id}: spec_version must be a string")
    spec_rank(spec_version)  # refuse what cannot be ordered
    version: int | None = None
    if any(isinstance(obj.get(prop), str) for prop in ("modified", "created")):
        try:
            version = object_version(obj, 0)
        except TimestampError as exc:
            raise ValueError(f"{stix_id}: {exc}") from None
    return _Prepared(stix_id, stix_type, spec_version, version, canonical(obj))


# --- TAXII POSTs (§5.5) and their status resources (§4.3) ---------------------------------

STATUS_KEEP = timedelta(days=7)


@dataclass(slots=True)
class StatusView:
    """A status resource's content: every posted object in exactly one list."""

    id: str
    request_timestamp: datetime
    total: int
    successes: list[dict[str, str]]
    failures: list[dict[str, str]]
    pendings: list[dict[str, str]]

    @property
    def complete(self) -> bool:
        return not self.pendings


def posted_entries(objects: Sequence[Any], received: datetime) -> list[dict[str, str]]:
    """`{id, version}` per posted object; unversioned ones take the time they were received."""
    entries = []
    fallback = format_taxii(received)
    for position, obj in enumerate(objects):
        stix_id = obj.get("id") if isinstance(obj, dict) else None
        version = fallback
        if isinstance(obj, dict):
            for prop in ("modified", "created"):
                value = obj.get(prop)
                if isinstance(value, str):
                    try:
                        version = format_micros(parse_micros(value))
                    except TimestampError:
                        version = value[:64]
                    break
        entries.append(
            {
                "id": stix_id if isinstance(stix_id, str) else f"objects[{position}]",
                "version": version,
            }
        )
    return entries


async def post_direct(
    db: AsyncSession,
    principal: Principal,
    collection: Collection,
    objects: Sequence[Any],
    *,
    default_tlp: Tlp,
) -> TaxiiStatus:
    """Staff analysis posted straight into a collection: validate, cap by TLP, publish, audit."""
    received = utcnow()
    entries = posted_entries(objects, received)
    ceiling = sharing.collection_ceiling(collection.slug)
    failures: list[dict[str, str]] = []
    valid: list[tuple[int, Mapping[str, Any]]] = []
    for position, obj in enumerate(objects):
        problems = validate.check_object(obj)
        if problems:
            message = "; ".join(f"{p.property}: {p.reason}" for p in problems[:10])
            failures.append(entries[position] | {"message": message[:2000]})
        else:
            valid.append((position, obj))

    levels = effective_tlp([obj for _, obj in valid], default=default_tlp)
    allowed: list[tuple[int, Mapping[str, Any]]] = []
    for position, obj in valid:
        level = levels.get(obj["id"], default_tlp)
        if level > ceiling:
            failures.append(
                entries[position]
                | {
                    "message": f"{level.label} is above the {ceiling.label} ceiling of the "
                    f"{collection.slug} collection"
                }
            )
        else:
            allowed.append((position, obj))

    result = await publish_into(db, collection, [obj for _, obj in allowed])
    conflicts = set(result.conflicts)
    successes: list[dict[str, str]] = []
    for position, obj in allowed:
        prepared = _prepare(obj)
        if prepared.version is not None and (prepared.stix_id, prepared.version) in conflicts:
            failures.append(
                entries[position]
                | {"message": "a different object with this id and version is already published"}
            )
        else:
            successes.append(entries[position])

    status = TaxiiStatus(
        id=str(uuid.uuid4()),
        collection_id=collection.id,
        account_id=principal.account_id,
        created_at=received,
        total_count=len(objects),
        submission_id=None,
        successes=successes,
        failures=failures,
    )
    db.add(status)
    await db.flush()
    await audit.record(
        db,
        actor=principal,
        action="taxii.publish",
        subject=f"collection:{collection.slug}",
        details={
            "status_id": status.id,
            "added": [[i, format_micros(v)] for i, v, _ in result.added],
            "unchanged": len(result.unchanged),
            "failed": len(failures),
        },
    )
    return status


async def post_inbox(
    db: AsyncSession, principal: Principal, collection: Collection, submission: Submission
) -> TaxiiStatus:
    """Record the status of an inbox POST; it is read from the submission as that progresses."""
    status = TaxiiStatus(
        id=str(uuid.uuid4()),
        collection_id=collection.id,
        account_id=principal.account_id,
        created_at=submission.received_at,
        total_count=submission.object_count,
        submission_id=submission.id,
    )
    db.add(status)
    await db.flush()
    return status


async def load_status(
    db: AsyncSession, principal: Principal | None, status_id: str
) -> StatusView | None:
    """A status for the account that posted it (or staff); None for anyone else or unknown."""
    if principal is None:
        return None
    status = await db.get(TaxiiStatus, status_id)
    if status is None:
        return None
    if status.account_id != principal.account_id and not principal.is_staff:
        return None
    if status.submission_id is None:
        return StatusView(
            status.id,
            status.created_at,
            status.total_count,
            list(status.successes or []),
            list(status.failures or []),
            [],
        )
    return await _inbox_view(db, status)


async def _inbox_view(db: AsyncSession, status: TaxiiStatus) -> StatusView:
    submission = await db.get(Submission, status.submission_id)
    blob = await db.get(SubmissionBlob, status.submission_id)
    if submission is None or blob is None:
        raise RuntimeError(f"status {status.id} lost its submission")
    envelope = intake.parse(blob.raw, _STORED, allow_taxii_envelope=True)
    entries = posted_entries(envelope.objects, status.created_at)
    if submission.state is SubmissionState.RECEIVED:
        return StatusView(status.id, status.created_at, len(entries), [], [], entries)
    if submission.state is SubmissionState.FAILED:
        failed = [e | {"message": "processing failed; an operator will retry it"} for e in entries]
        return StatusView(status.id, status.created_at, len(entries), [], failed, [])
    results = {
        r.position: r
        for r in await db.scalars(
            select(SubmissionObject).where(SubmissionObject.submission_id == submission.id)
        )
    }
    successes: list[dict[str, str]] = []
    failures: list[dict[str, str]] = []
    for position, entry in enumerate(entries):
        result = results.get(position)
        if result is not None and result.status is ObjectStatus.ACCEPTED:
            successes.append(entry)
        else:
            problems = result.problems if result is not None else []
            message = "; ".join(
                f"{p.get('property', '')}: {p.get('reason', '')}" for p in problems[:10]
            )
            failures.append(entry | {"message": (message or "not accepted")[:2000]})
    return StatusView(status.id, status.created_at, len(entries), successes, failures, [])


async def sweep_statuses(db: AsyncSession, *, now: datetime | None = None) -> int:
    """Forget status resources older than a week (the spec asks for at least a day)."""
    cutoff = (now or utcnow()) - STATUS_KEEP
    result = await db.execute(delete(TaxiiStatus).where(TaxiiStatus.created_at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)
