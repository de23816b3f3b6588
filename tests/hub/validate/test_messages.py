"""Problems name the property and say precisely what is wrong."""

from __future__ import annotations

import copy

from hub.validate import Problem, check_envelope, check_object, object_label

INDICATOR = {
    "type": "indicator",
    "spec_version": "2.1",
    "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
    "created": "2016-04-06T20:03:48.000Z",
    "modified": "2016-04-06T20:03:48.000Z",
    "pattern": "[ipv4-addr:value = '198.51.100.1']",
    "pattern_type": "stix",
    "valid_from": "2016-04-06T20:03:48Z",
}


def _with(**changes: object) -> dict:
    obj = copy.deepcopy(INDICATOR)
    for k, v in changes.items():
        if v is None:
            obj.pop(k, None)
        else:
            obj[k] = v
    return obj


def test_valid_indicator_has_no_problems() -> None:
    assert check_object(INDICATOR) == []


def test_modified_before_created() -> None:
    problems = check_object(_with(modified="2016-04-06T20:03:47.999Z"))
    assert problems == [
        Problem("modified", "must be later than or equal to created (2016-04-06T20:03:48.000Z)")
    ]


def test_missing_required_property() -> None:
    assert check_object(_with(valid_from=None)) == [Problem("valid_from", "is required")]


def test_millisecond_precision() -> None:
    assert check_object(_with(created="2016-04-06T20:03:48Z")) == [
        Problem("created", "must have millisecond precision (YYYY-MM-DDTHH:MM:SS.sssZ)")
    ]


def test_reference_of_the_wrong_type() -> None:
    ref = "tool--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
    assert check_object(_with(object_refs=None, created_by_ref=ref)) == [
        Problem("created_by_ref", "must reference identity, not tool")
    ]


def test_list_items_are_located() -> None:
    obj = {
        "type": "report",
        "spec_version": "2.1",
        "id": "report--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "created": "2016-04-06T20:03:48.000Z",
        "modified": "2016-04-06T20:03:48.000Z",
        "name": "r",
        "published": "2016-04-06T20:03:48Z",
        "object_refs": ["indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "ind--1", 7],
    }
    assert [p.property for p in check_object(obj)] == ["object_refs[1]", "object_refs[2]"]


def test_id_prefix_must_match_type() -> None:
    problems = check_object(_with(id="malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"))
    assert problems == [Problem("id", "must start with 'indicator--'")]


def test_bad_pattern_carries_the_parser_message() -> None:
    [problem] = check_object(_with(pattern="[ipv4-addr:value = '1.2.3.4'"))
    assert problem.property == "pattern"
    assert problem.reason.startswith("invalid STIX pattern: ")


def test_bad_hash_in_pattern() -> None:
    [problem] = check_object(_with(pattern="[file:hashes.MD5 = 'abc']"))
    assert problem.property == "pattern" and "MD5" in problem.reason


def test_confidence_range() -> None:
    assert check_object(_with(confidence=101)) == [
        Problem("confidence", "must be between 0 and 100, got 101")
    ]


def test_enum_lists_the_allowed_values() -> None:
    obj = {
        "type": "opinion",
        "spec_version": "2.1",
        "id": "opinion--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "created": "2016-04-06T20:03:48.000Z",
        "modified": "2016-04-06T20:03:48.000Z",
        "opinion": "maybe",
        "object_refs": ["report--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"],
    }
    [problem] = check_object(obj)
    assert problem.property == "opinion"
    assert problem.reason == (
        "must be one of: agree, disagree, neutral, strongly-agree, strongly-disagree; got 'maybe'"
    )


def test_not_an_object_and_no_type() -> None:
    assert check_object(["indicator"]) == [Problem(None, "must be a JSON object")]
    assert check_object({"id": "x"}) == [Problem("type", "is required")]
    assert check_object({"type": "Indicator"})[0].property == "type"


def test_absurd_nesting_and_size_are_reported() -> None:
    deep: dict = {}
    node = deep
    for _ in range(40):
        node["x_deep"] = {}
        node = node["x_deep"]
    assert check_object(_with(x_acme_deep=deep)) == [Problem(None, "nesting deeper than 32 levels")]
    big = _with(description="a" * (1024 * 1024 + 1))
    assert check_object(big) == [Problem("description", "string longer than 1 MiB")]


def test_object_label() -> None:
    assert object_label(INDICATOR) == "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f (indicator)"
    assert object_label("junk", 3) == "objects[3]"


def test_envelope_shapes() -> None:
    bundle = {
        "type": "bundle",
        "id": "bundle--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "objects": [INDICATOR],
    }
    assert check_envelope(bundle) == []
    assert check_envelope({"objects": []}) == []  # TAXII envelope
    assert check_envelope({"type": "bundle", "id": "bundle--1", "objects": {}}) == [
        Problem("id", "'bundle--1' is not a valid STIX identifier (<type>--<RFC 4122 UUID>)"),
        Problem("objects", "must be a list"),
    ]
    assert check_envelope([]) == [Problem(None, "must be a JSON object")]
