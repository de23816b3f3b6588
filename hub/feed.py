"""The SQL that serves TAXII pages: the selection of `hub.taxii.versions.select`, keyset-paged.

Each page is one indexed range scan from the cursor position in `date_added` order
(`date_added` is unique per collection, so it alone is the keyset), with per-row
`NOT EXISTS` probes on (collection, stix_id, version) for the spec_version and
first/last rules. Nothing scans the rest of the collection, so the last page of a large
collection costs what the first does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, exists, false, not_, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import PublishedObject
from hub.taxii.cursor import Position
from hub.taxii.filters import ObjectQuery

_T = PublishedObject.__table__
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
    conds: list[ColumnElement[bool]] = [_T.c.collection_id == collection_id]
    if query.added_after is not None:
        conds.append(_T.c.date_added > query.added_after)
    if query.ids is not None:
        conds.append(_T.c.stix_id.in_(sorted(query.ids)))
    if query.types is not None:
        conds.append(_T.c.stix_type.in_(sorted(query.types)))
    if query.spec_versions is not None:
        conds.append(_T.c.spec_version.in_(sorted(query.spec_versions)))

    def other(*terms: ColumnElement[bool]) -> ColumnElement[bool]:
        """Another record of the same object that also passes the per-record filters."""
        same = [_S.c.collection_id == _T.c.collection_id, _S.c.stix_id == _T.c.stix_id]
        if query.added_after is not None:
            # "+ 0" keeps SQLite from probing by date_added here instead of by stix_id.
            same.append(_S.c.date_added + 0 > query.added_after)
        if query.spec_versions is not None:
            same.append(_S.c.spec_version.in_(sorted(query.spec_versions)))
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
        terms.append(_T.c.version.in_(sorted(wanted.timestamps)))
    conds.append(or_(*terms) if terms else false())
    return conds


async def page(
    db: AsyncSession,
    collection_id: str,
    query: ObjectQuery,
    after: Position | None,
    *,
    with_body: bool,
) -> Page:
    """Up to `query.limit` selected records strictly after `after`, ascending by date_added."""
    columns: list[Any] = [
        _T.c.seq,
        _T.c.date_added,
        _T.c.stix_id,
        _T.c.version,
        _T.c.spec_version,
    ]
    if with_body:
        columns.append(_T.c.body)
    conds = selection(collection_id, query)
    if after is not None:
        # date_added is unique within a collection, so it alone orders and resumes the walk.
        conds.append(_T.c.date_added > after.date_added)
    # With match[id] the (collection, stix_id, version) index finds the few rows at once;
    # ordering on the bare column would let SQLite's planner walk the whole collection in
    # date_added order instead (it does, without ANALYZE statistics), so hide that index.
    order = _T.c.date_added + 0 if query.ids is not None else _T.c.date_added
    stmt = select(*columns).where(*conds).order_by(order).limit(query.limit + 1)
    result = (await db.execute(stmt)).all()
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
