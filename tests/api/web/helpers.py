"""Signing in to the console from tests, as a browser would: GET the form, POST it, keep cookies."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

CONSOLE = "/console"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]*)"')


def csrf_of(html: str) -> str:
    """The page's CSRF token; every form on the page must carry the same, non-empty one."""
    found = set(_TOKEN.findall(html))
    assert len(found) == 1 and "" not in found, f"CSRF fields on the page: {found}"
    return found.pop()


@asynccontextmanager
async def browser(
    app: FastAPI, base_url: str = "http://hub.test"
) -> AsyncIterator[httpx.AsyncClient]:
    """A client with its own cookie jar, like one browser profile."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
        yield client


async def sign_in(client: httpx.AsyncClient, key: str, next_url: str = "") -> httpx.Response:
    form = await client.get(f"{CONSOLE}/sign-in")
    assert form.status_code == 200, form.text
    return await client.post(
        f"{CONSOLE}/sign-in",
        data={"key": key, "csrf_token": csrf_of(form.text), "next": next_url},
    )


async def page_csrf(client: httpx.AsyncClient, path: str) -> str:
    """The CSRF token printed in the forms of a signed-in page."""
    r = await client.get(path)
    assert r.status_code == 200, r.text
    return csrf_of(r.text)
