"""Published objects: the writer that gives each a unique, rising `date_added`, and the SQL
that serves TAXII pages (the selection of `hub.taxii.oracle.select`, keyset-paged).

`date_added` is assigned under a per-collection lock (the collection row, `SELECT … FOR
UPDATE` on PostgreSQL; SQLite's `BEGIN IMMEDIATE` already serialises writers) as
`max(now, last + 1)` microseconds, so assignment order is commit order: a poller that has
seen `date_added = t` never later finds a new object at or before `t`.

Each page is one indexed range scan from the cursor position in `date_added` order
(`date_added` is unique per collection, so it alone is the keyset), with per-row
`NOT EXISTS` probes on (collection, stix_id, version) for the spec_version and
first/last rules. Nothing scans the rest of the collection, so the last page of a large
collection costs what the first does.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import orjson
from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    bindparam,
    delete,
    exists,
    false,
    insert,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import Collection, PublishedObject
from hub.store import collections
from hub.taxii.cursor import Position
from hub.taxii.filters import ObjectQuery
from hub.taxii.timestamps import TimestampError
from hub.taxii.versioning import object_version, spec_version_key

_LOOKUP_CHUNK = 500
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
    if db.get_bind().dialect.name == "postgresql":
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
    prepared = [prepare(obj) for obj in objects]
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
class Prepared:
    stix_id: str
    stix_type: str
    spec_version: str
    version: int | None
    body: bytes


def prepare(obj: Mapping[str, Any]) -> Prepared:
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
    return Prepared(stix_id, stix_type, spec_version, version, canonical(obj))


# --- reading ------------------------------------------------------------------------------

_T = cast(Table, PublishedObject.__table__)
_S = _T.alias("newer")


@dataclass(frozen=True, slots=True)
class Row:
    """One selected record with the columns a page may need."""

    seq: int
    date_added: int
    stix_id: str
    version: int
    spec_version: str
    body: bytes | None

    @property
    def position(self) -> Position:
        return Position(self.date_added, self.seq)


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[Row]
    more: bool


def selection(collection_id: str, query: ObjectQuery) -> list[ColumnElement[bool]]:
    """WHERE terms equal to `versions.select` (without the cursor) for one collection."""
    return _conditions(query, _bound_values(collection_id, query))


def _bound_values(collection_id: str, query: ObjectQuery) -> dict[str, Any]:
    """The values of the bound parameters `_conditions` names, for this query."""
    return {
        "collection_id": collection_id,
        "added_after": query.added_after,
        "ids": sorted(query.ids or ()),
        "types": sorted(query.types or ()),
        "spec_versions": sorted(query.spec_versions or ()),
        "timestamps": sorted(query.versions.timestamps),
    }


def _conditions(
    query: ObjectQuery, values: dict[str, Any] | None = None
) -> list[ColumnElement[bool]]:
    """The selection's terms over named parameters: bound to `values`, or left to the caller.

    Without values the terms depend only on the query's shape (which filters are present,
    which version keywords), so one statement serves every query of that shape.
    """

    def param(name: str, *, expanding: bool = False) -> Any:
        if values is None:
            return bindparam(name, expanding=expanding)
        return bindparam(name, values[name], expanding=expanding)

    conds: list[ColumnElement[bool]] = [_T.c.collection_id == param("collection_id")]
    if query.added_after is not None:
        conds.append(_T.c.date_added > param("added_after"))
    if query.ids is not None:
        conds.append(_T.c.stix_id.in_(param("ids", expanding=True)))
    if query.types is not None:
        conds.append(_T.c.stix_type.in_(param("types", expanding=True)))
    if query.spec_versions is not None:
        conds.append(_T.c.spec_version.in_(param("spec_versions", expanding=True)))

    def other(*terms: ColumnElement[bool]) -> ColumnElement[bool]:
        """Another record of the same object that also passes the per-record filters."""
        same = [_S.c.collection_id == _T.c.collection_id, _S.c.stix_id == _T.c.stix_id]
        if query.added_after is not None:
            # "+ 0" keeps SQLite from probing by date_added here instead of by stix_id.
            same.append(_S.c.date_added + 0 > param("added_after"))
        if query.spec_versions is not None:
            same.append(_S.c.spec_version.in_(param("spec_versions", expanding=True)))
        return exists().where(*same, *terms)

    latest_spec = query.spec_versions is None
    same_spec: ColumnElement[bool] = _S.c.spec_rank == _T.c.spec_rank if latest_spec else true()
    wanted = query.versions
    if wanted.all:
        if latest_spec:
            conds.append(not_(other(_S.c.spec_rank > _T.c.spec_rank)))
        return conds

    if latest_spec and wanted.last and not wanted.first and not wanted.timestamps:
        # The default poll: one probe for "a higher (spec_version, version) exists".
        higher = or_(
            _S.c.spec_rank > _T.c.spec_rank,
            and_(_S.c.spec_rank == _T.c.spec_rank, _S.c.version > _T.c.version),
        )
        conds.append(not_(other(higher)))
        return conds

    if latest_spec:
        conds.append(not_(other(_S.c.spec_rank > _T.c.spec_rank)))
    terms: list[ColumnElement[bool]] = []
    if wanted.last:
        terms.append(not_(other(same_spec, _S.c.version > _T.c.version)))
    if wanted.first:
        terms.append(not_(other(same_spec, _S.c.version < _T.c.version)))
    if wanted.timestamps:
        terms.append(_T.c.version.in_(param("timestamps", expanding=True)))
    conds.append(or_(*terms) if terms else false())
    return conds


# One prepared statement per query shape, so a poll builds no SQL expression and SQLAlchemy
# finds the compiled form at once. Shapes are few (flags only), so the dict stays small.
_Shape = tuple[bool, bool, bool, bool, bool, bool, bool, bool, bool, bool]
_statements: dict[_Shape, Select[Any]] = {}


def _page_statement(query: ObjectQuery, *, resume: bool, with_body: bool) -> Select[Any]:
    wanted = query.versions
    shape: _Shape = (
        query.added_after is not None,
        query.ids is not None,
        query.types is not None,
        query.spec_versions is not None,
        wanted.all,
        wanted.first,
        wanted.last,
        bool(wanted.timestamps),
        resume,
        with_body,
    )
    stmt = _statements.get(shape)
    if stmt is None:
        columns: list[Any] = [
            _T.c.seq,
            _T.c.date_added,
            _T.c.stix_id,
            _T.c.version,
            _T.c.spec_version,
        ]
        if with_body:
            columns.append(_T.c.body)
        conds = _conditions(query)
        if resume:
            # date_added is unique within a collection, so it alone orders and resumes the walk.
            conds.append(_T.c.date_added > bindparam("after"))
        # With match[id] the (collection, stix_id, version) index finds the few rows at once;
        # ordering on the bare column would let SQLite's planner walk the whole collection in
        # date_added order instead (it does, without ANALYZE statistics), so hide that index.
        order = _T.c.date_added + 0 if query.ids is not None else _T.c.date_added
        stmt = select(*columns).where(*conds).order_by(order).limit(bindparam("limit"))
        _statements[shape] = stmt
    return stmt


async def page(
    db: AsyncSession,
    collection_id: str,
    query: ObjectQuery,
    after: Position | None,
    *,
    with_body: bool,
) -> Page:
    """Up to `query.limit` selected records strictly after `after`, ascending by date_added."""
    stmt = _page_statement(query, resume=after is not None, with_body=with_body)
    params = _bound_values(collection_id, query) | {"limit": query.limit + 1}
    if after is not None:
        params["after"] = after.date_added
    result = (await db.execute(stmt, params)).all()
    more = len(result) > query.limit
    rows = [
        Row(
            seq=r[0],
            date_added=r[1],
            stix_id=r[2],
            version=r[3],
            spec_version=r[4],
            body=bytes(r[5]) if with_body else None,
        )
        for r in result[: query.limit]
    ]
    return Page(rows, more)


async def has_object(db: AsyncSession, collection_id: str, stix_id: str) -> bool:
    """Whether any version of the object is in the collection (§5.6/§5.8 answer 404 if not)."""
    found = await db.scalar(
        select(_T.c.seq)
        .where(_T.c.collection_id == collection_id, _T.c.stix_id == stix_id)
        .limit(1)
    )
    return found is not None


async def remove(db: AsyncSession, collection_id: str, query: ObjectQuery) -> list[tuple[str, int]]:
    """Delete the selected versions (§5.7); the (id, version) pairs that were removed."""
    chosen = (
        await db.execute(
            select(_T.c.seq, _T.c.stix_id, _T.c.version).where(*selection(collection_id, query))
        )
    ).all()
    seqs: Sequence[int] = [r[0] for r in chosen]
    if seqs:
        await db.execute(delete(_T).where(_T.c.seq.in_(seqs)))
    return [(r[1], r[2]) for r in chosen]
