"""Console pages: each role sees its pages and no other's; every action goes through `hub`."""

from __future__ import annotations

import html
import re

import httpx
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub import members
from hub.models import AssetKind, Submission, SubmissionState
from hub.sanitize.rules import RULE_EXPLANATIONS
from hub.stix.tlp import TLP2_AMBER, TLP2_GREEN
from tests.api.test_review import (
    MEMBER_DOMAIN,
    MEMBER_NAME,
    indicator,
    make_world,
    published,
    submit,
)
from tests.api.web.helpers import CONSOLE, browser, page_csrf, sign_in
from tests.factories import bearer, make_member, make_sector

GREEN_C2 = "[ipv4-addr:value = '198.51.100.23']"


async def state_of(db: AsyncSession, sid: str) -> SubmissionState:
    db.expire_all()
    found = await db.scalar(select(Submission.state).where(Submission.id == sid))
    assert found is not None
    return found


async def statuses(app: FastAPI, key: str, paths: list[str]) -> dict[str, int]:
    async with browser(app) as client:
        assert (await sign_in(client, key)).status_code == 303
        return {p: (await client.get(p)).status_code for p in paths}


async def test_every_page_renders_for_its_role_and_no_other(
    app: FastAPI, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    world = await make_world(db)
    sid_a = await submit(client, world)
    sid_b = await submit(
        client,
        world,
        "submitter_b",
        [indicator(9, "[ipv4-addr:value = '198.51.100.9']", TLP2_GREEN)],
    )
    member_a = (await members.list_members(db, world.sector_a))[0].slug
    staff_pages = [
        f"{CONSOLE}/queue",
        f"{CONSOLE}/queue?state=published&tlp=TLP:RED",
        f"{CONSOLE}/submissions/{sid_a}",
        f"{CONSOLE}/sectors",
        f"{CONSOLE}/members/{member_a}",
        f"{CONSOLE}/audit",
        f"{CONSOLE}/dashboard",
        f"{CONSOLE}/dashboard?period=all",
    ]
    submitter_pages = [
        f"{CONSOLE}/my/submissions",
        f"{CONSOLE}/my/submissions/{sid_a}",
        f"{CONSOLE}/my/auto-consent",
    ]
    shared = [
        f"{CONSOLE}/collections",
        f"{CONSOLE}/collections/members",
        f"{CONSOLE}/collections/sector-{world.sector_a}",
    ]

    for who in ("operator", "admin"):
        got = await statuses(app, world.keys[who], staff_pages + shared + submitter_pages)
        assert all(got[p] == 200 for p in staff_pages + shared), (who, got)
        assert all(got[p] == 403 for p in submitter_pages), (who, got)
    assert (await statuses(app, world.keys["admin"], [f"{CONSOLE}/keys"])) == {
        f"{CONSOLE}/keys": 200
    }
    assert (await statuses(app, world.keys["operator"], [f"{CONSOLE}/keys"])) == {
        f"{CONSOLE}/keys": 403
    }

    got = await statuses(
        app,
        world.keys["submitter_a"],
        staff_pages + shared + submitter_pages + [f"{CONSOLE}/my/keys"],
    )
    assert all(got[p] == 403 for p in staff_pages), got
    assert all(got[p] == 200 for p in shared + submitter_pages + [f"{CONSOLE}/my/keys"]), got

    # Another member's submission and another sector's collection do not exist for a member.
    got = await statuses(
        app,
        world.keys["submitter_a"],
        [
            f"{CONSOLE}/my/submissions/{sid_b}",
            f"{CONSOLE}/collections/sector-{world.sector_b}",
            f"{CONSOLE}/collections/inbox",
            f"{CONSOLE}/collections/public",
            f"{CONSOLE}/submissions/{sid_b}",
        ],
    )
    assert list(got.values()) == [404, 404, 404, 404, 403], got
    got = await statuses(
        app,
        world.keys["reader_a"],
        [
            f"{CONSOLE}/collections",
            f"{CONSOLE}/my/keys",
            f"{CONSOLE}/my/submissions",
            f"{CONSOLE}/queue",
        ],
    )
    assert list(got.values()) == [200, 200, 403, 403], got


async def test_the_whole_loop_through_the_console(
    app: FastAPI, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    world = await make_world(db)
    objects = [
        indicator(
            1,
            GREEN_C2,
            TLP2_GREEN,
            description=f"C2 seen from mail.{MEMBER_DOMAIN} by {MEMBER_NAME}",
        )
    ]
    sid = await submit(client, world, objects=objects)
    async with browser(app) as op:
        await sign_in(op, world.keys["operator"])
        queue = await op.get(f"{CONSOLE}/queue")
        assert f"/console/submissions/{sid}" in queue.text
        page = await op.get(f"{CONSOLE}/submissions/{sid}")
        # Original beside sanitized, the redaction marked with the rule that made it.
        assert f"mail.{MEMBER_DOMAIN}" in page.text
        assert '<mark class="redacted">[REDACTED:domain]</mark>' in page.text
        assert re.search(r'<span class="rule"[^>]*>member-domain</span>', page.text)
        csrf = await page_csrf(op, f"{CONSOLE}/submissions/{sid}")
        r = await op.post(
            f"{CONSOLE}/submissions/{sid}/approve",
            data={"breadth": "members", "csrf_token": csrf, "note": "ok"},
        )
        assert r.status_code == 303 and r.headers["location"].endswith("done=approved")
        assert "Approved. The submitter is now asked" in (await op.get(r.headers["location"])).text
    assert await state_of(db, sid) is SubmissionState.AWAITING_CONSENT

    async with browser(app) as member:
        await sign_in(member, world.keys["submitter_a"])
        listing = await member.get(f"{CONSOLE}/my/submissions")
        assert "Review and consent" in listing.text
        preview = await member.get(f"{CONSOLE}/my/submissions/{sid}")
        assert "Exactly what will be published" in preview.text
        assert "sector-" in preview.text and "members" in preview.text
        # Every change is explained in the sanitizer's plain words (HTML-escaped on the page).
        assert html.escape(RULE_EXPLANATIONS["member-domain"]) in preview.text
        assert f"mail.{MEMBER_DOMAIN}" not in preview.text  # the member sees masked values only
        csrf = await page_csrf(member, f"{CONSOLE}/my/submissions/{sid}")
        r = await member.post(f"{CONSOLE}/my/submissions/{sid}/consent", data={"csrf_token": csrf})
        assert r.status_code == 303, r.text
    assert await state_of(db, sid) is SubmissionState.PUBLISHED
    where = await published(db, sid)
    assert set(where) == {f"sector-{world.sector_a}", "members"}

    async with browser(app) as reader:
        await sign_in(reader, world.keys["reader_b"])
        found = await reader.get(f"{CONSOLE}/collections/members", params={"q": "198.51.100.23"})
        assert found.status_code == 200 and "198.51.100.23" in found.text
        stix_id = next(iter(where["members"]))
        by_id = await reader.get(f"{CONSOLE}/collections/members", params={"id": stix_id})
        assert stix_id in by_id.text
        none = await reader.get(f"{CONSOLE}/collections/members", params={"q": "no-such-value"})
        assert "Nothing matches." in none.text
    async with browser(app) as op:
        await sign_in(op, world.keys["operator"])
        dash = await op.get(f"{CONSOLE}/dashboard")
        row = re.search(rf"\({world.sector_a}\).*?</tr>", dash.text, re.S)
        assert row is not None
        assert [int(n) for n in re.findall(r'class="num">(\d+)<', row.group(0))][:4] == [1, 1, 1, 0]
        audit = await op.get(f"{CONSOLE}/audit")
        assert "Chain verified." in audit.text and "consent.approve" in audit.text


async def test_reject_send_back_reopen_and_edit_forms(
    app: FastAPI, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    world = await make_world(db)
    objects = [
        indicator(1, GREEN_C2, TLP2_GREEN, description="seen in Project Kestrel"),
        indicator(
            2,
            "[domain-name:value = 'evil-updates.example.net']",
            TLP2_AMBER,
            description="beacon from Blue Falcon",
        ),
    ]
    sid = await submit(client, world, objects=objects)
    async with browser(app) as op:
        await sign_in(op, world.keys["operator"])
        csrf = await page_csrf(op, f"{CONSOLE}/submissions/{sid}")
        base = f"{CONSOLE}/submissions/{sid}"
        r = await op.post(f"{base}/edit", data={"redact": "Blue Falcon", "csrf_token": csrf})
        assert r.status_code == 303
        page = (await op.get(r.headers["location"])).text
        assert "Edit applied" in page and "[REDACTED:term]" in page
        r = await op.post(
            f"{base}/edit", data={"drop": indicator(1, "", None)["id"], "csrf_token": csrf}
        )
        assert r.status_code == 303
        assert "operator-drop" in (await op.get(base)).text
        empty = await op.post(f"{base}/edit", data={"redact": "", "csrf_token": csrf})
        assert empty.status_code == 422 and "needs something" in empty.text
        await op.post(f"{base}/approve", data={"breadth": "sector", "csrf_token": csrf})
        assert await state_of(db, sid) is SubmissionState.AWAITING_CONSENT
        r = await op.post(f"{base}/reopen", data={"reason": "check again", "csrf_token": csrf})
        assert r.status_code == 303
        assert await state_of(db, sid) is SubmissionState.IN_REVIEW
        blank = await op.post(f"{base}/send-back", data={"reason": " ", "csrf_token": csrf})
        assert blank.status_code == 422
        r = await op.post(f"{base}/send-back", data={"reason": "add the hash", "csrf_token": csrf})
        assert await state_of(db, sid) is SubmissionState.SENT_BACK
        again = await op.post(f"{base}/reject", data={"reason": "x", "csrf_token": csrf})
        assert again.status_code == 409 and "text/html" in again.headers["content-type"]
    async with browser(app) as member:
        await sign_in(member, world.keys["submitter_a"])
        page = await member.get(f"{CONSOLE}/my/submissions/{sid}")
        assert "Message from the hub: add the hash" in page.text
        csrf = await page_csrf(member, f"{CONSOLE}/my/submissions/{sid}")
        r = await member.post(f"{CONSOLE}/my/submissions/{sid}/withdraw", data={"csrf_token": csrf})
        assert r.status_code == 303
    assert await state_of(db, sid) is SubmissionState.WITHDRAWN
    sid2 = await submit(client, world)
    async with browser(app) as op:
        await sign_in(op, world.keys["operator"])
        csrf = await page_csrf(op, f"{CONSOLE}/queue")
        r = await op.post(
            f"{CONSOLE}/submissions/{sid2}/reject",
            data={"reason": "not a targeted attack", "csrf_token": csrf},
        )
        assert r.status_code == 303
    assert await state_of(db, sid2) is SubmissionState.REJECTED


async def test_keys_are_shown_once_and_revoked_at_once(
    app: FastAPI, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    world = await make_world(db)
    member = (await members.list_members(db, world.sector_b))[0].slug
    async with browser(app) as admin:
        await sign_in(admin, world.keys["admin"])
        csrf = await page_csrf(admin, f"{CONSOLE}/members/{member}")
        r = await admin.post(
            f"{CONSOLE}/keys",
            data={"role": "reader", "label": "SIEM", "member": member, "csrf_token": csrf},
        )
        assert r.status_code == 200 and "shown only once" in r.text
        key = re.search(r'value="(mk_[^"]+)"', r.text)
        assert key is not None
        new_key = key.group(1)
        assert r.headers["cache-control"] == "no-store"
        listing = await admin.get(f"{CONSOLE}/members/{member}")
        key_id = new_key.split(".")[0]
        assert key_id in listing.text and new_key not in listing.text
        api = await client.get(
            "/taxii2/mamori/collections/",
            headers=bearer(new_key) | {"Accept": "application/taxii+json;version=2.1"},
        )
        assert api.status_code == 200
        r = await admin.post(
            f"{CONSOLE}/keys/{key_id}/revoke",
            data={"csrf_token": csrf, "back": f"/console/members/{member}"},
        )
        assert r.status_code == 303
        assert r.headers["location"] == f"/console/members/{member}?done=revoked"
        api = await client.get(
            "/taxii2/mamori/collections/",
            headers=bearer(new_key) | {"Accept": "application/taxii+json;version=2.1"},
        )
        assert api.status_code == 401
        # Hub accounts too, and bad input is a readable 422, not a 500.
        r = await admin.post(
            f"{CONSOLE}/keys", data={"role": "operator", "csrf_token": csrf, "member": member}
        )
        assert r.status_code == 422 and "belongs to the hub" in r.text
    async with browser(app) as op:
        await sign_in(op, world.keys["operator"])
        csrf = await page_csrf(op, f"{CONSOLE}/queue")
        r = await op.post(
            f"{CONSOLE}/keys", data={"role": "reader", "member": member, "csrf_token": csrf}
        )
        assert r.status_code == 403


async def test_admin_registers_sectors_members_and_assets(app: FastAPI, db: AsyncSession) -> None:
    world = await make_world(db)
    async with browser(app) as admin:
        await sign_in(admin, world.keys["admin"])
        csrf = await page_csrf(admin, f"{CONSOLE}/sectors")
        r = await admin.post(
            f"{CONSOLE}/sectors", data={"slug": "chem-web", "name": "化学", "csrf_token": csrf}
        )
        assert r.status_code == 303
        r = await admin.post(
            f"{CONSOLE}/members",
            data={
                "slug": "hokuriku-chem",
                "display_name": "北陸化学工業株式会社",
                "sector": "chem-web",
                "assets_dns_domain": "hokuriku-chem.example.jp\n\n",
                "assets_term": "Project 雷",
                "csrf_token": csrf,
            },
        )
        assert r.status_code == 303 and r.headers["location"].startswith(
            "/console/members/hokuriku-chem"
        )
        page = await admin.get("/console/members/hokuriku-chem")
        assert "北陸化学工業株式会社" in page.text and "Project 雷" in page.text
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        r = await admin.post(
            f"{CONSOLE}/members/hokuriku-chem/assets",
            data={"assets_ip_range": "192.0.2.0/28", "assets_term": "", "csrf_token": csrf},
        )
        assert r.status_code == 303
    member = await members.get_member(db, "hokuriku-chem")
    lists = members.asset_lists(member)
    assert lists[AssetKind.IP_RANGE] == ["192.0.2.0/28"] and lists[AssetKind.TERM] == []


async def test_bad_input_gets_readable_pages_never_a_500(
    app: FastAPI, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    world = await make_world(db)
    await submit(client, world)
    async with browser(app) as op:
        await sign_in(op, world.keys["operator"])
        for path, status in (
            (f"{CONSOLE}/queue?tlp=pink", 422),
            (f"{CONSOLE}/queue?state=nonsense", 422),
            (f"{CONSOLE}/queue?cursor=!!", 400),
            (f"{CONSOLE}/queue?older_than=9y", 422),
            (f"{CONSOLE}/dashboard?period=forever", 422),
            (f"{CONSOLE}/submissions/no-such-id", 404),
            (f"{CONSOLE}/members/no-such-member", 404),
            (f"{CONSOLE}/collections/no-such", 404),
            (f"{CONSOLE}/collections/members?before=-1", 422),
            (f"{CONSOLE}/audit?before=0", 422),
            (f"{CONSOLE}/static/nothing.js", 404),
            (f"{CONSOLE}/no/such/page", 404),
        ):
            r = await op.get(path)
            assert r.status_code == status, (path, r.text)
            assert r.headers["content-type"].startswith("text/html"), path
            assert "<h1>" in r.text
        csrf = await page_csrf(op, f"{CONSOLE}/queue")
        r = await op.post(
            f"{CONSOLE}/submissions/no-such-id/approve",
            data={"breadth": "galaxy", "csrf_token": csrf},
        )
        assert r.status_code == 422


async def test_hostile_text_is_escaped_and_japanese_is_kept(
    app: FastAPI, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    sector = await make_sector(db)
    await make_member(db, sector=sector, display_name="<script>alert(1)</script>東北電力")
    world = await make_world(db)
    hostile = indicator(1, GREEN_C2, TLP2_GREEN, name='<img src=x onerror="alert(1)"> 不審な通信')
    sid = await submit(client, world, objects=[hostile])
    async with browser(app) as op:
        await sign_in(op, world.keys["operator"])
        for path in (f"{CONSOLE}/submissions/{sid}", f"{CONSOLE}/sectors"):
            page = await op.get(path)
            assert "<img src=x" not in page.text and "<script>alert" not in page.text
        assert (
            "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; 不審な通信"
            in (await op.get(f"{CONSOLE}/submissions/{sid}")).text
        )
        assert "東北電力" in (await op.get(f"{CONSOLE}/sectors")).text
