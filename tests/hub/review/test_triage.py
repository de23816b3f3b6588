"""Triage aids: observable values, MISP warninglists, corroboration without naming anyone."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import Submission
from hub.review import triage
from tests.factories import make_member

IND = {
    "type": "indicator",
    "id": "indicator--1",
    "pattern_type": "stix",
    "pattern": "[url:value = 'http://evil.example.net/a\\'b'] OR "
    "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']",
}


def test_values_of_scos_hashes_and_pattern_constants() -> None:
    assert triage.values_of({"type": "ipv4-addr", "id": "ipv4-addr--1", "value": "8.8.8.8"}) == [
        "8.8.8.8"
    ]
    assert triage.values_of({"type": "url", "id": "url--1", "value": "https://a.example/x"}) == [
        "https://a.example/x",
        "a.example",
    ]
    assert triage.values_of({"type": "file", "id": "file--1", "hashes": {"MD5": "AB"}}) == ["AB"]
    assert triage.values_of(IND) == [
        "http://evil.example.net/a'b",
        "evil.example.net",
        "d41d8cd98f00b204e9800998ecf8427e",
    ]
    assert triage.values_of({"type": "malware", "id": "malware--1", "name": "x"}) == []


def test_observable_keys_match_across_object_kinds_and_pattern_spacing() -> None:
    sco = {"type": "domain-name", "id": "domain-name--1", "value": "Evil.Example.NET"}
    assert triage.observable_keys(sco) <= triage.observable_keys(IND)
    spaced = IND | {"id": "indicator--2", "pattern": "  " + IND["pattern"].replace(" OR ", "  OR ")}
    assert triage.observable_keys(spaced) == triage.observable_keys(IND)
    other = {"type": "domain-name", "id": "domain-name--2", "value": "good.example.org"}
    assert not triage.observable_keys(other) & triage.observable_keys(IND)


def test_warninglists_flag_public_resolvers_and_empty_file_hashes() -> None:
    pytest.importorskip("pymispwarninglists")
    flags = triage.warninglist_flags(
        [
            {
                "type": "indicator",
                "id": "indicator--r",
                "pattern_type": "stix",
                "pattern": "[ipv4-addr:value = '8.8.8.8']",
            },
            {"type": "ipv4-addr", "id": "ipv4-addr--c2", "value": "198.51.100.23"},
            IND,
        ]
    )
    by_value = {f.value: f for f in flags}
    assert set(by_value) == {"8.8.8.8", "d41d8cd98f00b204e9800998ecf8427e"}
    assert any("DNS resolvers" in name for name in by_value["8.8.8.8"].lists)
    assert by_value["8.8.8.8"].object_id == "indicator--r"


async def test_corroboration_counts_other_members_only(db: AsyncSession) -> None:
    a = await make_member(db)
    b = await make_member(db)
    c = await make_member(db)
    for member in (a, b):
        submission = Submission(
            member_id=member.id, content_type="application/json", byte_count=1, object_count=1
        )
        db.add(submission)
        await db.flush()
        await triage.remember(db, member_id=member.id, submission_id=submission.id, objects=[IND])

    seen = {"type": "domain-name", "id": "domain-name--x", "value": "evil.example.net"}
    fresh = {"type": "domain-name", "id": "domain-name--y", "value": "new.example.org"}
    (flag,) = await triage.corroboration_flags(db, c.id, [seen, fresh])
    assert (flag.object_id, flag.kind, flag.members) == ("domain-name--x", "corroboration", 2)
    assert a.slug not in flag.detail and a.id not in flag.detail
    (own,) = await triage.corroboration_flags(db, a.id, [seen])
    assert own.members == 1
    assert await triage.corroboration_flags(db, c.id, []) == []
