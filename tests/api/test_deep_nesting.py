"""A member posting absurdly nested input gets per-object verdicts; the submission goes on."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.test_submissions import INDICATOR, STIX, bundle, submitter
from tests.factories import bearer


async def test_a_pattern_nested_600_deep_is_rejected_alone(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    key, _ = await submitter(db)
    deep = dict(
        INDICATOR,
        id="indicator--0b0b0b0b-0b0b-4b0b-8b0b-0b0b0b0b0b0b",
        pattern="(" * 600 + INDICATOR["pattern"] + ")" * 600,
    )
    r = await client.post(
        "/api/v1/submissions", content=bundle(INDICATOR, deep), headers=bearer(key) | STIX
    )
    assert r.status_code == 202, r.text
    detail = (await client.get(r.json()["status_url"], headers=bearer(key))).json()
    assert detail["state"] == "in_review"
    good, bad = detail["objects"]
    assert good["status"] == "accepted"
    assert bad["status"] == "rejected"
    assert bad["problems"] == [
        {"property": "pattern", "reason": "invalid STIX pattern: nested deeper than 64 brackets"}
    ]


@pytest.mark.parametrize(
    ("depth", "status", "says"), [(100, 422, "nests deeper than 32"), (5000, 400, "depth limit")]
)
async def test_json_nested_past_the_limit_is_refused_at_intake(
    client: httpx.AsyncClient, db: AsyncSession, depth: int, status: int, says: str
) -> None:
    key, _ = await submitter(db)
    # Written out as text: building it with json.dumps would recurse here first.
    nested = '{"x": ' * depth + "1" + "}" * depth
    text = bundle(dict(INDICATOR, x_nested="HERE")).decode().replace('"HERE"', nested)
    r = await client.post("/api/v1/submissions", content=text.encode(), headers=bearer(key) | STIX)
    assert r.status_code == status, r.text
    assert says in r.text
