"""Collections (TAXII 2.1 §5.1, §5.2)."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter
from starlette.responses import Response

from api.deps import Db
from api.taxii.deps import ROOT_PATH, STIX_21, Caller, CallerDep, ReadableCollection, taxii
from hub.models import Collection
from hub.store import collections

router = APIRouter()


def resource(collection: Collection, caller: Caller) -> dict[str, Any]:
    """The collection resource (§5.2.1) as this caller sees it."""
    return {
        "id": collection.id,
        "title": collection.title,
        "description": collection.description,
        "alias": collection.slug,
        "can_read": caller.can_read(collection),
        "can_write": caller.can_write(collection),
        "media_types": [STIX_21],
    }


@router.get(f"{ROOT_PATH}/collections/")
@router.get(f"{ROOT_PATH}/collections", include_in_schema=False)
async def get_collections(db: Db, caller: CallerDep) -> Response:
    """Get Collections (TAXII 2.1 §5.1): only the ones this caller can read or write."""
    shown = [resource(c, caller) for c in await collections.all_collections(db) if caller.sees(c)]
    return taxii(orjson.dumps({"collections": shown} if shown else {}))


@router.get(f"{ROOT_PATH}/collections/{{collection_id}}/")
@router.get(f"{ROOT_PATH}/collections/{{collection_id}}", include_in_schema=False)
async def get_collection(collection: ReadableCollection, caller: CallerDep) -> Response:
    """Get a Collection (TAXII 2.1 §5.2)."""
    return taxii(orjson.dumps(resource(collection, caller)))
