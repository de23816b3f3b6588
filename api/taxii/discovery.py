"""Server discovery and the API root (TAXII 2.1 §4.1, §4.2)."""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from api.deps import SettingsDep
from api.taxii.deps import PREFIX, ROOT_PATH, CallerDep, taxii
from hub.taxii.media import TAXII_MEDIA

router = APIRouter()


def _base(request: Request, public_base_url: str | None) -> str:
    if public_base_url:
        return public_base_url.rstrip("/")
    return str(request.base_url).rstrip("/")


@router.get(f"{PREFIX}/")
@router.get(PREFIX, include_in_schema=False)
async def server_discovery(request: Request, caller: CallerDep, settings: SettingsDep) -> Response:
    """Server Discovery (TAXII 2.1 §4.1)."""
    root = f"{_base(request, settings.public_base_url)}{ROOT_PATH}/"
    body = {
        "title": f"{settings.hub_name} TAXII 2.1",
        "description": "Sanitized threat intelligence shared among member firms.",
        "default": root,
        "api_roots": [root],
    }
    return taxii(orjson.dumps(body))


@router.get(f"{ROOT_PATH}/")
@router.get(ROOT_PATH, include_in_schema=False)
async def api_root(caller: CallerDep, settings: SettingsDep) -> Response:
    """Get API Root Information (TAXII 2.1 §4.2)."""
    body = {
        "title": f"{settings.hub_name}",
        "description": "Per-sector, all-member and public collections, and an inbox.",
        "versions": [TAXII_MEDIA],
        "max_content_length": settings.max_body_bytes,
    }
    return taxii(orjson.dumps(body))
