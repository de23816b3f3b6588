"""Sectors, members with their registered assets, and API keys (created once, revoked)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from api.deps import Db
from api.web.auth import PREFIX, AdminOnly, Csrf, Staff, redirect, safe_next
from api.web.common import notice
from api.web.templating import page
from hub import members
from hub.errors import Unprocessable
from hub.models import AssetKind, Role

router = APIRouter()
Line = Annotated[str, Form(max_length=200)]
Lines = Annotated[str, Form(max_length=20000)]
KIND_LABELS = {
    AssetKind.NAME: "Names and aliases (any language)",
    AssetKind.DNS_DOMAIN: "DNS domains",
    AssetKind.EMAIL_DOMAIN: "E-mail domains",
    AssetKind.IP_RANGE: "IP ranges",
    AssetKind.AD_DOMAIN: "Active Directory domains",
    AssetKind.HOSTNAME_PATTERN: "Host-name patterns",
    AssetKind.TERM: "Sensitive terms",
    AssetKind.SITE: "Sites: plants, works, offices (any language)",
    AssetKind.GROUP_COMPANY: "Group companies",
    AssetKind.TEAM: "CSIRT / SOC team names",
    AssetKind.ID_FORMAT: "Internal id formats (# digit, @ letter, * run; e.g. INC-#*)",
}


def _lines(text: str) -> list[str]:
    return [v.strip() for v in text.splitlines() if v.strip()]


async def _asset_form(request: Request) -> dict[AssetKind, list[str]]:
    """One textarea per asset kind, one value per line."""
    form = await request.form()
    out: dict[AssetKind, list[str]] = {}
    for kind in AssetKind:
        value = form.get(f"assets_{kind.value}")
        if isinstance(value, str):
            if len(value) > 20000:
                raise Unprocessable(f"{KIND_LABELS[kind]}: too long")
            out[kind] = _lines(value)
    return out


@router.get("/sectors")
async def sectors_page(request: Request, db: Db, current: Staff) -> Response:
    """Every sector with its members; admins register new ones here."""
    sectors = await members.list_sectors(db)
    everyone = await members.list_members(db)
    return page(
        request,
        "sectors.html",
        sectors=sectors,
        members=everyone,
        kinds=KIND_LABELS,
        notice=notice(request),
    )


@router.post("/sectors")
async def create_sector(db: Db, current: AdminOnly, _: Csrf, slug: Line, name: Line) -> Response:
    """Create a sector; its TAXII collection follows from it."""
    await members.create_sector(db, slug.strip(), name, actor=current.principal)
    return redirect(f"{PREFIX}/sectors?done=sector_created")


@router.post("/members")
async def create_member(
    request: Request,
    db: Db,
    current: AdminOnly,
    _: Csrf,
    slug: Line,
    display_name: Line,
    sector: Line,
) -> Response:
    """Register a member firm and what the sanitizer must remove from its reports."""
    member = await members.create_member(
        db,
        slug.strip(),
        display_name,
        sector.strip(),
        await _asset_form(request),
        actor=current.principal,
    )
    return redirect(f"{PREFIX}/members/{member.slug}?done=member_created")


@router.get("/members/{slug}")
async def member_page(request: Request, db: Db, current: Staff, slug: str) -> Response:
    """A member's registered assets and keys."""
    member = await members.get_member(db, slug)
    return page(
        request,
        "member.html",
        member=member,
        assets=members.asset_lists(member),
        kinds=KIND_LABELS,
        keys=await members.list_keys(db, slug),
        sectors=[s for s, _ in await members.list_sectors(db)],
        roles=[Role.SUBMITTER, Role.READER],
        notice=notice(request),
    )


@router.post("/members/{slug}/assets")
async def save_assets(request: Request, db: Db, current: AdminOnly, _: Csrf, slug: str) -> Response:
    """Replace the member's registered assets with the lists in the form."""
    await members.update_member(
        db, slug, replace=await _asset_form(request), actor=current.principal
    )
    return redirect(f"{PREFIX}/members/{slug}?done=assets_saved")


@router.get("/keys")
async def keys_page(request: Request, db: Db, current: AdminOnly) -> Response:
    """Every API key (never a secret), hub accounts and members alike."""
    return page(
        request,
        "keys.html",
        keys=await members.list_keys(db),
        members=await members.list_members(db),
        roles=list(Role),
        notice=notice(request),
    )


@router.post("/keys")
async def create_key(
    request: Request,
    db: Db,
    current: AdminOnly,
    _: Csrf,
    role: Annotated[Role, Form()],
    label: Line = "",
    member: Line = "",
) -> Response:
    """Issue a key; this response is the only time it is ever shown."""
    account, issued = await members.create_key(
        db, role=role, label=label, member_slug=member.strip() or None, actor=current.principal
    )
    back = f"{PREFIX}/members/{member.strip()}" if member.strip() else f"{PREFIX}/keys"
    return page(request, "key_created.html", issued=issued, account=account, back=back)


@router.post("/keys/{key_id}/revoke")
async def revoke_key(
    db: Db,
    current: AdminOnly,
    _: Csrf,
    key_id: str,
    back: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """Revoke at once; it stops working on the next request, console sessions included."""
    await members.revoke(db, key_id, actor=current.principal)
    target = safe_next(back) if back else f"{PREFIX}/keys"
    sep = "&" if "?" in target else "?"
    return redirect(f"{target}{sep}done=revoked")
