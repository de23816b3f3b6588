"""The SQL feed returns exactly what the selection oracle does, page by page, on both backends."""

from __future__ import annotations

import uuid
from random import Random

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from hub.models import Collection, CollectionKind, PublishedObject
from hub.store import objects as published
from hub.store.objects import spec_rank
from hub.taxii.cursor import Position
from hub.taxii.filters import Endpoint, ObjectQuery, VersionSelector
from hub.taxii.oracle import Record, page
from hub.taxii.oracle import select as oracle

IDS = [
    f"{t}--00000000-0000-4000-8000-00000000000{n}"
    for t, n in (("indicator", 1), ("indicator", 2), ("malware", 3), ("malware", 4))
]
SPECS = ["2.0", "2.1", "2.9", "2.10"]
VERSIONS = [10, 20, 30, 40]
STAMPS = list(range(1, 40))

raw_records = st.lists(
    st.tuples(st.sampled_from(IDS), st.sampled_from(VERSIONS), st.sampled_from(SPECS)),
    max_size=14,
    unique_by=lambda r: (r[0], r[1]),
)
selectors = st.one_of(
    st.just(VersionSelector.every()),
    st.builds(
        VersionSelector,
        first=st.booleans(),
        last=st.booleans(),
        timestamps=st.frozensets(st.sampled_from(VERSIONS + [15]), max_size=2),
    ).filter(lambda v: v.first or v.last or v.timestamps),
)
queries = st.builds(
    ObjectQuery,
    endpoint=st.just(Endpoint.OBJECTS),
    limit=st.just(1),
    added_after=st.one_of(st.none(), st.sampled_from(STAMPS)),
    ids=st.one_of(st.none(), st.frozensets(st.sampled_from(IDS), min_size=1, max_size=2)),
    types=st.one_of(
        st.none(), st.frozensets(st.sampled_from(["indicator", "malware", "tool"]), min_size=1)
    ),
    versions=selectors,
    spec_versions=st.one_of(
        st.none(), st.frozensets(st.sampled_from(SPECS), min_size=1, max_size=2)
    ),
)


async def _store(
    db: AsyncSession, records: list[tuple[str, int, str]], added: list[int]
) -> tuple[str, list[Record]]:
    cid = str(uuid.uuid4())
    db.add(
        Collection(
            id=cid,
            slug=f"test-{cid}",
            kind=CollectionKind.MEMBERS,
            title="t",
            description="",
            last_date_added=0,
        )
    )
    await db.flush()
    rows = [
        {
            "collection_id": cid,
            "stix_id": sid,
            "stix_type": sid.partition("--")[0],
            "version": version,
            "spec_version": spec,
            "spec_rank": spec_rank(spec),
            "date_added": date_added,
            "body": b"{}",
        }
        for (sid, version, spec), date_added in zip(records, added, strict=True)
    ]
    if rows:
        await db.execute(insert(PublishedObject), rows)
    stored = await db.execute(
        select(
            PublishedObject.date_added,
            PublishedObject.seq,
            PublishedObject.stix_id,
            PublishedObject.stix_type,
            PublishedObject.version,
            PublishedObject.spec_version,
        ).where(PublishedObject.collection_id == cid)
    )
    return cid, [Record(*r) for r in stored]


Case = tuple[list[tuple[str, int, str]], list[int], ObjectQuery, list[int]]


def _cases() -> list[Case]:
    """Hypothesis draws the cases (reproducibly); the async test runs each against the database."""
    cases: list[Case] = []

    @settings(max_examples=60, deadline=None, derandomize=True, database=None)
    @given(
        records=raw_records,
        order=st.randoms(use_true_random=False),
        query=queries,
        limits=st.lists(st.integers(1, 5), min_size=1, max_size=6),
    )
    def collect(
        records: list[tuple[str, int, str]], order: Random, query: ObjectQuery, limits: list[int]
    ) -> None:
        added = [n * 2 + 1 for n in range(len(records))]  # odd: even added_after values split them
        order.shuffle(added)
        cases.append((records, added, query, limits))

    collect()
    return cases


async def test_sql_pages_equal_the_oracle(engine: AsyncEngine) -> None:
    cases = _cases()
    assert len(cases) == 60
    async with engine.connect() as conn:
        for records, added, query, limits in cases:
            outer = await conn.begin()
            try:
                async with AsyncSession(bind=conn, join_transaction_mode="create_savepoint") as db:
                    await _check(db, records, added, query, limits)
            finally:
                await outer.rollback()


async def _check(
    db: AsyncSession,
    records: list[tuple[str, int, str]],
    added: list[int],
    query: ObjectQuery,
    limits: list[int],
) -> None:
    cid, stored = await _store(db, records, added)
    expected = oracle(stored, query)
    got: list[tuple[str, int, int]] = []
    after: Position | None = None
    step = 0
    while True:
        limit = limits[step % len(limits)]
        step += 1
        q = ObjectQuery(**{**_fields(query), "limit": limit})
        result = await published.page(db, cid, q, after, with_body=False)
        want, more = page(oracle(stored, query, after), limit)
        assert [(r.stix_id, r.version, r.date_added) for r in result.rows] == [
            (r.stix_id, r.version, r.date_added) for r in want
        ], (records, added, query)
        assert result.more == more
        got += [(r.stix_id, r.version, r.date_added) for r in result.rows]
        if not result.more:
            break
        after = result.rows[-1].position
    assert got == [(r.stix_id, r.version, r.date_added) for r in expected]


def _fields(query: ObjectQuery) -> dict[str, object]:
    return {name: getattr(query, name) for name in ObjectQuery.__dataclass_fields__}
