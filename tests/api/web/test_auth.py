"""Console sign-in: hardened cookies, server-side sessions, CSRF, rate limits, headers."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub import members
from hub.config import Settings
from hub.db import utcnow
from hub.members import sessions
from hub.models import AuditEntry, Role, WebSession
from tests.api.test_review import make_world, submit
from tests.api.web.helpers import CONSOLE, browser, csrf_of, page_csrf, sign_in
from tests.factories import make_key

FAILURES = 5  # MAMORI_SIGN_IN_FAILURES: 5/15 minutes, the default


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The suite's settings with the default failed sign-in limit."""
    default = Settings.model_fields["sign_in_failures"].default
    return settings.model_copy(update={"sign_in_failures": default})


def cookie_header(response: httpx.Response, name: str) -> str:
    found = [v for v in response.headers.get_list("set-cookie") if v.startswith(f"{name}=")]
    assert found, response.headers
    return found[0]


async def test_sign_in_sets_a_hardened_session_cookie(app: FastAPI, db: AsyncSession) -> None:
    key = await make_key(db, Role.OPERATOR)
    await db.commit()
    async with browser(app) as client:
        r = await sign_in(client, key)
        assert r.status_code == 303 and r.headers["location"] == f"{CONSOLE}/queue"
        cookie = cookie_header(r, "mamori_console").lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "path=/console" in cookie
        assert "secure" not in cookie  # plain HTTP: a Secure cookie would never come back
        token = client.cookies["mamori_console"]
        # Only a hash of the token is stored.
        assert await db.get(WebSession, token) is None
        assert await db.get(WebSession, sessions.token_hash(token)) is not None
        assert (await client.get(f"{CONSOLE}/queue")).status_code == 200
    async with browser(app, "https://hub.test") as client:
        r = await sign_in(client, key)
        assert "secure" in cookie_header(r, "mamori_console").lower()


async def test_console_pages_carry_security_headers(app: FastAPI, db: AsyncSession) -> None:
    key = await make_key(db, Role.OPERATOR)
    await db.commit()
    async with browser(app) as client:
        for r in (
            await client.get(f"{CONSOLE}/sign-in"),
            await sign_in(client, key),
            await client.get(f"{CONSOLE}/queue"),
            await client.get(f"{CONSOLE}/nowhere"),
        ):
            csp = r.headers["content-security-policy"]
            assert "script-src 'self'" in csp and "unsafe-inline" not in csp
            assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
            assert r.headers["x-frame-options"] == "DENY"
            assert r.headers["x-content-type-options"] == "nosniff"
            assert r.headers["referrer-policy"] == "same-origin"
            assert r.headers["cache-control"] == "no-store"
        css = await client.get(f"{CONSOLE}/static/console.css")
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
        assert "Noto Sans CJK JP" in css.text and "Hiragino Sans" in css.text
        assert (await client.get(f"{CONSOLE}/static/..%2Fauth.py")).status_code == 404


async def test_anonymous_visitors_are_sent_to_sign_in_and_brought_back(
    app: FastAPI, db: AsyncSession
) -> None:
    key = await make_key(db, Role.OPERATOR)
    await db.commit()
    async with browser(app) as client:
        r = await client.get(f"{CONSOLE}/audit?action=x")
        assert r.status_code == 303
        assert r.headers["location"] == f"{CONSOLE}/sign-in?next=/console/audit%3Faction%3Dx"
        back = await sign_in(client, key, next_url="/console/audit?action=x")
        assert back.headers["location"] == "/console/audit?action=x"
    # Never an open redirect.
    for target in ("https://evil.example/", "//evil.example/", "/api/v1/admin/keys"):
        async with browser(app) as client:
            r = await sign_in(client, key, next_url=target)
            assert r.headers["location"] == f"{CONSOLE}/", target


async def test_failed_sign_ins_are_audited_and_limited_per_key_id(
    app: FastAPI, db: AsyncSession
) -> None:
    key = await make_key(db, Role.OPERATOR)
    other = await make_key(db, Role.OPERATOR)
    await db.commit()
    key_id = key.split(".")[0]
    async with browser(app) as client:
        for _ in range(FAILURES):
            r = await sign_in(client, "garbage")
            assert r.status_code == 401, r.text
            assert "not accepted" in r.text and "mamori_console" not in client.cookies
        # Guesses without a key id never lock out a real key used from the same address.
        assert (await sign_in(client, key)).status_code == 303
    async with browser(app) as client:
        for _ in range(FAILURES):
            assert (await sign_in(client, f"{key_id}.not-the-secret")).status_code == 401
        # That key id is refused from this address for a while, even with its secret ...
        r = await sign_in(client, key)
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
        assert "mamori_console" not in client.cookies
    async with browser(app) as client:
        # ... and every other key still signs in from it.
        assert (await sign_in(client, other)).status_code == 303
    failed = (
        await db.scalars(select(AuditEntry).where(AuditEntry.action == "console.sign_in_failed"))
    ).all()
    assert len(failed) == 2 * FAILURES
    assert {e.subject for e in failed} == {"client:127.0.0.1"}
    assert {e.details["key_id"] for e in failed} == {key_id, None}
    assert "not-the-secret" not in str([e.details for e in failed])


async def test_sign_in_form_needs_its_own_token(app: FastAPI, db: AsyncSession) -> None:
    key = await make_key(db, Role.OPERATOR)
    await db.commit()
    async with browser(app) as client:
        r = await client.post(f"{CONSOLE}/sign-in", data={"key": key, "csrf_token": "forged"})
        assert r.status_code == 403 and "mamori_console" not in client.cookies


async def test_forms_without_the_csrf_token_are_refused(
    app: FastAPI, client: httpx.AsyncClient, db: AsyncSession
) -> None:
    world = await make_world(db)
    sid = await submit(client, world)
    async with browser(app) as op:
        await sign_in(op, world.keys["operator"])
        url = f"{CONSOLE}/submissions/{sid}/approve"
        token = await page_csrf(op, f"{CONSOLE}/submissions/{sid}")
        for data, headers in (
            ({"breadth": "sector"}, {}),
            ({"breadth": "sector", "csrf_token": "x" * 43}, {}),
            ({"breadth": "sector", "csrf_token": token}, {"Origin": "https://evil.example"}),
        ):
            r = await op.post(url, data=data, headers=headers)
            assert r.status_code == 403, r.text
            assert "security token" in r.text and r.headers["content-type"].startswith("text/html")
        assert "in review" in (await op.get(f"{CONSOLE}/submissions/{sid}")).text
        ok = await op.post(
            url,
            data={"breadth": "sector", "csrf_token": token},
            headers={"Origin": "http://hub.test"},
        )
        assert ok.status_code == 303
        # Another session's token is not this session's.
        async with browser(app) as other:
            await sign_in(other, world.keys["operator2"])
            foreign = await page_csrf(other, f"{CONSOLE}/queue")
        r = await op.post(f"{CONSOLE}/sign-out", data={"csrf_token": foreign})
        assert r.status_code == 403


async def test_sign_out_ends_the_session_on_the_server(app: FastAPI, db: AsyncSession) -> None:
    key = await make_key(db, Role.OPERATOR)
    await db.commit()
    async with browser(app) as client:
        await sign_in(client, key)
        token = client.cookies["mamori_console"]
        csrf = await page_csrf(client, f"{CONSOLE}/queue")
        r = await client.post(f"{CONSOLE}/sign-out", data={"csrf_token": csrf})
        assert r.status_code == 303 and r.headers["location"] == f"{CONSOLE}/sign-in"
        assert "mamori_console" not in client.cookies
    async with browser(app) as replay:
        replay.cookies.set("mamori_console", token, domain="hub.test", path="/console")
        assert (await replay.get(f"{CONSOLE}/queue")).status_code == 303
    assert (
        await db.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action.in_(["console.sign_in", "console.sign_out"]))
        )
        == 2
    )


async def test_sessions_expire_idle_out_and_end_with_their_key(
    app: FastAPI, db: AsyncSession
) -> None:
    key = await make_key(db, Role.OPERATOR)
    await db.commit()
    key_id = key.split(".")[0]
    for change in ("expired", "idle", "revoked key"):
        async with browser(app) as client:
            await sign_in(client, key)
            hashed = sessions.token_hash(client.cookies["mamori_console"])
            assert (await client.get(f"{CONSOLE}/queue")).status_code == 200
            now = utcnow()
            if change == "expired":
                await db.execute(
                    update(WebSession)
                    .where(WebSession.id_hash == hashed)
                    .values(expires_at=now - timedelta(seconds=1))
                )
            elif change == "idle":
                await db.execute(
                    update(WebSession)
                    .where(WebSession.id_hash == hashed)
                    .values(last_seen_at=now - sessions.IDLE)
                )
            else:
                await members.revoke(db, key_id)
            await db.commit()
            assert (await client.get(f"{CONSOLE}/queue")).status_code == 303, change


async def test_sign_in_page_is_plain_html_with_one_form(app: FastAPI) -> None:
    async with browser(app) as client:
        r = await client.get(f"{CONSOLE}/sign-in")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        assert csrf_of(r.text)
        assert 'type="password"' in r.text and 'autocomplete="off"' in r.text
        assert "<script>" not in r.text and "style=" not in r.text
        cookie = cookie_header(r, "mamori_sign_in").lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
