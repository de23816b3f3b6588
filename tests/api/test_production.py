"""From outside: what `MAMORI_ENV=production` refuses, hides and never takes from a request."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hub.config import Settings, secret_weakness
from tests.hubprocess import HubProcess, free_port

TAXII = "application/taxii+json;version=2.1"
PUBLIC = "https://hub.example.org"
STRONG = "e2e-secret-key-that-is-long-enough-0123456789"
PRODUCTION = {"MAMORI_ENV": "production", "MAMORI_PUBLIC_BASE_URL": PUBLIC}


def run_cli(workdir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    process = HubProcess(workdir, **env)
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        cwd=workdir,
        env=process.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("secret", "why"),
    [
        (" " * 40, "white space"),
        ("x" * 48, "repetitive"),
        ("xy" * 24, "repetitive"),
        ("ab" * 24, "key material"),  # hex: 24 bytes
        ("00ff13a7" * 4, "key material"),  # 32 hex digits: 16 bytes
        ("c29tZSBrZXk=", "key material"),
    ],
)
def test_serve_refuses_a_weak_secret_in_production(tmp_path: Path, secret: str, why: str) -> None:
    done = run_cli(
        tmp_path, "serve", "--port", str(free_port()), MAMORI_SECRET_KEY=secret, **PRODUCTION
    )
    assert done.returncode == 2, done.stdout
    assert "MAMORI_SECRET_KEY" in done.stderr and why in done.stderr
    if secret.strip():
        assert secret not in done.stderr  # the value itself is never echoed


def test_generated_secrets_and_passphrases_pass() -> None:
    import secrets

    assert secret_weakness(secrets.token_urlsafe(32)) is None
    assert secret_weakness(secrets.token_hex(32)) is None
    assert secret_weakness("correct horse battery staple, then a few more words") is None
    Settings(env="production", secret_key=STRONG, public_base_url=PUBLIC)


def test_production_needs_the_public_url(tmp_path: Path) -> None:
    done = run_cli(
        tmp_path,
        "serve",
        "--port",
        str(free_port()),
        MAMORI_ENV="production",
        MAMORI_SECRET_KEY=STRONG,
    )
    assert done.returncode == 2
    assert "MAMORI_PUBLIC_BASE_URL" in done.stderr


def test_demo_refuses_to_run_in_production(tmp_path: Path) -> None:
    done = run_cli(tmp_path, "demo", **PRODUCTION)
    assert done.returncode == 2
    assert "production" in done.stderr
    assert "mk_" not in done.stdout + done.stderr
    done = run_cli(tmp_path, "demo", "--json", **PRODUCTION)
    assert done.returncode == 2 and "mk_" not in done.stdout


def start(workdir: Path, **env: str) -> Iterator[tuple[HubProcess, str]]:
    process = HubProcess(workdir, MAMORI_SANITIZE_PROCESSES="0", **PRODUCTION, **env)
    process.start()
    try:
        found = re.search(r"key:\s+(mk_\S+)", process.log_tail())
        assert found, process.log_tail()
        yield process, found.group(1)
    finally:
        process.stop()


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[HubProcess, str]]:
    yield from start(tmp_path_factory.mktemp("production"))


@pytest.fixture(scope="module")
def configured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[HubProcess, str]]:
    yield from start(
        tmp_path_factory.mktemp("configured"),
        MAMORI_METRICS_TOKEN="scrape-token-for-the-prometheus-server-0123",
        MAMORI_DOCS_ACCESS="staff",
    )


def test_metrics_and_the_api_document_are_off_by_default_in_production(
    production: tuple[HubProcess, str],
) -> None:
    process, admin = production
    for path in ("/metrics", "/openapi.json", "/docs", "/redoc"):
        for headers in ({}, {"Authorization": f"Bearer {admin}"}):
            r = httpx.get(f"{process.base_url}{path}", headers=headers, timeout=30)
            assert r.status_code == 404, (path, r.status_code)


def test_taxii_discovery_names_the_public_url_whatever_the_host(
    production: tuple[HubProcess, str],
) -> None:
    process, admin = production
    r = httpx.get(
        f"{process.base_url}/taxii2/",
        headers={"Authorization": f"Bearer {admin}", "Accept": TAXII, "Host": "evil.example"},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    assert r.json()["api_roots"] == [f"{PUBLIC}/taxii2/mamori/"]
    assert "evil.example" not in r.text


def test_metrics_behind_a_token_and_the_document_for_staff(
    configured: tuple[HubProcess, str],
) -> None:
    process, admin = configured
    url = process.base_url
    assert httpx.get(f"{url}/metrics", timeout=30).status_code == 401
    wrong = {"Authorization": "Bearer not-the-token"}
    assert httpx.get(f"{url}/metrics", headers=wrong, timeout=30).status_code == 401
    token = {"Authorization": "Bearer scrape-token-for-the-prometheus-server-0123"}
    scraped = httpx.get(f"{url}/metrics", headers=token, timeout=30)
    assert scraped.status_code == 200 and "mamori" in scraped.text
    assert httpx.get(f"{url}/openapi.json", timeout=30).status_code == 401
    document = httpx.get(
        f"{url}/openapi.json", headers={"Authorization": f"Bearer {admin}"}, timeout=30
    )
    assert document.status_code == 200 and "/api/v1/submissions" in document.json()["paths"]
    assert httpx.get(f"{url}/docs", timeout=30).status_code == 404


def test_development_keeps_them_open(tmp_path: Path) -> None:
    process = HubProcess(tmp_path, MAMORI_SANITIZE_PROCESSES="0")
    process.start()
    try:
        for path in ("/metrics", "/openapi.json", "/docs"):
            assert httpx.get(f"{process.base_url}{path}", timeout=30).status_code == 200, path
    finally:
        process.stop()
