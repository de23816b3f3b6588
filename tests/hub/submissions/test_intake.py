"""Intake's shape checks: what a posted body must look like before it is stored."""

from __future__ import annotations

import orjson
import pytest

from hub.errors import BadRequest, HubError, PayloadTooLarge, Unprocessable
from hub.submissions import intake

LIMITS = intake.Limits(max_objects=5, max_depth=8, max_string_bytes=100)
OBJ = {"type": "malware", "id": "malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b"}


def parse(doc: object, limits: intake.Limits = LIMITS) -> intake.Envelope:
    return intake.parse(orjson.dumps(doc), limits)


def test_bundle_and_single_object() -> None:
    env = parse({"type": "bundle", "id": "bundle--x", "objects": [OBJ, OBJ]})
    assert (len(env.objects), env.bundle_id) == (2, "bundle--x")
    env = parse(OBJ)
    assert env.objects == [OBJ] and env.bundle_id is None


def test_taxii_envelope_only_where_allowed() -> None:
    body = orjson.dumps({"objects": [OBJ]})
    assert intake.parse(body, LIMITS, allow_taxii_envelope=True).objects == [OBJ]
    with pytest.raises(Unprocessable):
        intake.parse(body, LIMITS)


@pytest.mark.parametrize(
    ("body", "error", "says"),
    [
        (b"{not json", BadRequest, "not valid JSON"),
        (b"", BadRequest, "not valid JSON"),
        (b"\xff\xfe", BadRequest, "not valid JSON"),
        (b"[1, 2]", Unprocessable, "got a JSON list"),
        (b'"bundle"', Unprocessable, "got a JSON str"),
        (b'{"hello": "world"}', Unprocessable, "expected a STIX 2.1 bundle"),
        (b'{"type": "bundle", "objects": {}}', Unprocessable, "must be a JSON array"),
        (b'{"type": "bundle", "objects": []}', Unprocessable, "no objects"),
        (b'{"type": "indicator"}', Unprocessable, "expected a STIX 2.1 bundle"),
    ],
)
def test_bad_bodies(body: bytes, error: type[HubError], says: str) -> None:
    with pytest.raises(error) as caught:
        intake.parse(body, LIMITS)
    assert says in caught.value.detail


def test_too_many_objects_is_413() -> None:
    with pytest.raises(PayloadTooLarge, match="6 objects"):
        parse({"type": "bundle", "objects": [OBJ] * 6})


def test_absurd_nesting_and_strings_are_422() -> None:
    deep: dict[str, object] = {"leaf": 1}
    for _ in range(10):
        deep = {"x": deep}
    with pytest.raises(Unprocessable, match="nests deeper"):
        parse({"type": "bundle", "objects": [dict(OBJ, x_deep=deep)]})
    with pytest.raises(Unprocessable, match="longer than 100 bytes"):
        parse(dict(OBJ, description="a" * 101))
    with pytest.raises(Unprocessable, match="string over 100 bytes"):
        parse(dict(OBJ, labels=["a" * 101]))
    with pytest.raises(Unprocessable, match="property name"):
        parse(dict(OBJ, **{"x_" + "k" * 300: 1}))
