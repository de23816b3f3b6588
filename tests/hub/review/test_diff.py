"""The structured diff: objects paired through the report, differing leaves by path."""

from __future__ import annotations

from hub.review.diff import diff, id_map
from hub.sanitize.report import Change, Report

ORIGINAL = [
    {"type": "identity", "id": "identity--m", "name": "Contoso"},
    {
        "type": "indicator",
        "id": "indicator--o",
        "created_by_ref": "identity--m",
        "description": "seen at Contoso",
        "labels": ["a", "b"],
        "pattern": "[x:y = 'z']",
    },
    {"type": "marking-definition", "id": "marking-definition--t", "name": "TLP"},
]
SANITIZED = [
    {"type": "identity", "id": "identity--hub", "name": "Hub"},
    {
        "type": "indicator",
        "id": "indicator--h",
        "created_by_ref": "identity--hub",
        "description": "seen at [REDACTED:member-name]",
        "labels": ["a", "b"],
        "pattern": "[x:y = 'z']",
    },
    {"type": "marking-definition", "id": "marking-definition--t", "name": "TLP"},
]
REPORT = Report(
    [
        Change("identity--m", None, "", "member-identity", None, None),
        Change("indicator--o", "indicator--h", "id", "remint-id", None, None),
    ]
)


def test_pairs_objects_and_lists_each_differing_path() -> None:
    result = {
        (d.original_id, d.sanitized_id): d
        for d in diff(ORIGINAL, SANITIZED, id_map(REPORT, SANITIZED))
    }
    assert result[("identity--m", None)].status == "dropped"
    assert result[("marking-definition--t", "marking-definition--t")].status == "unchanged"
    assert result[(None, "identity--hub")].status == "added"
    changed = result[("indicator--o", "indicator--h")]
    assert changed.status == "changed"
    by_path = {e.path: e for e in changed.entries}
    assert set(by_path) == {"id", "created_by_ref", "description"}
    assert by_path["description"].before == "seen at Contoso"
    assert by_path["description"].after == "seen at [REDACTED:member-name]"
    assert not by_path["description"].reference
    assert by_path["created_by_ref"].reference and by_path["id"].reference


def test_nested_removals_additions_and_list_changes() -> None:
    before = [
        {"type": "x", "id": "x--1", "ext": {"a": 1, "b": [1, 2]}, "gone": {"k": "v"}, "refs": ["a"]}
    ]
    after = [
        {"type": "x", "id": "x--1", "ext": {"a": 1, "b": [1, 3], "c": True}, "refs": ["a", "b"]}
    ]
    (only,) = diff(before, after, id_map(Report(), after))
    entries = {(e.path, e.op) for e in only.entries}
    assert entries == {
        ("ext.b[1]", "changed"),
        ("ext.c", "added"),
        ("gone", "removed"),
        ("refs", "changed"),
    }
