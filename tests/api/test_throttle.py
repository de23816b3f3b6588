"""From outside, over a real server: failed sign-ins, per-key and per-client limits, proxies."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.hubprocess import HubProcess

TAXII = "application/taxii+json;version=2.1"
PER_KEY = 6
PER_CLIENT = 40


class Hub:
    def __init__(self, process: HubProcess, keys: dict[str, str]) -> None:
        self.process = process
        self.keys = keys

    def get(self, path: str, key: str | None = None, **headers: str) -> httpx.Response:
        if key is not None:
            headers["Authorization"] = f"Bearer {key}"
        return httpx.get(f"{self.process.base_url}{path}", headers=headers, timeout=30)


def start(workdir: Path, **env: str) -> Iterator[Hub]:
    process = HubProcess(
        workdir,
        MAMORI_LOG_LEVEL="WARNING",
        MAMORI_SANITIZE_PROCESSES="0",
        **env,
    )
    seeded = process.demo()
    keys = {f"{c['role']}:{c['member'] or ''}": c["key"] for c in seeded["credentials"]}
    process.start()
    try:
        yield Hub(process, keys)
    finally:
        process.stop()


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    yield from start(
        tmp_path_factory.mktemp("throttle"),
        MAMORI_RATE_LIMIT_PER_KEY=f"{PER_KEY}/minute",
        MAMORI_RATE_LIMIT_PER_CLIENT=f"{PER_CLIENT}/minute",
    )


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    yield from start(
        tmp_path_factory.mktemp("proxied"),
        MAMORI_TRUSTED_PROXIES="127.0.0.0/8",
        MAMORI_RATE_LIMIT_PER_CLIENT="3/minute",
    )


def test_bad_keys_from_an_address_do_not_lock_out_valid_keys(hub: Hub) -> None:
    reader = hub.keys["reader:tohoku-gas"]
    reader_id = reader.split(".")[0]
    for n in range(8):
        r = hub.get("/taxii2/", f"mk_{n:016x}.not-a-key", Accept=TAXII)
        assert r.status_code == 401, r.text
    # Garbage aimed at other key ids: the reader's own key still works from this address.
    assert hub.get("/taxii2/", reader, Accept=TAXII).status_code == 200
    for _ in range(5):
        assert hub.get("/taxii2/", f"{reader_id}.wrong", Accept=TAXII).status_code == 401
    # Five misses for this key id: it is held off from this address, with a TAXII error.
    limited = hub.get("/taxii2/", reader, Accept=TAXII)
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) > 0
    assert limited.headers["content-type"] == TAXII
    assert limited.json()["http_status"] == "429"
    # Another member's reader, from the same address, is not.
    assert hub.get("/taxii2/", hub.keys["reader:kansai-grid"], Accept=TAXII).status_code == 200


def test_a_key_has_a_request_budget(hub: Hub) -> None:
    key = hub.keys["submitter:kansai-grid"]
    answers = [hub.get("/api/v1/submissions", key).status_code for _ in range(PER_KEY + 1)]
    assert answers[:PER_KEY] == [200] * PER_KEY
    assert answers[PER_KEY] == 429
    r = hub.get("/api/v1/submissions", key)
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert r.headers["content-type"] == "application/problem+json"
    # Under the TAXII prefix the same limit answers as TAXII.
    taxii_key = hub.keys["submitter:tohoku-gas"]
    for _ in range(PER_KEY):
        assert hub.get("/taxii2/", taxii_key, Accept=TAXII).status_code == 200
    r = hub.get("/taxii2/", taxii_key, Accept=TAXII)
    assert r.status_code == 429 and r.headers["content-type"] == TAXII


def test_x_forwarded_proto_counts_only_from_a_configured_proxy(hub: Hub, proxied: Hub) -> None:
    def sign_in_cookie(target: Hub) -> str:
        r = target.get("/console/sign-in", **{"X-Forwarded-Proto": "https"})
        assert r.status_code == 200
        return r.headers["set-cookie"].lower()

    assert "secure" not in sign_in_cookie(hub)
    assert "secure" in sign_in_cookie(proxied)


def test_a_client_cannot_escape_its_budget_by_rotating_x_forwarded_for(hub: Hub) -> None:
    # Last of the tests on `hub`: it spends the address's whole budget.
    statuses = [
        hub.get("/taxii2/", **{"X-Forwarded-For": f"198.51.100.{n}", "Accept": TAXII}).status_code
        for n in range(PER_CLIENT + 5)
    ]
    assert 429 in statuses, statuses
    assert statuses[-1] == 429


def test_a_configured_proxy_is_believed(proxied: Hub) -> None:
    # Each address behind the proxy has its own budget ...
    for n in range(6):
        r = proxied.get("/taxii2/", **{"X-Forwarded-For": f"203.0.113.{n}", "Accept": TAXII})
        assert r.status_code == 401  # anonymous, not throttled
    # ... and one address is held to it.
    statuses = [
        proxied.get("/taxii2/", **{"X-Forwarded-For": "192.0.2.9", "Accept": TAXII}).status_code
        for _ in range(4)
    ]
    assert statuses == [401, 401, 401, 429]
