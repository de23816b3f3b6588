"""`mamori connector …` (sources, peers, webhooks) and `mamori worker`."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from connectors import registry, status
from connectors.jobs import Runtime
from connectors.worker import Worker
from hub import commands
from hub.commands import jsonable
from hub.models import AuthKind, SourceMode
from hub.runtime import HubRuntime

T = TypeVar("T")

app = typer.Typer(no_args_is_help=True, help="Connectors: upstream sources, peers, webhooks.")
source_app = typer.Typer(no_args_is_help=True, help="Upstream TAXII servers the hub pulls from.")
peer_app = typer.Typer(no_args_is_help=True, help="Peer hubs the hub pushes collections to.")
webhook_app = typer.Typer(no_args_is_help=True, help="Members' webhooks for new objects.")
app.add_typer(source_app, name="source")
app.add_typer(peer_app, name="peer")
app.add_typer(webhook_app, name="webhook")


def _run(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    return commands.run(work)


def _emit(data: Any) -> None:

    commands.emit(data)


def _secret(env: str | None) -> str | None:
    """A password, token or secret from an environment variable, never from argv."""
    if env is None:
        return None
    value = os.environ.get(env)
    if not value:
        commands.fail(f"environment variable {env} is empty or unset")
    return value


Name = Annotated[str, typer.Argument(help="the connector's name")]
CredentialEnv = Annotated[
    str | None,
    typer.Option(help="environment variable holding the password or token (kept out of argv)"),
]
Auth = Annotated[AuthKind, typer.Option(help="how to authenticate")]
AsJson = Annotated[bool, typer.Option("--json")]


# --- sources ---------------------------------------------------------------------------


@source_app.command("add")
def source_add(
    name: Name,
    url: Annotated[str, typer.Option(help="the upstream's API root URL")],
    collection: Annotated[list[str], typer.Option(help="remote collection id (repeat)")],
    mode: Annotated[
        SourceMode,
        typer.Option(help="member: sanitized and reviewed; validate: trusted feed, published"),
    ],
    member: Annotated[str | None, typer.Option(help="member it submits as (member mode)")] = None,
    sector: Annotated[list[str] | None, typer.Option(help="sector it feeds (repeat)")] = None,
    default_tlp: Annotated[str, typer.Option(help="TLP for unmarked objects")] = "amber",
    auto_approve: Annotated[bool, typer.Option(help="approve without an operator")] = False,
    auth: Auth = AuthKind.NONE,
    username: Annotated[str | None, typer.Option()] = None,
    credential_env: CredentialEnv = None,
    ca_file: Annotated[str | None, typer.Option(help="PEM bundle to verify the server")] = None,
    interval: Annotated[int, typer.Option(min=1, help="seconds between pulls")] = 300,
    page_size: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
) -> None:
    """Follow an upstream TAXII 2.1 server's collections."""
    spec = registry.SourceSpec(
        name=name,
        api_root_url=url,
        collections=tuple(collection),
        mode=mode,
        sectors=tuple(sector or ()),
        member=member,
        default_tlp=default_tlp,
        auto_approve=auto_approve,
        auth_kind=auth,
        username=username,
        credential=_secret(credential_env),
        ca_file=ca_file,
        interval_seconds=interval,
        page_size=page_size,
    )

    async def work(db: AsyncSession) -> Any:
        source = await registry.add_source(db, spec, actor=None)
        return jsonable(await status.source_view(db, source))

    _emit(_run(work))


@source_app.command("list")
def source_list(as_json: AsJson = False) -> None:
    """Every source with its last run, objects moved and last error."""

    async def work(db: AsyncSession) -> list[dict[str, Any]]:
        return [jsonable(await status.source_view(db, s)) for s in await registry.list_sources(db)]

    rows = _run(work)
    if as_json:
        _emit(rows)
        return
    for s in rows:
        state = "paused" if s["paused"] else ("failing" if s["last_error"] else "ok")
        typer.echo(
            f"{s['name']:24} {s['mode']:9} {state:8} {s['objects_moved']:8} objects  "
            f"last run {s['last_run_at'] or 'never'}  {s['last_error'] or ''}"
        )


@source_app.command("show")
def source_show(name: Name) -> None:
    """Settings (never credentials), progress, next run and last error."""

    async def work(db: AsyncSession) -> Any:
        return jsonable(await status.source_view(db, await registry.get_source(db, name)))

    _emit(_run(work))


def _toggle(kind: registry.Kind, name: str, paused: bool) -> None:
    async def work(db: AsyncSession) -> None:
        await registry.set_paused(db, kind, name, paused, actor=None)

    _run(work)
    typer.echo(f"{kind} {name} {'paused' if paused else 'resumed'}")


def _check(problems: list[str]) -> None:
    if problems:
        commands.fail("; ".join(problems))
    typer.echo("reachable; the credentials work")


@source_app.command("pause")
def source_pause(name: Name) -> None:
    """Stop running it until resumed."""
    _toggle("source", name, True)


@source_app.command("resume")
def source_resume(name: Name) -> None:
    """Resume; the next run is due at once."""
    _toggle("source", name, False)


@source_app.command("test")
def source_test(name: Name) -> None:
    """Reach the upstream and each collection with the stored credentials."""
    _check(_run(lambda db: registry.test_source(db, name)))


@source_app.command("run")
def source_run(name: Name) -> None:
    """Make the next pull due now."""
    _run(lambda db: registry.run_now(db, "source", name))
    typer.echo(f"source {name} is due now")


@source_app.command("remove")
def source_remove(name: Name) -> None:
    """Forget it; what it moved stays."""
    _run(lambda db: registry.remove_source(db, name, actor=None))
    typer.echo(f"source {name} removed")


# --- peers -----------------------------------------------------------------------------


def _pairs(values: list[str]) -> tuple[tuple[str, str], ...]:
    out = []
    for value in values:
        local, sep, remote = value.partition("=")
        if not sep or not local or not remote:
            commands.fail(f"--map takes local-slug=remote-collection-id, got {value!r}")
        out.append((local, remote))
    return tuple(out)


@peer_app.command("add")
def peer_add(
    name: Name,
    url: Annotated[str, typer.Option(help="the peer's API root URL")],
    map_: Annotated[list[str], typer.Option("--map", help="local-slug=remote-id (repeat)")],
    max_tlp: Annotated[str, typer.Option(help="strictest TLP the peer may receive")] = "green",
    auth: Auth = AuthKind.NONE,
    username: Annotated[str | None, typer.Option()] = None,
    credential_env: CredentialEnv = None,
    ca_file: Annotated[str | None, typer.Option()] = None,
    interval: Annotated[int, typer.Option(min=1, help="seconds between pushes")] = 60,
    batch_size: Annotated[int, typer.Option(min=1, max=10_000)] = 200,
) -> None:
    """Mirror local collections to a peer, never above its TLP ceiling."""
    spec = registry.PeerSpec(
        name=name,
        api_root_url=url,
        collections=_pairs(map_),
        max_tlp=max_tlp,
        auth_kind=auth,
        username=username,
        credential=_secret(credential_env),
        ca_file=ca_file,
        interval_seconds=interval,
        batch_size=batch_size,
    )

    async def work(db: AsyncSession) -> Any:
        return jsonable(await status.peer_view(db, await registry.add_peer(db, spec, actor=None)))

    _emit(_run(work))


@peer_app.command("list")
def peer_list(as_json: AsJson = False) -> None:
    """Every peer with per-collection progress, last run and last error."""

    async def work(db: AsyncSession) -> list[dict[str, Any]]:
        return [jsonable(await status.peer_view(db, p)) for p in await registry.list_peers(db)]

    rows = _run(work)
    if as_json:
        _emit(rows)
        return
    for p in rows:
        state = "paused" if p["paused"] else ("failing" if p["last_error"] else "ok")
        typer.echo(
            f"{p['name']:24} {p['max_tlp']:17} {state:8} {p['objects_moved']:8} objects  "
            f"last run {p['last_run_at'] or 'never'}  {p['last_error'] or ''}"
        )


@peer_app.command("show")
def peer_show(name: Name) -> None:
    """Settings (never credentials), progress, next run and last error."""

    async def work(db: AsyncSession) -> Any:
        return jsonable(await status.peer_view(db, await registry.get_peer(db, name)))

    _emit(_run(work))


@peer_app.command("pause")
def peer_pause(name: Name) -> None:
    """Stop running it until resumed."""
    _toggle("peer", name, True)


@peer_app.command("resume")
def peer_resume(name: Name) -> None:
    """Resume; the next run is due at once."""
    _toggle("peer", name, False)


@peer_app.command("test")
def peer_test(name: Name) -> None:
    """Reach the peer and check these credentials may write to each mapped collection."""
    _check(_run(lambda db: registry.test_peer(db, name)))


@peer_app.command("run")
def peer_run(name: Name) -> None:
    """Make the next push due now."""
    _run(lambda db: registry.run_now(db, "peer", name))
    typer.echo(f"peer {name} is due now")


@peer_app.command("remove")
def peer_remove(name: Name) -> None:
    """Forget it; what it moved stays."""
    _run(lambda db: registry.remove_peer(db, name, actor=None))
    typer.echo(f"peer {name} removed")


# --- webhooks --------------------------------------------------------------------------


@webhook_app.command("add")
def webhook_add(
    member: Annotated[str, typer.Argument(help="member slug")],
    url: Annotated[str, typer.Argument(help="where to POST notifications")],
    secret_env: Annotated[
        str | None, typer.Option(help="environment variable with the secret (else generated)")
    ] = None,
) -> None:
    """Add a webhook; its signing secret is printed once."""

    async def work(db: AsyncSession) -> Any:
        hook, secret = await registry.add_webhook(
            db, member, url, actor=None, secret=_secret(secret_env)
        )
        return jsonable(status.webhook_view(hook, member)) | {"secret": secret}

    _emit(_run(work))


@webhook_app.command("list")
def webhook_list(member: Annotated[str | None, typer.Option()] = None) -> None:
    """Webhooks with their member, last delivery and last error (never the secret)."""

    async def work(db: AsyncSession) -> list[dict[str, Any]]:
        return [
            jsonable(status.webhook_view(h, slug))
            for h, slug in await registry.list_webhooks(db, member)
        ]

    _emit(_run(work))


@webhook_app.command("deliveries")
def webhook_deliveries(
    webhook_id: str, limit: Annotated[int, typer.Option(min=1, max=500)] = 50
) -> None:
    """The delivery history, newest first."""

    async def work(db: AsyncSession) -> list[dict[str, Any]]:
        return [
            jsonable(status.delivery_view(d))
            for d in await registry.deliveries(db, webhook_id, limit=limit)
        ]

    _emit(_run(work))


@webhook_app.command("pause")
def webhook_pause(webhook_id: str) -> None:
    """Stop notifying; nothing is queued while paused."""
    _toggle("webhook", webhook_id, True)


@webhook_app.command("resume")
def webhook_resume(webhook_id: str) -> None:
    """Notify again, from where it left off."""
    _toggle("webhook", webhook_id, False)


@webhook_app.command("remove")
def webhook_remove(webhook_id: str) -> None:
    """Delete the webhook and its delivery history."""
    _run(lambda db: registry.remove_webhook(db, webhook_id, actor=None))
    typer.echo(f"webhook {webhook_id} removed")


# --- the worker --------------------------------------------------------------------------


def worker(
    once: Annotated[bool, typer.Option(help="run the jobs due now, then exit")] = False,
) -> None:
    """Run connectors and webhook deliveries; start several against PostgreSQL, one on SQLite."""
    from hub import migrate
    from hub.db import make_engine, sessionmaker_for

    config = commands.settings()

    async def main() -> int:
        engine = make_engine(config.async_database_url)
        try:
            await migrate.upgrade(engine, keyring=config.keyring)
            maker = sessionmaker_for(engine, config)
            runtime = Runtime(maker, config, HubRuntime.from_settings(config))
            w = Worker(runtime)
            if once:
                await w.setup()
                return await w.drain()
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            typer.echo(
                f"worker {w.owner} running (database {commands.safe_url(config.database_url)})"
            )
            await w.run_forever(stop)
            return 0
        finally:
            await engine.dispose()

    ran = asyncio.run(main())
    if once:
        typer.echo(f"{ran} job(s) run")
