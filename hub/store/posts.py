"""TAXII Add Objects (§5.5) and its status resources (§4.3).

Staff post analysis straight into a collection (validated, capped by the collection's TLP
ceiling, an unresolvable marking refused as in routing, published carrying its effective
TLP); members post into the inbox, whose status follows the submission.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub import audit, sharing, validate
from hub.db import utcnow
from hub.members.principals import Principal
from hub.models import (
    Collection,
    ObjectStatus,
    Submission,
    SubmissionBlob,
    SubmissionObject,
    SubmissionState,
    TaxiiStatus,
)
from hub.stix.tlp import TLP2_DEFINITIONS, Tlp, Verdict, assess, marking_refs, stamp
from hub.store.objects import prepare, publish_into
from hub.submissions import intake, records
from hub.taxii.timestamps import TimestampError, format_micros, format_taxii, parse_micros

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

    verdicts = assess([obj for _, obj in valid], default=default_tlp)
    allowed: list[tuple[int, Mapping[str, Any]]] = []
    for position, obj in valid:
        verdict = verdicts.get(obj["id"], Verdict(default_tlp, source="default"))
        level = verdict.level
        if verdict.unresolved is not None:
            failures.append(entries[position] | {"message": str(verdict.unresolved)})
        elif level > ceiling:
            failures.append(
                entries[position]
                | {
                    "message": f"{level.label} is above the {ceiling.label} ceiling of the "
                    f"{collection.slug} collection"
                }
            )
        else:
            allowed.append((position, stamp(obj, level)))

    stamped = [obj for _, obj in allowed]
    used = {ref for obj in stamped for ref in marking_refs(obj)} - {o["id"] for o in stamped}
    definitions = [TLP2_DEFINITIONS[ref] for ref in sorted(used) if ref in TLP2_DEFINITIONS]
    result = await publish_into(db, collection, [*definitions, *stamped])
    conflicts = set(result.conflicts)
    successes: list[dict[str, str]] = []
    for position, obj in allowed:
        prepared = prepare(obj)
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
    envelope = intake.parse(blob.raw, records.STORED_LIMITS, allow_taxii_envelope=True)
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
