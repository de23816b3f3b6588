"""SSRF: connectors reach only global addresses, unless an admin allow-lists a network.

This module runs with the strict policy (no allow-list), as a hub does by default; a test
that needs a connector on 127.0.0.1 registers it through a session that allows loopback.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typer.testing import CliRunner

from api.cli import app as cli_app
from connectors import registry, taxii_pull, webhooks
from connectors.jobs import Runtime
from hub import netpolicy
from hub.config import Settings
from hub.keys import Keyring
from hub.models import AuthKind, DeliveryState, Role, SourceMode, WebhookDelivery
from hub.runtime import HubRuntime
from tests.conftest import TEST_SECRET
from tests.connectors.conftest import LOOPBACK
from tests.connectors.httpstub import Seen, serve, taxii_root
from tests.factories import bearer, make_key, make_member, make_sector

# Every spelling of an address a hub must never fetch on its own.
REFUSED = [
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata (IPv4)
    "http://[fd00:ec2::254]/latest/meta-data/",  # cloud metadata (IPv6)
    "http://127.1/taxii2/",
    "http://0x7f000001/taxii2/",
    "http://2130706433/taxii2/",
    "http://[::ffff:127.0.0.1]/taxii2/",
    "http://[::1]:8080/taxii2/",
    "http://localhost./taxii2/",
    "http://localhost/taxii2/",
    "http://0.0.0.0/taxii2/",
    "http://10.1.2.3/taxii2/",
    "http://172.16.0.1/taxii2/",
    "http://192.168.1.1/taxii2/",
    "http://100.64.0.1/taxii2/",  # CGNAT
    "http://224.0.0.1/taxii2/",  # multicast
    "http://240.0.0.1/taxii2/",  # reserved
    "http://[64:ff9b::7f00:1]/taxii2/",  # NAT64 of 127.0.0.1
    "http://[2002:a9fe:a9fe::1]/taxii2/",  # 6to4 of 169.254.169.254
]


@pytest.fixture
def session_info() -> dict[str, Any]:
    return Keyring.of(TEST_SECRET).session_info()


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"connector_allow_networks": ""})


def loopback(db: AsyncSession) -> None:
    """This session registers as an admin who allow-listed loopback would."""
    db.info[netpolicy.INFO_KEY] = netpolicy.Policy.parse(LOOPBACK)


async def test_registration_refuses_every_non_global_destination(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    sector = await make_sector(db)
    member = await make_member(db, sector=sector)
    admin = bearer(await make_key(db, Role.ADMIN))
    await db.commit()
    for n, url in enumerate(REFUSED):
        source = {
            "name": f"src-{n:02}",
            "api_root_url": url,
            "collections": ["c1"],
            "mode": "validate",
            "sectors": [sector.slug],
            "auto_approve": True,
        }
        peer = {
            "name": f"peer-{n:02}",
            "api_root_url": url,
            "collections": [{"local": f"sector-{sector.slug}", "remote": "c1"}],
        }
        hook = {"member": member.slug, "url": url}
        for path, body in (("sources", source), ("peers", peer), ("webhooks", hook)):
            r = await client.post(f"/api/v1/admin/{path}", json=body, headers=admin)
            assert r.status_code == 422, (path, url, r.text)
            detail = r.json()["detail"]
            assert (
                "refused" in detail
                and "MAMORI_CONNECTOR_ALLOW_NETWORKS" in detail
                or ("does not resolve" in detail)
            ), detail
    listed = await client.get("/api/v1/admin/sources", headers=admin)
    assert listed.json() == []


def test_an_admin_allow_lists_a_private_network_from_the_command_line(tmp_path: Path) -> None:
    env = {
        "MAMORI_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}",
        "MAMORI_SECRET_KEY": TEST_SECRET,
        "MAMORI_DATA_DIR": str(tmp_path / "data"),
    }
    runner = CliRunner()
    assert runner.invoke(cli_app, ["demo", "--json"], env=env).exit_code == 0
    args = ["connector", "webhook", "add", "kansai-grid", "http://10.20.30.40/hooks/mamori"]
    refused = runner.invoke(cli_app, args, env=env)
    assert refused.exit_code != 0 and "10.20.30.40" in refused.output, refused.output
    allowed = runner.invoke(
        cli_app, args, env=env | {"MAMORI_CONNECTOR_ALLOW_NETWORKS": "10.20.0.0/16"}
    )
    assert allowed.exit_code == 0, allowed.output
    other = runner.invoke(
        cli_app,
        ["connector", "webhook", "add", "kansai-grid", "http://10.99.0.1/hook"],
        env=env | {"MAMORI_CONNECTOR_ALLOW_NETWORKS": "10.20.0.0/16"},
    )
    assert other.exit_code != 0  # only the network allowed, not every private one


async def _source_at(db: AsyncSession, url: str, *, token: str | None = None) -> str:
    sector = await make_sector(db)
    loopback(db)
    source = await registry.add_source(
        db,
        registry.SourceSpec(
            name=f"src-{sector.slug}",
            api_root_url=url,
            collections=("c1",),
            mode=SourceMode.VALIDATE,
            sectors=(sector.slug,),
            auto_approve=True,
            auth_kind=AuthKind.BEARER if token else AuthKind.NONE,
            credential=token,
        ),
        actor=None,
    )
    await db.commit()
    return source.name


async def test_the_worker_checks_again_at_connect_time(
    maker: async_sessionmaker[AsyncSession], db: AsyncSession, settings: Settings
) -> None:
    """Allowed when registered, refused when the policy (or the DNS answer) changed since."""
    with serve(taxii_root) as stub:
        name = await _source_at(db, f"{stub.base}/api1/")
        source = await registry.get_source(db, name)
        runtime = Runtime(maker, settings, HubRuntime.from_settings(settings))
        report = await taxii_pull.pull(runtime, source.id)
        assert stub.seen == []  # nothing left the hub
        assert "Refused" in report.errors["c1"] and "loopback" in report.errors["c1"]


async def test_a_redirect_to_metadata_is_refused_and_no_hop_gets_the_credentials(
    db: AsyncSession,
) -> None:
    token = "upstream-token-never-leaves-its-origin"
    with serve(taxii_root) as elsewhere:

        def redirect(request: Seen) -> tuple[int, dict[str, str], bytes]:
            if "meta" in request.path:
                return 302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b""
            return 302, {"Location": f"{elsewhere.base}{request.path}"}, b""

        with serve(redirect) as first:
            name = await _source_at(db, f"{first.base}/api1/", token=token)
            loopback(db)
            problems = await registry.test_source(db, name)
            # The other origin was reached (loopback is allowed here) but never saw the token.
            assert first.seen and first.seen[0].headers["authorization"] == f"Bearer {token}"
            assert elsewhere.seen and all("authorization" not in s.headers for s in elsewhere.seen)
            assert problems == []

            meta = await _source_at(db, f"{first.base}/meta/")
            problems = await registry.test_source(db, meta)
            assert len(problems) == 1 and "169.254.169.254" in problems[0], problems
            assert "link-local" in problems[0]


async def test_a_webhook_is_checked_at_delivery_and_signed_with_its_sealed_secret(
    maker: async_sessionmaker[AsyncSession], db: AsyncSession, settings: Settings
) -> None:
    got: list[tuple[Seen, bytes]] = []

    def receive(request: Seen) -> tuple[int, dict[str, str], bytes]:
        got.append((request, b""))
        return 204, {}, b""

    with serve(receive) as receiver:
        member = await make_member(db, sector=await make_sector(db))
        loopback(db)
        hook, secret = await registry.add_webhook(
            db, member.slug, f"{receiver.base}/hook", actor=None
        )
        delivery = WebhookDelivery(
            webhook_id=hook.id,
            collection_id="c",
            collection_slug="sector-x",
            count=1,
            date_added_last=1,
            state=DeliveryState.PENDING,
            attempts=0,
        )
        db.add(delivery)
        await db.commit()
        strict = Runtime(maker, settings, HubRuntime.from_settings(settings))
        assert not await webhooks.deliver(strict, delivery.id)
        assert receiver.seen == []
        async with maker() as check:
            row = await check.get(WebhookDelivery, delivery.id)
            assert row is not None and "refused" in (row.last_error or "")

        allowed = settings.model_copy(update={"connector_allow_networks": LOOPBACK})
        runtime = Runtime(maker, allowed, HubRuntime.from_settings(allowed))
        assert await webhooks.deliver(runtime, delivery.id)
        header = receiver.seen[0].headers[webhooks.SIGNATURE_HEADER.lower()]
        body = webhooks.body_of(delivery, allowed.hub_name)
        t = header.split(",")[0].split("=")[1]
        expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
        assert header.endswith(f"v1={expected}")
        assert json.loads(body)["count"] == 1
