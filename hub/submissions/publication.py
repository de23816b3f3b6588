"""From an approved, consented submission to its objects in the TAXII collections.

`hub.sharing.route` alone decides where each object may go. The hub's own identity and the
sector identity that the sanitizer adds are not intelligence but context: they are left out
of routing and travel, marked TLP:CLEAR, with whatever references them.

What is published is exactly what readers may act on: every object carries its effective
TLP as an official marking (`hub.stix.tlp.stamp`: an object that counted at the default, or
inherited a level, is published marked with it), and the TLP 2.0 marking-definition objects
the published objects use are in the collection with them.

A later version of an already-published object carries the same hub id (the sanitizer's
ids are keyed per member and original id), so it publishes as a new version of that id,
and a `revoked: true` version reaches readers the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub import audit, sharing
from hub.db import utcnow
from hub.errors import Conflict
from hub.members.principals import Principal
from hub.models import (
    Collection,
    Member,
    PublishedObject,
    Sector,
    Submission,
    SubmissionBlob,
    SubmissionReview,
    SubmissionState,
)
from hub.review import triage
from hub.runtime import HubRuntime
from hub.sanitize import SectorRef, hub_member_identity, sector_identity
from hub.stix import refs
from hub.stix.tlp import (
    TLP2_DEFINITIONS,
    Tlp,
    marking_refs,
    official_level,
    references,
    stamp,
)
from hub.store.objects import publish
from hub.submissions import lifecycle, records

S = SubmissionState


@dataclass(slots=True)
class Plan:
    """Where every object goes: per collection the objects in submission order, and why not."""

    routing: sharing.Routing
    collections: dict[str, list[Mapping[str, Any]]] = field(default_factory=dict)
    context: frozenset[str] = frozenset()

    @property
    def published_ids(self) -> list[str]:
        """Intelligence objects that go somewhere (context objects left out)."""
        return [oid for oid, d in self.routing.items() if d.collections]

    @property
    def withheld_ids(self) -> list[str]:
        return [oid for oid, d in self.routing.items() if not d.collections]


def context_ids(ctx: HubRuntime, sector: SectorRef) -> frozenset[str]:
    """The ids of objects the hub itself adds to a sanitized submission."""
    hub_id = str(ctx.hub_identity["id"])
    return frozenset(
        {
            hub_id,
            sector_identity(sector, secret=ctx.secret, hub_id=hub_id)["id"],
            # Who stands in for a member of a sector too small to hide in.
            hub_member_identity(secret=ctx.secret, hub_id=hub_id)["id"],
        }
    )


def plan(
    objects: Sequence[Mapping[str, Any]],
    *,
    own_sector: str,
    scope: sharing.Scope,
    consent: sharing.Consent,
    rules: sharing.Rules,
    known_sectors: frozenset[str],
    context: frozenset[str],
    available: Mapping[str, frozenset[str]] | None = None,
) -> Plan:
    """Route the intelligence objects, then let each context object follow its referrers.

    `available` (ids outside the submission -> collections holding them) makes routing
    check references that leave the submission; the context is readable everywhere.
    """
    intelligence = [o for o in objects if o.get("id") not in context]
    everywhere = frozenset({sharing.PUBLIC})  # a reader of any collection reads public
    routing = sharing.route(
        intelligence,
        own_sector=own_sector,
        scope=scope,
        consent=consent,
        default_tlp=rules.default_tlp,
        public_enabled=rules.public_enabled,
        known_sectors=known_sectors,
        available=None
        if available is None
        else {**available, **dict.fromkeys(context, everywhere)},
    )
    wanted: dict[str, set[str]] = {}
    for obj in intelligence:
        decision = routing.get(str(obj.get("id")))
        if decision is None or not decision.collections:
            continue
        for ref in references(obj):
            if ref in context:
                wanted.setdefault(ref, set()).update(decision.collections)
    result = Plan(routing=routing, context=context)
    for obj in objects:
        oid = obj.get("id")
        if oid in context:
            targets: frozenset[str] | set[str] = wanted.get(str(oid), set())
            level = Tlp.CLEAR  # the hub's and the sector's identity travel with anything
            stripped: Mapping[str, frozenset[str]] = {}
        else:
            decision = routing.get(str(oid))
            targets = decision.collections if decision is not None else frozenset()
            level = decision.tlp if decision is not None else rules.default_tlp
            stripped = decision.stripped if decision is not None else {}
        if not targets:
            continue
        stamped = stamp(obj, level)
        for slug in sorted(targets):
            out = refs.without(stamped, stripped.get(slug, frozenset()))
            result.collections.setdefault(slug, []).append(out)
    for published in result.collections.values():
        _add_official_definitions(published)
    return result


def _add_official_definitions(objects: list[Mapping[str, Any]]) -> None:
    """Put the TLP 2.0 marking definitions the objects use into the collection with them."""
    present = {o.get("id") for o in objects}
    used = sorted(
        {ref for o in objects for ref in marking_refs(o) if ref in TLP2_DEFINITIONS} - present
    )
    objects[:0] = [TLP2_DEFINITIONS[ref] for ref in used]


async def stored_elsewhere(
    db: AsyncSession, objects: Sequence[Mapping[str, Any]], context: frozenset[str]
) -> dict[str, frozenset[str]]:
    """For every id the objects point at outside themselves, the collections holding it."""
    own = {str(o.get("id")) for o in objects}
    wanted = sorted(
        {
            ref
            for o in objects
            for ref in (*references(o), *marking_refs(o))
            if ref not in own and ref not in context and official_level(ref) is None
        }
    )
    found: dict[str, set[str]] = {}
    for start in range(0, len(wanted), 500):
        rows = await db.execute(
            select(PublishedObject.stix_id, Collection.slug)
            .join(Collection, Collection.id == PublishedObject.collection_id)
            .where(PublishedObject.stix_id.in_(wanted[start : start + 500]))
            .distinct()
        )
        for stix_id, slug in rows:
            found.setdefault(stix_id, set()).add(slug)
    return {ref: frozenset(slugs) for ref, slugs in found.items()}


async def known_sectors(db: AsyncSession) -> frozenset[str]:
    return frozenset(await db.scalars(select(Sector.slug)))


def scope_of(row: SubmissionReview) -> sharing.Scope | None:
    """The operator's chosen scope, once approved."""
    if row.breadth is None:
        return None
    return sharing.Scope(row.breadth, frozenset(row.extra_sectors or ()))


def consent_of(row: SubmissionReview, *, approved: bool | None = None) -> sharing.Consent:
    return sharing.Consent(
        approved=row.consent == "approved" if approved is None else approved,
        cross_sector=row.consent_cross_sector,
        amber_strict=row.consent_amber_strict,
    )


async def plan_for(
    db: AsyncSession,
    submission: Submission,
    row: SubmissionReview,
    *,
    ctx: HubRuntime,
    rules: sharing.Rules,
    consent: sharing.Consent | None = None,
) -> Plan:
    """The plan for a stored submission with its current scope (and consent, unless given)."""
    scope = scope_of(row)
    if scope is None:
        raise Conflict(f"submission {submission.id} has no approved sharing scope yet")
    blob = await db.get(SubmissionBlob, submission.id)
    sector = await db.scalar(
        select(Sector)
        .join(Member, Member.sector_id == Sector.id)
        .where(Member.id == submission.member_id)
    )
    if blob is None or sector is None:  # pragma: no cover - foreign keys guarantee both
        raise RuntimeError(f"submission {submission.id} lost its body or sector")
    objects = records.sanitized_objects(blob)
    context = context_ids(ctx, SectorRef(sector.slug, sector.name))
    return plan(
        objects,
        own_sector=sector.slug,
        scope=scope,
        consent=consent or consent_of(row),
        rules=rules,
        known_sectors=await known_sectors(db),
        context=context,
        available=await stored_elsewhere(db, objects, context),
    )


async def publish_submission(
    db: AsyncSession,
    submission: Submission,
    row: SubmissionReview,
    *,
    actor: Principal | None,
    ctx: HubRuntime,
    rules: sharing.Rules,
    reason: str,
) -> Plan:
    """Publish to every collection the plan names, mark it published, audit it; only flushes."""
    if submission.state is not S.AWAITING_CONSENT or row.consent != "approved":
        raise lifecycle.InvalidTransition(
            f"submission {submission.id} is {submission.state.value} without the submitter's "
            "approval; it cannot be published"
        )
    result = await plan_for(db, submission, row, ctx=ctx, rules=rules)
    summary: dict[str, Any] = {}
    for slug, objects in result.collections.items():
        outcome = await publish(db, slug, objects, submission_id=submission.id)
        summary[slug] = {
            "added": len(outcome.added),
            "unchanged": len(outcome.unchanged),
            "conflicts": [stix_id for stix_id, _ in outcome.conflicts],
        }
    published = [o for objs in result.collections.values() for o in objs]
    await triage.remember(
        db,
        member_id=submission.member_id,
        submission_id=submission.id,
        objects=list({o["id"]: o for o in published if o["id"] not in result.context}.values()),
    )
    row.published_at = utcnow()
    row.published_to = {
        slug: sorted({str(o["id"]) for o in objs}) for slug, objs in result.collections.items()
    }
    row.updated_at = row.published_at
    count, withheld = len(result.published_ids), len(result.withheld_ids)
    db.add(
        lifecycle.move(
            submission,
            S.PUBLISHED,
            actor_account_id=actor.account_id if actor else None,
            reason=f"{reason}: {count} object(s) published, {withheld} withheld",
        )
    )
    await audit.record(
        db,
        actor=actor,
        action="submission.publish",
        subject=f"submission:{submission.id}",
        details={"collections": summary, "published": count, "withheld": withheld},
    )
    await db.flush()
    return result
