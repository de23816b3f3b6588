"""From outside, over a real server: no body is read before its caller is known, or past its cap.

Each request sends its headers and then waits: a server that read the body before
answering would still be waiting for it, so an answer at all shows the body iterator was
never consumed (memory figures would say the same less reliably).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest

from tests import rawhttp
from tests.hubprocess import HubProcess

SMALL_CAP = 64 * 1024  # MAMORI_MAX_REQUEST_BYTES for these tests
CHUNKED = {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}
TAXII = "application/taxii+json;version=2.1"


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[HubProcess, dict[str, str]]]:
    process = HubProcess(
        tmp_path_factory.mktemp("guard"),
        MAMORI_LOG_LEVEL="WARNING",
        MAMORI_SANITIZE_PROCESSES="0",
        MAMORI_MAX_REQUEST_BYTES=str(SMALL_CAP),
    )
    seeded = process.demo()
    keys = {f"{c['role']}:{c['member'] or ''}": c["key"] for c in seeded["credentials"]}
    process.start()
    try:
        yield process, keys
    finally:
        process.stop()


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def ask_before_body(hub: HubProcess, path: str, headers: dict[str, str]) -> rawhttp.Answer:
    with rawhttp.connect(hub.port) as sock:
        rawhttp.send_head(sock, "POST", path, headers)
        return rawhttp.read_answer(sock)


def test_a_stranger_gets_401_before_a_byte_of_the_body(
    hub: tuple[HubProcess, dict[str, str]],
) -> None:
    process, _ = hub
    answer = ask_before_body(process, "/api/v1/admin/sectors", CHUNKED)
    assert answer.status == 401
    assert "Bearer" in answer.headers["www-authenticate"]
    assert answer.headers["content-type"] == "application/problem+json"
    # A wrong key is refused the same way, still before the body.
    answer = ask_before_body(
        process, "/api/v1/admin/sectors", CHUNKED | bearer("mk_0123456789abcdef.wrong")
    )
    assert answer.status == 401


def test_a_declared_200_mb_body_is_refused_at_once(
    hub: tuple[HubProcess, dict[str, str]],
) -> None:
    process, keys = hub
    declared = {"Content-Type": "application/json", "Content-Length": str(200 * 1024 * 1024)}
    for headers in (declared, declared | bearer(keys["admin:"])):
        answer = ask_before_body(process, "/api/v1/admin/sectors", headers)
        assert answer.status == 413, answer.body
    # Intake's own cap is larger, and still checked before reading.
    answer = ask_before_body(
        process, "/api/v1/submissions", declared | bearer(keys["submitter:kansai-grid"])
    )
    assert answer.status == 413


def test_the_wrong_role_gets_403_before_the_body(hub: tuple[HubProcess, dict[str, str]]) -> None:
    process, keys = hub
    answer = ask_before_body(process, "/api/v1/admin/sectors", CHUNKED | bearer(keys["operator:"]))
    assert answer.status == 403
    answer = ask_before_body(
        process, "/api/v1/admin/sectors", CHUNKED | bearer(keys["submitter:kansai-grid"])
    )
    assert answer.status == 403


def test_taxii_refuses_a_stranger_with_a_taxii_error_before_the_body(
    hub: tuple[HubProcess, dict[str, str]],
) -> None:
    process, _ = hub
    answer = ask_before_body(
        process,
        "/taxii2/mamori/collections/0b5f1d0e-0000-4000-8000-000000000000/objects/",
        {"Content-Type": TAXII, "Accept": TAXII, "Transfer-Encoding": "chunked"},
    )
    assert answer.status == 401
    assert answer.headers["content-type"] == TAXII
    assert answer.json()["http_status"] == "401"


def test_a_streamed_body_stops_at_the_route_cap(hub: tuple[HubProcess, dict[str, str]]) -> None:
    process, keys = hub
    most = 64 * 1024 * 1024
    with rawhttp.connect(process.port) as sock:
        rawhttp.send_head(sock, "POST", "/api/v1/admin/sectors", CHUNKED | bearer(keys["admin:"]))
        sent = rawhttp.stream_until_answered(sock, b" " * 65536, most)
        answer = rawhttp.read_answer(sock)
    assert answer.status == 413, answer.body
    assert "limit" in answer.json()["detail"]
    # The server stopped reading near the cap; the rest was never sent (socket buffers aside).
    assert sent < most // 2


def bundle_of(size: int) -> bytes:
    indicator: dict[str, Any] = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": "indicator--7d4b4f0e-0000-4000-8000-000000000001",
        "created": "2026-11-20T09:00:00.000Z",
        "modified": "2026-11-20T09:00:00.000Z",
        "name": "C2",
        "pattern": "[ipv4-addr:value = '203.0.113.7']",
        "pattern_type": "stix",
        "valid_from": "2026-11-20T09:00:00Z",
        "description": "x" * size,
    }
    return orjson.dumps(
        {
            "type": "bundle",
            "id": "bundle--7d4b4f0e-0000-4000-8000-000000000002",
            "objects": [indicator],
        }
    )


def test_caps_differ_by_route_and_allowed_bodies_still_work(
    hub: tuple[HubProcess, dict[str, str]],
) -> None:
    process, keys = hub
    big = bundle_of(2 * SMALL_CAP)
    submitted = httpx.post(
        f"{process.base_url}/api/v1/submissions",
        content=big,
        headers={"Content-Type": "application/json"} | bearer(keys["submitter:kansai-grid"]),
        timeout=60,
    )
    assert submitted.status_code == 202, submitted.text
    refused = httpx.post(
        f"{process.base_url}/api/v1/admin/sectors",
        content=big,
        headers={"Content-Type": "application/json"} | bearer(keys["admin:"]),
        timeout=60,
    )
    assert refused.status_code == 413
    made = httpx.post(
        f"{process.base_url}/api/v1/admin/sectors",
        json={"slug": "water", "name": "Water utilities"},
        headers=bearer(keys["admin:"]),
        timeout=60,
    )
    assert made.status_code == 201, made.text


def test_a_console_form_without_a_session_goes_to_sign_in_before_its_body(
    hub: tuple[HubProcess, dict[str, str]],
) -> None:
    process, _ = hub
    form = {"Content-Type": "application/x-www-form-urlencoded", "Transfer-Encoding": "chunked"}
    # A form whose fields FastAPI would parse before checking the session.
    approve = "/console/submissions/00000000-0000-4000-8000-000000000000/approve"
    answer = ask_before_body(process, approve, form)
    assert answer.status == 303
    assert answer.headers["location"].startswith("/console/sign-in")
    answer = ask_before_body(process, approve, form | {"Cookie": "mamori_console=not-a-session"})
    assert answer.status == 303
