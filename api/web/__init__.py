"""The web console: server-rendered pages for operators and members under /console.

Every action calls the same `hub` functions as the REST API; this package only renders
pages, reads forms, and keeps the browser session.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from starlette.responses import RedirectResponse, Response

from api.web import (
    audit,
    auth,
    collections,
    dashboard,
    member_pages,
    members,
    queue,
    security,
    submission,
)
from api.web.auth import PREFIX
from api.web.templating import error_page
from hub.errors import NotFound

STATIC = Path(__file__).parent / "static"
# Only these files are served: no path from the URL ever reaches the file system.
ASSETS = {
    "console.css": "text/css; charset=utf-8",
    "console.js": "text/javascript; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}

router = APIRouter(prefix=PREFIX, include_in_schema=False)


@router.get("")
async def console_root() -> Response:
    return RedirectResponse(f"{PREFIX}/", status_code=303)


@router.get("/static/{name}")
async def asset(name: str) -> Response:
    """The console's own CSS, script and icon (no CDN: hubs often run on closed networks)."""
    media = ASSETS.get(name)
    if media is None:
        raise NotFound(f"no asset {name!r}")
    return Response(
        (STATIC / name).read_bytes(),
        media_type=media,
        headers={"Cache-Control": "public, max-age=3600"},
    )


for module in (auth, queue, submission, members, collections, audit, dashboard, member_pages):
    router.include_router(module.router)

render_error = error_page
middleware = security.middleware(PREFIX)

__all__ = ["PREFIX", "middleware", "render_error", "router"]
