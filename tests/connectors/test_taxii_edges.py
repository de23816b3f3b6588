"""Edges of the TAXII connectors: envelope splitting, the TLP filter, and an upstream
that pages without `next` (the pull continues from X-TAXII-Date-Added-Last)."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors import registry, taxii_pull
from connectors.jobs import Runtime
from connectors.taxii_push import ENVELOPE_OVERHEAD, envelopes, outbound
from hub.config import Settings
from hub.models import AuthKind, Collection, PublishedObject, SourceMode
from hub.runtime import HubRuntime
from hub.stix.tlp import (
    TLP1_RED,
    TLP2_AMBER,
    TLP2_AMBER_STRICT,
    TLP2_CLEAR,
    TLP2_DEFINITIONS,
    TLP2_GREEN,
    Tlp,
)
from tests.factories import make_sector

TAXII = "application/taxii+json;version=2.1"
TOKEN = "upstream-bearer-token-0123"


@settings(max_examples=200, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=2, max_value=400), max_size=60),
    max_bytes=st.integers(min_value=ENVELOPE_OVERHEAD + 2, max_value=1500),
)
def test_envelopes_stay_under_the_peers_limit_and_keep_every_object(
    sizes: list[int], max_bytes: int
) -> None:
    bodies = [json.dumps("x" * (n - 2)).encode() for n in sizes]
    packed, oversize = envelopes(bodies, max_bytes)
    assert all(len(e) <= max_bytes for e in packed)
    flattened = [json.dumps(o).encode() for e in packed for o in json.loads(e)["objects"]]
    assert flattened == [b for i, b in enumerate(bodies) if i not in oversize]
    assert oversize == [i for i, b in enumerate(bodies) if len(b) + ENVELOPE_OVERHEAD > max_bytes]


def obj(kind: str, marking: str | None = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": kind, "id": f"{kind}--{uuid.uuid4()}", **extra}
    if marking:
        out["object_marking_refs"] = [marking]
    return out


def test_outbound_withholds_everything_above_the_ceiling() -> None:
    clear, green = obj("malware", TLP2_CLEAR), obj("malware", TLP2_GREEN)
    amber, strict, red = (
        obj("malware", TLP2_AMBER),
        obj("malware", TLP2_AMBER_STRICT),
        obj("malware", TLP1_RED),
    )
    unmarked = obj("malware")
    to_amber = obj("relationship", TLP2_GREEN, source_ref=green["id"], target_ref=amber["id"])
    forged = obj("marking-definition", name="TLP:GREEN", definition_type="statement")
    claims_green = obj("malware", forged["id"])
    objects = [clear, green, amber, strict, red, unmarked, to_amber, forged, claims_green]
    allowed, withheld = outbound(objects, ceiling=Tlp.GREEN, default=Tlp.AMBER)
    assert [objects[i]["id"] for i in allowed] == [clear["id"], green["id"], forged["id"]]
    assert len(withheld) == 6
    allowed, _ = outbound(objects, ceiling=Tlp.AMBER_STRICT, default=Tlp.AMBER)
    # RED never leaves, nor does what a forged TLP name marks (fail closed).
    left = {objects[i]["id"] for i in allowed}
    assert red["id"] not in left and claims_green["id"] not in left and len(allowed) == 7
    # A reference to something stored earlier (not in this page) still decides the level.
    later = obj("relationship", TLP2_GREEN, source_ref=green["id"], target_ref=amber["id"])
    allowed, withheld = outbound([later], ceiling=Tlp.GREEN, default=Tlp.AMBER, context=[amber])
    assert (allowed, withheld) == ([], [0])


class Upstream:
    """A TAXII 2.1 server that answers `more` without `next`, as some servers do."""

    def __init__(self) -> None:
        self.collection_id = str(uuid.uuid4())
        self.objects: list[tuple[datetime, dict[str, Any]]] = []
        self.requests: list[dict[str, Any]] = []
        self.start = datetime(2026, 11, 1, tzinfo=UTC)

    def add(self, n: int) -> None:
        for _ in range(n):
            added = self.start + timedelta(milliseconds=len(self.objects) + 1, microseconds=7)
            indicator = {
                "type": "indicator",
                "spec_version": "2.1",
                "id": f"indicator--{uuid.uuid4()}",
                "created": "2026-10-01T00:00:00.000Z",
                "modified": "2026-10-01T00:00:00.000Z",
                "pattern": f"[ipv4-addr:value = '203.0.113.{len(self.objects)}']",
                "pattern_type": "stix",
                "valid_from": "2026-10-01T00:00:00Z",
                "object_marking_refs": [TLP2_GREEN],
            }
            self.objects.append((added, indicator))

    def handler(self) -> type[BaseHTTPRequestHandler]:
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                return None

            def send(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", TAXII)
                self.send_header("Content-Length", str(len(raw)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self) -> None:  # noqa: N802 - the http.server protocol
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                upstream.requests.append({"path": url.path, **query})
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    self.send(401, {"title": "no"}, {})
                    return
                coll = f"/api1/collections/{upstream.collection_id}/"
                if url.path == "/api1/":
                    self.send(
                        200,
                        {"title": "edge", "versions": [TAXII], "max_content_length": 100000},
                        {},
                    )
                elif url.path == coll:
                    self.send(
                        200,
                        {
                            "id": upstream.collection_id,
                            "title": "c",
                            "can_read": True,
                            "can_write": False,
                        },
                        {},
                    )
                elif url.path == coll + "objects/":
                    after = query.get("added_after")
                    since = datetime.fromisoformat(after.replace("Z", "+00:00")) if after else None
                    rows = [(t, o) for t, o in upstream.objects if since is None or t > since]
                    limit = int(query.get("limit", "100"))
                    page, more = rows[:limit], len(rows) > limit
                    headers = {}
                    if page:
                        headers = {
                            "X-TAXII-Date-Added-First": page[0][0].strftime(
                                "%Y-%m-%dT%H:%M:%S.%fZ"
                            ),
                            "X-TAXII-Date-Added-Last": page[-1][0].strftime(
                                "%Y-%m-%dT%H:%M:%S.%fZ"
                            ),
                        }
                    body: dict[str, Any] = {"more": more, "objects": [o for _, o in page]}
                    self.send(200, body if page else {}, headers)
                else:
                    self.send(404, {"title": "not found"}, {})

        return Handler


@pytest.fixture
def upstream() -> Iterator[tuple[Upstream, str]]:
    server_state = Upstream()
    server = ThreadingHTTPServer(("127.0.0.1", 0), server_state.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server_state, f"http://127.0.0.1:{server.server_address[1]}/api1/"
    finally:
        server.shutdown()
        server.server_close()


async def test_pull_without_next_continues_from_date_added_last(
    upstream: tuple[Upstream, str], maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    server, url = upstream
    server.add(7)
    async with maker() as db:
        sector = await make_sector(db)
        source = await registry.add_source(
            db,
            registry.SourceSpec(
                name=f"edge-{uuid.uuid4().hex[:6]}",
                api_root_url=url,
                collections=(server.collection_id,),
                mode=SourceMode.VALIDATE,
                sectors=(sector.slug,),
                auto_approve=True,
                auth_kind=AuthKind.BEARER,
                credential=TOKEN,
                page_size=3,
            ),
            actor=None,
        )
        await db.commit()
    runtime = Runtime(maker, settings, HubRuntime.from_settings(settings))

    report = await taxii_pull.pull(runtime, source.id)
    pulled = report.collections[server.collection_id]
    assert report.errors == {} and pulled.pages == 3 and pulled.accepted == 7
    fetches = [r for r in server.requests if r["path"].endswith("/objects/")]
    assert [r.get("added_after") for r in fetches] == [
        None,
        "2026-11-01T00:00:00.003007Z",
        "2026-11-01T00:00:00.006007Z",
    ]
    assert all("next" not in r for r in fetches)

    server.add(2)
    again = await taxii_pull.pull(runtime, source.id)
    assert again.collections[server.collection_id].fetched == 2
    async with maker() as db:
        stored = set(
            await db.scalars(
                select(PublishedObject.stix_id)
                .join(Collection, Collection.id == PublishedObject.collection_id)
                .where(Collection.slug == f"sector-{sector.slug}")
            )
        )
    # What was pulled, and the TLP 2.0 definition of the default stamped on it.
    assert stored - set(TLP2_DEFINITIONS) == {o["id"] for _, o in server.objects}
