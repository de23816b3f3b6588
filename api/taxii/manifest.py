"""Object manifests (TAXII 2.1 §5.3)."""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from api.deps import ReadDb, SettingsDep
from api.taxii.deps import (
    ROOT_PATH,
    CallerDep,
    CursorKey,
    ReadableCollection,
    paged,
    query_for,
    require_read,
    start_after,
)
from hub.store import objects as published
from hub.taxii.filters import Endpoint
from hub.taxii.timestamps import format_micros

router = APIRouter()
MANIFEST = f"{ROOT_PATH}/collections/{{collection_id}}/manifest"


@router.get(f"{MANIFEST}/")
@router.get(MANIFEST, include_in_schema=False)
async def get_manifest(
    request: Request,
    db: ReadDb,
    caller: CallerDep,
    collection: ReadableCollection,
    settings: SettingsDep,
    key: CursorKey,
) -> Response:
    """Get Object Manifests (TAXII 2.1 §5.3)."""
    require_read(caller, collection)
    query = query_for(request, settings, Endpoint.MANIFEST)
    page = await published.page(
        db, collection.id, query, start_after(query, collection, key), with_body=False
    )
    items = [
        orjson.dumps(
            {
                "id": r.stix_id,
                "date_added": format_micros(r.date_added),
                "version": format_micros(r.version),
                "media_type": f"application/stix+json;version={r.spec_version}",
            }
        )
        for r in page.rows
    ]
    return paged(page, query, collection, key, field=b"objects", items=items)
