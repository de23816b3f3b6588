"""Every documented route, with odd path and query values, as every role: never a 500."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import Role
from tests.factories import bearer, make_key, make_member

ODD = [
    "",
    "x",
    "-1",
    "0",
    "99999999999999999999",
    "%00",
    "2026-01-01",
    "2026-01-01T00:00:00",
    "null",
    "[]",
    "indicator--00000000-0000-4000-8000-000000000000",
    "é",
    "a" * 3000,
]


async def test_odd_values_never_reach_a_server_error(app: FastAPI, db: AsyncSession) -> None:
    member = await make_member(db)
    keys = {
        role: await make_key(db, role, member if role in (Role.SUBMITTER, Role.READER) else None)
        for role in Role
    }
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    failures = []
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
        for path, operations in app.openapi()["paths"].items():
            for method, operation in operations.items():
                names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
                for value in ODD:
                    url = path
                    for part in (s for s in path.split("/") if s.startswith("{")):
                        url = url.replace(part, value or "x")
                    body = b'{"a": ' + value.encode() + b"}" if method != "get" else None
                    for role, key in keys.items():
                        r = await client.request(
                            method.upper(),
                            url,
                            params={n: value for n in names},
                            headers=bearer(key) | {"Content-Type": "application/json"},
                            content=body,
                        )
                        if r.status_code >= 500:
                            failures.append((method, url[:80], value[:20], role.value))
    assert failures == []
