"""TAXII pull: follow upstream collections by `added_after` and bring their objects in.

Pulled content is just another client's content. A source in `member` mode submits each
page through `hub.intake` as the member it stands for, so it is validated, sanitized and
queued for an operator like any report; with auto-approval the source's automatic operator
approves it through `hub.review` and the member's consent, given by registering the source,
goes through `hub.consent` (both recorded in the audit log). A source in `validate` mode is
a trusted feed: each object is validated and published by `hub.store.posts.post_direct` under
each target collection's TLP ceiling, ids kept, so the same object federated twice is one.

The high-water mark per collection is the last `X-TAXII-Date-Added-Last` taken in, written
in the same transaction as the page's objects: a crash re-reads at most one page, and
re-reading is harmless (identical objects publish as unchanged).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connectors import egress, sealing, taxii_client
from connectors.jobs import Claimed, Runtime, describe, record_run, run_scheduled
from hub import review, sharing
from hub.keys import Keyring, SealError
from hub.members import principals
from hub.members.principals import Principal
from hub.models import (
    Account,
    ConnectorSource,
    SourceMode,
    Submission,
    SubmissionReview,
    SubmissionState,
)
from hub.stix.tlp import Tlp, marking_id_for, marking_refs
from hub.store import collections, posts
from hub.submissions import consent, intake, pipeline

log = logging.getLogger("mamori.connectors.pull")
MEDIA = "application/stix+json;version=2.1"


class UpstreamError(Exception):
    """The upstream answered something this client cannot continue from."""


@dataclass(frozen=True, slots=True)
class RemotePage:
    objects: list[dict[str, Any]]
    more: bool
    next: str | None
    date_added_last: str | None


@dataclass(slots=True)
class CollectionPull:
    """What one collection of one run brought in."""

    fetched: int = 0
    accepted: int = 0
    failed: int = 0
    pages: int = 0
    high_water: str | None = None
    submissions: list[str] = field(default_factory=list)


@dataclass(slots=True)
class PullReport:
    collections: dict[str, CollectionPull] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def accepted(self) -> int:
        return sum(c.accepted for c in self.collections.values())


def remote_of(source: ConnectorSource, keyring: Keyring) -> taxii_client.Remote:
    """The upstream as the client reaches it, its credential unsealed for the run."""
    credential = sealing.open_credential(keyring, source.credential, "connector_source")
    return taxii_client.Remote(
        source.api_root_url, source.auth_kind, source.username, credential, source.ca_file
    )


def fetch_page(
    session: taxii_client.Session,
    collection_id: str,
    *,
    added_after: str | None,
    next_token: str | None,
    limit: int,
) -> RemotePage:
    """One Get Objects request (every version), with its date headers (blocking)."""
    envelope = session.collection(collection_id).get_objects(
        added_after=added_after, limit=limit, next=next_token, version="all"
    )
    objects = envelope.get("objects", []) if isinstance(envelope, dict) else []
    if not isinstance(objects, list):
        raise UpstreamError("the upstream's envelope has no list of objects")
    headers = {k.lower(): v for k, v in session.last_headers.items()}
    return RemotePage(
        objects=[o for o in objects if isinstance(o, dict)],
        more=bool(envelope.get("more", False)),
        next=envelope.get("next") or None,
        date_added_last=headers.get("x-taxii-date-added-last"),
    )


async def principal_for(db: AsyncSession, account_id: str) -> Principal:
    """A principal for one of the connector's own accounts (they have no keys)."""
    account = await db.get(Account, account_id)
    if account is None or account.disabled_at is not None:
        raise UpstreamError(f"connector account {account_id} is missing or disabled")
    return await principals.of_account(db, account)


def with_default_tlp(objects: list[dict[str, Any]], level: Tlp) -> list[dict[str, Any]]:
    """Mark the objects the upstream left unmarked with the source's default TLP."""
    marking = marking_id_for(level)
    out = []
    for obj in objects:
        if obj.get("type") == "marking-definition" or any(True for _ in marking_refs(obj)):
            out.append(obj)
        else:
            out.append(obj | {"object_marking_refs": [marking]})
    return out


def scope_for(source: ConnectorSource, own_sector: str) -> sharing.Scope:
    """The sharing scope an automatic approval gives: the source's sectors."""
    extra = frozenset(s for s in source.sectors if s != own_sector)
    if extra:
        return sharing.Scope(sharing.Breadth.SECTORS, extra)
    return sharing.Scope(sharing.Breadth.SECTOR)


async def _ingest(
    db: AsyncSession, runtime: Runtime, source: ConnectorSource, objects: list[dict[str, Any]]
) -> tuple[int, int, str | None]:
    """Bring one page in, in the caller's transaction: (accepted, failed, submission id)."""
    settings = runtime.settings
    level = Tlp.parse(source.default_tlp)
    if source.mode is SourceMode.VALIDATE:
        operator = await principal_for(db, source.account_id)
        accepted = failed = 0
        for slug in source.sectors:
            collection = await collections.by_slug(db, sharing.sector_collection(slug))
            status = await posts.post_direct(db, operator, collection, objects, default_tlp=level)
            accepted = max(accepted, len(status.successes or []))
            failed = max(failed, len(status.failures or []))
        return accepted, failed, None
    submitter = await principal_for(db, source.account_id)
    marked = with_default_tlp(objects, level)
    body = orjson.dumps({"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": marked})
    limits = settings.limits
    submission = await intake.receive(
        db, submitter, body, content_type=MEDIA, limits=limits, source="taxii-pull"
    )
    return 0, 0, submission.id


async def process_submission(
    runtime: Runtime, source: ConnectorSource, submission_id: str
) -> SubmissionState | None:
    """Validate and sanitize a pulled submission, and approve it when the source is trusted."""
    await pipeline.process_in_own_transaction(runtime.maker, submission_id, runtime.ctx)
    return await auto_approve(runtime, source, submission_id)


async def auto_approve(
    runtime: Runtime, source: ConnectorSource, submission_id: str
) -> SubmissionState | None:
    """The automatic operator's approval and the member's standing consent, when trusted."""
    async with runtime.maker.begin() as db:
        submission = await db.get(Submission, submission_id)
        if submission is None or submission.state is not SubmissionState.IN_REVIEW:
            return submission.state if submission is not None else None
        if not source.auto_approve or source.approver_account_id is None:
            return submission.state
        operator = await principal_for(db, source.approver_account_id)
        submitter = await principal_for(db, source.account_id)
        scope = scope_for(source, submitter.sector_slug or "")
        approval = await review.approve(
            db,
            operator,
            submission_id,
            scope,
            settings=runtime.settings,
            ctx=runtime.ctx,
            note=f"automatic approval: trusted source {source.name}",
        )
        if approval.stage == "awaiting_consent":
            await consent.approve(
                db,
                submitter,
                submission_id,
                cross_sector=bool(scope.extra_sectors),
                amber_strict=False,
                ctx=runtime.ctx,
                rules=runtime.settings.sharing,
                note=f"consented in advance by registering source {source.name}",
            )
        return submission.state


async def approve_waiting(runtime: Runtime, source: ConnectorSource) -> int:
    """Approve what an earlier run left in review (the sweep sanitized it, or a crash came)."""
    if source.mode is not SourceMode.MEMBER or not source.auto_approve:
        return 0
    async with runtime.maker() as db:
        waiting = list(
            await db.scalars(
                select(Submission.id)
                .outerjoin(SubmissionReview, SubmissionReview.submission_id == Submission.id)
                .where(
                    Submission.account_id == source.account_id,
                    Submission.state == SubmissionState.IN_REVIEW,
                    # Only what no operator has touched: an operator's reopen or edit stands.
                    SubmissionReview.submission_id.is_(None),
                )
            )
        )
    for submission_id in waiting:
        await auto_approve(runtime, source, submission_id)
    return len(waiting)


async def pull_collection(
    runtime: Runtime,
    source: ConnectorSource,
    session: taxii_client.Session,
    collection_id: str,
    *,
    max_pages: int | None = None,
) -> CollectionPull:
    """Follow one upstream collection from its high-water mark to the end (or `max_pages`)."""
    result = CollectionPull()
    added_after: str | None = (source.progress or {}).get(collection_id)
    next_token: str | None = None
    while max_pages is None or result.pages < max_pages:
        page = await asyncio.to_thread(
            fetch_page,
            session,
            collection_id,
            added_after=added_after,
            next_token=next_token,
            limit=source.page_size,
        )
        result.pages += 1
        result.fetched += len(page.objects)
        submission_id = None
        async with runtime.maker.begin() as db:
            row = await db.get(ConnectorSource, source.id)
            if row is None:
                raise UpstreamError(f"source {source.name} was removed during the pull")
            if page.objects:
                accepted, failed, submission_id = await _ingest(db, runtime, row, page.objects)
                result.accepted += accepted
                result.failed += failed
                row.objects_moved += len(page.objects)
            if page.date_added_last:
                row.progress = {**(row.progress or {}), collection_id: page.date_added_last}
                result.high_water = page.date_added_last
        if submission_id is not None:
            result.submissions.append(submission_id)
            state = await process_submission(runtime, source, submission_id)
            if state is SubmissionState.PUBLISHED:
                result.accepted += len(page.objects)
        if not page.more:
            break
        if page.next:
            next_token = page.next
        elif page.date_added_last:
            # No `next` from this server: continue after the last object it sent.
            added_after, next_token = page.date_added_last, None
        else:
            raise UpstreamError("more pages announced without next or X-TAXII-Date-Added-Last")
    return result


async def pull(runtime: Runtime, source_id: str, *, max_pages: int | None = None) -> PullReport:
    """One run of a source: every collection, each on its own (a failure skips only that one)."""
    async with runtime.maker() as db:
        source = await db.get(ConnectorSource, source_id)
    if source is None:
        raise UpstreamError(f"no source {source_id}")
    report = PullReport()
    try:
        session = await asyncio.to_thread(
            taxii_client.Session,
            remote_of(source, runtime.settings.keyring),
            egress.policy_for(runtime.settings),
        )
    except SealError as exc:  # the credential's key epoch is not configured
        report.errors["*"] = describe(exc)
        await record_run(runtime.maker, ConnectorSource, source_id, report.errors)
        return report
    try:
        for collection_id in source.collections:
            try:
                report.collections[collection_id] = await pull_collection(
                    runtime, source, session, collection_id, max_pages=max_pages
                )
            except Exception as exc:
                log.warning(
                    "pull failed", extra={"source": source.name, "collection": collection_id}
                )
                report.errors[collection_id] = describe(exc)
    finally:
        await asyncio.to_thread(session.close)
    try:
        await approve_waiting(runtime, source)
    except Exception as exc:
        report.errors["approval"] = describe(exc)
    await record_run(runtime.maker, ConnectorSource, source_id, report.errors)
    return report


async def run_job(runtime: Runtime, job: Claimed) -> timedelta | None:
    """The worker's pull job: None ends it (source removed); errors make it retry with backoff."""

    async def run(rt: Runtime, source_id: str) -> dict[str, str]:
        return (await pull(rt, source_id)).errors

    return await run_scheduled(runtime, job, ConnectorSource, run, UpstreamError)


def check(
    remote: taxii_client.Remote,
    collection_ids: list[str],
    *,
    write: bool,
    policy: egress.Policy = egress.STRICT,
) -> list[str]:
    """Reach the API root and each collection; the problems found, in fixed words (blocking)."""
    problems: list[str] = []
    with taxii_client.Session(remote, policy) as session:
        try:
            session.max_content_length()
        except Exception as exc:
            return [f"API root: {taxii_client.category(exc)}"]
        for collection_id in collection_ids:
            try:
                coll = session.collection(collection_id)
                allowed = coll.can_write if write else coll.can_read
                if not allowed:
                    verb = "write to" if write else "read"
                    problems.append(
                        f"collection {collection_id}: these credentials cannot {verb} it"
                    )
            except Exception as exc:
                problems.append(f"collection {collection_id}: {taxii_client.category(exc)}")
    return problems
