"""Headless Debian Chromium driven by Playwright, against a real hub in a child process.

Without /usr/bin/chromium (or the playwright package) these tests skip and say why, unless
MAMORI_TEST_BROWSER=require (set by CI), which turns that into a failure. Playwright never
downloads a browser here: it launches the system one.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from hub import demo
from tests.hubprocess import HubProcess

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"
STIX = {"Content-Type": "application/stix+json;version=2.1"}


def _unavailable(reason: str) -> None:
    if os.environ.get("MAMORI_TEST_BROWSER", "auto") == "require":
        pytest.fail(f"browser tests required but {reason}")
    pytest.skip(f"browser tests skipped: {reason} (set MAMORI_TEST_BROWSER=require to fail)")


@dataclass
class DemoHub:
    """A running hub with the demo community and its keys by (role, member)."""

    process: HubProcess
    keys: dict[tuple[str, str | None], str]

    @property
    def base_url(self) -> str:
        return self.process.base_url

    def key(self, role: str, member: str | None = None) -> str:
        return self.keys[(role, member)]

    def submit(self, report: dict[str, Any], member: str = "kansai-grid") -> str:
        """Post a report as the member's submitter and wait until it reaches the operators."""
        r = httpx.post(
            f"{self.base_url}/api/v1/submissions",
            content=json.dumps(report),
            headers=STIX | {"Authorization": f"Bearer {self.key('submitter', member)}"},
        )
        assert r.status_code == 202, r.text
        sid = str(r.json()["id"])
        auth = {"Authorization": f"Bearer {self.key('submitter', member)}"}
        for _ in range(600):
            state = httpx.get(f"{self.base_url}/api/v1/submissions/{sid}", headers=auth).json()
            if state["state"] not in ("received", "validated", "sanitized"):
                assert state["state"] == "in_review", state
                return sid
            time.sleep(0.1)
        raise AssertionError(f"submission {sid} never reached review")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory, chromium: Any) -> Iterator[DemoHub]:
    process = HubProcess(tmp_path_factory.mktemp("console"), MAMORI_LOG_LEVEL="WARNING")
    seeded = process.demo()
    keys = {(c["role"], c["member"]): c["key"] for c in seeded["credentials"]}
    process.start()
    try:
        yield DemoHub(process, keys)
    finally:
        process.stop()


@pytest.fixture
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def sample_report(n: int) -> dict[str, Any]:
    """The demo's spear-phishing report, with fresh ids so each test has its own submission."""
    text = json.dumps(demo.sample_report())
    for old in (
        "0c2a9f9e-7f4e-4a53-9c70-5f4b8f0f6a11",
        "a6f9b3c2-6f0e-4d4a-9a52-3b1f7e8c9d01",
        "5b7c9d2e-1f3a-4b6c-8d9e-0a1b2c3d4e5f",
        "7d8e9f0a-1b2c-4d3e-8f4a-5b6c7d8e9f0a",
        "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d",
    ):
        text = text.replace(old, old[:-4] + f"{n:04d}")
    report: dict[str, Any] = json.loads(text)
    return report
