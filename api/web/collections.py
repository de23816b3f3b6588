"""The collection browser: what each readable collection holds, searchable by id, type, value."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.deps import Db, get_settings
from api.web.auth import Anyone
from api.web.templating import page
from hub import figures
from hub.errors import NotFound
from hub.models import CollectionKind
from hub.store import access, collections

router = APIRouter()


@router.get("/collections")
async def collections_page(request: Request, db: Db, current: Anyone) -> Response:
    """Every collection the signed-in account may read over TAXII, with its size."""
    public = get_settings(request).public_collection
    readable = [
        c
        for c in await collections.all_collections(db)
        if access.can_read(current.principal, c, public_enabled=public)
    ]
    return page(
        request,
        "collections.html",
        collections=readable,
        sizes=await figures.collection_sizes(db),
        kinds=CollectionKind,
    )


@router.get("/collections/{slug}")
async def collection_page(
    request: Request,
    db: Db,
    current: Anyone,
    slug: str,
    id: Annotated[str, Query(max_length=300)] = "",
    type: Annotated[str, Query(max_length=250)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    before: Annotated[int | None, Query(ge=0)] = None,
) -> Response:
    """Objects newest first; a collection the account may not read does not exist for it."""
    public = get_settings(request).public_collection
    try:
        collection = await collections.by_slug(db, slug)
    except NotFound:
        collection = None
    if collection is None or not access.can_read(
        current.principal, collection, public_enabled=public
    ):
        raise NotFound(f"no collection {slug!r}")
    found = await figures.collection_objects(
        db, collection, stix_id=id or None, stix_type=type or None, value=q or None, before=before
    )
    return page(
        request,
        "collection.html",
        collection=collection,
        result=found,
        id=id,
        type=type,
        q=q,
        searching=bool(id or type or q),
    )
