"""Status of a POST (TAXII 2.1 §4.3)."""

from __future__ import annotations

import orjson
from fastapi import APIRouter
from starlette.responses import Response

from api.deps import Db
from api.taxii.deps import ROOT_PATH, CallerDep, taxii
from hub.store import posts
from hub.store.posts import StatusView
from hub.taxii.timestamps import format_taxii

router = APIRouter()
STATUS = f"{ROOT_PATH}/status/{{status_id}}"


def status_response(view: StatusView, *, status_code: int = 200) -> Response:
    """The status resource (§4.3.1): counts match the lists; a list with no entry is left out."""
    body: dict[str, object] = {
        "id": view.id,
        "status": "complete" if view.complete else "pending",
        "request_timestamp": format_taxii(view.request_timestamp),
        "total_count": view.total,
        "success_count": len(view.successes),
        "failure_count": len(view.failures),
        "pending_count": len(view.pendings),
    }
    for name, entries in (
        ("successes", view.successes),
        ("failures", view.failures),
        ("pendings", view.pendings),
    ):
        if entries:
            body[name] = entries
    return taxii(orjson.dumps(body), status=status_code)


@router.get(f"{STATUS}/")
@router.get(STATUS, include_in_schema=False)
async def get_status(db: Db, caller: CallerDep, status_id: str) -> Response:
    """Get Status (TAXII 2.1 §4.3): only for the account that posted, and staff."""
    view = await posts.load_status(db, caller.principal, status_id)
    if view is None:
        raise caller.not_found("no such status resource")
    return status_response(view)
