from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.taxii.filters import Endpoint, ObjectQuery, QueryError, VersionSelector, parse_query
from hub.taxii.timestamps import parse_micros

FAST = settings(max_examples=200, deadline=None)
IND = "indicator--3600ad1b-fff1-4c98-bcc9-4de3bc2e2ffb"
SIG = "sighting--4600ad1b-fff1-4c58-bcc9-4de3bc5e2ffd"
T1 = "2016-01-01T01:01:01.000Z"
T2 = "2018-03-02T01:01:01.123Z"


def parse(params: object, endpoint: Endpoint = Endpoint.OBJECTS, **kw: object) -> ObjectQuery:
    return parse_query(
        params,  # type: ignore[arg-type]
        endpoint=endpoint,
        default_limit=kw.pop("default_limit", 100),  # type: ignore[arg-type]
        max_limit=kw.pop("max_limit", 1000),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


def test_defaults() -> None:
    q = parse({})
    assert q == ObjectQuery(endpoint=Endpoint.OBJECTS, limit=100)
    assert q.versions == VersionSelector(last=True)
    assert q.added_after is None and q.next is None
    assert q.ids is None and q.types is None and q.spec_versions is None


def test_accepts_mapping_of_lists_mapping_of_str_and_pairs() -> None:
    a = parse({"match[type]": ["indicator,malware"], "limit": ["5"]})
    b = parse({"match[type]": "indicator,malware", "limit": "5"})
    c = parse([("match[type]", "indicator,malware"), ("limit", "5")])
    assert a == b == c
    assert a.types == frozenset({"indicator", "malware"})
    assert a.limit == 5


@pytest.mark.parametrize(
    ("params", "attr", "expected"),
    [
        ({"added_after": T1}, "added_after", parse_micros(T1)),
        ({"added_after": "2016-01-01T01:01:01.123456789Z"}, "added_after", 1451610061123456),
        ({"match[id]": IND}, "ids", frozenset({IND})),
        ({"match[id]": f"{IND},{SIG}"}, "ids", frozenset({IND, SIG})),
        ({"match[id]": f"{IND},{IND}"}, "ids", frozenset({IND})),
        ({"match[type]": "indicator"}, "types", frozenset({"indicator"})),
        ({"match[type]": "x-custom-thing,ipv4-addr"}, "types", {"x-custom-thing", "ipv4-addr"}),
        ({"match[spec_version]": "2.0,2.1"}, "spec_versions", frozenset({"2.0", "2.1"})),
        ({"match[version]": "last"}, "versions", VersionSelector(last=True)),
        ({"match[version]": "first"}, "versions", VersionSelector(first=True)),
        ({"match[version]": "first,last"}, "versions", VersionSelector(first=True, last=True)),
        ({"match[version]": "all"}, "versions", VersionSelector(all=True)),
        ({"match[version]": f"first,all,{T1}"}, "versions", VersionSelector(all=True)),
        ({"match[version]": "last,last"}, "versions", VersionSelector(last=True)),
        (
            {"match[version]": f"first,{T2},last"},
            "versions",
            VersionSelector(first=True, last=True, timestamps=frozenset({parse_micros(T2)})),
        ),
        (
            {"match[version]": f"{T1},{T2}"},
            "versions",
            VersionSelector(timestamps=frozenset({parse_micros(T1), parse_micros(T2)})),
        ),
        ({"limit": "1"}, "limit", 1),
        ({"limit": "007"}, "limit", 7),
        ({"limit": "1000"}, "limit", 1000),
        ({"limit": "1001"}, "limit", 1000),
        ({"limit": "9" * 5000}, "limit", 1000),
        ({"next": "abc"}, "next", "abc"),
        ({"unknown": "x", "callback": "y"}, "limit", 100),
        ({"matchtype": "x"}, "types", None),
    ],
)
def test_parses(params: dict[str, str], attr: str, expected: object) -> None:
    value = getattr(parse(params), attr)
    if isinstance(expected, set):
        expected = frozenset(expected)
    assert value == expected


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"added_after": ""}, "added_after"),
        ({"added_after": "yesterday"}, "added_after"),
        ({"added_after": "2016-01-01T01:01:01+09:00"}, "added_after"),
        ({"added_after": f"{T1},{T2}"}, "added_after"),
        ({"limit": "0"}, "limit"),
        ({"limit": "000"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"limit": "+5"}, "limit"),
        ({"limit": " 5"}, "limit"),
        ({"limit": "5.0"}, "limit"),
        ({"limit": "1e3"}, "limit"),
        ({"limit": "1_000"}, "limit"),
        ({"limit": ""}, "limit"),
        ({"limit": "٣"}, "limit"),  # non-ASCII digit
        ({"next": ""}, "next"),
        ({"next": "x" * 1025}, "next"),
        ({"match[id]": "indicator"}, "match[id]"),
        ({"match[id]": "indicator--not-a-uuid"}, "match[id]"),
        ({"match[id]": f"{IND},"}, "match[id]"),
        ({"match[id]": f"{IND}, {SIG}"}, "match[id]"),
        ({"match[id]": ""}, "match[id]"),
        ({"match[type]": "Indicator"}, "match[type]"),
        ({"match[type]": "in"}, "match[type]"),
        ({"match[type]": "indicator,,malware"}, "match[type]"),
        ({"match[type]": "indicator malware"}, "match[type]"),
        ({"match[spec_version]": "2"}, "match[spec_version]"),
        ({"match[spec_version]": "v2.1"}, "match[spec_version]"),
        ({"match[version]": "latest"}, "match[version]"),
        ({"match[version]": "2016-01-01"}, "match[version]"),
        ({"match[version]": ""}, "match[version]"),
        ({"match[version]": "first,"}, "match[version]"),
        ({"match[confidence]": "50"}, "match[confidence]"),
        ({"match[]": "x"}, "match[]"),
        ({"match[type": "indicator"}, "match[type"),
        ({"match[type]x": "indicator"}, "match[type]x"),
    ],
)
def test_rejects(params: dict[str, str], param: str) -> None:
    with pytest.raises(QueryError) as info:
        parse(params)
    assert info.value.param == param
    assert isinstance(info.value, ValueError)
    assert param in str(info.value)


@pytest.mark.parametrize("key", ["added_after", "limit", "next", "match[type]", "match[version]"])
def test_repeated_parameters_are_rejected(key: str) -> None:
    value = {"added_after": T1, "limit": "5", "next": "n", "match[version]": "last"}.get(
        key, "indicator"
    )
    with pytest.raises(QueryError, match="more than once") as info:
        parse([(key, value), (key, value)])
    assert info.value.param == key
    with pytest.raises(QueryError, match="more than once"):
        parse({key: [value, value]})


def test_repeated_unknown_parameters_are_ignored() -> None:
    assert parse([("foo", "1"), ("foo", "2")]) == parse({})


@pytest.mark.parametrize(
    ("endpoint", "field", "allowed"),
    [
        (endpoint, field, field in allowed)
        for endpoint, allowed in [
            (Endpoint.OBJECTS, {"id", "type", "version", "spec_version"}),
            (Endpoint.MANIFEST, {"id", "type", "version", "spec_version"}),
            (Endpoint.OBJECT, {"version", "spec_version"}),
            (Endpoint.VERSIONS, {"spec_version"}),
        ]
        for field in ["id", "type", "version", "spec_version"]
    ],
)
def test_match_fields_per_endpoint(endpoint: Endpoint, field: str, allowed: bool) -> None:
    value = {"id": IND, "type": "indicator", "version": "first", "spec_version": "2.1"}[field]
    object_id = IND if endpoint in (Endpoint.OBJECT, Endpoint.VERSIONS) else None
    params = {f"match[{field}]": value}
    if allowed:
        parse(params, endpoint, object_id=object_id)
    else:
        with pytest.raises(QueryError, match="not supported on the") as info:
            parse(params, endpoint, object_id=object_id)
        assert info.value.param == f"match[{field}]"


@pytest.mark.parametrize("endpoint", list(Endpoint))
def test_paging_and_added_after_accepted_everywhere(endpoint: Endpoint) -> None:
    object_id = IND if endpoint in (Endpoint.OBJECT, Endpoint.VERSIONS) else None
    q = parse({"added_after": T1, "limit": "3", "next": "tok"}, endpoint, object_id=object_id)
    assert (q.added_after, q.limit, q.next) == (parse_micros(T1), 3, "tok")


def test_per_object_endpoints_pin_the_id() -> None:
    q = parse({}, Endpoint.OBJECT, object_id=IND)
    assert q.ids == frozenset({IND})
    assert q.versions == VersionSelector(last=True)
    v = parse({}, Endpoint.VERSIONS, object_id=IND)
    assert v.ids == frozenset({IND})
    assert v.versions == VersionSelector(all=True)
    # An id that cannot exist is not a 400: it matches nothing and the route answers 404.
    assert parse({}, Endpoint.OBJECT, object_id="nonsense").ids == frozenset({"nonsense"})


def test_object_id_is_required_exactly_for_per_object_endpoints() -> None:
    with pytest.raises(ValueError, match="object_id"):
        parse({}, Endpoint.OBJECT)
    with pytest.raises(ValueError, match="object_id"):
        parse({}, Endpoint.OBJECTS, object_id=IND)


def test_limit_configuration_is_checked() -> None:
    with pytest.raises(ValueError, match="default_limit"):
        parse({}, default_limit=0)
    with pytest.raises(ValueError, match="default_limit"):
        parse({}, default_limit=2000, max_limit=1000)


def test_fingerprint_ignores_paging_and_value_order() -> None:
    base = parse({"match[type]": "indicator,malware", "added_after": T1})
    assert (
        base.fingerprint()
        == parse(
            {"match[type]": "malware,indicator", "added_after": T1, "limit": "7", "next": "x"}
        ).fingerprint()
    )
    assert parse({}).fingerprint() == parse({"match[version]": "last"}).fingerprint()
    assert (
        parse({"match[version]": "all,first"}).fingerprint()
        == parse({"match[version]": "all"}).fingerprint()
    )
    assert len(base.fingerprint()) == 32


def test_fingerprint_separates_every_filter() -> None:
    variants = [
        ({}, Endpoint.OBJECTS, None),
        ({}, Endpoint.MANIFEST, None),
        ({}, Endpoint.OBJECT, IND),
        ({}, Endpoint.OBJECT, SIG),
        ({}, Endpoint.VERSIONS, IND),
        ({"added_after": T1}, Endpoint.OBJECTS, None),
        ({"added_after": T2}, Endpoint.OBJECTS, None),
        ({"match[id]": IND}, Endpoint.OBJECTS, None),
        ({"match[id]": f"{IND},{SIG}"}, Endpoint.OBJECTS, None),
        ({"match[type]": "indicator"}, Endpoint.OBJECTS, None),
        ({"match[type]": "indicator,sighting"}, Endpoint.OBJECTS, None),
        ({"match[version]": "first"}, Endpoint.OBJECTS, None),
        ({"match[version]": "first,last"}, Endpoint.OBJECTS, None),
        ({"match[version]": "all"}, Endpoint.OBJECTS, None),
        ({"match[version]": T1}, Endpoint.OBJECTS, None),
        ({"match[version]": f"last,{T1}"}, Endpoint.OBJECTS, None),
        ({"match[spec_version]": "2.1"}, Endpoint.OBJECTS, None),
        ({"match[spec_version]": "2.0,2.1"}, Endpoint.OBJECTS, None),
        # "id" vs "type" holding the same strings must not collide.
        ({"match[type]": "abc"}, Endpoint.OBJECTS, None),
        ({"match[spec_version]": "1.0"}, Endpoint.OBJECTS, None),
    ]
    prints = [parse(p, e, object_id=o).fingerprint() for p, e, o in variants]
    assert len(set(prints)) == len(prints)


stix_types = st.sampled_from(["indicator", "malware", "sighting", "x-custom", "ipv4-addr"])


@FAST
@given(
    st.lists(stix_types, min_size=1, max_size=5),
    st.permutations(["indicator", "malware", "sighting"]),
    st.integers(min_value=1, max_value=10**30),
)
def test_fingerprint_is_a_function_of_the_filter_set(
    types: list[str], perm: list[str], limit: int
) -> None:
    a = parse({"match[type]": ",".join(types), "limit": str(limit)})
    b = parse({"match[type]": ",".join(sorted(set(types)))})
    assert a.types == frozenset(types)
    assert a.fingerprint() == b.fingerprint()
    assert 1 <= a.limit <= 1000
    assert a.limit == min(limit, 1000)
    c = parse({"match[type]": ",".join(perm)})
    assert c.fingerprint() == parse({"match[type]": "indicator,malware,sighting"}).fingerprint()


@FAST
@given(st.text(max_size=40))
def test_arbitrary_limit_text_parses_or_raises_query_error(raw: str) -> None:
    try:
        q = parse({"limit": raw})
    except QueryError as exc:
        assert exc.param == "limit"
    else:
        assert raw.isascii() and raw.isdigit() and int(raw) > 0
        assert q.limit == min(int(raw), 1000)


@FAST
@given(st.text(max_size=60))
def test_arbitrary_match_values_never_escape_as_other_errors(raw: str) -> None:
    for key in ("match[id]", "match[type]", "match[version]", "match[spec_version]", "added_after"):
        try:
            parse({key: raw})
        except QueryError as exc:
            assert exc.param == key
