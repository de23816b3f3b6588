"""Health, readiness, metrics and the OpenAPI document."""

from __future__ import annotations

import httpx


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    r = await client.get("/readyz")
    assert r.status_code == 200 and r.json()["database"] == "ok"


async def test_metrics_expose_requests_and_submissions(client: httpx.AsyncClient) -> None:
    await client.get("/healthz")
    text = (await client.get("/metrics")).text
    assert 'mamori_http_requests_total{method="GET",route="/healthz",status="200"}' in text
    assert 'mamori_submissions{state="received"}' in text


async def test_openapi_describes_the_api(client: httpx.AsyncClient) -> None:
    doc = (await client.get("/openapi.json")).json()
    post = doc["paths"]["/api/v1/submissions"]["post"]
    assert "202" in post["responses"] and "413" in post["responses"]
    assert "example" in post["requestBody"]["content"]["application/stix+json;version=2.1"]
    assert "/api/v1/admin/members/{slug}" in doc["paths"]
