"""TAXII 2.1 server under /taxii2/: discovery, API root, collections, objects, status."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter
from starlette.responses import Response

from api.taxii import collections, discovery, manifest, objects, status, versions
from api.taxii.deps import PREFIX, taxii

router = APIRouter(tags=["taxii"])
for module in (discovery, collections, objects, manifest, versions, status):
    router.include_router(module.router)


def render_error(
    status_code: int, title: str, detail: str, errors: list[dict[str, Any]]
) -> Response:
    """A TAXII error resource (§3.6.1); `http_status` is a string, as the spec defines it."""
    body: dict[str, Any] = {"title": title, "description": detail, "http_status": str(status_code)}
    if errors:
        body["details"] = {"errors": errors}
    return taxii(orjson.dumps(body), status=status_code)


__all__ = ["PREFIX", "render_error", "router"]
