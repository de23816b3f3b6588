"""The console in a real browser: the whole loop, role boundaries, CSRF, and screenshots."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hub.models.published import collection_uuid
from hub.sanitize.rules import RULE_EXPLANATIONS
from tests.browser.conftest import DemoHub, sample_report

TAXII = {"Accept": "application/taxii+json;version=2.1"}
C2 = "update-check.example-cdn.net"


@pytest.fixture
def context(chromium: Any) -> Iterator[Any]:
    """A fresh browser profile in Tokyo: times must show in JST with UTC on hover."""
    ctx = chromium.new_context(
        locale="ja-JP", timezone_id="Asia/Tokyo", viewport={"width": 1360, "height": 900}
    )
    yield ctx
    ctx.close()


def sign_in(page: Any, hub: DemoHub, key: str) -> None:
    page.goto(f"{hub.base_url}/console/sign-in")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/sign-in" not in page.url, page.content()


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r".*/console/sign-in"))


def taxii_objects(hub: DemoHub, reader: str, slug: str) -> list[dict[str, Any]] | None:
    r = httpx.get(
        f"{hub.base_url}/taxii2/mamori/collections/{collection_uuid(slug)}/objects/",
        headers=TAXII | {"Authorization": f"Bearer {hub.key('reader', reader)}"},
    )
    if r.status_code == 404:
        return None
    assert r.status_code == 200, r.text
    return list(r.json().get("objects", []))


def test_operator_approves_member_consents_and_the_sector_reads_it(
    hub: DemoHub, context: Any, screenshots: Path
) -> None:
    sid = hub.submit(sample_report(1))
    page = context.new_page()
    page.goto(f"{hub.base_url}/console/sign-in")
    page.screenshot(path=screenshots / "sign-in.png")
    sign_in(page, hub, hub.key("operator"))

    # The queue: oldest first, this submission in it.
    assert page.url.endswith("/console/queue")
    row = page.locator("tr", has=page.locator(f'a[href="/console/submissions/{sid}"]'))
    assert row.count() == 1 and "kansai-grid" in row.inner_text()
    stamp = row.locator("time").first
    assert not stamp.inner_text().endswith("UTC")  # shown in the viewer's zone (JST) ...
    assert "UTC" in (stamp.get_attribute("title") or "")  # ... with UTC on hover
    page.screenshot(path=screenshots / "queue.png", full_page=True)

    # Inspect: Japanese name rendered, each redaction highlighted with its rule.
    row.get_by_role("link", name=re.compile("Review")).click()
    assert page.get_by_role("heading", level=1).inner_text().endswith("関西グリッド電力株式会社")
    assert page.locator("mark.redacted").count() >= 3
    assert page.locator("tr.changed .rule", has_text="member-domain").count() >= 1
    assert page.locator("article.object.status-dropped").count() == 1  # the member's identity
    page.screenshot(path=screenshots / "submission.png", full_page=True)

    # Approve for the submitter's sector.
    page.get_by_label("The submitter's sector only").check()
    page.get_by_role("button", name="Approve and ask for consent").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text().startswith("Approved.")
    sign_out(page)

    # The member sees exactly what will be published and consents.
    sign_in(page, hub, hub.key("submitter", "kansai-grid"))
    assert page.url.endswith("/console/my/submissions")
    page.screenshot(path=screenshots / "my-submissions.png", full_page=True)
    page.locator(f'a[href="/console/my/submissions/{sid}"]').click()
    assert page.get_by_role("heading", name="Exactly what will be published").is_visible()
    text = page.locator("main").inner_text()
    assert "kansai-grid.example.jp" not in text and "t.yamada" not in text
    assert RULE_EXPLANATIONS["member-domain"] in text  # each change explained in plain words
    page.screenshot(path=screenshots / "consent.png", full_page=True)
    page.get_by_role("button", name="Approve and publish").click()
    assert "published" in page.get_by_role("status").inner_text()
    sign_out(page)

    # A reader of the sector (another member of it) gets the sanitized indicator over TAXII.
    objects = taxii_objects(hub, "tohoku-gas", "sector-energy") or []
    indicators = [o for o in objects if o["type"] == "indicator" and C2 in o["pattern"]]
    assert len(indicators) == 1
    assert "kansai-grid" not in str(indicators[0]) and "10.20.31.7" not in str(indicators[0])
    assert taxii_objects(hub, "nishi-heavy", "sector-energy") is None

    # The same object in the collection browser, found by value.
    sign_in(page, hub, hub.key("reader", "tohoku-gas"))
    page.goto(f"{hub.base_url}/console/collections/sector-energy")
    page.get_by_label("Value").fill(C2)
    page.get_by_role("button", name="Search").click()
    assert page.locator("table.objects tbody tr").count() == 1
    page.screenshot(path=screenshots / "collection.png", full_page=True)


def test_members_cannot_reach_operator_pages_or_other_members_submissions(
    hub: DemoHub, context: Any
) -> None:
    sid = hub.submit(sample_report(2))
    page = context.new_page()
    sign_in(page, hub, hub.key("submitter", "tohoku-gas"))
    for path in (
        "/console/queue",
        f"/console/submissions/{sid}",
        "/console/audit",
        "/console/dashboard",
        "/console/sectors",
        "/console/keys",
    ):
        response = page.goto(f"{hub.base_url}{path}")
        assert response.status == 403, path
        assert "Forbidden" in page.get_by_role("heading", level=1).inner_text()
    response = page.goto(f"{hub.base_url}/console/my/submissions/{sid}")
    assert response.status == 404
    assert page.locator(f'a[href="/console/my/submissions/{sid}"]').count() == 0
    page.goto(f"{hub.base_url}/console/my/submissions")
    assert page.locator(f'a[href="/console/my/submissions/{sid}"]').count() == 0
    nav = page.get_by_role("navigation", name="Main").inner_text()
    assert "Review queue" not in nav and "Audit log" not in nav


def test_a_form_without_its_csrf_token_is_refused(hub: DemoHub, context: Any) -> None:
    sid = hub.submit(sample_report(3))
    page = context.new_page()
    sign_in(page, hub, hub.key("operator"))
    page.goto(f"{hub.base_url}/console/submissions/{sid}")
    page.locator('#approve-form input[name="csrf_token"]').evaluate("e => e.remove()")
    with page.expect_navigation() as nav:
        page.get_by_role("button", name="Approve and ask for consent").click()
    assert nav.value.status == 403
    assert "security token" in page.locator("main").inner_text()
    page.goto(f"{hub.base_url}/console/submissions/{sid}")
    assert "in review" in page.locator(".facts").inner_text()


def test_screenshots_of_the_main_operator_pages(
    hub: DemoHub, context: Any, screenshots: Path
) -> None:
    hub.submit(sample_report(4))
    page = context.new_page()
    sign_in(page, hub, hub.key("admin"))
    for name, path in (
        ("dashboard", "/console/dashboard?period=all"),
        ("audit", "/console/audit"),
        ("sectors", "/console/sectors"),
        ("member", "/console/members/kansai-grid"),
        ("keys", "/console/keys"),
        ("collections", "/console/collections"),
    ):
        response = page.goto(f"{hub.base_url}{path}")
        assert response.status == 200, path
        page.screenshot(path=screenshots / f"{name}.png", full_page=True)
    assert "Chain verified." in page.goto(f"{hub.base_url}/console/audit").text()
    # A new key is shown once, then only its id.
    page.goto(f"{hub.base_url}/console/members/kansai-grid")
    page.get_by_label("Label").fill("SIEM connector")
    page.get_by_role("button", name="Create key").click()
    secret = page.get_by_label("Key").input_value()
    assert secret.startswith("mk_")
    page.screenshot(path=screenshots / "key-created.png")
    page.get_by_role("link", name="Done").click()
    assert secret not in page.content() and secret.split(".")[0] in page.content()
