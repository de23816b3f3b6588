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

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    delete,
    exists,
    false,
    not_,
    or_,
    select,
    true,
)
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
