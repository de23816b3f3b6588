"""Object versions (TAXII 2.1 §5.8)."""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from api.deps import ReadDb, SettingsDep
from api.taxii.deps import (
    NO_SUCH_OBJECT,
    ROOT_PATH,
    CallerDep,
    CursorKey,
    ReadableCollection,
    paged,
    query_for,
    require_read,
    start_after,
)
from hub.errors import NotFound
from hub.store import objects as published
from hub.taxii.filters import Endpoint
from hub.taxii.timestamps import format_micros

router = APIRouter()
VERSIONS = f"{ROOT_PATH}/collections/{{collection_id}}/objects/{{object_id}}/versions"


@router.get(f"{VERSIONS}/")
@router.get(VERSIONS, include_in_schema=False)
async def get_object_versions(
    request: Request,
    db: ReadDb,
    caller: CallerDep,
    collection: ReadableCollection,
    settings: SettingsDep,
    key: CursorKey,
    object_id: str,
) -> Response:
    """Get Object Versions (TAXII 2.1 §5.8): 404 when no version of it is in the collection."""
    require_read(caller, collection)
    query = query_for(request, settings, Endpoint.VERSIONS, object_id)
    after = start_after(query, collection, key)
    page = await published.page(db, collection.id, query, after, with_body=False)
    if not page.rows and not await published.has_object(db, collection.id, object_id):
        raise NotFound(NO_SUCH_OBJECT)
    items = [orjson.dumps(format_micros(r.version)) for r in page.rows]
    return paged(page, query, collection, key, field=b"versions", items=items)
