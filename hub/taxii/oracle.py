"""Reference semantics of TAXII 2.1 object selection, as a pure oracle over in-memory records.

The SQL store must return exactly what `select` returns for the same records and query;
this module favours being obviously right over being fast.

Order of evaluation, per TAXII 2.1 §3.4.1:

1. Per-record predicates, ANDed across fields and ORed within one: `added_after`
   (strictly greater `date_added`), `match[id]`, `match[type]`, explicit `match[spec_version]`.
2. Without `match[spec_version]`: keep, per object id, only records of that object's highest
   spec_version among the records left by step 1 ("the server MUST return only the latest
   specification version that it can provide for each object matching the remainder of the
   request").
3. `match[version]`: `first`/`last` are the lowest/highest version per object id among the
   records left by steps 1-2 ("If no version parameter is provided, the server MUST return
   only the latest version for each object matching the remainder of the request").
   "Matching the remainder of the request" is why `added_after` applies before `first`/`last`
   (medallion does the same). A timestamp term keeps records whose version equals it.
4. Order ascending by `(date_added, seq)` (§3.3).

The `next` cursor is *not* a filter: it only drops records at or before its position from
the fully evaluated result. Evaluating `last` after a cursor would turn an older version,
added later, into "the latest" on page two.

Ties: if two records of one object share a version, both are kept by `first`/`last`
(the `= MIN()/MAX() OVER (PARTITION BY id)` reading). The store keeps (collection, id,
version) unique, so this only matters for the oracle's own generality.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from hub.taxii.cursor import Position
from hub.taxii.filters import ObjectQuery
from hub.taxii.versioning import spec_version_key

__all__ = ["Record", "page", "select"]


@dataclass(frozen=True, slots=True)
class Record:
    """One stored object version in a collection, with the columns filtering needs."""

    date_added: int  # epoch microseconds
    seq: int  # store-assigned tiebreaker, unique within a collection
    stix_id: str
    type: str
    version: int  # epoch microseconds of modified, else created, else date_added
    spec_version: str

    @property
    def position(self) -> Position:
        """Where this record sits in the collection's `date_added` order."""
        return Position(self.date_added, self.seq)


def select(
    records: Iterable[Record], query: ObjectQuery, after: Position | None = None
) -> list[Record]:
    """Everything `query` matches, ascending by `(date_added, seq)`, strictly after `after`."""
    candidates = [r for r in records if _matches(r, query)]

    if query.spec_versions is None:
        latest_spec: dict[str, tuple[int, ...]] = {}
        for r in candidates:
            key = spec_version_key(r.spec_version)
            if r.stix_id not in latest_spec or key > latest_spec[r.stix_id]:
                latest_spec[r.stix_id] = key
        candidates = [
            r for r in candidates if spec_version_key(r.spec_version) == latest_spec[r.stix_id]
        ]

    wanted = query.versions
    if not wanted.all:
        lowest: dict[str, int] = {}
        highest: dict[str, int] = {}
        for r in candidates:
            lowest[r.stix_id] = min(lowest.get(r.stix_id, r.version), r.version)
            highest[r.stix_id] = max(highest.get(r.stix_id, r.version), r.version)
        candidates = [
            r
            for r in candidates
            if (wanted.first and r.version == lowest[r.stix_id])
            or (wanted.last and r.version == highest[r.stix_id])
            or r.version in wanted.timestamps
        ]

    ordered = sorted(candidates, key=lambda r: (r.date_added, r.seq))
    if after is not None:
        ordered = [r for r in ordered if r.position > after]
    return ordered


def page(selected: Sequence[Record], limit: int) -> tuple[list[Record], bool]:
    """The first `limit` records of a selection, and whether more remain (§3.5 `more`)."""
    if limit <= 0:
        raise ValueError("limit must be positive")
    return list(selected[:limit]), len(selected) > limit


def _matches(r: Record, query: ObjectQuery) -> bool:
    if query.added_after is not None and not r.date_added > query.added_after:
        return False
    if query.ids is not None and r.stix_id not in query.ids:
        return False
    if query.types is not None and r.type not in query.types:
        return False
    return query.spec_versions is None or r.spec_version in query.spec_versions
