"""Every bad request gets the right status and one problem shape; none gets a 500."""

from __future__ import annotations

import base64
import json

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import Role
from tests.factories import bearer, make_key, make_member

STIX = {"Content-Type": "application/stix+json;version=2.1"}
OBJ = {
    "type": "malware",
    "spec_version": "2.1",
    "id": "malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b",
    "created": "2026-01-01T00:00:00.000Z",
    "modified": "2026-01-01T00:00:00.000Z",
    "name": "x",
    "is_family": False,
}


def assert_problem(r: httpx.Response, status: int) -> dict[str, object]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


@pytest.fixture
async def key(db: AsyncSession) -> str:
    return await make_key(db, Role.SUBMITTER, await make_member(db))


async def test_not_json_is_400(client: httpx.AsyncClient, key: str) -> None:
    r = await client.post("/api/v1/submissions", content=b"{oops", headers=bearer(key) | STIX)
    assert "not valid JSON" in str(assert_problem(r, 400)["detail"])


@pytest.mark.parametrize(
    "doc",
    [[OBJ], {"objects": [OBJ]}, {"type": "bundle", "objects": "x"}, 42, {"type": "bundle"}],
)
async def test_json_that_is_not_stix_is_422(
    client: httpx.AsyncClient, key: str, doc: object
) -> None:
    r = await client.post(
        "/api/v1/submissions", content=json.dumps(doc), headers=bearer(key) | STIX
    )
    assert_problem(r, 422)


async def test_body_over_the_limit_is_413_while_streaming(
    client: httpx.AsyncClient, key: str, settings: object
) -> None:
    limit = settings.max_body_bytes  # type: ignore[attr-defined]
    sent = {"n": 0}

    async def chunks():  # no Content-Length: the hub must count as it reads
        for _ in range(limit // 1024 + 10):
            sent["n"] += 1
            yield b" " * 1024

    r = await client.post("/api/v1/submissions", content=chunks(), headers=bearer(key) | STIX)
    assert_problem(r, 413)
    big = b" " * (limit + 1)
    r = await client.post("/api/v1/submissions", content=big, headers=bearer(key) | STIX)
    assert "over the limit" in str(assert_problem(r, 413)["detail"])


async def test_too_many_objects_is_413(
    client: httpx.AsyncClient, key: str, settings: object
) -> None:
    n = settings.max_objects + 1  # type: ignore[attr-defined]
    doc = {
        "type": "bundle",
        "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
        "objects": [{"type": "x"}] * n,
    }
    r = await client.post(
        "/api/v1/submissions", content=json.dumps(doc), headers=bearer(key) | STIX
    )
    assert_problem(r, 413)


async def test_absurd_nesting_and_strings_are_422(client: httpx.AsyncClient, key: str) -> None:
    deep: object = "leaf"
    for _ in range(200):
        deep = [deep]
    r = await client.post(
        "/api/v1/submissions",
        content=json.dumps(dict(OBJ, x_deep=deep)),
        headers=bearer(key) | STIX,
    )
    assert "nests deeper" in str(assert_problem(r, 422)["detail"])
    r = await client.post(
        "/api/v1/submissions",
        content=json.dumps(dict(OBJ, description="a" * (1024 * 1024 + 1))),
        headers=bearer(key) | STIX,
    )
    assert r.status_code in (413, 422)


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/xml",
        "",
        "application/stix+json;version=2.0",
        "application/json; charset=latin-1",
        "multipart/form-data",
    ],
)
async def test_wrong_content_type_is_415(
    client: httpx.AsyncClient, key: str, content_type: str
) -> None:
    r = await client.post(
        "/api/v1/submissions",
        content=json.dumps(OBJ),
        headers=bearer(key) | {"Content-Type": content_type},
    )
    assert_problem(r, 415)


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer nonsense",
        "Bearer mk_0123456789abcdef.wrongsecret",
        "Token abc",
        "Basic !!!notbase64",
        "Basic " + base64.b64encode(b"no-colon").decode(),
        "Basic " + base64.b64encode(b"mk_0123456789abcdef:wrong").decode(),
    ],
)
async def test_missing_or_bad_credentials_are_401(
    client: httpx.AsyncClient, authorization: str | None
) -> None:
    headers = dict(STIX)
    if authorization is not None:
        headers["Authorization"] = authorization
    r = await client.post("/api/v1/submissions", content=json.dumps(OBJ), headers=headers)
    assert_problem(r, 401)
    assert "Basic" in r.headers["www-authenticate"] and "Bearer" in r.headers["www-authenticate"]


async def test_wrong_role_is_403(client: httpx.AsyncClient, db: AsyncSession) -> None:
    member = await make_member(db)
    for role in (Role.READER, Role.OPERATOR, Role.ADMIN):
        key = await make_key(db, role, member if role is Role.READER else None)
        r = await client.post(
            "/api/v1/submissions", content=json.dumps(OBJ), headers=bearer(key) | STIX
        )
        assert_problem(r, 403)
    reader = await make_key(db, Role.READER, member)
    assert_problem(await client.get("/api/v1/admin/sectors", headers=bearer(reader)), 403)


async def test_unknown_paths_and_methods_use_the_problem_shape(
    client: httpx.AsyncClient, key: str
) -> None:
    assert_problem(await client.get("/api/v1/nothing-here", headers=bearer(key)), 404)
    assert_problem(await client.put("/api/v1/submissions", headers=bearer(key)), 405)
    r = await client.get("/api/v1/submissions?limit=0", headers=bearer(key))
    assert_problem(r, 422)
    r = await client.get("/api/v1/submissions?state=bogus", headers=bearer(key))
    assert_problem(r, 422)
    r = await client.get("/api/v1/submissions/not-a-real-id", headers=bearer(key))
    assert_problem(r, 404)


async def test_list_filters_need_a_time_zone(client: httpx.AsyncClient, key: str) -> None:
    for query in ("since=2026-01-01T00:00:00", "until=2026-01-01", "since=yesterday"):
        assert_problem(await client.get(f"/api/v1/submissions?{query}", headers=bearer(key)), 422)
    r = await client.get("/api/v1/submissions?since=2026-01-01T00:00:00Z", headers=bearer(key))
    assert r.status_code == 200


async def test_a_nul_character_is_reported_not_fatal(client: httpx.AsyncClient, key: str) -> None:
    bad = dict(OBJ, id="malware--31b940d4\u0000", description="a\u0000b")
    body = json.dumps(
        {
            "type": "bundle",
            "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
            "objects": [OBJ, bad],
        }
    )
    r = await client.post("/api/v1/submissions", content=body, headers=bearer(key) | STIX)
    assert r.status_code == 202
    detail = (await client.get(r.json()["status_url"], headers=bearer(key))).json()
    assert detail["state"] != "failed"
    assert [o["status"] for o in detail["objects"]] == ["accepted", "rejected"]
