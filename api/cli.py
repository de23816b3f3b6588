"""The ``mamori`` command: run the hub and administer it from a shell."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from api import key_epoch_cli
from connectors import cli as connectors_cli
from hub import audit, members
from hub import demo as demo_data
from hub.commands import emit, fail, run, safe_url, settings
from hub.models import AssetKind, Member, Role
from hub.models.published import collection_uuid

T = TypeVar("T")

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help=__doc__, pretty_exceptions_enable=False
)
db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
sector_app = typer.Typer(no_args_is_help=True, help="Sectors (sharing groups).")
member_app = typer.Typer(no_args_is_help=True, help="Member firms and their registered assets.")
key_app = typer.Typer(no_args_is_help=True, help="API keys.")
audit_app = typer.Typer(no_args_is_help=True, help="The hash-chained audit trail.")
app.add_typer(db_app, name="db")
app.add_typer(sector_app, name="sector")
app.add_typer(member_app, name="member")
app.add_typer(key_app, name="key")
app.add_typer(audit_app, name="audit")
app.add_typer(connectors_cli.app, name="connector")
app.add_typer(key_epoch_cli.app, name="key-epoch")
app.command("worker")(connectors_cli.worker)


# --- serve and db --------------------------------------------------------------------------


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="uvicorn worker processes")] = 1,
    worker: Annotated[
        bool | None,
        typer.Option("--worker/--no-worker", help="run connectors in-process (SQLite default)"),
    ] = None,
) -> None:
    """Migrate the database and run the hub; the first start prints an admin key."""
    import uvicorn

    from hub import logs

    config = settings()
    if worker is not None:
        # Read by connectors.worker.embedded in the server process that uvicorn starts.
        os.environ["MAMORI_WORKER_IN_PROCESS"] = "true" if worker else "false"
    if workers > 1 and config.is_sqlite:
        fail("SQLite serves one worker; use PostgreSQL (MAMORI_DATABASE_URL) for more", 2)
    issued = run(members.ensure_admin)
    if issued is not None:
        typer.echo("First start: an admin key was created. It is shown only this once:")
        typer.echo(f"  key id: {issued.key_id}")
        typer.echo(f"  key:    {issued.key}")
        typer.echo(
            f'  try:    curl -H "Authorization: Bearer {issued.key}" '
            f"http://{host}:{port}/api/v1/admin/sectors"
        )
    typer.echo(f"Mamori on http://{host}:{port} (database {safe_url(config.database_url)})")
    sys.stdout.flush()
    logs.configure(config.log_level, as_json=config.log_json)
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        # The app believes X-Forwarded-* from MAMORI_TRUSTED_PROXIES only (api.app).
        proxy_headers=False,
        server_header=False,
    )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration."""

    async def nothing(_: AsyncSession) -> None:
        return None

    run(nothing)
    typer.echo("database is up to date")


# --- sectors -------------------------------------------------------------------------------


@sector_app.command("add")
def sector_add(slug: str, name: str) -> None:
    """Create a sector, e.g. `mamori sector add energy "Electric power SIG"`."""
    sector = run(lambda db: members.create_sector(db, slug, name))
    typer.echo(f"sector {sector.slug} created")


@sector_app.command("list")
def sector_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every sector with its member count."""
    rows = run(members.list_sectors)
    if as_json:
        emit([{"slug": s.slug, "name": s.name, "members": n} for s, n in rows])
        return
    for s, n in rows:
        typer.echo(f"{s.slug:24} {n:3} members  {s.name}")


# --- members -------------------------------------------------------------------------------

Values = Annotated[list[str] | None, typer.Option()]


def _member_json(member: Member) -> dict[str, Any]:
    return {
        "slug": member.slug,
        "display_name": member.display_name,
        "sector": member.sector.slug,
        "created_at": member.created_at.isoformat(),
        "assets": {k.value: v for k, v in members.asset_lists(member).items()},
    }


@member_app.command("add")
def member_add(
    slug: str,
    sector: Annotated[str, typer.Option(help="sector slug")],
    display_name: Annotated[str, typer.Option(help="the firm's name as members know it")],
    name: Annotated[list[str] | None, typer.Option(help="another name or alias (repeat)")] = None,
    dns_domain: Values = None,
    email_domain: Values = None,
    ip_range: Values = None,
    ad_domain: Values = None,
    hostname_pattern: Values = None,
    term: Values = None,
    site: Values = None,
    group_company: Values = None,
    team: Values = None,
    id_format: Values = None,
) -> None:
    """Register a member firm with the assets the sanitizer must remove from its reports."""
    lists = {
        AssetKind.NAME: name or [],
        AssetKind.DNS_DOMAIN: dns_domain or [],
        AssetKind.EMAIL_DOMAIN: email_domain or [],
        AssetKind.IP_RANGE: ip_range or [],
        AssetKind.AD_DOMAIN: ad_domain or [],
        AssetKind.HOSTNAME_PATTERN: hostname_pattern or [],
        AssetKind.TERM: term or [],
        AssetKind.SITE: site or [],
        AssetKind.GROUP_COMPANY: group_company or [],
        AssetKind.TEAM: team or [],
        AssetKind.ID_FORMAT: id_format or [],
    }
    member = run(lambda db: members.create_member(db, slug, display_name, sector, lists))
    emit(_member_json(member))


@member_app.command("list")
def member_list(
    sector: Annotated[str | None, typer.Option(help="only this sector")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Members, with their sector."""
    rows = run(lambda db: members.list_members(db, sector))
    if as_json:
        emit([_member_json(m) for m in rows])
        return
    for m in rows:
        typer.echo(f"{m.slug:24} {m.sector.slug:16} {m.display_name}")


@member_app.command("show")
def member_show(slug: str) -> None:
    """One member with every registered asset."""
    emit(_member_json(run(lambda db: members.get_member(db, slug))))


@member_app.command("update")
def member_update(
    slug: str,
    display_name: Annotated[str | None, typer.Option()] = None,
    sector: Annotated[str | None, typer.Option(help="move to this sector")] = None,
    add: Annotated[
        list[str] | None, typer.Option(help="kind=value to register, e.g. dns_domain=x.example")
    ] = None,
    remove: Annotated[list[str] | None, typer.Option(help="kind=value to unregister")] = None,
) -> None:
    """Change a member's name, sector or assets."""

    async def work(db: AsyncSession) -> Member:
        return await members.update_member(
            db,
            slug,
            display_name=display_name,
            sector_slug=sector,
            add=members.parse_asset_pairs(add or []),
            remove=members.parse_asset_pairs(remove or []),
        )

    emit(_member_json(run(work)))


# --- keys ----------------------------------------------------------------------------------


@key_app.command("create")
def key_create(
    role: Annotated[Role | None, typer.Option(help="role of a new account")] = None,
    member: Annotated[str | None, typer.Option(help="member slug (submitter, reader)")] = None,
    label: Annotated[str, typer.Option(help="who or what uses the key")] = "",
    account: Annotated[str | None, typer.Option(help="add a key to this account")] = None,
) -> None:
    """Issue a key; it is printed once and only its hash is kept."""
    acct, issued = run(
        lambda db: members.create_key(
            db, role=role, label=label, member_slug=member, account_id=account
        )
    )
    emit(
        {
            "key_id": issued.key_id,
            "key": issued.key,
            "account_id": acct.id,
            "role": acct.role.value,
            "member": member,
        }
    )


@key_app.command("list")
def key_list(
    member: Annotated[str | None, typer.Option(help="only this member's keys")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Keys, their accounts and last use (never the secrets)."""
    rows = run(lambda db: members.list_keys(db, member))
    if as_json:
        emit([vars(k) for k in rows])
        return
    for k in rows:
        state = "revoked" if k.revoked_at else "active"
        used = k.last_used_at.isoformat(timespec="seconds") if k.last_used_at else "never used"
        typer.echo(f"{k.key_id}  {k.role.value:9} {k.member_slug or '(hub)':20} {state:8} {used}")


@key_app.command("revoke")
def key_revoke(key_id: str) -> None:
    """Revoke a key; it stops working at once."""
    run(lambda db: members.revoke(db, key_id))
    typer.echo(f"key {key_id} revoked")


# --- audit ---------------------------------------------------------------------------------


@audit_app.command("verify")
def audit_verify() -> None:
    """Check every entry of the chain and its anchor; exit 1 at an altered, missing or cut entry."""
    verdict = run(audit.verify)
    if not verdict.ok:
        where = f" at entry {verdict.bad_seq}" if verdict.bad_seq is not None else ""
        fail(f"audit chain broken{where}: {verdict.problem}")
    anchored = f", anchored at {verdict.anchored_seq}" if verdict.anchored_seq else ""
    typer.echo(f"audit chain intact: {verdict.entries} entries, head {verdict.head}{anchored}")


@audit_app.command("list")
def audit_list(
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
    action: Annotated[str | None, typer.Option(help="e.g. key.create")] = None,
) -> None:
    """The newest entries first."""
    for e in run(lambda db: audit.recent(db, limit=limit, action=action)):
        typer.echo(
            f"{e.seq:6} {e.at.isoformat(timespec='seconds')} {e.actor:28} {e.action:18} {e.subject}"
        )


# --- demo ----------------------------------------------------------------------------------


@app.command()
def demo(
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
    base_url: Annotated[str, typer.Option(help="where the hub will listen")] = (
        "http://127.0.0.1:8000"
    ),
) -> None:
    """Seed two sectors and three members with keys, and print commands to try them."""
    config = settings()
    if config.env == "production":
        fail("mamori demo seeds a made-up community and prints its keys; not in production", 2)
    seeded = run(demo_data.seed)
    report = config.data_dir / "demo-report.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps(demo_data.sample_report(), ensure_ascii=False, indent=2))
    creds = {(c.role, c.member): c for c in seeded.credentials}
    commands = demo_commands(
        base_url,
        report,
        submitter=creds[("submitter", "kansai-grid")].key,
        operator=creds[("operator", None)].key,
        reader=creds[("reader", "tohoku-gas")].key,
    )
    if as_json:
        emit(
            {
                "sectors": seeded.sectors,
                "members": seeded.members,
                "credentials": [vars(c) for c in seeded.credentials],
                "sample_report": str(report),
                "commands": commands,
            }
        )
        return
    typer.echo("Demo community ready (keys are shown once; run `mamori demo` again for new ones).")
    for s in seeded.sectors:
        typer.echo(f"\nsector {s['slug']}: {s['name']}")
        for m in (m for m in seeded.members if m["sector"] == s["slug"]):
            typer.echo(f"  member {m['slug']}: {m['display_name']}")
    typer.echo("\nkeys:")
    for c in seeded.credentials:
        typer.echo(f"  {c.role:9} {c.member or '(hub)':12} {c.key}")
    typer.echo(f"\nsample report from kansai-grid: {report}")
    typer.echo("\nStart the hub with `mamori serve`; then, with ID the id in the receipt:")
    for name, command in commands.items():
        typer.echo(f"\n# {name.replace('_', ' ')}\n{command}")


def demo_commands(
    base_url: str, report: Path, *, submitter: str, operator: str, reader: str
) -> dict[str, str]:
    """The whole loop as curl commands: report, review, consent, read back over TAXII."""
    energy = collection_uuid("sector-energy")
    json_type = '-H "Content-Type: application/json"'

    def curl(key: str) -> str:
        return f'curl -sS -H "Authorization: Bearer {key}"'

    return {
        "submit (as kansai-grid)": (
            f"{curl(submitter)} -X POST {base_url}/api/v1/submissions "
            f'-H "Content-Type: application/stix+json;version=2.1" --data-binary @{report}'
        ),
        "status": f"{curl(submitter)} {base_url}/api/v1/submissions/ID",
        "review queue (as operator)": f"{curl(operator)} {base_url}/api/v1/review/queue",
        "approve for the sector": (
            f"{curl(operator)} -X POST {base_url}/api/v1/review/submissions/ID/approve "
            f"""{json_type} -d '{{"scope": {{"breadth": "sector"}}}}'"""
        ),
        "preview what will be published (as kansai-grid)": (
            f"{curl(submitter)} {base_url}/api/v1/submissions/ID/preview"
        ),
        "consent": (
            f"{curl(submitter)} -X POST {base_url}/api/v1/submissions/ID/consent "
            f"""{json_type} -d '{{"decision": "approve"}}'"""
        ),
        "read it back over TAXII (as tohoku-gas, same sector)": (
            f'{curl(reader)} -H "Accept: application/taxii+json;version=2.1" '
            f"{base_url}/taxii2/mamori/collections/{energy}/objects/"
        ),
    }


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # the last line of defence: one line, never a traceback
        typer.echo(f"mamori: error: {type(exc).__name__}: {exc}".splitlines()[0], err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
