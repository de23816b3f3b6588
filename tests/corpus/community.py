"""The community's life over the HTTP API: the admin sets it up, members report, the
operator approves, members consent, and every reader fetches all it can."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.app import create_app
from hub import members as hub_members
from hub import migrate
from hub.config import Settings
from hub.db import make_engine, make_sessionmaker
from hub.models import Role
from hub.runtime import HubRuntime
from hub.submissions import pipeline
from hub.taxii.media import TAXII_MEDIA
from tests.corpus.checker import ANONYMOUS, Expectation, Fetched, split_objects
from tests.corpus.members import BASE_KINDS, MEMBERS, NEW_KINDS, SECTORS

ADMIN = "/api/v1/admin"
TAXII = "/taxii2"
ROOT = "/taxii2/mamori"
STIX = {"Content-Type": "application/stix+json;version=2.1"}
ACCEPT = {"Accept": TAXII_MEDIA}
WAITING = {"received", "validated", "sanitized"}
# The widest scope: each object's TLP alone decides how far it goes, the hardest case.
SCOPE = {"breadth": "public", "extra_sectors": []}
_PROCESS_ATTEMPTS = 50
AMBER_STRICT = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"


@dataclass
class Hub:
    """A running hub: its HTTP client, its database sessions, its pipeline."""

    client: httpx.AsyncClient
    maker: async_sessionmaker[AsyncSession]
    ctx: HubRuntime


@asynccontextmanager
async def open_hub(url: str, settings: Settings) -> AsyncIterator[Hub]:
    """A freshly migrated hub on its own database, with its background work running."""
    engine = make_engine(url)
    try:
        await migrate.upgrade(engine)
        maker = make_sessionmaker(engine, keyring=settings.keyring)
        app = create_app(settings, sessionmaker=maker, background=True)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as c:
                yield Hub(c, maker, app.state.runtime)
    finally:
        await engine.dispose()


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@dataclass
class Community:
    keys: dict[str, str] = field(default_factory=dict)  # "admin", "operator", "<slug>:reader"
    notes: list[str] = field(default_factory=list)
    refused_kinds: set[str] = field(default_factory=set)
    flagged: Counter[str] = field(default_factory=Counter)

    def h(self, who: str) -> dict[str, str]:
        return bearer(self.keys[who])


async def _ok(r: httpx.Response, *codes: int) -> dict[str, Any]:
    assert r.status_code in (codes or (200,)), (
        f"{r.request.method} {r.request.url}: {r.status_code} {r.text[:500]}"
    )
    body: dict[str, Any] = r.json()
    return body


async def set_up(client: httpx.AsyncClient, maker: async_sessionmaker[AsyncSession]) -> Community:
    """The admin's work: sectors, members and their assets, keys for every role."""
    c = Community()
    async with maker() as db:
        # The first admin key comes from the command line on a real hub.
        _, issued = await hub_members.create_key(db, role=Role.ADMIN, label="corpus admin")
        await db.commit()
    c.keys["admin"] = issued.key
    admin = c.h("admin")
    for slug, name in SECTORS.items():
        await _ok(
            await client.post(f"{ADMIN}/sectors", headers=admin, json={"slug": slug, "name": name}),
            201,
        )
    for m in MEMBERS:
        assets = {k: list(m.registered(k)) for k in BASE_KINDS if m.registered(k)}
        await _ok(
            await client.post(
                f"{ADMIN}/members",
                headers=admin,
                json={
                    "slug": m.slug,
                    "display_name": m.display_name,
                    "sector": m.sector,
                    "assets": assets,
                },
            ),
            201,
        )
        for kind in NEW_KINDS:
            if not m.registered(kind) or kind in c.refused_kinds:
                continue
            r = await client.patch(
                f"{ADMIN}/members/{m.slug}",
                headers=admin,
                json={"assets": {kind: list(m.registered(kind))}},
            )
            if r.status_code == 422:
                c.refused_kinds.add(kind)
                continue
            got = await _ok(r)
            if sorted(got["assets"].get(kind, [])) != sorted(m.registered(kind)):
                c.refused_kinds.add(kind)
        for role in ("submitter", "reader"):
            key = await _ok(
                await client.post(
                    f"{ADMIN}/keys",
                    headers=admin,
                    json={"role": role, "member": m.slug, "label": f"{m.slug} {role}"},
                ),
                201,
            )
            c.keys[f"{m.slug}:{role}"] = key["key"]
    op = await _ok(
        await client.post(
            f"{ADMIN}/keys", headers=admin, json={"role": "operator", "label": "duty operator"}
        ),
        201,
    )
    c.keys["operator"] = op["key"]
    for kind in sorted(c.refused_kinds):
        c.notes.append(
            f"note: the API does not accept asset kind {kind!r} yet (422); "
            "those assets were not registered"
        )
    return c


async def _processed(
    client: httpx.AsyncClient,
    c: Community,
    who: str,
    sid: str,
    maker: async_sessionmaker[AsyncSession],
    ctx: HubRuntime,
) -> str:
    """The submission's state once the pipeline has reached review (or failed)."""
    for _ in range(_PROCESS_ATTEMPTS):
        got = await _ok(await client.get(f"/api/v1/submissions/{sid}", headers=c.h(who)))
        state = str(got["state"])
        if state not in WAITING:
            return state
        await pipeline.drain(maker, ctx)
        await asyncio.sleep(0.1)
    raise AssertionError(f"submission {sid} still {state} after {_PROCESS_ATTEMPTS} sweeps")


async def report_all(
    client: httpx.AsyncClient,
    c: Community,
    corpus: Sequence[Expectation],
    maker: async_sessionmaker[AsyncSession],
    ctx: HubRuntime,
) -> None:
    """Each member posts its bundles; the operator approves as is; the member consents."""
    for e in corpus:
        who = f"{e.submitter}:submitter"
        r = await client.post(
            "/api/v1/submissions", content=e.raw.encode(), headers=c.h(who) | STIX
        )
        sid = str((await _ok(r, 202))["id"])
        state = await _processed(client, c, who, sid, maker, ctx)
        if state != "in_review":
            c.notes.append(f"note: {e.bundle} reached {state}, not review")
            continue
        detail = await _ok(
            await client.get(f"/api/v1/review/submissions/{sid}", headers=c.h("operator"))
        )
        c.flagged.update(str(f.get("kind", "?")) for f in detail.get("flags", []))
        r = await client.post(
            f"/api/v1/review/submissions/{sid}/approve",
            headers=c.h("operator"),
            json={"scope": SCOPE},
        )
        if r.status_code != 200:
            c.notes.append(f"note: approving {e.bundle} answered {r.status_code}")
            continue
        if r.json()["state"] != "awaiting_consent":
            c.notes.append(f"note: {e.bundle} is {r.json()['state']} after approval")
            continue
        # A member that marked its report AMBER+STRICT and consents means its sector.
        strict = AMBER_STRICT in e.raw.casefold()
        await _ok(
            await client.post(
                f"/api/v1/submissions/{sid}/consent",
                headers=c.h(who),
                json={"decision": "approve", "amber_strict": strict},
            )
        )


async def _pages(
    client: httpx.AsyncClient,
    url: str,
    headers: dict[str, str],
    params: dict[str, str],
) -> list[httpx.Response]:
    out: list[httpx.Response] = []
    query = dict(params)
    while True:
        r = await client.get(url, headers=headers, params=query)
        if r.status_code != 200:
            return out
        out.append(r)
        body = r.json()
        if not body.get("more") or not body.get("next"):
            return out
        query = params | {"next": str(body["next"])}


async def read_everything(
    client: httpx.AsyncClient,
    c: Community,
    reader: str,
    headers: dict[str, str],
) -> list[Fetched]:
    """All a reader can fetch over TAXII 2.1, every response kept."""
    h = headers | ACCEPT
    got: list[Fetched] = []

    def keep(where: str, r: httpx.Response) -> None:
        if r.status_code == 200:
            got.extend(split_objects(reader, where, r.text))

    for path in ("/api/v1/submissions", "/api/v1/review/queue", "/api/v1/audit/verify"):
        keep(f"rest {path}", await client.get(path, headers=headers))
    keep("discovery", await client.get(f"{TAXII}/", headers=h))
    keep("api root", await client.get(f"{ROOT}/", headers=h))
    r = await client.get(f"{ROOT}/collections/", headers=h)
    keep("collections", r)
    collections = r.json().get("collections", []) if r.status_code == 200 else []
    for col in collections:
        if not col.get("can_read"):
            continue
        base = f"{ROOT}/collections/{col['id']}"
        name = col.get("title", col["id"])
        keep(f"collection {name}", await client.get(f"{base}/", headers=h))
        ids: set[str] = set()
        for page in await _pages(client, f"{base}/objects/", h, {"match[version]": "all"}):
            keep(f"{name} objects", page)
            ids.update(o["id"] for o in page.json().get("objects", []))
        for page in await _pages(client, f"{base}/manifest/", h, {"match[version]": "all"}):
            keep(f"{name} manifest", page)
        for oid in sorted(ids):
            keep(
                f"{name} get {oid}",
                await client.get(
                    f"{base}/objects/{oid}/", headers=h, params={"match[version]": "all"}
                ),
            )
            keep(
                f"{name} versions {oid}",
                await client.get(f"{base}/objects/{oid}/versions/", headers=h),
            )
    return got


async def read_all(client: httpx.AsyncClient, c: Community) -> list[Fetched]:
    """Every member's reader, and an anonymous client."""
    fetched: list[Fetched] = []
    for m in MEMBERS:
        fetched += await read_everything(client, c, m.slug, c.h(f"{m.slug}:reader"))
    fetched += await read_everything(client, c, ANONYMOUS, {})
    return fetched


async def run(hub: Hub, corpus: Sequence[Expectation]) -> tuple[Community, list[Fetched]]:
    """The whole life of the corpus: set up, report, review, consent, read."""
    c = await set_up(hub.client, hub.maker)
    await report_all(hub.client, c, corpus, hub.maker, hub.ctx)
    return c, await read_all(hub.client, c)
