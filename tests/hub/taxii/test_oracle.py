from __future__ import annotations

import json
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.taxii import cursor
from hub.taxii.cursor import Position
from hub.taxii.filters import Endpoint, ObjectQuery, VersionSelector, parse_query
from hub.taxii.oracle import Record, page, select
from hub.taxii.timestamps import parse_micros
from hub.taxii.versioning import object_version, spec_version_key
from tests.paths import OASIS

PROPS = settings(max_examples=150, deadline=None)

A = "indicator--00000000-0000-4000-8000-00000000000a"
B = "indicator--00000000-0000-4000-8000-00000000000b"
M = "malware--00000000-0000-4000-8000-00000000000c"


def q(**kw: object) -> ObjectQuery:
    return ObjectQuery(endpoint=Endpoint.OBJECTS, limit=100, **kw)  # type: ignore[arg-type]


def rec(seq: int, date_added: int, stix_id: str, version: int, spec: str = "2.1") -> Record:
    return Record(date_added, seq, stix_id, stix_id.split("--")[0], version, spec)


# A small collection with several versions per object, added out of version order.
#   A: v10 (added 1), v30 (added 2), v20 (added 5: an older version arriving late)
#   B: v10 (added 3)
#   M: v5 spec 2.0 (added 4), v7 spec 2.0 (added 6), v6 spec 2.1 (added 7)
COLLECTION = [
    rec(1, 1, A, 10),
    rec(2, 2, A, 30),
    rec(3, 3, B, 10),
    rec(4, 4, M, 5, "2.0"),
    rec(5, 5, A, 20),
    rec(6, 6, M, 7, "2.0"),
    rec(7, 7, M, 6, "2.1"),
]


def seqs(result: list[Record]) -> list[int]:
    return [r.seq for r in result]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (q(), [2, 3, 7]),  # last; M only in its latest spec_version 2.1
        (q(versions=VersionSelector(last=True)), [2, 3, 7]),
        (q(versions=VersionSelector(first=True)), [1, 3, 7]),
        (q(versions=VersionSelector(first=True, last=True)), [1, 2, 3, 7]),
        (q(versions=VersionSelector(all=True)), [1, 2, 3, 5, 7]),
        (q(versions=VersionSelector(timestamps=frozenset({20}))), [5]),
        (q(versions=VersionSelector(timestamps=frozenset({10}))), [1, 3]),
        (q(versions=VersionSelector(first=True, timestamps=frozenset({20}))), [1, 3, 5, 7]),
        (q(versions=VersionSelector(timestamps=frozenset({99}))), []),
        # spec_version: explicit values are a plain filter, first/last evaluated inside it.
        (q(spec_versions=frozenset({"2.0"})), [6]),
        (q(spec_versions=frozenset({"2.0"}), versions=VersionSelector(first=True)), [4]),
        (q(spec_versions=frozenset({"2.0", "2.1"})), [2, 3, 6]),
        (
            q(spec_versions=frozenset({"2.0", "2.1"}), versions=VersionSelector(all=True)),
            seqs(COLLECTION),
        ),
        # The default spec filter hides M's 2.0 versions even when asked for by timestamp.
        (q(versions=VersionSelector(timestamps=frozenset({7}))), []),
        (
            q(
                spec_versions=frozenset({"2.0"}),
                versions=VersionSelector(timestamps=frozenset({7})),
            ),
            [6],
        ),
        # type / id: OR within, AND across.
        (q(types=frozenset({"indicator"})), [2, 3]),
        (q(types=frozenset({"malware", "indicator"})), [2, 3, 7]),
        (q(types=frozenset({"report"})), []),
        (q(ids=frozenset({A})), [2]),
        (q(ids=frozenset({A, M})), [2, 7]),
        (q(ids=frozenset({A}), types=frozenset({"malware"})), []),
        (q(ids=frozenset({A, M}), types=frozenset({"malware"})), [7]),
        # added_after is strict and applies before first/last ("matching the remainder").
        (q(added_after=2, versions=VersionSelector(all=True)), [3, 5, 7]),
        (q(added_after=2), [3, 5, 7]),  # A's latest among those added after 2 is v20
        (q(added_after=1), [2, 3, 7]),
        (q(added_after=1, versions=VersionSelector(first=True)), [3, 5, 7]),
        (q(added_after=7), []),
        (q(added_after=6, spec_versions=frozenset({"2.0"})), []),
    ],
)
def test_selection_table(query: ObjectQuery, expected: list[int]) -> None:
    assert seqs(select(COLLECTION, query)) == expected


def test_after_slices_the_result_and_is_not_a_filter() -> None:
    # Evaluating "last" after the cursor would wrongly turn A v20 (seq 5) into A's latest.
    full = select(COLLECTION, q())
    assert seqs(full) == [2, 3, 7]
    assert seqs(select(COLLECTION, q(), after=Position(2, 2))) == [3, 7]
    assert seqs(select(COLLECTION, q(), after=Position(4, 4))) == [7]
    assert select(COLLECTION, q(), after=Position(7, 7)) == []


def test_after_orders_by_date_added_then_seq() -> None:
    tied = [rec(9, 50, A, 1), rec(3, 50, B, 1), rec(4, 50, M, 1)]
    everything = q(versions=VersionSelector(all=True))
    assert seqs(select(tied, everything)) == [3, 4, 9]
    assert seqs(select(tied, everything, after=Position(50, 3))) == [4, 9]
    assert seqs(select(tied, everything, after=Position(49, 10**9))) == [3, 4, 9]


def test_ties_in_version_keep_every_tied_record() -> None:
    twins = [rec(1, 1, A, 10), rec(2, 2, A, 10), rec(3, 3, A, 5)]
    assert seqs(select(twins, q())) == [1, 2]
    assert seqs(select(twins, q(versions=VersionSelector(first=True)))) == [3]


def test_spec_versions_compare_numerically() -> None:
    assert spec_version_key("2.10") > spec_version_key("2.9")
    recs = [rec(1, 1, A, 1, "2.9"), rec(2, 2, A, 1, "2.10")]
    assert seqs(select(recs, q(versions=VersionSelector(all=True)))) == [2]


def test_page() -> None:
    result = select(COLLECTION, q(versions=VersionSelector(all=True)))
    assert page(result, 2) == (result[:2], True)
    assert page(result, 5) == (result, False)
    assert page(result, 6) == (result, False)
    assert page([], 1) == ([], False)
    with pytest.raises(ValueError):
        page(result, 0)


def test_object_version_is_modified_else_created_else_date_added() -> None:
    assert object_version(
        {"modified": "2020-01-01T00:00:00.5Z", "created": "2019-01-01T00:00:00Z"}, 7
    ) == parse_micros("2020-01-01T00:00:00.5Z")
    assert object_version({"created": "2019-01-01T00:00:00Z"}, 7) == parse_micros(
        "2019-01-01T00:00:00Z"
    )
    assert object_version({"type": "ipv4-addr", "value": "198.51.100.3"}, 7) == 7


def _oasis_records() -> list[Record]:
    records: list[Record] = []
    for path in sorted(OASIS.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        objects = doc["objects"] if doc.get("type") == "bundle" else [doc]
        for obj in objects:
            seq = len(records) + 1
            date_added = 1_700_000_000_000_000 + seq
            records.append(
                Record(
                    date_added=date_added,
                    seq=seq,
                    stix_id=obj["id"],
                    type=obj["type"],
                    version=object_version(obj, date_added),
                    spec_version=obj.get("spec_version", "2.1"),
                )
            )
    return records


def test_oasis_examples_through_a_parsed_query() -> None:
    records = _oasis_records()
    assert len(records) > 50
    default = parse_query({}, endpoint=Endpoint.OBJECTS, default_limit=10, max_limit=100)
    latest = select(records, default)
    # One record per object id: the one with the highest version.
    by_id: dict[str, int] = {}
    for r in records:
        by_id[r.stix_id] = max(by_id.get(r.stix_id, r.version), r.version)
    assert {r.stix_id for r in latest} == set(by_id)
    assert all(r.version == by_id[r.stix_id] for r in latest)
    indicators = parse_query(
        {"match[type]": "indicator,malware"},
        endpoint=Endpoint.MANIFEST,
        default_limit=10,
        max_limit=100,
    )
    chosen = select(records, indicators)
    assert chosen and {r.type for r in chosen} <= {"indicator", "malware"}
    assert [r for r in latest if r.type in ("indicator", "malware")] == chosen


# ---------------------------------------------------------------------------
# Property tests over random collections and queries.

ID_POOL = [
    "indicator--00000000-0000-4000-8000-000000000001",
    "indicator--00000000-0000-4000-8000-000000000002",
    "malware--00000000-0000-4000-8000-000000000003",
    "sighting--00000000-0000-4000-8000-000000000004",
    "malware--00000000-0000-4000-8000-000000000005",
]
TYPE_POOL = sorted({i.split("--")[0] for i in ID_POOL})
SPEC_POOL = ["2.0", "2.1"]

raw_record = st.tuples(
    st.integers(min_value=0, max_value=12),  # date_added (ties allowed)
    st.sampled_from(ID_POOL),
    st.integers(min_value=0, max_value=6),  # version (ties allowed)
    st.sampled_from(SPEC_POOL),
)


def build(raws: list[tuple[int, str, int, str]], first_seq: int = 1) -> list[Record]:
    return [
        Record(d, first_seq + n, i, i.split("--")[0], v, s) for n, (d, i, v, s) in enumerate(raws)
    ]


collections = st.lists(raw_record, max_size=25).map(build)


def optional_subset(pool: list[str]) -> st.SearchStrategy[frozenset[str] | None]:
    return st.none() | st.frozensets(st.sampled_from(pool), min_size=1)


selectors = st.one_of(
    st.just(VersionSelector(all=True)),
    st.builds(
        VersionSelector,
        first=st.booleans(),
        last=st.booleans(),
        timestamps=st.frozensets(st.integers(min_value=0, max_value=6), max_size=3),
    ),
)
queries = st.builds(
    ObjectQuery,
    endpoint=st.just(Endpoint.OBJECTS),
    limit=st.just(100),
    added_after=st.none() | st.integers(min_value=-1, max_value=12),
    ids=optional_subset(ID_POOL),
    types=optional_subset(TYPE_POOL),
    versions=selectors,
    spec_versions=optional_subset(SPEC_POOL),
)


def candidates_of(records: list[Record], query: ObjectQuery, stix_id: str) -> list[Record]:
    """The versions of one object that first/last range over: per-record filters, then spec."""
    rs = [
        r
        for r in records
        if r.stix_id == stix_id
        and (query.added_after is None or r.date_added > query.added_after)
        and (query.ids is None or r.stix_id in query.ids)
        and (query.types is None or r.type in query.types)
        and (query.spec_versions is None or r.spec_version in query.spec_versions)
    ]
    if query.spec_versions is None and rs:
        top = max(spec_version_key(r.spec_version) for r in rs)
        rs = [r for r in rs if spec_version_key(r.spec_version) == top]
    return rs


@PROPS
@given(collections, queries)
def test_result_is_exactly_the_specified_set_in_ascending_order(
    records: list[Record], query: ObjectQuery
) -> None:
    result = select(records, query)
    keys = [(r.date_added, r.seq) for r in result]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)

    expected: set[Record] = set()
    for stix_id in ID_POOL:
        cands = candidates_of(records, query, stix_id)
        if not cands:
            continue
        versions = [r.version for r in cands]
        sel = query.versions
        for r in cands:
            if (
                sel.all
                or (sel.first and r.version == min(versions))
                or (sel.last and r.version == max(versions))
                or r.version in sel.timestamps
            ):
                expected.add(r)
    assert set(result) == expected


@PROPS
@given(collections, queries, st.integers(min_value=-1, max_value=13), st.integers(0, 30))
def test_after_is_a_suffix_of_the_full_result(
    records: list[Record], query: ObjectQuery, date_added: int, seq: int
) -> None:
    after = Position(date_added, seq)
    full = select(records, query)
    assert select(records, query, after) == [r for r in full if r.position > after]


@PROPS
@given(collections, queries, queries)
def test_fields_or_within_and_across(
    records: list[Record], base: ObjectQuery, other: ObjectQuery
) -> None:
    # Type and id are constant across an object's versions, so OR within them is a union
    # of results and AND across them an intersection.
    a, b = ID_POOL[0], ID_POOL[2]
    both = select(records, replace(base, ids=frozenset({a, b})))
    assert set(both) == set(select(records, replace(base, ids=frozenset({a})))) | set(
        select(records, replace(base, ids=frozenset({b})))
    )
    t1, t2 = TYPE_POOL[0], TYPE_POOL[1]
    either = select(records, replace(base, types=frozenset({t1, t2})))
    assert set(either) == set(select(records, replace(base, types=frozenset({t1})))) | set(
        select(records, replace(base, types=frozenset({t2})))
    )
    if base.ids is not None and base.types is not None:
        assert set(select(records, base)) == set(select(records, replace(base, types=None))) & set(
            select(records, replace(base, ids=None))
        )
    # Version terms OR together.
    sel = other.versions
    if not sel.all:
        parts = [VersionSelector(first=sel.first), VersionSelector(last=sel.last)]
        parts += [VersionSelector(timestamps=frozenset({t})) for t in sel.timestamps]
        union: set[Record] = set()
        for part in parts:
            union |= set(select(records, replace(base, versions=part)))
        assert set(select(records, replace(base, versions=sel))) == union


@PROPS
@given(collections, queries)
def test_all_is_a_superset_and_last_is_one_per_object(
    records: list[Record], query: ObjectQuery
) -> None:
    every = set(select(records, replace(query, versions=VersionSelector(all=True))))
    assert set(select(records, query)) <= every
    latest = select(records, replace(query, versions=VersionSelector(last=True)))
    per_object = {r.stix_id for r in latest}
    # One record per object unless two versions tie exactly.
    for stix_id in per_object:
        mine = [r for r in latest if r.stix_id == stix_id]
        assert len({r.version for r in mine}) == 1


@PROPS
@given(collections, queries)
def test_default_spec_version_is_the_latest_per_object(
    records: list[Record], query: ObjectQuery
) -> None:
    default = select(records, replace(query, spec_versions=None))
    for r in default:
        in_scope = [
            o
            for o in records
            if o.stix_id == r.stix_id
            and (query.added_after is None or o.date_added > query.added_after)
        ]
        assert spec_version_key(r.spec_version) == max(
            spec_version_key(o.spec_version) for o in in_scope
        )
    explicit = select(records, replace(query, spec_versions=frozenset({"2.0"})))
    assert all(r.spec_version == "2.0" for r in explicit)


@PROPS
@given(collections, st.integers(min_value=-1, max_value=12))
def test_added_after_is_strict(records: list[Record], bound: int) -> None:
    everything = q(versions=VersionSelector(all=True), spec_versions=frozenset(SPEC_POOL))
    after = select(records, replace(everything, added_after=bound))
    assert after == [r for r in select(records, everything) if r.date_added > bound]
    assert all(r.date_added != bound for r in after)


# ---------------------------------------------------------------------------
# Paging through the oracle with signed cursors, limits that change between pages, and
# records appended between pages.

KEY = cursor.derive_key(b"test secret", cursor.CURSOR_KEY_PURPOSE)
COLLECTION_ID = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"


@settings(max_examples=120, deadline=None)
@given(
    collections,
    queries,
    st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=6),  # limit for this page
            st.lists(  # records appended before the next page
                st.tuples(
                    st.integers(min_value=1, max_value=3),  # date_added gap (strictly later)
                    st.sampled_from(ID_POOL),
                    st.integers(min_value=0, max_value=8),
                    st.sampled_from(SPEC_POOL),
                ),
                max_size=3,
            ),
        ),
        min_size=1,
        max_size=40,
    ),
)
def test_paging_never_misses_or_repeats(
    initial: list[Record],
    query: ObjectQuery,
    steps: list[tuple[int, list[tuple[int, str, int, str]]]],
) -> None:
    records = list(initial)
    fingerprint = query.fingerprint()
    delivered: list[Record] = []
    token: str | None = None
    step = 0
    while True:
        limit, appended = steps[step % len(steps)]
        step += 1
        after = None
        if token is not None:
            after = cursor.decode(
                token, collection_id=COLLECTION_ID, fingerprint=fingerprint, key=KEY
            )
        current = select(records, query, after)
        chunk, more = page(current, limit)
        assert len(chunk) <= limit
        # Each page is a slice of the query's whole result at the time it is served.
        assert set(chunk) <= set(select(records, query))
        delivered.extend(chunk)
        if not more:
            break
        token = cursor.encode(
            chunk[-1].position, collection_id=COLLECTION_ID, fingerprint=fingerprint, key=KEY
        )
        # Appends only while the walk is young, so every walk terminates.
        if step < len(steps):
            top = max((r.date_added for r in records), default=0)
            seq = max((r.seq for r in records), default=0)
            for gap, stix_id, version, spec in appended:
                top += gap
                seq += 1
                records.append(Record(top, seq, stix_id, stix_id.split("--")[0], version, spec))
        assert step < 10_000

    positions = [r.position for r in delivered]
    assert positions == sorted(positions)
    assert len(set(positions)) == len(positions), "a record was delivered twice"
    final = select(records, query)
    missing = set(final) - set(delivered)
    assert not missing, f"missed {missing}"
